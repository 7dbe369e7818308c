// INPUTS: f32[129x65] f32[65x33]
// A small product (linalg.matmul as parallel loops with a serial inner sum).
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.matmul %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

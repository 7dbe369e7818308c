// INPUTS: f32[1000] f32[37]
// Ambient promotion: operands of different lengths, each zero beyond itself.
func.func @ambient(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  %1 = vsla.mul %0, %b : tensor<?xf32>, tensor<?xf32>
  return %1 : tensor<?xf32>
}

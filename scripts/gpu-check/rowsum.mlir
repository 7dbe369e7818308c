// INPUTS: f32[513x301]
// A reduction over rows and one over everything.
func.func @rowsum(%a: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<f32>) {
  %0 = vsla.sum %a axes = [1] : tensor<?x?xf32>
  %1 = vsla.sum %0 axes = [0] : tensor<?xf32>
  return %0, %1 : tensor<?xf32>, tensor<f32>
}

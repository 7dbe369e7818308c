// INPUTS: f32[4099] f32[17]
// Convolution of a signal with a short kernel (the filter of examples/).
func.func @conv(%x: tensor<?xf32>, %h: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.conv %x, %h : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

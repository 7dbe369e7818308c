// Attention-like pooling of each item of a ragged batch (vsla.map):
// sum(softmax(x) * tanh(x)) per item, stacked into one value per item.
func.func @pool(%values: tensor<?xf32> {vsla.ragged_shapes = 1 : i64},
                %shapes: tensor<?x1xi64>) -> tensor<?xf32> {
  %stacked = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>) {
  ^bb0(%i: index, %x: tensor<?xf32>):
    %0 = vsla.softmax %x axis = 0 : tensor<?xf32>
    %1 = vsla.tanh %x : tensor<?xf32>
    %2 = vsla.mul %0, %1 : tensor<?xf32>, tensor<?xf32>
    %3 = vsla.sum %2 axes = [0] : tensor<?xf32>
    vsla.yield %3 : tensor<f32>
  } -> stacked(tensor<?xf32>)
  return %stacked : tensor<?xf32>
}

// Ragged inputs stacked without padding them to a common length first:
// vsla.stack zero-extends each input to the ambient shape as it stacks.
// A window stack over a stream of frames is sugar for one stack per window.
//
//   vsla-opt examples/ragged.mlir --canonicalize

func.func @batch(%a: tensor<2xf32>, %b: tensor<?xf32>, %c: tensor<1xf32>) -> tensor<3x?xf32> {
  // stack([10, 20], [30, 40, 50], [60]) = [[10, 20, 0], [30, 40, 50], [60, 0, 0]]
  %s = vsla.stack %a, %b, %c : tensor<2xf32>, tensor<?xf32>, tensor<1xf32>
  return %s : tensor<3x?xf32>
}

// Frames of two features, windows of three: the fourth frame waits for a
// full window, so one [3, 2] stack comes out.
func.func @windows(%f0: tensor<2xf32>, %f1: tensor<2xf32>, %f2: tensor<2xf32>, %f3: tensor<2xf32>)
    -> tensor<3x2xf32> {
  %w = vsla.window_stack %f0, %f1, %f2, %f3 window = 3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  return %w : tensor<3x2xf32>
}

// The minimal representative of [5, 3, 2] - [2, 1, 2] = [3, 2, 0] is [3, 2]:
// shrink's extents depend on the data, so its result type is dynamic.
func.func @minimal(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<?xf32> {
  %d = vsla.sub %x, %y : tensor<3xf32>, tensor<3xf32>
  %m = vsla.shrink %d : tensor<3xf32>
  return %m : tensor<?xf32>
}

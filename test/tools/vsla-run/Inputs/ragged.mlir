// A function of a ragged batch: packed values marked with the argument that
// holds their per-item extents, and a ragged result (run.test runs it).
func.func @scale(%values: tensor<?xf32> {vsla.ragged_shapes = 1 : i64},
                 %shapes: tensor<?x1xi64>)
    -> (tensor<?xf32> {vsla.ragged_shapes = 1 : i64}, tensor<?x1xi64>) {
  %two = arith.constant 2.0 : f32
  %0 = vsla.mul_scalar %values, %two : tensor<?xf32>, f32
  return %0, %shapes : tensor<?xf32>, tensor<?x1xi64>
}

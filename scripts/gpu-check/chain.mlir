// INPUTS: f32[1048577] f32[1048577]
// The fused elementwise chain of benchmarks/run.py's chain workload.
func.func @chain(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %s = arith.constant 1.5 : f32
  %0 = vsla.mul_scalar %a, %s : tensor<?xf32>, f32
  %1 = vsla.add %0, %b {vsla.equal_shapes} : tensor<?xf32>, tensor<?xf32>
  %2 = vsla.tanh %1 : tensor<?xf32>
  %3 = vsla.sigmoid %a : tensor<?xf32>
  %4 = vsla.mul %2, %3 {vsla.equal_shapes} : tensor<?xf32>, tensor<?xf32>
  return %4 : tensor<?xf32>
}

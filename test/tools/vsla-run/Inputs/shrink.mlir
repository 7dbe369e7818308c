// A function whose result shape depends on data (cuda.test).
func.func @shrink(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.shrink %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

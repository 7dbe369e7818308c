// Functions the runtime-only tests (ArtifactTest.cpp) load from an artifact
// that vsla-compile writes at build time.

// a * x + y, zero-extending the shorter vector.
func.func @axpy(%a: f32, %x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %ax = vsla.mul_scalar %x, %a : tensor<?xf32>, f32
  %r = vsla.add %ax, %y : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}

// Promised equal shapes: a run-time check guards the promise.
func.func @same(%x: tensor<?x3xf64>, %y: tensor<?x3xf64>) -> tensor<?x3xf64> {
  %r = vsla.add %x, %y {vsla.equal_shapes} : tensor<?x3xf64>, tensor<?x3xf64>
  return %r : tensor<?x3xf64>
}

// The sum of a long vector: a parallel reduction (OpenMP).
func.func @total(%x: tensor<?xf32>) -> tensor<f32> {
  %r = vsla.sum %x axes = [0] : tensor<?xf32>
  return %r : tensor<f32>
}

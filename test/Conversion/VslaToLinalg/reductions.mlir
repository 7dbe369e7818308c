// Reductions and softmax.
// RUN: vsla-opt %s --convert-vsla-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @sum_keepdims
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]]
// CHECK: linalg.reduce ins(%arg0 : tensor<?x4xf32>) {{.*}} dimensions = [1]
// A float sum may be reassociated (so it can be vectorized).
// CHECK: arith.addf {{.*}} fastmath<reassoc>
// CHECK: tensor.expand_shape {{.*}} {{\[}}[0, 1]] {{.*}} : tensor<?xf32> into tensor<?x1xf32>
func.func @sum_keepdims(%x: tensor<?x4xf32>) -> tensor<?x1xf32> {
  %0 = vsla.sum %x axes = [1] keepdims : tensor<?x4xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// max starts from -inf, min from +inf: the identity of an empty extent.
// CHECK-LABEL: func @max_min
// CHECK-DAG: arith.constant 0xFF800000 : f32
// CHECK-DAG: arith.constant 0x7F800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @max_min(%x: tensor<?xf32>) -> (tensor<f32>, tensor<f32>) {
  %0 = vsla.max %x axes = [0] : tensor<?xf32>
  %1 = vsla.min %x axes = [0] : tensor<?xf32>
  return %0, %1 : tensor<f32>, tensor<f32>
}

// -----

// mean divides by the logical extent.
// CHECK-LABEL: func @mean
// CHECK: linalg.reduce
// CHECK: %[[D:.*]] = tensor.dim %arg0
// CHECK: %[[N:.*]] = arith.uitofp
// CHECK: arith.divf %{{.*}}, %[[N]]
func.func @mean(%x: tensor<?xf32>) -> tensor<f32> {
  %0 = vsla.mean %x axes = [0] : tensor<?xf32>
  return %0 : tensor<f32>
}

// -----

// softmax: max, shift, exp, sum, divide.
// CHECK-LABEL: func @softmax
// CHECK: linalg.reduce
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.reduce
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = vsla.softmax %x axis = 1 : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// CHECK-LABEL: func @log_softmax
// CHECK: math.exp
// CHECK: math.log
// CHECK-NEXT: arith.subf
func.func @log_softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = vsla.log_softmax %x axis = 1 : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

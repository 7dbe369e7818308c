// Constant evaluation of elementwise ops and reductions, including the
// known-good values of the VSLA specification.
// RUN: vsla-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @known_good_ambient
// CHECK-DAG: vsla.constant dense<[5.000000e+00, 7.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: vsla.constant dense<[4.000000e+00, -1.000000e+00, 1.000000e+00, 1.000000e+00, 2.000000e+00]> : tensor<5xf32>
// CHECK-DAG: vsla.constant dense<[8.000000e+00, 1.500000e+01, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: vsla.constant dense<{{\[}}[1.100000e+01, 2.000000e+00, 3.000000e+00], [2.400000e+01, 5.000000e+00, 6.000000e+00], [3.000000e+01, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK-NOT: vsla.add
// CHECK-NOT: vsla.mul
func.func @known_good_ambient() -> (tensor<3xf32>, tensor<5xf32>, tensor<3xf32>, tensor<3x3xf32>) {
  %a = vsla.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = vsla.constant dense<[4.0, 5.0]> : tensor<2xf32>
  // [1,2,3] + [4,5] = [5,7,3]
  %0 = vsla.add %a, %b : tensor<3xf32>, tensor<2xf32>
  %c = vsla.constant dense<[1.0, -1.0, 2.0]> : tensor<3xf32>
  %d = vsla.constant dense<[3.0, 0.0, -1.0, 1.0, 2.0]> : tensor<5xf32>
  // [1,-1,2] + [3,0,-1,1,2] = [4,-1,1,1,2]
  %1 = vsla.add %c, %d : tensor<3xf32>, tensor<5xf32>
  %e = vsla.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %f = vsla.constant dense<[4.0, 5.0, 6.0]> : tensor<3xf32>
  // [2,3] o [4,5,6] = [8,15,0]
  %2 = vsla.mul %e, %f : tensor<2xf32>, tensor<3xf32>
  %g = vsla.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %h = vsla.constant dense<[[10.0], [20.0], [30.0]]> : tensor<3x1xf32>
  // [[1,2,3],[4,5,6]] + [[10],[20],[30]] = [[11,2,3],[24,5,6],[30,0,0]]
  %3 = vsla.add %g, %h : tensor<2x3xf32>, tensor<3x1xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<5xf32>, tensor<3xf32>, tensor<3x3xf32>
}

// -----

// CHECK-LABEL: func @binary_ops
// CHECK-DAG: dense<[-3.000000e+00, -3.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dense<[4.000000e+00, 2.500000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dense<[4.000000e+00, 5.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dense<[1.000000e+00, 2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dense<[5, -3, 3]> : tensor<3xi32>
func.func @binary_ops() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi32>) {
  %a = vsla.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = vsla.constant dense<[4.0, 5.0]> : tensor<2xf32>
  %0 = vsla.sub %a, %b : tensor<3xf32>, tensor<2xf32>
  // b / a reads b's ambient zero at index 2: 0 / 3 = 0.
  %qq = vsla.div %b, %a : tensor<2xf32>, tensor<3xf32>
  %2 = vsla.maximum %a, %b : tensor<3xf32>, tensor<2xf32>
  %3 = vsla.minimum %a, %b : tensor<3xf32>, tensor<2xf32>
  %i = vsla.constant dense<[1, -3, 3]> : tensor<3xi32>
  %j = vsla.constant dense<[4]> : tensor<1xi32>
  %4 = vsla.add %i, %j : tensor<3xi32>, tensor<1xi32>
  return %0, %qq, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi32>
}

// -----

// CHECK-LABEL: func @ieee_division
// CHECK: dense<[0x7F800000, 0xFF800000, 0x7FC00000]> : tensor<3xf32>
func.func @ieee_division() -> tensor<3xf32> {
  %a = vsla.constant dense<[1.0, -1.0, 0.0]> : tensor<3xf32>
  %e = vsla.constant dense<> : tensor<0xf32>
  // Division by an ambient zero: +Inf, -Inf, NaN.
  %0 = vsla.div %a, %e : tensor<3xf32>, tensor<0xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @scalar_ops
// CHECK-DAG: dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[2.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[6, 12]> : tensor<2xi64>
func.func @scalar_ops() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi64>) {
  %x = vsla.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %two = arith.constant 2.0 : f32
  %0 = vsla.add_scalar %x, %two : tensor<2xf32>, f32
  %m = vsla.mul_scalar %0, %two : tensor<2xf32>, f32
  %1 = vsla.rsub_scalar %x, %two : tensor<2xf32>, f32
  %2 = vsla.rdiv_scalar %x, %two : tensor<2xf32>, f32
  %3 = vsla.pow_scalar %x, %two : tensor<2xf32>, f32
  %i = vsla.constant dense<[3, 6]> : tensor<2xi64>
  %k = arith.constant 2 : i64
  %4 = vsla.mul_scalar %i, %k : tensor<2xi64>, i64
  %5 = vsla.sub_scalar %m, %two : tensor<2xf32>, f32
  %6 = vsla.div_scalar %5, %two : tensor<2xf32>, f32
  return %6, %1, %2, %3, %4 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func @unary_ops
// CHECK-DAG: dense<[-1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: dense<[2.71828175, 0.135335281]> : tensor<2xf32>
// CHECK-DAG: dense<[0.761594176, -0.964027583]> : tensor<2xf32>
// CHECK-DAG: dense<[0.731058597, 0.119202919]> : tensor<2xf32>
// CHECK-DAG: dense<[0.841344773, -0.0455002636]> : tensor<2xf32>
// CHECK-DAG: dense<[1.000000e+00, 0x{{7|F}}FC00000]> : tensor<2xf32>
// CHECK-NOT: vsla.exp
func.func @unary_ops() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                           tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = vsla.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %0 = vsla.neg %x : tensor<2xf32>
  %1 = vsla.abs %x : tensor<2xf32>
  %2 = vsla.relu %x : tensor<2xf32>
  %3 = vsla.exp %x : tensor<2xf32>
  %4 = vsla.tanh %x : tensor<2xf32>
  %5 = vsla.sigmoid %x : tensor<2xf32>
  %6 = vsla.gelu %x : tensor<2xf32>
  %7 = vsla.sqrt %x : tensor<2xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                                         tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func @reductions
// CHECK-DAG: dense<[5.000000e+00, 7.000000e+00, 9.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dense<{{\[}}[2.000000e+00], [5.000000e+00]]> : tensor<2x1xf32>
// CHECK-DAG: dense<6.000000e+00> : tensor<f32>
// CHECK-DAG: dense<[-3, 4]> : tensor<2xi32>
// CHECK-DAG: dense<0.000000e+00> : tensor<f32>
func.func @reductions() -> (tensor<3xf32>, tensor<2x1xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>) {
  %x = vsla.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = vsla.sum %x axes = [0] : tensor<2x3xf32>
  %1 = vsla.mean %x axes = [1] keepdims : tensor<2x3xf32>
  %2 = vsla.max %x axes = [0, 1] : tensor<2x3xf32>
  %i = vsla.constant dense<[[-3, 7], [4, 4]]> : tensor<2x2xi32>
  %3 = vsla.min %i axes = [1] : tensor<2x2xi32>
  // The sum of nothing is 0.
  %e = vsla.constant dense<> : tensor<0xf32>
  %4 = vsla.sum %e axes = [0] : tensor<0xf32>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<2x1xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>
}

// -----

// The maximum of no elements is left to the runtime.
// CHECK-LABEL: func @empty_max
// CHECK: vsla.max
func.func @empty_max() -> tensor<f32> {
  %e = vsla.constant dense<> : tensor<0xf32>
  %0 = vsla.max %e axes = [0] : tensor<0xf32>
  return %0 : tensor<f32>
}

// -----

// NaN propagates through maximum.
// CHECK-LABEL: func @nan_maximum
// CHECK: dense<[0x7FC00000, 2.000000e+00]> : tensor<2xf32>
func.func @nan_maximum() -> tensor<2xf32> {
  %a = vsla.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %b = vsla.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = vsla.maximum %a, %b : tensor<2xf32>, tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Constants above the evaluation limit (4096 elements) are not folded.
// CHECK-LABEL: func @too_large
// CHECK: vsla.add
func.func @too_large(%x: tensor<8192xf32>) -> tensor<8192xf32> {
  %a = vsla.constant dense<1.0> : tensor<8192xf32>
  %0 = vsla.add %a, %a : tensor<8192xf32>, tensor<8192xf32>
  return %0 : tensor<8192xf32>
}

// -----

// sign keeps zeros (with their sign) and NaN; erf folds through std::erf;
// reversing axes of extent 1 is the identity.
// CHECK-LABEL: func @gradient_primitives
func.func @gradient_primitives(%x: tensor<1x?xf32>) -> (tensor<4xf32>, tensor<2xf32>, tensor<1x?xf32>) {
  %c = vsla.constant dense<[-2.0, 0.0, 3.0, -0.0]> : tensor<4xf32>
  // CHECK-DAG: vsla.constant dense<[-1.000000e+00, 0.000000e+00, 1.000000e+00, -0.000000e+00]>
  %s = vsla.sign %c : tensor<4xf32>
  %e0 = vsla.constant dense<[0.0, 0.5]> : tensor<2xf32>
  // CHECK-DAG: vsla.constant dense<[0.000000e+00, 0.520499885]>
  %e = vsla.erf %e0 : tensor<2xf32>
  // CHECK-NOT: vsla.reverse
  %r = vsla.reverse %x axes = [0] : tensor<1x?xf32>
  return %s, %e, %r : tensor<4xf32>, tensor<2xf32>, tensor<1x?xf32>
}

// Unary, tensor-scalar, cast and constant lowerings: one elementwise
// linalg.generic each, with the scalar body named here.
// RUN: vsla-opt %s --convert-vsla-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func @unary
// CHECK: arith.negf
// CHECK: math.absf
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.tanh
// sigmoid = 1 / (1 + exp(-x))
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.divf
// CHECK: arith.maximumf
// gelu = 0.5 x (1 + erf(x / sqrt 2))
// CHECK: math.erf
// CHECK: math.sin
// CHECK: math.cos
func.func @unary(%x: tensor<?xf32>) {
  %0 = vsla.neg %x : tensor<?xf32>
  %1 = vsla.abs %x : tensor<?xf32>
  %2 = vsla.exp %x : tensor<?xf32>
  %3 = vsla.log %x : tensor<?xf32>
  %4 = vsla.sqrt %x : tensor<?xf32>
  %5 = vsla.tanh %x : tensor<?xf32>
  %6 = vsla.sigmoid %x : tensor<?xf32>
  %7 = vsla.relu %x : tensor<?xf32>
  %8 = vsla.gelu %x : tensor<?xf32>
  %9 = vsla.sin %x : tensor<?xf32>
  %10 = vsla.cos %x : tensor<?xf32>
  return
}

// -----

// CHECK-LABEL: func @integer_unary
// CHECK: arith.subi
// CHECK: math.absi
// CHECK: arith.maxsi
func.func @integer_unary(%x: tensor<3xi64>) {
  %0 = vsla.neg %x : tensor<3xi64>
  %1 = vsla.abs %x : tensor<3xi64>
  %2 = vsla.relu %x : tensor<3xi64>
  return
}

// -----

// The scalar is captured by the body; reversed ops swap the operands.
// CHECK-LABEL: func @scalars
// CHECK-SAME: %[[S:[a-z0-9_]+]]: f32
// CHECK: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[X]], %[[S]]
// CHECK: ^bb0(%[[Y:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.subf %[[S]], %[[Y]]
// CHECK: ^bb0(%[[Z:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.powf %[[Z]], %[[S]]
func.func @scalars(%x: tensor<?xf32>, %s: f32) {
  %0 = vsla.mul_scalar %x, %s : tensor<?xf32>, f32
  %1 = vsla.rsub_scalar %x, %s : tensor<?xf32>, f32
  %2 = vsla.pow_scalar %x, %s : tensor<?xf32>, f32
  return
}

// -----

// CHECK-LABEL: func @casts
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.cmpf une
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: arith.sitofp %{{.*}} : i64 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @casts(%x: tensor<?xf32>, %m: tensor<?xi1>, %i: tensor<?xi64>) {
  %0 = vsla.cast %x : tensor<?xf32> to tensor<?xf64>
  %1 = vsla.cast %x : tensor<?xf32> to tensor<?xi32>
  %2 = vsla.cast %x : tensor<?xf32> to tensor<?xi1>
  %3 = vsla.cast %m : tensor<?xi1> to tensor<?xf32>
  %4 = vsla.cast %i : tensor<?xi64> to tensor<?xf32>
  %5 = vsla.cast %x : tensor<?xf32> to tensor<?xbf16>
  return
}

// -----

// CHECK-LABEL: func @constant
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = vsla.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

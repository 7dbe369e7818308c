// Round trip of every vsla op: custom form, then the generic form.
// RUN: vsla-opt %s | vsla-opt | FileCheck %s
// RUN: vsla-opt %s --mlir-print-op-generic | vsla-opt | FileCheck %s

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<3xf32>, %b: tensor<2xf32>, %i: tensor<?xi32>, %j: tensor<4xi32>) {
  // CHECK: vsla.add %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %0 = vsla.add %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.sub %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %1 = vsla.sub %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.mul %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %2 = vsla.mul %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.div %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %3 = vsla.div %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.maximum %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %4 = vsla.maximum %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.minimum %{{.*}}, %{{.*}} : tensor<?xi32>, tensor<4xi32>
  %5 = vsla.minimum %i, %j : tensor<?xi32>, tensor<4xi32>
  return
}

// CHECK-LABEL: func @scalar
func.func @scalar(%x: tensor<?x3xf32>, %s: f32, %i: tensor<4xi64>, %k: i64) {
  // CHECK: vsla.add_scalar %{{.*}}, %{{.*}} : tensor<?x3xf32>, f32
  %0 = vsla.add_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.sub_scalar
  %1 = vsla.sub_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.rsub_scalar
  %2 = vsla.rsub_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.mul_scalar %{{.*}}, %{{.*}} : tensor<4xi64>, i64
  %3 = vsla.mul_scalar %i, %k : tensor<4xi64>, i64
  // CHECK: vsla.div_scalar
  %4 = vsla.div_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.rdiv_scalar
  %5 = vsla.rdiv_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.pow_scalar
  %6 = vsla.pow_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.maximum_scalar
  %7 = vsla.maximum_scalar %x, %s : tensor<?x3xf32>, f32
  // CHECK: vsla.minimum_scalar
  %8 = vsla.minimum_scalar %i, %k : tensor<4xi64>, i64
  return
}

// CHECK-LABEL: func @target_shape
func.func @target_shape(%x: tensor<3xf32>, %y: tensor<2x?xf32>, %n: index) {
  // CHECK: vsla.broadcast_to %{{.*}} to [%{{.*}}, 3] : tensor<3xf32>
  %0 = vsla.broadcast_to %x to [%n, 3] : tensor<3xf32>
  // CHECK: vsla.promote %{{.*}} to [4, %{{.*}}] : tensor<2x?xf32>
  %1 = vsla.promote %y to [4, %n] : tensor<2x?xf32>
  // CHECK: vsla.reshape %{{.*}} to [1, 3] : tensor<3xf32>
  %2 = vsla.reshape %x to [1, 3] : tensor<3xf32>
  return
}

// CHECK-LABEL: func @products
func.func @products(%a: tensor<3xf32>, %b: tensor<2xf32>, %m: tensor<?x4x8xf64>, %n: tensor<?x6x16xf64>) {
  // CHECK: vsla.conv %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %0 = vsla.conv %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.conv %{{.*}}, %{{.*}} mode = valid : tensor<3xf32>, tensor<2xf32>
  %1 = vsla.conv %a, %b mode = valid : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.conv %{{.*}}, %{{.*}} mode = same : tensor<3xf32>, tensor<2xf32>
  %2 = vsla.conv %a, %b mode = same : tensor<3xf32>, tensor<2xf32>
  // The default mode is not printed.
  // CHECK: vsla.conv %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %3 = vsla.conv %a, %b mode = full : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.kron %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2xf32>
  %4 = vsla.kron %a, %b : tensor<3xf32>, tensor<2xf32>
  // CHECK: vsla.matmul %{{.*}}, %{{.*}} : tensor<?x4x8xf64>, tensor<?x6x16xf64>
  %5 = vsla.matmul %m, %n : tensor<?x4x8xf64>, tensor<?x6x16xf64>
  return
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<?x3xf32>, %i: tensor<5xi32>) {
  // CHECK: vsla.neg %{{.*}} : tensor<5xi32>
  %0 = vsla.neg %i : tensor<5xi32>
  // CHECK: vsla.abs
  %1 = vsla.abs %x : tensor<?x3xf32>
  // CHECK: vsla.exp
  %2 = vsla.exp %x : tensor<?x3xf32>
  // CHECK: vsla.log
  %3 = vsla.log %x : tensor<?x3xf32>
  // CHECK: vsla.sqrt
  %4 = vsla.sqrt %x : tensor<?x3xf32>
  // CHECK: vsla.tanh
  %5 = vsla.tanh %x : tensor<?x3xf32>
  // CHECK: vsla.sigmoid
  %6 = vsla.sigmoid %x : tensor<?x3xf32>
  // CHECK: vsla.relu
  %7 = vsla.relu %x : tensor<?x3xf32>
  // CHECK: vsla.gelu
  %8 = vsla.gelu %x : tensor<?x3xf32>
  // CHECK: vsla.sin
  %9 = vsla.sin %x : tensor<?x3xf32>
  // CHECK: vsla.cos %{{.*}} : tensor<?x3xf32>
  %10 = vsla.cos %x : tensor<?x3xf32>
  // CHECK: vsla.sign %{{.*}} : tensor<?x3xf32>
  %11 = vsla.sign %x : tensor<?x3xf32>
  // CHECK: vsla.erf %{{.*}} : tensor<?x3xf32>
  %12 = vsla.erf %x : tensor<?x3xf32>
  return
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x?x4xf32>) {
  // CHECK: vsla.sum %{{.*}} axes = [1] : tensor<2x?x4xf32>
  %0 = vsla.sum %x axes = [1] : tensor<2x?x4xf32>
  // CHECK: vsla.mean %{{.*}} axes = [0, 2] keepdims : tensor<2x?x4xf32>
  %1 = vsla.mean %x axes = [0, 2] keepdims : tensor<2x?x4xf32>
  // CHECK: vsla.max %{{.*}} axes = [0, 1, 2] : tensor<2x?x4xf32>
  %2 = vsla.max %x axes = [0, 1, 2] : tensor<2x?x4xf32>
  // CHECK: vsla.min %{{.*}} axes = [] : tensor<2x?x4xf32>
  %3 = vsla.min %x axes = [] : tensor<2x?x4xf32>
  // CHECK: vsla.softmax %{{.*}} axis = 2 : tensor<2x?x4xf32>
  %4 = vsla.softmax %x axis = 2 : tensor<2x?x4xf32>
  // CHECK: vsla.log_softmax %{{.*}} axis = 0 : tensor<2x?x4xf32>
  %5 = vsla.log_softmax %x axis = 0 : tensor<2x?x4xf32>
  return
}

// CHECK-LABEL: func @layout
func.func @layout(%x: tensor<6x?xf32>, %y: tensor<?x3xf32>, %z: tensor<2x3xf32>, %n: index) {
  // CHECK: vsla.transpose %{{.*}} perm = [1, 0] : tensor<6x?xf32>
  %0 = vsla.transpose %x perm = [1, 0] : tensor<6x?xf32>
  // CHECK: vsla.reverse %{{.*}} axes = [0, 1] : tensor<6x?xf32>
  %r = vsla.reverse %x axes = [0, 1] : tensor<6x?xf32>
  // CHECK: vsla.iota %{{.*}} : tensor<?xf32>
  %i = vsla.iota %n : tensor<?xf32>
  // CHECK: vsla.slice %{{.*}} [1, 0] [2, %{{.*}}] [2, 1] : tensor<6x?xf32>
  %1 = vsla.slice %x [1, 0] [2, %n] [2, 1] : tensor<6x?xf32>
  // CHECK: vsla.concat %{{.*}}, %{{.*}} axis = 0 : tensor<?x3xf32>, tensor<2x3xf32>
  %2 = vsla.concat %y, %z axis = 0 : tensor<?x3xf32>, tensor<2x3xf32>
  // CHECK: vsla.stack %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<2x3xf32>
  %3 = vsla.stack %y, %z : tensor<?x3xf32>, tensor<2x3xf32>
  return
}

// CHECK-LABEL: func @windows
func.func @windows(%a: tensor<2xf32>, %b: tensor<3xf32>, %c: tensor<1xf32>, %d: tensor<2xf32>) {
  // CHECK: vsla.window_stack %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} window = 3 : tensor<2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<2xf32>
  %0 = vsla.window_stack %a, %b, %c, %d window = 3 : tensor<2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<2xf32>
  // CHECK: vsla.window_stack {{.*}} window = 3 keep_partial :
  %1:2 = vsla.window_stack %a, %b, %c, %d window = 3 keep_partial : tensor<2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<2xf32>
  // CHECK: vsla.pyramid_stack {{.*}} window = 2 levels = 2 :
  %2 = vsla.pyramid_stack %a, %b, %c, %d window = 2 levels = 2 : tensor<2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<2xf32>
  return
}

// CHECK-LABEL: func @misc
func.func @misc(%x: tensor<?x3xf32>, %m: tensor<4xi1>) {
  // CHECK: vsla.shrink %{{.*}} : tensor<?x3xf32>
  %0 = vsla.shrink %x : tensor<?x3xf32>
  // CHECK: vsla.shrink %{{.*}} : tensor<4xi1>
  %1 = vsla.shrink %m : tensor<4xi1>
  // CHECK: vsla.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %2 = vsla.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: vsla.constant dense<> : tensor<0x3xf64>
  %3 = vsla.constant dense<> : tensor<0x3xf64>
  // CHECK: vsla.cast %{{.*}} : tensor<?x3xf32> to tensor<?x3xbf16>
  %4 = vsla.cast %x : tensor<?x3xf32> to tensor<?x3xbf16>
  // CHECK: vsla.cast %{{.*}} : tensor<4xi1> to tensor<4xf32>
  %5 = vsla.cast %m : tensor<4xi1> to tensor<4xf32>
  return
}

// -----

// Run-time checks round-trip.
// CHECK-LABEL: func @checks
// CHECK: vsla.check_shape %arg0, "extents agree"
// CHECK: vsla.check_zero %arg1, "labels in range" : tensor<f32>
func.func @checks(%ok: i1, %bad: tensor<f32>) {
  vsla.check_shape %ok, "extents agree"
  vsla.check_zero %bad, "labels in range" : tensor<f32>
  return
}

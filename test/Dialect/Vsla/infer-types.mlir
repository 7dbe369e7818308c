// Result-type inference: static, dynamic and mixed extents. Each function's
// declared return type is the expected inferred type; the verifier rejects
// the function if inference disagrees.
// RUN: vsla-opt %s | FileCheck %s

// CHECK-LABEL: func @ambient
// CHECK-SAME: -> (tensor<3xf32>, tensor<5xf32>, tensor<?xf32>, tensor<?x4xf32>, tensor<3x3xf32>)
func.func @ambient(%a: tensor<3xf32>, %b: tensor<2xf32>, %c: tensor<5xf32>, %d: tensor<?xf32>,
                   %e: tensor<?x4xf32>, %f: tensor<0x4xf32>, %g: tensor<2x3xf32>, %h: tensor<3x1xf32>)
    -> (tensor<3xf32>, tensor<5xf32>, tensor<?xf32>, tensor<?x4xf32>, tensor<3x3xf32>) {
  %0 = vsla.add %a, %b : tensor<3xf32>, tensor<2xf32>
  %1 = vsla.sub %b, %c : tensor<2xf32>, tensor<5xf32>
  // max(3, ?) is dynamic.
  %2 = vsla.mul %a, %d : tensor<3xf32>, tensor<?xf32>
  // max(?, 0) is the dynamic extent itself.
  %3 = vsla.maximum %e, %f : tensor<?x4xf32>, tensor<0x4xf32>
  %4 = vsla.minimum %g, %h : tensor<2x3xf32>, tensor<3x1xf32>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<5xf32>, tensor<?xf32>, tensor<?x4xf32>, tensor<3x3xf32>
}

// CHECK-LABEL: func @conv
// CHECK-SAME: -> (tensor<4xf32>, tensor<2xf32>, tensor<3xf32>, tensor<?xf32>, tensor<0xf32>, tensor<?x6xf32>)
func.func @conv(%a: tensor<3xf32>, %b: tensor<2xf32>, %d: tensor<?xf32>, %e: tensor<0xf32>,
                %m: tensor<?x4xf32>, %n: tensor<2x3xf32>)
    -> (tensor<4xf32>, tensor<2xf32>, tensor<3xf32>, tensor<?xf32>, tensor<0xf32>, tensor<?x6xf32>) {
  // m + n - 1
  %0 = vsla.conv %a, %b : tensor<3xf32>, tensor<2xf32>
  // max - min + 1
  %1 = vsla.conv %a, %b mode = valid : tensor<3xf32>, tensor<2xf32>
  // max
  %2 = vsla.conv %b, %a mode = same : tensor<2xf32>, tensor<3xf32>
  %3 = vsla.conv %d, %b : tensor<?xf32>, tensor<2xf32>
  // An empty operand gives the empty result, even against a dynamic one.
  %4 = vsla.conv %d, %e : tensor<?xf32>, tensor<0xf32>
  // Batch axes are ambient: max(?, 2) is dynamic.
  %5 = vsla.conv %m, %n : tensor<?x4xf32>, tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<2xf32>, tensor<3xf32>, tensor<?xf32>, tensor<0xf32>, tensor<?x6xf32>
}

// CHECK-LABEL: func @kron_matmul
// CHECK-SAME: -> (tensor<4xf32>, tensor<6x?xf32>, tensor<?x4x16xf64>, tensor<3x4x2xf64>)
func.func @kron_matmul(%a: tensor<2xf32>, %b: tensor<2xf32>, %c: tensor<2x?xf32>, %d: tensor<3x2xf32>,
                       %m: tensor<?x4x8xf64>, %n: tensor<?x6x16xf64>, %p: tensor<2x4x8xf64>, %q: tensor<3x5x2xf64>)
    -> (tensor<4xf32>, tensor<6x?xf32>, tensor<?x4x16xf64>, tensor<3x4x2xf64>) {
  %0 = vsla.kron %a, %b : tensor<2xf32>, tensor<2xf32>
  %1 = vsla.kron %c, %d : tensor<2x?xf32>, tensor<3x2xf32>
  // The contraction extents may differ (8 vs 6): the shorter reads as zeros.
  %2 = vsla.matmul %m, %n : tensor<?x4x8xf64>, tensor<?x6x16xf64>
  // Batch axes are ambient: max(2, 3) = 3.
  %3 = vsla.matmul %p, %q : tensor<2x4x8xf64>, tensor<3x5x2xf64>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<6x?xf32>, tensor<?x4x16xf64>, tensor<3x4x2xf64>
}

// CHECK-LABEL: func @target_shapes
// CHECK-SAME: -> (tensor<?x3xf32>, tensor<4x?xf32>, tensor<2x?xf32>, tensor<5x3xf32>)
func.func @target_shapes(%x: tensor<3xf32>, %y: tensor<2x?xf32>, %z: tensor<?xf32>, %o: tensor<1x3xf32>, %n: index)
    -> (tensor<?x3xf32>, tensor<4x?xf32>, tensor<2x?xf32>, tensor<5x3xf32>) {
  %0 = vsla.broadcast_to %x to [%n, 3] : tensor<3xf32>
  %1 = vsla.promote %y to [4, %n] : tensor<2x?xf32>
  %2 = vsla.reshape %z to [2, %n] : tensor<?xf32>
  %3 = vsla.broadcast_to %o to [5, 3] : tensor<1x3xf32>
  return %0, %1, %2, %3 : tensor<?x3xf32>, tensor<4x?xf32>, tensor<2x?xf32>, tensor<5x3xf32>
}

// CHECK-LABEL: func @reductions
// CHECK-SAME: -> (tensor<2x4xf32>, tensor<1x?x1xf32>, tensor<f32>, tensor<2x?x4xf32>)
func.func @reductions(%x: tensor<2x?x4xf32>)
    -> (tensor<2x4xf32>, tensor<1x?x1xf32>, tensor<f32>, tensor<2x?x4xf32>) {
  %0 = vsla.sum %x axes = [1] : tensor<2x?x4xf32>
  %1 = vsla.mean %x axes = [0, 2] keepdims : tensor<2x?x4xf32>
  %2 = vsla.max %x axes = [2, 0, 1] : tensor<2x?x4xf32>
  %3 = vsla.softmax %x axis = 1 : tensor<2x?x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<1x?x1xf32>, tensor<f32>, tensor<2x?x4xf32>
}

// CHECK-LABEL: func @layout
// CHECK-SAME: -> (tensor<?x6xf32>, tensor<2x?xf32>, tensor<?x3xf32>, tensor<5x3xf32>, tensor<3x3xf32>, tensor<2x?x3xf32>)
func.func @layout(%x: tensor<6x?xf32>, %y: tensor<?x3xf32>, %z: tensor<2x3xf32>, %w: tensor<3x?xf32>,
                  %a: tensor<2xf32>, %b: tensor<3xf32>, %c: tensor<1xf32>, %n: index)
    -> (tensor<?x6xf32>, tensor<2x?xf32>, tensor<?x3xf32>, tensor<5x3xf32>, tensor<3x3xf32>, tensor<2x?x3xf32>) {
  %0 = vsla.transpose %x perm = [1, 0] : tensor<6x?xf32>
  %1 = vsla.slice %x [1, 0] [2, %n] [2, 1] : tensor<6x?xf32>
  %2 = vsla.concat %y, %z axis = 0 : tensor<?x3xf32>, tensor<2x3xf32>
  // The other extent is static where any input knows it.
  %3 = vsla.concat %z, %w axis = 0 : tensor<2x3xf32>, tensor<3x?xf32>
  // stack([10, 20], [30, 40, 50], [60]) has shape [3, 3].
  %4 = vsla.stack %a, %b, %c : tensor<2xf32>, tensor<3xf32>, tensor<1xf32>
  %5 = vsla.stack %y, %z : tensor<?x3xf32>, tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<?x6xf32>, tensor<2x?xf32>, tensor<?x3xf32>, tensor<5x3xf32>, tensor<3x3xf32>, tensor<2x?x3xf32>
}

// CHECK-LABEL: func @windows
// CHECK-SAME: -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<1x2xf32>, tensor<2x2x3xf32>)
func.func @windows(%a: tensor<2xf32>, %b: tensor<2xf32>, %c: tensor<1xf32>, %d: tensor<2xf32>, %e: tensor<3xf32>)
    -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<1x2xf32>, tensor<2x2x3xf32>) {
  // w = 3 over four tensors: one stack; the partial window is dropped.
  %0 = vsla.window_stack %a, %b, %c, %d window = 3 : tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<2xf32>
  // ... or kept, with as many rows as it has tensors.
  %1:2 = vsla.window_stack %a, %b, %c, %d window = 3 keep_partial : tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<2xf32>
  // Two levels of w = 2 over four tensors: one [2, 2, 3] stack.
  %2 = vsla.pyramid_stack %a, %b, %c, %e window = 2 levels = 2 : tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<3xf32>
  return %0, %1#0, %1#1, %2 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<1x2xf32>, tensor<2x2x3xf32>
}

// CHECK-LABEL: func @data_dependent
// CHECK-SAME: -> (tensor<?x?xf32>, tensor<f32>)
func.func @data_dependent(%x: tensor<4x3xf32>, %s: tensor<f32>) -> (tensor<?x?xf32>, tensor<f32>) {
  // shrink's extents depend on the data: every dim is dynamic.
  %0 = vsla.shrink %x : tensor<4x3xf32>
  %1 = vsla.shrink %s : tensor<f32>
  return %0, %1 : tensor<?x?xf32>, tensor<f32>
}

// CHECK-LABEL: func @scalars_and_unary
// CHECK-SAME: -> (tensor<?x3xf32>, tensor<?x3xf32>)
func.func @scalars_and_unary(%x: tensor<?x3xf32>, %s: f32) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = vsla.mul_scalar %x, %s : tensor<?x3xf32>, f32
  %1 = vsla.gelu %0 : tensor<?x3xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?x3xf32>
}

// unfold: [..., C, L] -> [..., k * C, L + k - 1]; fold is its inverse shape.
// CHECK-LABEL: func @unfold_fold
// CHECK-SAME: -> (tensor<2x21x6xf32>, tensor<1x?x?xf32>, tensor<2x7x4xf32>)
func.func @unfold_fold(%x: tensor<2x7x4xf32>, %y: tensor<1x?x?xf32>)
    -> (tensor<2x21x6xf32>, tensor<1x?x?xf32>, tensor<2x7x4xf32>) {
  %0 = vsla.unfold %x taps = 3 : tensor<2x7x4xf32>
  %1 = vsla.unfold %y taps = 3 : tensor<1x?x?xf32>
  %2 = vsla.fold %0 taps = 3 : tensor<2x21x6xf32>
  return %0, %1, %2 : tensor<2x21x6xf32>, tensor<1x?x?xf32>, tensor<2x7x4xf32>
}

// Layout lowerings.
// RUN: vsla-opt %s --convert-vsla-to-linalg --canonicalize -split-input-file | FileCheck %s

// Static stretching goes through the indexing map.
// CHECK-DAG: #[[STRETCH:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @broadcast_static
// CHECK: linalg.generic {indexing_maps = [#[[STRETCH]], #{{.*}}]
func.func @broadcast_static(%x: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %0 = vsla.broadcast_to %x to [4, 3] : tensor<1x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A dynamic input extent may be 1 at run time: read through a select. (That
// it is 1 or the target is a vsla.check_shape evaluated before: no assert.)
// CHECK-LABEL: func @broadcast_dynamic
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.select
// CHECK: tensor.extract
func.func @broadcast_dynamic(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %0 = vsla.broadcast_to %x to [%n] : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @promote
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: tensor.insert_slice %arg0 into %[[Z]][0, 0] [2, 3] [1, 1]
func.func @promote(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %0 = vsla.promote %x to [4, 5] : tensor<2x3xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// CHECK-LABEL: func @reshape_transpose_slice
// CHECK: tensor.reshape
// CHECK: linalg.transpose
// CHECK-SAME: permutation = [1, 0]
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 2] [2, 1]
func.func @reshape_transpose_slice(%x: tensor<6xf32>) -> tensor<2x2xf32> {
  %0 = vsla.reshape %x to [2, 3] : tensor<6xf32>
  %1 = vsla.transpose %0 perm = [1, 0] : tensor<2x3xf32>
  %2 = vsla.slice %1 [0, 0] [2, 2] [2, 1] : tensor<3x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<5x3xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[I0]][2, 0] [3, 3] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> tensor<5x3xf32> {
  %0 = vsla.concat %a, %b axis = 0 : tensor<2x3xf32>, tensor<3x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

// Ragged rows are inserted into a zero-filled stack; equal rows need no fill.
// CHECK-LABEL: func @stack
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<2x3xf32>
// CHECK: %[[R0:.*]] = tensor.insert_slice %arg0 into %[[Z]][0, 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<2x3xf32>
// CHECK: tensor.insert_slice %arg1 into %[[R0]][1, 0] [1, 3] [1, 1] : tensor<3xf32> into tensor<2x3xf32>
// CHECK-LABEL: func @stack_equal
// CHECK-NOT: linalg.fill
func.func @stack(%a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = vsla.stack %a, %b : tensor<2xf32>, tensor<3xf32>
  return %0 : tensor<2x3xf32>
}
func.func @stack_equal(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = vsla.stack %a, %b : tensor<3xf32>, tensor<3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// shrink: one reduction pass computes the extents, then a slice.
// CHECK-LABEL: func @shrink
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: arith.cmpf une
// CHECK: tensor.extract_slice %arg0[0, 0] [%{{.*}}, %{{.*}}] [1, 1] : tensor<4x3xf32> to tensor<?x?xf32>
func.func @shrink(%x: tensor<4x3xf32>) -> tensor<?x?xf32> {
  %0 = vsla.shrink %x : tensor<4x3xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A slice starting at a static extent's end is empty; tensor.extract_slice
// rejects its offset, so it becomes an empty tensor
// (`vsla.sum(x, keepdims=True)[1:]`).
// CHECK-LABEL: func.func @slice_past_static_end
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[E:.*]] = tensor.empty() : tensor<0xf32>
// CHECK: return %[[E]]
func.func @slice_past_static_end(%x: tensor<1xf32>) -> tensor<0xf32> {
  %0 = vsla.slice %x [1] [0] [1] : tensor<1xf32>
  return %0 : tensor<0xf32>
}

// -----

// CHECK-LABEL: func.func @slice_past_static_end_dynamic_size
// CHECK-SAME: (%{{.*}}: tensor<0x4xf32>, %[[N:.*]]: index)
// CHECK-NOT: tensor.extract_slice
// CHECK: tensor.empty(%[[N]], %[[N]]) : tensor<?x?xf32>
func.func @slice_past_static_end_dynamic_size(%x: tensor<0x4xf32>, %n: index)
    -> tensor<?x?xf32> {
  %0 = vsla.slice %x [0, 1] [%n, %n] [1, 1] : tensor<0x4xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// unfold: a zero-filled result and one insertion per tap, at row j * C and
// column j; fold: one elementwise sum of the k tap windows.
// CHECK-LABEL: func @unfold_fold
// CHECK: linalg.fill
// CHECK-COUNT-3: tensor.insert_slice %arg0
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [%{{.*}}, %{{.*}}] [1, 1]
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 1] [%{{.*}}, %{{.*}}] [1, 1]
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 2] [%{{.*}}, %{{.*}}] [1, 1]
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
func.func @unfold_fold(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.unfold %x taps = 3 : tensor<?x?xf32>
  %1 = vsla.fold %0 taps = 3 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// matmul, conv and kron.
// RUN: vsla-opt %s --convert-vsla-to-linalg --canonicalize -split-input-file | FileCheck %s

// The inner axes differ (8 vs 6): only the first 6 columns of the left are
// read, through a slice, never padded; rank 2 is linalg.matmul.
// CHECK-LABEL: func @matmul
// CHECK: %[[L:.*]] = tensor.extract_slice %arg0[0, 0] [4, 6] [1, 1] : tensor<4x8xf32> to tensor<4x6xf32>
// CHECK: linalg.matmul ins(%[[L]], %arg1 : tensor<4x6xf32>, tensor<6x16xf32>)
// CHECK-NOT: tensor.pad
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<6x16xf32>) -> tensor<4x16xf32> {
  %0 = vsla.matmul %a, %b : tensor<4x8xf32>, tensor<6x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Full convolution: a loop over the shorter operand, one scaled copy of the
// longer one per step, accumulated into a zero-filled result.
// CHECK-LABEL: func @conv
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<10xf32>
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[Z]])
// CHECK:   %[[W:.*]] = tensor.extract_slice %[[ACC]][%[[J]]] [8] [1]
// CHECK:   linalg.generic {{.*}} outs(%[[W]] : tensor<8xf32>)
// CHECK:     arith.mulf
// CHECK:     arith.addf
// CHECK:   tensor.insert_slice
// CHECK-NOT: tensor.pad
func.func @conv(%a: tensor<8xf32>, %b: tensor<3xf32>) -> tensor<10xf32> {
  %0 = vsla.conv %a, %b : tensor<8xf32>, tensor<3xf32>
  return %0 : tensor<10xf32>
}

// -----

// valid and same are slices of the full result.
// CHECK-LABEL: func @conv_valid
// CHECK: scf.for
// CHECK: tensor.extract_slice %{{.*}}[2] [6] [1] : tensor<10xf32> to tensor<6xf32>
func.func @conv_valid(%a: tensor<8xf32>, %b: tensor<3xf32>) -> tensor<6xf32> {
  %0 = vsla.conv %a, %b mode = valid : tensor<8xf32>, tensor<3xf32>
  return %0 : tensor<6xf32>
}

// -----

// Dynamic lengths: the loop runs over whichever operand is shorter.
// CHECK-LABEL: func @conv_dynamic
// CHECK: arith.cmpi ule
// CHECK: scf.if
// CHECK: scf.for
// CHECK: else
// CHECK: scf.for
func.func @conv_dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// kron: an outer product into [da0, db0, da1, db1], collapsed pairwise.
// CHECK-DAG: #[[L:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-LABEL: func @kron
// CHECK: linalg.generic {indexing_maps = [#[[L]], #[[R]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<2x3x4x5xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2, 3]] : tensor<2x3x4x5xf32> into tensor<6x20xf32>
func.func @kron(%a: tensor<2x4xf32>, %b: tensor<3x5xf32>) -> tensor<6x20xf32> {
  %0 = vsla.kron %a, %b : tensor<2x4xf32>, tensor<3x5xf32>
  return %0 : tensor<6x20xf32>
}

// -----

// Batched: linalg.batch_matmul over the overlapping batch, written into the
// zero-filled result (batch 1 of the left has no partner: zeros).
// CHECK-LABEL: func @batch_matmul
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<2x4x5xf32>
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[Z]][0, 0, 0] [1, 4, 5] [1, 1, 1]
// CHECK: %[[L:.*]] = tensor.extract_slice %arg0[0, 0, 0] [1, 4, 3]
// CHECK: linalg.batch_matmul ins(%[[L]], %arg1 : tensor<1x4x3xf32>, tensor<1x3x5xf32>) outs(%[[SLOT]]
// CHECK: tensor.insert_slice
func.func @batch_matmul(%a: tensor<2x4x3xf32>, %b: tensor<1x3x5xf32>) -> tensor<2x4x5xf32> {
  %0 = vsla.matmul %a, %b : tensor<2x4x3xf32>, tensor<1x3x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Rank 4: a generic contraction.
// CHECK-LABEL: func @matmul_rank4
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
func.func @matmul_rank4(%a: tensor<2x2x4x3xf32>, %b: tensor<2x2x3x5xf32>) -> tensor<2x2x4x5xf32> {
  %0 = vsla.matmul %a, %b : tensor<2x2x4x3xf32>, tensor<2x2x3x5xf32>
  return %0 : tensor<2x2x4x5xf32>
}

// Matmuls that do not go to BLAS (integers, f16, mixed types) are tiled into 8x32x16 register blocks; full blocks become
// vector.contract, partial blocks are peeled off and stay scalar (no masks).
// RUN: vsla-opt %s --vsla-cpu-tile-contractions --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @static_blocks
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} vector<8x16xi32>
// CHECK: vector.transfer_read {{.*}} vector<16x32xi32>
// CHECK: vector.contract {{.*}} vector<8x16xi32>, vector<16x32xi32> into vector<8x32xi32>
// CHECK-NOT: vector.mask
// CHECK-NOT: linalg.matmul
func.func @static_blocks(%a: tensor<16x64xi32>, %b: tensor<64x64xi32>, %c: tensor<16x64xi32>) -> tensor<16x64xi32> {
  %0 = linalg.matmul ins(%a, %b : tensor<16x64xi32>, tensor<64x64xi32>) outs(%c : tensor<16x64xi32>) -> tensor<16x64xi32>
  return %0 : tensor<16x64xi32>
}

// -----

// Dynamic sizes: the main loops vectorize, the peeled remainders are
// linalg.matmul on smaller blocks.
// CHECK-LABEL: func @dynamic_blocks
// CHECK: vector.contract
// CHECK-NOT: vector.mask
// CHECK: linalg.matmul
func.func @dynamic_blocks(%a: tensor<?x?xi32>, %b: tensor<?x?xi32>, %c: tensor<?x?xi32>) -> tensor<?x?xi32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x?xi32>, tensor<?x?xi32>) outs(%c : tensor<?x?xi32>) -> tensor<?x?xi32>
  return %0 : tensor<?x?xi32>
}

// -----

// f32 and f64 products are left whole for vsla-cpu-call-blas.
// CHECK-LABEL: func @blas_products
// CHECK-NOT: scf.for
// CHECK: linalg.matmul
func.func @blas_products(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

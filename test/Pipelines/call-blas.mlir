// RUN: vsla-opt %s --vsla-cpu-call-blas | FileCheck %s
// On device memory (the GPU pipeline) the same products call cuBLAS through
// the runtime:
// RUN: vsla-opt %s --vsla-cpu-call-blas=device=cuda | FileCheck %s --check-prefix=CUDA
// RUN: not vsla-opt %s --vsla-cpu-call-blas=device=tpu 2>&1 | FileCheck %s --check-prefix=BAD
// CUDA: call @__vsla_cuda_gemm_f32(
// CUDA: func.func private @__vsla_cuda_gemm_f32({{.*}}) attributes {llvm.emit_c_interface}
// BAD: device 'tpu' is neither host nor cuda

// f32 and f64 products on memrefs call the runtime's BLAS-backed kernels on
// fully dynamic strided views; other element types and tensors keep linalg.

// CHECK-LABEL: func.func @product_f32
// CHECK-SAME: (%[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[C:.*]]: memref<4x?xf32>)
func.func @product_f32(%a: memref<?x?xf32>,
                       %b: memref<?x?xf32, strided<[?, 1], offset: ?>>,
                       %c: memref<4x?xf32>) {
  // CHECK-DAG: %[[AV:.*]] = memref.cast %[[A]] : memref<?x?xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  // CHECK-DAG: %[[BV:.*]] = memref.cast %[[B]] : {{.*}} to memref<?x?xf32, strided<[?, ?], offset: ?>>
  // CHECK-DAG: %[[CV:.*]] = memref.cast %[[C]] : memref<4x?xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  // CHECK: call @__vsla_gemm_f32(%[[AV]], %[[BV]], %[[CV]])
  // CHECK-NOT: linalg.matmul
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32, strided<[?, 1], offset: ?>>)
                outs(%c : memref<4x?xf32>)
  return
}

// CHECK-LABEL: func.func @batch_f64
// CHECK: call @__vsla_batch_gemm_f64
func.func @batch_f64(%a: memref<?x?x?xf64>, %b: memref<?x?x?xf64>,
                     %c: memref<?x?x?xf64>) {
  linalg.batch_matmul ins(%a, %b : memref<?x?x?xf64>, memref<?x?x?xf64>)
                      outs(%c : memref<?x?x?xf64>)
  return
}

// CHECK-LABEL: func.func @integers
// CHECK: linalg.matmul
// CHECK-NOT: call
func.func @integers(%a: memref<?x?xi32>, %b: memref<?x?xi32>,
                    %c: memref<?x?xi32>) {
  linalg.matmul ins(%a, %b : memref<?x?xi32>, memref<?x?xi32>)
                outs(%c : memref<?x?xi32>)
  return
}

// Transposes written into the op's maps stay generated code.
// CHECK-LABEL: func.func @transposed_maps
// CHECK: linalg.matmul
// CHECK-NOT: call
func.func @transposed_maps(%a: memref<?x?xf32>, %b: memref<?x?xf32>,
                           %c: memref<?x?xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                 affine_map<(m, n, k) -> (k, n)>,
                                 affine_map<(m, n, k) -> (m, n)>]
                ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>)
                outs(%c : memref<?x?xf32>)
  return
}

// CHECK-LABEL: func.func @on_tensors
// CHECK: linalg.matmul
func.func @on_tensors(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>,
                      %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// CHECK: func.func private @__vsla_gemm_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK: func.func private @__vsla_batch_gemm_f64(

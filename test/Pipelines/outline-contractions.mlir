// vsla-cpu-outline-contractions: dynamic-shape matmuls call one shared
// kernel per element-type signature; static ones stay inline, and so do
// f32/f64 products, which become BLAS calls.
// RUN: vsla-opt %s --vsla-cpu-outline-contractions | FileCheck %s

// CHECK-LABEL: func.func @blas_product
// CHECK-NOT: call
// CHECK: linalg.matmul
func.func @blas_product(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?x?xf32>)
    -> tensor<?x?xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// CHECK-LABEL: func.func @two_matmuls
// CHECK: %[[A:.*]] = tensor.cast %{{.*}} : tensor<4x?xi32> to tensor<?x?xi32>
// CHECK: call @__vsla_matmul_i32_i32_i32(%[[A]],
// CHECK: call @__vsla_matmul_i32_i32_i32(
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3x2xi32>)
func.func @two_matmuls(%a: tensor<4x?xi32>, %b: tensor<?x?xi32>, %c: tensor<4x?xi32>,
                       %d: tensor<?x?xi32>, %s: tensor<2x3xi32>, %t: tensor<3x2xi32>,
                       %u: tensor<2x2xi32>)
    -> (tensor<4x?xi32>, tensor<?x?xi32>, tensor<2x2xi32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<4x?xi32>, tensor<?x?xi32>)
                     outs(%c : tensor<4x?xi32>) -> tensor<4x?xi32>
  %1 = linalg.matmul ins(%b, %b : tensor<?x?xi32>, tensor<?x?xi32>)
                     outs(%d : tensor<?x?xi32>) -> tensor<?x?xi32>
  %2 = linalg.matmul ins(%s, %t : tensor<2x3xi32>, tensor<3x2xi32>)
                     outs(%u : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0, %1, %2 : tensor<4x?xi32>, tensor<?x?xi32>, tensor<2x2xi32>
}

// One kernel, defined once, private.
// CHECK: func.func private @__vsla_matmul_i32_i32_i32(%{{.*}}: tensor<?x?xi32>, %{{.*}}: tensor<?x?xi32>, %{{.*}}: tensor<?x?xi32>) -> tensor<?x?xi32> attributes {vsla.contraction_kernel}
// CHECK-NEXT: linalg.matmul
// CHECK-NOT: func.func private @__vsla_matmul


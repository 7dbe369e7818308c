// vsla-cpu-outline-contractions: dynamic-shape matmuls call one shared
// kernel per element-type signature; static ones stay inline.
// RUN: vsla-opt %s --vsla-cpu-outline-contractions | FileCheck %s

// CHECK-LABEL: func.func @two_matmuls
// CHECK: %[[A:.*]] = tensor.cast %{{.*}} : tensor<4x?xf32> to tensor<?x?xf32>
// CHECK: call @__vsla_matmul_f32_f32_f32(%[[A]],
// CHECK: call @__vsla_matmul_f32_f32_f32(
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x2xf32>)
func.func @two_matmuls(%a: tensor<4x?xf32>, %b: tensor<?x?xf32>, %c: tensor<4x?xf32>,
                       %d: tensor<?x?xf32>, %s: tensor<2x3xf32>, %t: tensor<3x2xf32>,
                       %u: tensor<2x2xf32>)
    -> (tensor<4x?xf32>, tensor<?x?xf32>, tensor<2x2xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<4x?xf32>, tensor<?x?xf32>)
                     outs(%c : tensor<4x?xf32>) -> tensor<4x?xf32>
  %1 = linalg.matmul ins(%b, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%d : tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = linalg.matmul ins(%s, %t : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%u : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0, %1, %2 : tensor<4x?xf32>, tensor<?x?xf32>, tensor<2x2xf32>
}

// One kernel, defined once, private.
// CHECK: func.func private @__vsla_matmul_f32_f32_f32(%{{.*}}: tensor<?x?xf32>, %{{.*}}: tensor<?x?xf32>, %{{.*}}: tensor<?x?xf32>) -> tensor<?x?xf32> attributes {vsla.contraction_kernel}
// CHECK-NEXT: linalg.matmul
// CHECK-NOT: func.func private @__vsla_matmul

// vsla-cpu-expand-dynamic-reshapes: an expand_shape with several dynamic
// extents in one group (fusion makes them for `x - kron(x, x)`) becomes a
// reinterpret_cast, which expand-strided-metadata lowers (it crashed on the
// expand_shape). Groups with one dynamic extent stay as they are.
// RUN: vsla-opt %s --vsla-cpu-expand-dynamic-reshapes | FileCheck %s
// RUN: vsla-opt %s --vsla-cpu-expand-dynamic-reshapes --expand-strided-metadata | FileCheck %s --check-prefix=LOWERED
// RUN: vsla-opt %s --vsla-to-cpu | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @two_dynamic
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>, %[[M:.*]]: index, %[[N:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %[[SIZE:.*]], %[[STRIDE:.*]] = memref.extract_strided_metadata %[[X]]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[M]], %[[N]]], strides: [%[[N]], 1]
// CHECK-NOT: memref.expand_shape
// LOWERED-LABEL: func.func @two_dynamic
// LOWERED-NOT: memref.expand_shape
// LLVM-LABEL: llvm.func @two_dynamic
func.func @two_dynamic(%x: memref<?xf32>, %m: index, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %x [[0, 1]] output_shape [%m, %n]
      : memref<?xf32> into memref<?x?xf32>
  %v = memref.load %e[%c0, %c0] : memref<?x?xf32>
  return %v : f32
}

// A strided source: the group's strides scale the source's stride, and the
// offset is the source's.
// CHECK-LABEL: func.func @strided_source
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %[[SIZE:.*]]:2, %[[STRIDE:.*]]:2 = memref.extract_strided_metadata
// CHECK: %[[S0:.*]] = affine.apply #{{.*}}()[%[[STRIDE]]#0, %{{.*}}]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%{{.*}}, %{{.*}}, 4], strides: [%[[S0]], %[[STRIDE]]#0, 1]
func.func @strided_source(%x: memref<?x4xf32, strided<[?, 1], offset: ?>>,
                          %m: index, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %x [[0, 1], [2]] output_shape [%m, %n, 4]
      : memref<?x4xf32, strided<[?, 1], offset: ?>>
        into memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>>
  %v = memref.load %e[%c0, %c0, %c0]
      : memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>>
  return %v : f32
}

// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic(%x: memref<?xf32>, %m: index) -> f32 {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %x [[0, 1]] output_shape [%m, 4]
      : memref<?xf32> into memref<?x4xf32>
  %v = memref.load %e[%c0, %c0] : memref<?x4xf32>
  return %v : f32
}

// RUN: vsla-opt %s --vsla-gpu-device-memory | FileCheck %s

// Host functions' buffers are device memory; a copy between whole buffers is
// gpu.memcpy, a copy between views (offsets, strides) a one-thread-per-element
// kernel.
// CHECK-LABEL: func.func @buffers(
// CHECK-SAME: %[[X:.*]]: memref<?xf32>, %[[V:.*]]: memref<?xf32, strided<[1], offset: ?>>
// CHECK: %[[A:.*]] = gpu.alloc (%{{.*}}) : memref<?xf32>
// CHECK: gpu.memcpy %[[A]], %[[X]] : memref<?xf32>, memref<?xf32>
// CHECK: %[[N:.*]] = memref.dim %[[A]], %c0
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %{{.*}}, %c256
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[BLOCKS]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256
// CHECK: scf.if
// CHECK: %[[E:.*]] = memref.load %[[V]]
// CHECK: memref.store %[[E]], %[[A]]
// CHECK: gpu.dealloc %[[A]]
// CHECK-NOT: memref.copy
func.func @buffers(%x: memref<?xf32>, %v: memref<?xf32, strided<[1], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  memref.copy %x, %a : memref<?xf32> to memref<?xf32>
  memref.copy %v, %a : memref<?xf32, strided<[1], offset: ?>> to memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  return
}

// Shape functions run on the host with host memory.
// CHECK-LABEL: func.func @shapes(
// CHECK: memref.alloc
// CHECK-NOT: gpu.alloc
func.func @shapes(%n: index) attributes {vsla.shape_function} {
  %a = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  return
}

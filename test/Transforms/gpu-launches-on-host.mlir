// RUN: vsla-opt %s --vsla-gpu-launches-on-host --split-input-file --verify-diagnostics | FileCheck %s

// A launch becomes loops over its grid and its blocks' threads; the body reads
// the loops' indices and bounds where it read the launch's. Device memory is
// host memory; a block of one thread reduces over itself and waits for
// nobody.
// CHECK-LABEL: func.func @kernel(
// CHECK-SAME: %[[N:[^:]*]]: index
// CHECK-NOT: gpu.
// CHECK: %[[BUF:.*]] = memref.alloc(%[[N]]) {alignment = 256 : i64} : memref<?xf32>
// CHECK: scf.for %[[BX:.*]] = %{{.*}} to %[[N]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %c1
// CHECK: %[[V:.*]] = memref.load %{{.*}}[%[[BX]]]
// CHECK-NEXT: memref.store %[[V]], %[[BUF]][%[[BX]]]
// CHECK: memref.copy %[[BUF]], %{{.*}}
// CHECK: memref.dealloc %[[BUF]]
func.func @kernel(%x: memref<?xf32>, %y: memref<?xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %buf = gpu.alloc (%n) : memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%bx] : memref<?xf32>
    %s = gpu.all_reduce add %v uniform {} : (f32) -> f32
    gpu.barrier
    memref.store %s, %buf[%bx] : memref<?xf32>
    gpu.terminator
  }
  gpu.memcpy %y, %buf : memref<?xf32>, memref<?xf32>
  gpu.dealloc %buf : memref<?xf32>
  return
}

// -----

// Threads that synchronize cannot run one after the other.
func.func @wide(%x: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  // expected-error @+1 {{a kernel whose threads synchronize runs on the host with blocks of one thread only}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}

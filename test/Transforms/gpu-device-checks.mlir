// RUN: vsla-opt %s --vsla-gpu-device-checks | FileCheck %s

// A data-dependent check inside a kernel stores its id to a device word; the
// host reads the word back right after that launch and fails the call there.
// CHECK-LABEL: func.func @labels(
// CHECK: %[[WORD:.*]] = gpu.alloc () : memref<1xi32>
// CHECK: %[[HOST:.*]] = memref.alloca() : memref<1xi32>
// CHECK: gpu.memset %[[WORD]], %c0_i32
// CHECK: gpu.launch
// CHECK: scf.if
// CHECK: %[[ID:.*]] = arith.trunci %{{.*}} : i64 to i32
// CHECK: memref.store %[[ID]], %[[WORD]][%{{.*}}] : memref<1xi32>
// CHECK-NOT: call @__vsla_check_failed
// CHECK: gpu.terminator
// CHECK: gpu.memcpy %[[HOST]], %[[WORD]]
// CHECK: %[[FAILED:.*]] = memref.load %[[HOST]]
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[FAILED]], %c0_i32
// CHECK: scf.if %[[BAD]] {
// CHECK: %[[WIDE:.*]] = arith.extsi %[[FAILED]] : i32 to i64
// CHECK: call @__vsla_check_failed(%[[WIDE]])
// CHECK: gpu.launch
// CHECK: gpu.dealloc %[[WORD]]
// CHECK-NEXT: return
func.func @labels(%labels: memref<?xi64>, %classes: i64) {
  %c1 = arith.constant 1 : index
  %id = arith.constant 7 : i64
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %c0 = arith.constant 0 : index
    %label = memref.load %labels[%c0] : memref<?xi64>
    %bad = arith.cmpi sge, %label, %classes : i64
    scf.if %bad {
      func.call @__vsla_check_failed(%id) : (i64) -> ()
    }
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.terminator
  }
  return
}

// A function without checks in kernels is left alone.
// CHECK-LABEL: func.func @plain(
// CHECK-NOT: gpu.alloc
// CHECK-NOT: gpu.memcpy
func.func @plain() {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.terminator
  }
  return
}

func.func private @__vsla_check_failed(i64)

// RUN: vsla-opt %s --vsla-gpu-serial-kernels --split-input-file --verify-diagnostics | FileCheck %s

// A rank-0 op left on the host after loop mapping: the scalar loaded, negated
// and stored together, in one one-thread kernel where the store was.
// CHECK-LABEL: func.func @negate(
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[ONE:.*]], {{.*}} = %[[ONE]], {{.*}} = %[[ONE]]) threads({{.*}}) in ({{.*}} = %[[ONE]], {{.*}} = %[[ONE]], {{.*}} = %[[ONE]])
// CHECK-NEXT: %[[V:.*]] = memref.load
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[V]]
// CHECK-NEXT: memref.store %[[N]]
// CHECK-NEXT: gpu.terminator
// CHECK: return
func.func @negate(%x: memref<f32>, %y: memref<f32>) {
  %v = memref.load %x[] : memref<f32>
  %n = arith.negf %v : f32
  memref.store %n, %y[] : memref<f32>
  return
}

// -----

// A rank-0 binary op (an eager `a + b` on GPU scalars): both loads, the add and
// the store in one kernel, though the second load does not use the first.
// CHECK-LABEL: func.func @add(
// CHECK: gpu.launch
// CHECK-NEXT: %[[A:.*]] = memref.load %{{.*}}[]
// CHECK-NEXT: %[[B:.*]] = memref.load %{{.*}}[]
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]]
// CHECK-NEXT: memref.store %[[S]]
// CHECK-NEXT: gpu.terminator
// CHECK: return
func.func @add(%x: memref<f32>, %y: memref<f32>, %z: memref<f32>) {
  %a = memref.load %x[] : memref<f32>
  %b = memref.load %y[] : memref<f32>
  %s = arith.addf %a, %b : f32
  memref.store %s, %z[] : memref<f32>
  return
}

// -----

// A sequential loop: its own kernel; the host keeps the launches it had.
// CHECK-LABEL: func.func @scan(
// CHECK: gpu.launch
// CHECK-NEXT: scf.for
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK: gpu.thread_id
func.func @scan(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c1 to %n step %c1 {
    %j = arith.subi %i, %c1 : index
    %a = memref.load %x[%j] : memref<?xf32>
    %b = memref.load %x[%i] : memref<?xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %x[%i] : memref<?xf32>
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %t = gpu.thread_id x
    gpu.terminator
  }
  return
}

// -----

// A value read from device memory that the host needs (a loop bound) is an
// error, not a read of device memory on the host.
func.func @bound(%x: memref<index>, %y: memref<?xf32>) {
  // expected-error @+1 {{the GPU pipeline cannot run this on the device: the host needs its results}}
  %n = memref.load %x[] : memref<index>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      gpu.terminator
    }
  }
  return
}

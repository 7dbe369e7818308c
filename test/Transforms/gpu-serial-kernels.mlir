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

// A value read from device memory that the host needs (a loop bound) comes
// from a host copy of the buffer, copied from the device before the read.
// CHECK-LABEL: func.func @bound(
// CHECK-SAME: %[[X:.*]]: memref<index>
// CHECK: %[[H:.*]] = memref.alloc() {vsla.host_buffer} : memref<index>
// CHECK: gpu.memcpy  %[[H]], %[[X]]
// CHECK-NEXT: %[[N:.*]] = memref.load %[[H]][]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[N]]
// CHECK: memref.dealloc %[[H]]
// CHECK-NEXT: return
func.func @bound(%x: memref<index>, %y: memref<?xf32>) {
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

// -----

// A ragged batch's sizing loop: it reads the shapes (an argument) and writes
// an offsets table (an allocation) whose sums size an output, then a kernel
// reads the table. The loop runs on the host on host copies: the shapes
// copied from the device before it, the table copied to the device before
// the kernel; the kernel keeps the device buffers.
// CHECK-LABEL: func.func @sizing(
// CHECK-SAME: %[[SHAPES:[^:]*]]: memref<?x1xi64>
// CHECK: %[[HS:.*]] = memref.alloc(%{{.*}}) {vsla.host_buffer} : memref<?x1xi64>
// CHECK: %[[T:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[HT:.*]] = memref.alloc(%{{.*}}) {vsla.host_buffer} : memref<?xindex>
// CHECK: gpu.memcpy  %[[HS]], %[[SHAPES]]
// CHECK-NEXT: %[[TOTAL:.*]] = scf.for
// CHECK: memref.load %[[HS]]
// CHECK: memref.store %{{.*}}, %[[HT]]
// CHECK: memref.alloc(%[[TOTAL]]) : memref<?xf32>
// CHECK: gpu.memcpy  %[[T]], %[[HT]]
// CHECK-NEXT: gpu.launch
// CHECK: memref.load %[[T]]
// CHECK: gpu.terminator
// CHECK: memref.dealloc %[[HS]]
// CHECK: memref.dealloc %[[HT]]
// CHECK-NEXT: return
func.func @sizing(%shapes: memref<?x1xi64>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %shapes, %c0 : memref<?x1xi64>
  %table = memref.alloc(%n) : memref<?xindex>
  %total = scf.for %i = %c0 to %n step %c1 iter_args(%sum = %c0) -> (index) {
    %e = memref.load %shapes[%i, %c0] : memref<?x1xi64>
    %ei = arith.index_cast %e : i64 to index
    memref.store %sum, %table[%i] : memref<?xindex>
    %next = arith.addi %sum, %ei : index
    scf.yield %next : index
  }
  %out = memref.alloc(%total) : memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %o = memref.load %table[%bx] : memref<?xindex>
    %f = arith.constant 1.0 : f32
    memref.store %f, %out[%o] : memref<?xf32>
    gpu.terminator
  }
  return %out : memref<?xf32>
}

// -----

// One op that both reads a buffer the host needs and launches kernels on it
// cannot hand the buffer over between the two: an error naming the op.
func.func @mixed(%x: memref<?xindex>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xindex>
  // expected-error @+1 {{the host needs its results, and it also launches kernels on the buffers it reads}}
  scf.for %i = %c0 to %n step %c1 {
    %m = memref.load %x[%i] : memref<?xindex>
    scf.for %j = %c0 to %m step %c1 {
      gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
                 threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
        memref.store %c0, %x[%j] : memref<?xindex>
        gpu.terminator
      }
    }
  }
  return
}

// -----

// An argument (an output passed in) the host writes while computing a bound
// it needs: the host copy goes back to the device before the return.
// CHECK-LABEL: func.func @output(
// CHECK-SAME: %[[OUT:[^:]*]]: memref<index>
// CHECK: %[[H:.*]] = memref.alloc() {vsla.host_buffer} : memref<index>
// CHECK: scf.for
// CHECK:   memref.store %{{.*}}, %[[H]][]
// CHECK: gpu.memcpy  %[[OUT]], %[[H]]
// CHECK-NEXT: memref.dealloc %[[H]]
// CHECK-NEXT: return
func.func @output(%out: memref<index>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %c0) -> (index) {
    memref.store %a, %out[] : memref<index>
    %b = arith.addi %a, %c1 : index
    scf.yield %b : index
  }
  scf.for %j = %c0 to %t step %c1 {
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      gpu.terminator
    }
  }
  return
}

// RUN: vsla-opt %s --vsla-gpu-map-items --split-input-file --verify-diagnostics | FileCheck %s

// Each item of a ragged batch a thread block, one launch for the batch: the
// item's temporary from a workspace in which a host loop over the items gave
// each item its own size (a table of offsets), tanh strided over the block's
// threads, the sum folded by the whole block, barriers between.
// CHECK-LABEL: func.func @items(
// CHECK-SAME: %[[N:[^:]*]]: index
// CHECK: %[[TABLE:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[TOTAL:.*]] = scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[AT:.*]] = %{{.*}}) -> (index)
// CHECK:   memref.load
// CHECK:   memref.load
// CHECK:   %[[BYTES:.*]] = arith.muli %{{.*}}, %c4
// CHECK:   %[[UP:.*]] = arith.ceildivui %[[BYTES]], %c16
// CHECK:   %[[ALIGNED:.*]] = arith.muli %[[UP]], %c16
// CHECK:   memref.store %[[AT]], %[[TABLE]][%[[I]]]
// CHECK:   %[[NEXT:.*]] = arith.addi %[[AT]], %[[ALIGNED]]
// CHECK:   scf.yield %[[NEXT]]
// CHECK: memref.store %[[TOTAL]], %[[TABLE]][%[[N]]]
// CHECK: %[[WS:.*]] = memref.alloc(%{{.*}}) {alignment = 256 : i64} : memref<?xi8>
// CHECK: scf.if
// CHECK: gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[N]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%[[BD:.*]] = %c256
// CHECK:   %[[SHIFT:.*]] = memref.load %[[TABLE]][%[[B]]]
// CHECK:   %[[TMP:.*]] = memref.view %[[WS]][%[[SHIFT]]][%{{.*}}] : memref<?xi8> to memref<?xf32>
// CHECK:   scf.for %{{.*}} = %[[T]] to %{{.*}} step %[[BD]] {
// CHECK:     math.tanh
// CHECK:     memref.store %{{.*}}, %[[TMP]][%{{.*}}]
// CHECK:   gpu.barrier
// CHECK:   %[[PART:.*]] = scf.for %{{.*}} = %[[T]] to %{{.*}} step %[[BD]] iter_args
// CHECK:   gpu.all_reduce add %[[PART]] uniform
// CHECK:   gpu.barrier
// CHECK-NOT: memref.dealloc
// CHECK: gpu.terminator
// CHECK: memref.dealloc %[[WS]]
// CHECK: memref.dealloc %[[TABLE]]
func.func @items(%values: memref<?xf32>, %offsets: memref<?xindex>,
                 %out: memref<?xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  scf.forall (%i) in (%n) {
    %next = arith.addi %i, %c1 : index
    %lo = memref.load %offsets[%i] : memref<?xindex>
    %hi = memref.load %offsets[%next] : memref<?xindex>
    %len = arith.subi %hi, %lo : index
    %x = memref.subview %values[%lo] [%len] [1]
        : memref<?xf32> to memref<?xf32, strided<[1], offset: ?>>
    %t = memref.alloc(%len) : memref<?xf32>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"]}
        ins(%x : memref<?xf32, strided<[1], offset: ?>>) outs(%t : memref<?xf32>) {
    ^bb0(%a: f32, %b: f32):
      %h = math.tanh %a : f32
      linalg.yield %h : f32
    }
    %acc = memref.subview %out[%i] [1] [1]
        : memref<?xf32> to memref<f32, strided<[], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                    iterator_types = ["reduction"]}
        ins(%t : memref<?xf32>) outs(%acc : memref<f32, strided<[], offset: ?>>) {
    ^bb0(%a: f32, %s: f32):
      %r = arith.addf %s, %a : f32
      linalg.yield %r : f32
    }
    memref.dealloc %t : memref<?xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// An item cannot call the host.
func.func private @note(index)
func.func @calls(%n: index) {
  // expected-error @+1 {{an item calls a function or maps over a nested batch}}
  scf.forall (%i) in (%n) {
    func.call @note(%i) : (index) -> ()
  } {mapping = [#gpu.block<x>]}
  return
}

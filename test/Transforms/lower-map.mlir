// vsla-lower-map: a serial loop that sizes the results and runs the checks,
// then an scf.forall over chunks of items that holds no checks.
// RUN: vsla-opt %s --vsla-lower-map | FileCheck %s
// RUN: vsla-opt %s --vsla-lower-map=gpu-blocks | FileCheck %s --check-prefix=GPU

// On a GPU, one iteration per item (no chunks sized by the host's
// threads), mapped to thread blocks.
// GPU-LABEL: func.func @conv_items
// GPU-NOT: __vsla_num_threads
// GPU: scf.forall (%[[C:.*]]) in (%[[N:.*]])
// GPU:   %[[NEXT:.*]] = arith.addi %[[C]], %c1
// GPU:   scf.for %{{.*}} = %[[C]] to %[[NEXT]] step %c1 iter_args
// GPU: } {mapping = [#gpu.block<x>]}

// CHECK-LABEL: func.func @conv_items
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x1xi64>
// The sizing loop: each item's extent from the shapes table, checked, and
// the item's result extent resolved from it (no vsla op is left in it).
// CHECK: scf.for %[[I:.*]] = %c0 to %[[N]]
// CHECK:   func.call @__vsla_map_item
// CHECK:   tensor.extract %{{.*}}[%[[I]], %c0] : tensor<?x1xi64>
// CHECK:   vsla.check_shape %{{.*}}, "vsla.map: an item of ragged batch 0 has a negative extent in its shapes tensor"
// CHECK:   vsla.check_shape %{{.*}}, "vsla.map: the items of ragged batch 0 need more elements than its packed values hold"
// CHECK-NOT: vsla.conv
// CHECK:   scf.yield
// CHECK: vsla.check_shape %{{.*}}, "vsla.map: the packed values of ragged batch 0 hold more elements than its items' shapes describe"
// The stacked result is zero-filled; chunks of items (a few per thread) run
// in parallel, each item in its chunk writing its part; no checks remain.
// CHECK: call @__vsla_num_threads
// CHECK: linalg.fill
// CHECK: scf.forall (%[[C:.*]]) in (%{{.*}})
// CHECK:   scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK:     tensor.extract_slice
// CHECK:     vsla.reshape
// CHECK:     vsla.conv
// CHECK-NOT: vsla.check_shape
// CHECK:     tensor.insert_slice
// CHECK:     tensor.insert_slice
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice
// CHECK:     tensor.parallel_insert_slice
func.func @conv_items(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>, %h: tensor<?xf32>)
    -> (tensor<?xf32>, tensor<?x1xi64>, tensor<?xf32>) {
  %v, %s, %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>)
      shared(%h : tensor<?xf32>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %w: tensor<?xf32>):
    %y = vsla.conv %x, %w : tensor<?xf32>, tensor<?xf32>
    %l = vsla.sum %y axes = [0] : tensor<?xf32>
    vsla.yield %y, %l : tensor<?xf32>, tensor<f32>
  } -> ragged(tensor<?xf32>) shapes(tensor<?x1xi64>) stacked(tensor<?xf32>)
  return %v, %s, %t : tensor<?xf32>, tensor<?x1xi64>, tensor<?xf32>
}

// Two batches must have as many items as each other.
// CHECK-LABEL: func.func @pairs
// CHECK: vsla.check_shape %{{.*}}, "vsla.map: ragged batch 1 has a different number of items than ragged batch 0
func.func @pairs(%a: tensor<?xf32>, %as: tensor<?x1xi64>, %b: tensor<?xf32>, %bs: tensor<?x1xi64>)
    -> tensor<?xf32> {
  %t = vsla.map ragged(%a, %b : tensor<?xf32>, tensor<?xf32>) shapes(%as, %bs : tensor<?x1xi64>, tensor<?x1xi64>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %y: tensor<?xf32>):
    %p = vsla.mul %x, %y : tensor<?xf32>, tensor<?xf32>
    %l = vsla.sum %p axes = [0] : tensor<?xf32>
    vsla.yield %l : tensor<f32>
  } -> stacked(tensor<?xf32>)
  return %t : tensor<?xf32>
}

// A stacked result only summed over the items (a shared operand's adjoint)
// keeps one partial sum per chunk, added to in place, not one row per item.
// CHECK-LABEL: func.func @summed
// CHECK: scf.forall
// CHECK:   tensor.extract_slice %{{.*}}[%{{.*}}, 0] [1, %{{.*}}] [1, 1] : tensor<?x?xf32> to tensor<1x?xf32>
// CHECK:   scf.for
// CHECK:     linalg.generic
// CHECK:       arith.addf
// CHECK:     tensor.insert_slice
// CHECK: %[[PARTS:.*]] = vsla.sum %{{.*}} axes = [0] : tensor<?x?xf32>
// CHECK: return %[[PARTS]]
func.func @summed(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>, %h: tensor<?xf32>) -> tensor<?xf32> {
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>) shared(%h : tensor<?xf32>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %w: tensor<?xf32>):
    %y = vsla.conv %x, %w : tensor<?xf32>, tensor<?xf32>
    vsla.yield %y : tensor<?xf32>
  } -> stacked(tensor<?x?xf32>)
  %s = vsla.sum %t axes = [0] : tensor<?x?xf32>
  return %s : tensor<?xf32>
}

// RUN: vsla-opt %s --vsla-gpu-collapse-parallel-loops | FileCheck %s

// A 2-D parallel loop becomes one over the product of its extents; the body
// recovers (row, column) with the column fastest, so consecutive iterations
// (threads, once tiled) touch consecutive elements of a row-major buffer.
// CHECK-LABEL: func.func @rows_by_columns(
// CHECK-SAME: %[[X:.*]]: memref<?x?xf32>, %[[N:.*]]: index, %[[M:.*]]: index)
// CHECK: %[[ROWS:.*]] = arith.muli %{{.*}}, %[[N]]
// CHECK: %[[TOTAL:.*]] = arith.muli %[[ROWS]], %[[M]]
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[TOTAL]]) step (%{{.*}}) {
// CHECK-DAG: %[[COL:.*]] = arith.remsi %[[I]], %[[M]]
// CHECK-DAG: %[[ROW:.*]] = arith.divsi %[[I]], %[[M]]
// CHECK: memref.store %{{.*}}, %[[X]][%[[ROW]], %[[COL]]]
func.func @rows_by_columns(%x: memref<?x?xf32>, %n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
    memref.store %zero, %x[%i, %j] : memref<?x?xf32>
  }
  return
}

// One-dimensional loops, and loops inside an outer parallel loop, stay.
// CHECK-LABEL: func.func @left_alone(
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%{{.*}}) step (%c1) {
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) =
func.func @left_alone(%x: memref<?x?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j, %k) = (%c0, %c0) to (%n, %n) step (%c1, %c1) {
      memref.store %zero, %x[%j, %k] : memref<?x?xf32>
    }
  }
  return
}

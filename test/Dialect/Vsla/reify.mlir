// Reified result dims: `tensor.dim` of a vsla result becomes arithmetic on
// the operands' dims, which is how lowering sizes dynamic results.
// RUN: vsla-opt %s --resolve-ranked-shaped-type-result-dims --canonicalize --cse -split-input-file | FileCheck %s

// max(da, db) for ambient promotion.
// CHECK-LABEL: func @add
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>)
// CHECK-DAG: %[[DA:.*]] = tensor.dim %[[A]]
// CHECK-DAG: %[[DB:.*]] = tensor.dim %[[B]]
// CHECK: %[[M:.*]] = arith.maxui %[[DA]], %[[DB]] : index
// CHECK: return %[[M]]
func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> index {
  %c0 = arith.constant 0 : index
  %r = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  %d = tensor.dim %r, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// max(?, 0) needs no arithmetic.
// CHECK-LABEL: func @add_empty
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>
// CHECK: %[[DA:.*]] = tensor.dim %[[A]]
// CHECK-NEXT: return %[[DA]]
func.func @add_empty(%a: tensor<?xf32>, %b: tensor<0xf32>) -> index {
  %c0 = arith.constant 0 : index
  %r = vsla.add %a, %b : tensor<?xf32>, tensor<0xf32>
  %d = tensor.dim %r, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// m + n - 1, or 0 when either is empty.
// CHECK-LABEL: func @conv_full
// CHECK-DAG: %[[DA:.*]] = tensor.dim %arg0
// CHECK-DAG: %[[DB:.*]] = tensor.dim %arg1
// CHECK-DAG: %[[MIN:.*]] = arith.minui %[[DA]], %[[DB]]
// CHECK-DAG: %[[SUM:.*]] = arith.addi %[[DA]], %[[DB]]
// CHECK-DAG: %[[LEN:.*]] = arith.subi %[[SUM]], %c1
// CHECK-DAG: %[[EMPTY:.*]] = arith.cmpi eq, %[[MIN]], %c0
// CHECK: %[[R:.*]] = arith.select %[[EMPTY]], %c0, %[[LEN]]
// CHECK: return %[[R]]
func.func @conv_full(%a: tensor<?xf32>, %b: tensor<?xf32>) -> index {
  %c0 = arith.constant 0 : index
  %r = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
  %d = tensor.dim %r, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// max - min + 1 for valid, max for same.
// CHECK-LABEL: func @conv_valid_same
// CHECK-DAG: %[[MAX:.*]] = arith.maxui
// CHECK-DAG: %[[MIN:.*]] = arith.minui
// CHECK-DAG: %[[DIFF:.*]] = arith.subi %[[MAX]], %[[MIN]]
// CHECK-DAG: %[[VALID:.*]] = arith.addi %[[DIFF]], %c1
// CHECK: %[[V:.*]] = arith.select %{{.*}}, %c0{{.*}}, %[[VALID]]
// CHECK: %[[S:.*]] = arith.select %{{.*}}, %c0{{.*}}, %[[MAX]]
// CHECK: return %[[V]], %[[S]]
func.func @conv_valid_same(%a: tensor<?xf32>, %b: tensor<?xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %r = vsla.conv %a, %b mode = valid : tensor<?xf32>, tensor<?xf32>
  %s = vsla.conv %a, %b mode = same : tensor<?xf32>, tensor<?xf32>
  %d = tensor.dim %r, %c0 : tensor<?xf32>
  %e = tensor.dim %s, %c0 : tensor<?xf32>
  return %d, %e : index, index
}

// -----

// Products for kron.
// CHECK-LABEL: func @kron
// CHECK: %[[D:.*]] = tensor.dim %arg0
// CHECK: %[[P:.*]] = arith.muli %[[D]], %c3
// CHECK: return %[[P]]
func.func @kron(%a: tensor<?xf32>, %b: tensor<3xf32>) -> index {
  %c0 = arith.constant 0 : index
  %r = vsla.kron %a, %b : tensor<?xf32>, tensor<3xf32>
  %d = tensor.dim %r, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// Matmul: batch ambient, m from lhs, n from rhs.
// CHECK-LABEL: func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x8xf32>, %[[B:.*]]: tensor<?x6x?xf32>)
// CHECK-DAG: %[[BA:.*]] = tensor.dim %[[A]], %c0
// CHECK-DAG: %[[BB:.*]] = tensor.dim %[[B]], %c0
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[A]], %c1
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[B]], %c2
// CHECK-DAG: %[[BATCH:.*]] = arith.maxui %[[BA]], %[[BB]]
// CHECK: return %[[BATCH]], %[[M]], %[[N]]
func.func @matmul(%a: tensor<?x?x8xf32>, %b: tensor<?x6x?xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = vsla.matmul %a, %b : tensor<?x?x8xf32>, tensor<?x6x?xf32>
  %d0 = tensor.dim %r, %c0 : tensor<?x?x?xf32>
  %d1 = tensor.dim %r, %c1 : tensor<?x?x?xf32>
  %d2 = tensor.dim %r, %c2 : tensor<?x?x?xf32>
  return %d0, %d1, %d2 : index, index, index
}

// -----

// The target shape operands of broadcast_to, the sizes of a slice.
// CHECK-LABEL: func @target_and_slice
// CHECK-SAME: %[[N:[a-z0-9]+]]: index, %[[M:[a-z0-9]+]]: index)
// CHECK: return %[[N]], %[[M]]
func.func @target_and_slice(%x: tensor<3xf32>, %y: tensor<?xf32>, %n: index, %m: index) -> (index, index) {
  %c0 = arith.constant 0 : index
  %b = vsla.broadcast_to %x to [%n, 3] : tensor<3xf32>
  %s = vsla.slice %y [1] [%m] [2] : tensor<?xf32>
  %d0 = tensor.dim %b, %c0 : tensor<?x3xf32>
  %d1 = tensor.dim %s, %c0 : tensor<?xf32>
  return %d0, %d1 : index, index
}

// -----

// Concat adds extents along its axis; stack takes the ambient extents.
// CHECK-LABEL: func @concat_stack
// CHECK-DAG: %[[DY:.*]] = tensor.dim %arg0, %c0
// CHECK-DAG: %[[DZ:.*]] = tensor.dim %arg2, %c0
// CHECK-DAG: %[[SUM:.*]] = arith.addi %[[DY]], %c2
// CHECK-DAG: %[[AMB:.*]] = arith.maxui %[[DY]], %[[DZ]]
// CHECK: return %[[SUM]], %[[AMB]]
func.func @concat_stack(%y: tensor<?x3xf32>, %z: tensor<2x3xf32>, %w: tensor<?x3xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = vsla.concat %y, %z axis = 0 : tensor<?x3xf32>, tensor<2x3xf32>
  %s = vsla.stack %y, %w : tensor<?x3xf32>, tensor<?x3xf32>
  %d0 = tensor.dim %r, %c0 : tensor<?x3xf32>
  %d1 = tensor.dim %s, %c1 : tensor<2x?x3xf32>
  return %d0, %d1 : index, index
}

// -----

// Reductions keep the unreduced dims; transpose permutes them.
// CHECK-LABEL: func @reduce_transpose
// CHECK-DAG: %[[D1:.*]] = tensor.dim %arg0, %c1
// CHECK-DAG: %[[D0:.*]] = tensor.dim %arg0, %c0
// CHECK: return %[[D1]], %[[D0]]
func.func @reduce_transpose(%x: tensor<?x?xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = vsla.sum %x axes = [0] : tensor<?x?xf32>
  %t = vsla.transpose %x perm = [1, 0] : tensor<?x?xf32>
  %d0 = tensor.dim %r, %c0 : tensor<?xf32>
  %d1 = tensor.dim %t, %c1 : tensor<?x?xf32>
  return %d0, %d1 : index, index
}

// -----

// shrink's extents depend on data: its dims are not reified.
// CHECK-LABEL: func @shrink
// CHECK: %[[S:.*]] = vsla.shrink
// CHECK: tensor.dim %[[S]]
func.func @shrink(%x: tensor<4xf32>) -> index {
  %c0 = arith.constant 0 : index
  %s = vsla.shrink %x : tensor<4xf32>
  %d = tensor.dim %s, %c0 : tensor<?xf32>
  return %d : index
}

// One test per canonicalization of the vsla ops.
// RUN: vsla-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @add_empty_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_empty_same_type(%x: tensor<?xf32>, %e: tensor<0xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0 = vsla.add %x, %e : tensor<?xf32>, tensor<0xf32>
  %1 = vsla.add %e, %x : tensor<0xf32>, tensor<?xf32>
  return %0, %1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// The empty operand has a larger extent on another axis: x is zero-extended.
// CHECK-LABEL: func @add_empty_promotes
// CHECK-SAME: (%[[X:.*]]: tensor<2x?xf32>
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK: %[[P:.*]] = vsla.promote %[[X]] to [4, %[[D]]] : tensor<2x?xf32>
// CHECK-NEXT: return %[[P]]
func.func @add_empty_promotes(%x: tensor<2x?xf32>, %e: tensor<4x0xf32>) -> tensor<4x?xf32> {
  %0 = vsla.add %x, %e : tensor<2x?xf32>, tensor<4x0xf32>
  return %0 : tensor<4x?xf32>
}

// -----

// CHECK-LABEL: func @sub_empty
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>
// CHECK: %[[N:.*]] = vsla.neg %[[X]]
// CHECK: return %[[X]], %[[N]]
func.func @sub_empty(%x: tensor<3xf32>, %e: tensor<0xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = vsla.sub %x, %e : tensor<3xf32>, tensor<0xf32>
  %1 = vsla.sub %e, %x : tensor<0xf32>, tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func @promote_promote
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>
// CHECK-NEXT: %[[P:.*]] = vsla.promote %[[X]] to [5] : tensor<2xf32>
// CHECK-NEXT: return %[[P]]
func.func @promote_promote(%x: tensor<2xf32>) -> tensor<5xf32> {
  %0 = vsla.promote %x to [3] : tensor<2xf32>
  %1 = vsla.promote %0 to [5] : tensor<3xf32>
  return %1 : tensor<5xf32>
}

// -----

// CHECK-LABEL: func @promote_same_shape
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>, %[[Y:.*]]: tensor<?x3xf32>
// CHECK-NEXT: return %[[X]], %[[Y]]
func.func @promote_same_shape(%x: tensor<2xf32>, %y: tensor<?x3xf32>) -> (tensor<2xf32>, tensor<?x3xf32>) {
  %c0 = arith.constant 0 : index
  %0 = vsla.promote %x to [2] : tensor<2xf32>
  %d = tensor.dim %y, %c0 : tensor<?x3xf32>
  %1 = vsla.promote %y to [%d, 3] : tensor<?x3xf32>
  return %0, %1 : tensor<2xf32>, tensor<?x3xf32>
}

// -----

// A dynamic target that is not the input's own extent stays.
// CHECK-LABEL: func @promote_other_extent
// CHECK: vsla.promote
func.func @promote_other_extent(%y: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %0 = vsla.promote %y to [%n] : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @transpose_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>
// CHECK-NEXT: %[[T:.*]] = vsla.transpose %[[X]] perm = [2, 1, 0] : tensor<2x3x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = vsla.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32>
  %1 = vsla.transpose %0 perm = [1, 0, 2] : tensor<3x4x2xf32>
  return %1 : tensor<4x3x2xf32>
}

// -----

// CHECK-LABEL: func @transpose_inverse
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @transpose_inverse(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = vsla.transpose %x perm = [1, 0] : tensor<2x3xf32>
  %1 = vsla.transpose %0 perm = [1, 0] : tensor<3x2xf32>
  %2 = vsla.transpose %x perm = [0, 1] : tensor<2x3xf32>
  return %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<6xf32>
// CHECK-NEXT: %[[R:.*]] = vsla.reshape %[[X]] to [3, 2] : tensor<6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_reshape(%x: tensor<6xf32>) -> tensor<3x2xf32> {
  %0 = vsla.reshape %x to [2, 3] : tensor<6xf32>
  %1 = vsla.reshape %0 to [3, 2] : tensor<2x3xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<6xf32>
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<6xf32>) -> tensor<6xf32> {
  %0 = vsla.reshape %x to [2, 3] : tensor<6xf32>
  %1 = vsla.reshape %0 to [6] : tensor<2x3xf32>
  return %1 : tensor<6xf32>
}

// -----

// CHECK-LABEL: func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>
// CHECK-NEXT: return %[[X]]
func.func @neg_neg(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.neg %x : tensor<?xf32>
  %1 = vsla.neg %0 : tensor<?xf32>
  return %1 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @idempotent_unary
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>
// CHECK-NEXT: %[[A:.*]] = vsla.abs %[[X]]
// CHECK-NEXT: %[[R:.*]] = vsla.relu %[[X]]
// CHECK-NEXT: return %[[A]], %[[R]]
func.func @idempotent_unary(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0 = vsla.abs %x : tensor<?xf32>
  %1 = vsla.abs %0 : tensor<?xf32>
  %2 = vsla.relu %x : tensor<?xf32>
  %3 = vsla.relu %2 : tensor<?xf32>
  return %1, %3 : tensor<?xf32>, tensor<?xf32>
}

// -----

// CHECK-LABEL: func @scalar_identities
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>, %[[I:.*]]: tensor<3xi32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[I]], %[[I]]
func.func @scalar_identities(%x: tensor<?xf32>, %i: tensor<3xi32>)
    -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<3xi32>, tensor<3xi32>) {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %negzero = arith.constant -0.0 : f32
  %ione = arith.constant 1 : i32
  %izero = arith.constant 0 : i32
  %0 = vsla.mul_scalar %x, %one : tensor<?xf32>, f32
  %1 = vsla.add_scalar %x, %zero : tensor<?xf32>, f32
  %2 = vsla.sub_scalar %x, %negzero : tensor<?xf32>, f32
  %3 = vsla.div_scalar %x, %one : tensor<?xf32>, f32
  %4 = vsla.pow_scalar %x, %one : tensor<?xf32>, f32
  %5 = vsla.mul_scalar %i, %ione : tensor<3xi32>, i32
  %6 = vsla.add_scalar %i, %izero : tensor<3xi32>, i32
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<3xi32>, tensor<3xi32>
}

// -----

// Multiplying by 2 or adding 1 is not an identity.
// CHECK-LABEL: func @scalar_non_identities
// CHECK: vsla.mul_scalar
// CHECK: vsla.add_scalar
func.func @scalar_non_identities(%x: tensor<?xf32>) -> tensor<?xf32> {
  %two = arith.constant 2.0 : f32
  %one = arith.constant 1.0 : f32
  %0 = vsla.mul_scalar %x, %two : tensor<?xf32>, f32
  %1 = vsla.add_scalar %0, %one : tensor<?xf32>, f32
  return %1 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @shrink_shrink
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>
// CHECK-NEXT: %[[S:.*]] = vsla.shrink %[[X]] : tensor<4x3xf32>
// CHECK-NEXT: return %[[S]]
func.func @shrink_shrink(%x: tensor<4x3xf32>) -> tensor<?x?xf32> {
  %0 = vsla.shrink %x : tensor<4x3xf32>
  %1 = vsla.shrink %0 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func @shape_noops
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @shape_noops(%x: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = vsla.broadcast_to %x to [2, 3] : tensor<2x3xf32>
  %1 = vsla.slice %x [0, 0] [2, 3] [1, 1] : tensor<2x3xf32>
  %2 = vsla.concat %x axis = 1 : tensor<2x3xf32>
  %3 = vsla.cast %x : tensor<2x3xf32> to tensor<2x3xf32>
  %4 = vsla.sum %x axes = [] : tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// window_stack and pyramid_stack expand into plain stacks.
// CHECK-LABEL: func @windows
// CHECK-SAME: (%[[A:.*]]: tensor<2xf32>, %[[B:.*]]: tensor<2xf32>, %[[C:.*]]: tensor<2xf32>, %[[D:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[S0:.*]] = vsla.stack %[[A]], %[[B]], %[[C]] : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
// CHECK-NEXT: %[[P0:.*]] = vsla.stack %[[A]], %[[B]]
// CHECK-NEXT: %[[P1:.*]] = vsla.stack %[[C]], %[[D]]
// CHECK-NEXT: %[[P:.*]] = vsla.stack %[[P0]], %[[P1]] : tensor<2x2xf32>, tensor<2x2xf32>
// CHECK-NEXT: return %[[S0]], %[[P]]
func.func @windows(%a: tensor<2xf32>, %b: tensor<2xf32>, %c: tensor<2xf32>, %d: tensor<2xf32>)
    -> (tensor<3x2xf32>, tensor<2x2x2xf32>) {
  %0 = vsla.window_stack %a, %b, %c, %d window = 3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  %1 = vsla.pyramid_stack %a, %b, %c, %d window = 2 levels = 2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<2x2x2xf32>
}

// -----

// Pure ops without uses are erased; identical ones are merged by CSE.
// CHECK-LABEL: func @dead_code
// CHECK-NEXT: return
func.func @dead_code(%x: tensor<?xf32>) {
  %0 = vsla.exp %x : tensor<?xf32>
  %1 = vsla.conv %0, %x : tensor<?xf32>, tensor<?xf32>
  return
}

// -----

// Commutative ops put constants on the right.
// CHECK-LABEL: func @commutative
// CHECK: %[[C:.*]] = vsla.constant
// CHECK: vsla.mul %{{.*}}, %[[C]]
func.func @commutative(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c = vsla.constant dense<[2.0]> : tensor<1xf32>
  %0 = vsla.mul %c, %x : tensor<1xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A promote whose target extent became a constant equal to its input's
// static extent does nothing, but its result type is still the dynamic one
// it was built with: folding it away would hand the concat a value of
// another type (its inferred type would no longer match). It stays.
// CHECK-LABEL: func.func @no_fold_to_another_type
// CHECK: %[[P:.*]] = vsla.promote
// CHECK: vsla.concat %[[P]], %{{.*}} axis = 0 : tensor<?xf32>, tensor<1xf32>
func.func @no_fold_to_another_type(%b: tensor<1xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %e = vsla.constant dense<> : tensor<0xf32>
  %p = vsla.promote %e to [%c0] : tensor<0xf32>
  %r = vsla.concat %p, %b axis = 0 : tensor<?xf32>, tensor<1xf32>
  return %r : tensor<?xf32>
}


// -----

// vsla.map: an unused ragged result and an unread shared operand go, and
// with them the body's work for that result.
// CHECK-LABEL: func @map_drops_unused
// CHECK: %[[T:.*]] = vsla.map ragged(%arg0 : tensor<?xf32>) shapes(%arg1 : tensor<?x1xi64>) {
// CHECK-NEXT: ^bb0(%{{.*}}: index, %[[X:.*]]: tensor<?xf32>):
// CHECK-NOT: vsla.conv
// CHECK: vsla.sum %[[X]]
// CHECK: } -> stacked(tensor<?xf32>)
// CHECK: return %[[T]]
func.func @map_drops_unused(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>, %h: tensor<?xf32>)
    -> tensor<?xf32> {
  %v, %s, %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>)
      shared(%h : tensor<?xf32>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %w: tensor<?xf32>):
    %y = vsla.conv %x, %w : tensor<?xf32>, tensor<?xf32>
    %l = vsla.sum %x axes = [0] : tensor<?xf32>
    vsla.yield %y, %l : tensor<?xf32>, tensor<f32>
  } -> ragged(tensor<?xf32>) shapes(tensor<?x1xi64>) stacked(tensor<?xf32>)
  return %t : tensor<?xf32>
}

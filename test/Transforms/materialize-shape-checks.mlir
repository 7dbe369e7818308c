// Preconditions on dynamic extents become vsla.check_shape in front of the op.
// RUN: vsla-opt %s --vsla-materialize-shape-checks -split-input-file | FileCheck %s

// An equal-shape promise: one check per axis that is not provably equal.
// CHECK-LABEL: func @equal_shapes
// CHECK: %[[L:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[R:.*]] = tensor.dim %arg1, %c0
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[L]], %[[R]]
// CHECK: vsla.check_shape %[[EQ]], "vsla.add: the operands were promised equal shapes but differ on axis 0
// CHECK-NOT: vsla.check_shape
// CHECK: vsla.add
func.func @equal_shapes(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = vsla.add %a, %b {vsla.equal_shapes} : tensor<?x3xf32>, tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Ambient ops without the promise need no check: they branch on the shapes.
// CHECK-LABEL: func @ambient
// CHECK-NOT: vsla.check_shape
func.func @ambient(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A dynamic target extent must not be negative, and promote only grows.
// CHECK-LABEL: func @promote
// CHECK: %[[NN:.*]] = arith.cmpi sge, %arg1, %c0
// CHECK: vsla.check_shape %[[NN]], "vsla.promote: the target extent of axis 0 is negative"
// CHECK: %[[D:.*]] = tensor.dim %arg0
// CHECK: %[[LE:.*]] = arith.cmpi sle, %[[D]], %arg1
// CHECK: vsla.check_shape %[[LE]], "vsla.promote: the target extent of axis 0 is smaller
// CHECK: vsla.promote
func.func @promote(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %0 = vsla.promote %x to [%n] : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// broadcast_to: each dynamic input extent is 1 or the target's.
// CHECK-LABEL: func @broadcast
// CHECK: vsla.check_shape %{{.*}}, "vsla.broadcast_to: the target extent of axis 1 is negative"
// CHECK: arith.cmpi eq
// CHECK: arith.cmpi eq
// CHECK: arith.ori
// CHECK: vsla.check_shape %{{.*}}, "vsla.broadcast_to: input axis 0 has an extent that is neither 1 nor the target extent"
func.func @broadcast(%x: tensor<?xf32>, %n: index) -> tensor<2x?xf32> {
  %0 = vsla.broadcast_to %x to [2, %n] : tensor<?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// reshape: the element counts agree.
// CHECK-LABEL: func @reshape
// CHECK: arith.muli
// CHECK: vsla.check_shape %{{.*}}, "vsla.reshape: the element counts of the input and the target shape differ"
func.func @reshape(%x: tensor<?xf32>, %n: index) -> tensor<?x2xf32> {
  %0 = vsla.reshape %x to [%n, 2] : tensor<?xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// concat: the extents off the concat axis agree.
// CHECK-LABEL: func @concat
// CHECK: vsla.check_shape %{{.*}}, "vsla.concat: the inputs' extents differ on axis 1, which is not the concat axis"
func.func @concat(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.concat %a, %b axis = 0 : tensor<?x?xf32>, tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Fully static ops are checked by the verifier: nothing to add.
// CHECK-LABEL: func @static
// CHECK-NOT: vsla.check_shape
func.func @static(%x: tensor<3xf32>) -> tensor<5xf32> {
  %0 = vsla.promote %x to [5] : tensor<3xf32>
  return %0 : tensor<5xf32>
}

// -----

// fold needs whole taps of rows and a length of at least taps - 1.
// CHECK-LABEL: func @fold
// CHECK: arith.remui
// CHECK: vsla.check_shape %{{.*}}, "vsla.fold: the rows are not a multiple of taps = 3"
// CHECK: vsla.check_shape %{{.*}}, "vsla.fold: the length is shorter than taps - 1 = 2"
func.func @fold(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.fold %x taps = 3 : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

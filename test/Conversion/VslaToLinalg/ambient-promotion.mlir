// Ambient promotion lowers to elementwise generics on slices of the operands
// and of the result: no zero-padded copy of an operand is materialized.
// RUN: vsla-opt %s --convert-vsla-to-linalg --canonicalize --cse -split-input-file | FileCheck %s

// Dynamic shapes: a run-time check picks the one-pass path for equal shapes.
// CHECK-LABEL: func @add_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>)
// CHECK-NOT: tensor.pad
// CHECK-DAG: %[[DA:.*]] = tensor.dim %[[A]]
// CHECK-DAG: %[[DB:.*]] = tensor.dim %[[B]]
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[DA]], %[[DB]]
// CHECK: scf.if %[[EQ]]
// CHECK:   linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?xf32>, tensor<?xf32>)
// CHECK:   arith.addf
// CHECK: } else {
// The result is filled once, then written region by region:
// CHECK:   %[[FILL:.*]] = linalg.fill
// CHECK:   %[[MIN:.*]] = arith.minui %[[DA]], %[[DB]]
// CHECK:   %[[SLOT_A:.*]] = tensor.extract_slice %[[FILL]][0] [%[[DA]]] [1]
// CHECK:   linalg.generic {{.*}} ins(%[[A]] : tensor<?xf32>) outs(%[[SLOT_A]] : tensor<?xf32>)
// CHECK:   tensor.insert_slice
// CHECK:   linalg.generic {{.*}} ins(%[[B]] : tensor<?xf32>)
// CHECK:   %[[OA:.*]] = tensor.extract_slice %[[A]][0] [%[[MIN]]] [1]
// CHECK:   %[[OB:.*]] = tensor.extract_slice %[[B]][0] [%[[MIN]]] [1]
// CHECK:   linalg.generic {{.*}} ins(%[[OA]], %[[OB]] : tensor<?xf32>, tensor<?xf32>)
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor.insert_slice %[[A]]
// CHECK-NOT: tensor.insert_slice %[[B]]
func.func @add_dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Static shapes, 1-D: the longer operand's pass covers the whole result, so
// there is no fill; the overlap reads a slice of the longer operand.
// CHECK-LABEL: func @mul_static
// CHECK-SAME: (%[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-NOT: linalg.fill
// CHECK-NOT: tensor.pad
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[TAIL:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<3xf32>) outs(%[[E]] : tensor<3xf32>)
// CHECK-DAG: %[[OA:.*]] = tensor.extract_slice %[[A]][0] [2] [1] : tensor<3xf32> to tensor<2xf32>
// CHECK-DAG: %[[SLOT:.*]] = tensor.extract_slice %[[TAIL]][0] [2] [1]
// CHECK: %[[OVER:.*]] = linalg.generic {{.*}} ins(%[[OA]], %[[B]] : tensor<2xf32>, tensor<2xf32>) outs(%[[SLOT]] : tensor<2xf32>)
// CHECK: tensor.insert_slice %[[OVER]] into %[[TAIL]][0] [2] [1]
func.func @mul_static(%a: tensor<3xf32>, %b: tensor<2xf32>) -> tensor<3xf32> {
  %r = vsla.mul %a, %b : tensor<3xf32>, tensor<2xf32>
  return %r : tensor<3xf32>
}

// -----

// Equal static shapes: a single elementwise generic.
// CHECK-LABEL: func @sub_equal
// CHECK-NEXT: tensor.empty
// CHECK-NEXT: linalg.generic
// CHECK: arith.subf
// CHECK: return
func.func @sub_equal(%a: tensor<4x5xf32>, %b: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = vsla.sub %a, %b : tensor<4x5xf32>, tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// -----

// 2-D shapes that cross ([2, 3] and [3, 1]): the result needs the fill with
// f(0, 0); division fills with 0 / 0 = NaN.
// CHECK-LABEL: func @div_crossing
// CHECK: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK: linalg.fill ins(%[[NAN]] : f32) outs(%{{.*}} : tensor<3x3xf32>)
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: tensor.pad
func.func @div_crossing(%a: tensor<2x3xf32>, %b: tensor<3x1xf32>) -> tensor<3x3xf32> {
  %r = vsla.div %a, %b : tensor<2x3xf32>, tensor<3x1xf32>
  return %r : tensor<3x3xf32>
}

// -----

// Integer maximum uses signed comparison.
// CHECK-LABEL: func @maximum_int
// CHECK: arith.maxsi
func.func @maximum_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %r = vsla.maximum %a, %b : tensor<4xi32>, tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

// With vsla.equal_shapes (the caller checked the shapes), the dynamic case
// is one elementwise pass with no run-time branch, so it fuses.
// CHECK-LABEL: func @add_promised_equal
// CHECK-NOT: scf.if
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @add_promised_equal(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.add %a, %b {vsla.equal_shapes} : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A promise that static extents contradict is ignored (regression: the
// extents became static only through a cast the lowering looks through).
// CHECK-LABEL: func @broken_promise
// CHECK: tensor.extract_slice %arg0[0] [2] [1]
func.func @broken_promise(%a: tensor<10xf32>, %b: tensor<2xf32>) -> tensor<?xf32> {
  %d = tensor.cast %a : tensor<10xf32> to tensor<?xf32>
  %r = vsla.add %d, %b {vsla.equal_shapes} : tensor<?xf32>, tensor<2xf32>
  return %r : tensor<?xf32>
}

// -----

// Static extents that differ (1 against 2) next to dynamic ones: the shapes
// can never be equal, so there is no run-time equal-shape branch (its
// tensor.cast from 1x? to 2x? would not verify), only the promoted path.
// CHECK-LABEL: func.func @static_mismatch_dynamic_rest
// CHECK-NOT: scf.if
// CHECK-NOT: tensor.cast
// CHECK: return
func.func @static_mismatch_dynamic_rest(%a: tensor<1x?xf32>, %b: tensor<2x?xf32>)
    -> tensor<2x?xf32> {
  %0 = vsla.add %a, %b : tensor<1x?xf32>, tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

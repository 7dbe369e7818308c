// Checks that run in place call the runtime when the fact fails.
// RUN: vsla-opt %s --convert-vsla-to-linalg -split-input-file | FileCheck %s

// CHECK: func.func private @__vsla_check_failed(i64)
// CHECK-LABEL: func @shape
// CHECK: %[[FAILED:.*]] = arith.xori %arg0, %true
// CHECK: scf.if %[[FAILED]] {
// CHECK:   %[[ID:.*]] = arith.constant 7 : i64
// CHECK:   func.call @__vsla_check_failed(%[[ID]]) : (i64) -> ()
// CHECK-NOT: vsla.check_shape
func.func @shape(%ok: i1) {
  vsla.check_shape %ok, "a fact" {vsla.check_id = 7 : i64}
  return
}

// -----

// A value check: NaN is not zero (ordered comparison).
// CHECK-LABEL: func @zero
// CHECK: %[[V:.*]] = tensor.extract %arg0[] : tensor<f32>
// CHECK: %[[HOLDS:.*]] = arith.cmpf oeq, %[[V]], %cst
// CHECK: %[[FAILED:.*]] = arith.xori %[[HOLDS]], %true
// CHECK: scf.if %[[FAILED]] {
// CHECK:   func.call @__vsla_check_failed
func.func @zero(%bad: tensor<f32>) {
  vsla.check_zero %bad, "labels in range" : tensor<f32>
  return
}

// With guarded-promotion (the GPU pipeline), mismatched shapes combine in one
// elementwise generic over the result: each operand is read where its shape
// covers the index and is zero elsewhere. No padded copy, no op per region.
// RUN: vsla-opt %s --convert-vsla-to-linalg=guarded-promotion --canonicalize --cse -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @add_dynamic(
// CHECK-SAME: %[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>)
// CHECK-DAG: %[[DA:.*]] = tensor.dim %[[A]]
// CHECK-DAG: %[[DB:.*]] = tensor.dim %[[B]]
// CHECK: scf.if
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] :
// CHECK: } else {
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel"]} outs(
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: %[[INA:.*]] = arith.cmpi ult, %[[I]], %[[DA]]
// CHECK: scf.if %[[INA]] -> (f32) {
// CHECK: tensor.extract %[[A]][%[[I]]]
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[ZERO:.*]] : f32
// CHECK: %[[INB:.*]] = arith.cmpi ult, %[[I]], %[[DB]]
// CHECK: tensor.extract %[[B]][%[[I]]]
// CHECK: arith.addf
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: linalg.fill
func.func @add_dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Static shapes that differ: the guarded generic alone; an operand whose shape
// is the result's is read without a guard.
// CHECK-LABEL: func.func @mul_static(
// CHECK-NOT: scf.if {{.*}} -> (tensor
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[X:.*]] = tensor.extract %{{.*}}[%[[I]], %[[J]]] : tensor<4x5xf32>
// CHECK: arith.cmpi ult, %[[I]], %c2
// CHECK: arith.cmpi ult, %[[J]], %c3
// CHECK: scf.if
// CHECK: tensor.extract %{{.*}} : tensor<2x3xf32>
// CHECK: arith.mulf
func.func @mul_static(%a: tensor<4x5xf32>, %b: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %0 = vsla.mul %a, %b : tensor<4x5xf32>, tensor<2x3xf32>
  return %0 : tensor<4x5xf32>
}

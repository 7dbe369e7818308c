// The entry points the runtime calls, and the export table's metadata.
// RUN: vsla-opt %s --vsla-materialize-shape-checks --vsla-number-run-time-checks --vsla-synthesize-entry-points | FileCheck %s

// The metadata: one entry per public function, in order.
// CHECK: module attributes
// CHECK-SAME: vsla.check_messages = ["{{.*}}vsla.add: the operands were promised equal shapes but differ on axis 0{{.*}}"]
// CHECK-SAME: vsla.exports = [
// CHECK-SAME: {destination = "__vsla_dps_scale", destination_passing = true, equal_shapes = "__vsla_dps_equal_scale", function_type = (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>, name = "scale", shapes = "__vsla_shapes_scale"}
// CHECK-SAME: {destination = "__vsla_dps_same", destination_passing = true, function_type = (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>, name = "same", shapes = "__vsla_shapes_same"}
// CHECK-SAME: {call = "shrink", destination_passing = false, function_type = (tensor<?xf32>) -> tensor<?xf32>, name = "shrink"}

// CHECK-LABEL: func.func @shrink(
// CHECK-SAME: llvm.emit_c_interface
// CHECK-NOT: __vsla_shapes_shrink

// Ambient add: the shape function computes max(n, m), the equal-shapes flag;
// a second body without shape branches is compiled for equal shapes.
// CHECK-LABEL: func.func @__vsla_shapes_scale(
// CHECK-SAME: %[[DIMS:[a-z0-9]+]]: memref<3xindex>
// CHECK: arith.maxui
// CHECK: memref.store %{{.*}}, %[[DIMS]][%c0]
// CHECK-NOT: vsla.
// CHECK: return
// CHECK-LABEL: func.func @__vsla_dps_scale(
// CHECK-SAME: memref<?xf32>
// CHECK: bufferization.materialize_in_destination
// CHECK-LABEL: func.func @__vsla_dps_equal_scale(
// CHECK: vsla.add {{.*}} {vsla.equal_shapes}
func.func @scale(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// A promise of equal shapes: its check runs in the shape function (its
// number is the failed-check slot) and is erased from the body.
// CHECK-LABEL: func.func @__vsla_shapes_same(
// CHECK: arith.select %{{.*}}, %c0, %c1
// CHECK-NOT: vsla.check_shape
// CHECK: return
// CHECK-LABEL: func.func @__vsla_dps_same(
// CHECK-NOT: vsla.check_shape
// CHECK: vsla.add
func.func @same(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = vsla.add %a, %b {vsla.equal_shapes} : tensor<?x3xf32>, tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// Data-dependent result shapes keep the returning convention (the entry
// points of the others follow the remaining functions).
func.func @shrink(%a: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.shrink %a : tensor<?xf32>
  return %0 : tensor<?xf32>
}

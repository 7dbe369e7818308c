// Run-time checks get numbers; their messages, with source locations, go to
// the module's vsla.check_messages. A second run numbers only new checks.
// RUN: vsla-opt %s --vsla-number-run-time-checks --vsla-materialize-shape-checks --vsla-number-run-time-checks | FileCheck %s

// CHECK: module attributes {vsla.check_messages = ["{{.*}}number-run-time-checks.mlir:10: a check written by hand", "{{.*}}number-run-time-checks.mlir:11: vsla.add: the operands were promised equal shapes but differ on axis 0{{.*}}"]}
// CHECK: vsla.check_shape %{{.*}}, "a check written by hand" {vsla.check_id = 1 : i64}
// CHECK: vsla.check_shape %{{.*}}, "vsla.add: {{.*}}" {vsla.check_id = 2 : i64}
// CHECK: vsla.add
func.func @f(%a: tensor<?xf32>, %b: tensor<?xf32>, %ok: i1) -> tensor<?xf32> {
  vsla.check_shape %ok, "a check written by hand"
  %0 = vsla.add %a, %b {vsla.equal_shapes} : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

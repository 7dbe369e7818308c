// Malformed input gives diagnostics and exit code 1, never a crash (lit's
// `not` fails on a crash).
// RUN: not vsla-opt %s -split-input-file 2>&1 | FileCheck %s

// CHECK: error: expected ':'
func.func @missing_types(%a: tensor<3xf32>, %b: tensor<2xf32>) {
  %0 = vsla.add %a, %b
  return
}

// -----

// CHECK: error: use of undeclared SSA value name
func.func @undefined_value(%a: tensor<3xf32>) {
  %0 = vsla.add %a, %zz : tensor<3xf32>, tensor<3xf32>
  return
}

// -----

// CHECK: error: custom op 'vsla.frobnicate' is unknown
func.func @unknown_op(%a: tensor<3xf32>) {
  %0 = vsla.frobnicate %a : tensor<3xf32>
  return
}

// -----

// CHECK: error: expected ']'
func.func @unterminated_list(%a: tensor<3xf32>) {
  %0 = vsla.sum %a axes = [0 : tensor<3xf32>
  return
}

// -----

// CHECK: error: 'vsla.add' op operand ranks differ
func.func @bad_shapes(%a: tensor<3x2xf32>, %b: tensor<3xf32>) {
  %0 = vsla.add %a, %b : tensor<3x2xf32>, tensor<3xf32>
  return
}

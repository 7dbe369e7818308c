// vsla-refine-shapes: static extents flow from cast-erased arguments
// through vsla ops; non-vsla uses keep their types through tensor.cast.
// RUN: vsla-opt %s --vsla-refine-shapes -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @chain
// CHECK-SAME: (%[[S:.*]]: tensor<8xf32>, %[[K:.*]]: tensor<3xf32>)
// CHECK: %[[Y:.*]] = vsla.conv %[[S]], %[[K]] : tensor<8xf32>, tensor<3xf32>
// CHECK: %[[Z:.*]] = vsla.add %[[Y]], %{{.*}} : tensor<10xf32>, tensor<2xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[Z]] : tensor<10xf32> to tensor<?xf32>
// CHECK: %[[R:.*]] = vsla.sum %[[Z]] axes = [0] keepdims : tensor<10xf32>
// CHECK: return %[[C]], %[[R]] : tensor<?xf32>, tensor<1xf32>
func.func @chain(%signal: tensor<8xf32>, %kernel: tensor<3xf32>) -> (tensor<?xf32>, tensor<1xf32>) {
  %s = tensor.cast %signal : tensor<8xf32> to tensor<?xf32>
  %y = vsla.conv %s, %kernel : tensor<?xf32>, tensor<3xf32>
  %b = vsla.constant dense<[1.0, 0.25]> : tensor<2xf32>
  %z = vsla.add %y, %b : tensor<?xf32>, tensor<2xf32>
  %r = vsla.sum %z axes = [0] keepdims : tensor<?xf32>
  return %z, %r : tensor<?xf32>, tensor<1xf32>
}

// -----

// Already-static programs are unchanged.
// CHECK-LABEL: func @static
// CHECK-NEXT: vsla.add %arg0, %arg1 : tensor<3xf32>, tensor<2xf32>
// CHECK-NEXT: return
func.func @static(%a: tensor<3xf32>, %b: tensor<2xf32>) -> tensor<3xf32> {
  %0 = vsla.add %a, %b : tensor<3xf32>, tensor<2xf32>
  return %0 : tensor<3xf32>
}

// -----

// A cast that adds static information is not looked through.
// CHECK-LABEL: func @narrowing_cast
// CHECK: %[[C:.*]] = tensor.cast %arg0 : tensor<?xf32> to tensor<4xf32>
// CHECK: vsla.exp %[[C]] : tensor<4xf32>
func.func @narrowing_cast(%a: tensor<?xf32>) -> tensor<4xf32> {
  %c = tensor.cast %a : tensor<?xf32> to tensor<4xf32>
  %0 = vsla.exp %c : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Multi-result ops and nested regions refine too.
// CHECK-LABEL: func @windows_in_region
// CHECK: scf.execute_region
// CHECK: vsla.window_stack %arg0, %arg1 window = 2 : tensor<2xf32>, tensor<3xf32>
// CHECK: tensor.cast %{{.*}} : tensor<2x3xf32> to tensor<2x?xf32>
func.func @windows_in_region(%a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<2x?xf32> {
  %r = scf.execute_region -> tensor<2x?xf32> {
    %ca = tensor.cast %a : tensor<2xf32> to tensor<?xf32>
    %cb = tensor.cast %b : tensor<3xf32> to tensor<?xf32>
    %w = vsla.window_stack %ca, %cb window = 2 : tensor<?xf32>, tensor<?xf32>
    scf.yield %w : tensor<2x?xf32>
  }
  return %r : tensor<2x?xf32>
}

// -----

// A shape error that only shows once extents are known is reported.
func.func @late_error(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<?x?xf32> {
  %ca = tensor.cast %a : tensor<2x3xf32> to tensor<?x?xf32>
  %cb = tensor.cast %b : tensor<2x4xf32> to tensor<?x?xf32>
  // expected-error @+1 {{'vsla.concat' op input 1 has shape [2, 4] but the inputs before it have extent 3 on axis 1}}
  %0 = vsla.concat %ca, %cb axis = 0 : tensor<?x?xf32>, tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

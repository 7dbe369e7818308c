// vsla-cpu-fuse-elementwise: upstream's elementwise fusion, except that a
// producer reading its output (an accumulation step) is not fused into a
// consumer that broadcasts its result: the fused loop would revisit the
// accumulator and compute a running sum
// (`broadcast_to(conv(a, b), (3,))` with 1-element operands).
// RUN: vsla-opt %s --vsla-cpu-fuse-elementwise | FileCheck %s

#id = affine_map<(d0) -> (d0)>
#zero = affine_map<(d0) -> (0)>

// CHECK-LABEL: func.func @accumulate_then_broadcast
// CHECK: %[[ACC:.*]] = linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[ACC]] : tensor<1xf32>) outs(%{{.*}} : tensor<3xf32>)
func.func @accumulate_then_broadcast(%a: tensor<1xf32>, %b: tensor<1xf32>,
                                     %init: tensor<1xf32>) -> tensor<3xf32> {
  %acc = linalg.generic {indexing_maps = [#id, #id, #id],
                         iterator_types = ["parallel"]}
      ins(%a, %b : tensor<1xf32>, tensor<1xf32>) outs(%init : tensor<1xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  %e = tensor.empty() : tensor<3xf32>
  %r = linalg.generic {indexing_maps = [#zero, #id], iterator_types = ["parallel"]}
      ins(%acc : tensor<1xf32>) outs(%e : tensor<3xf32>) {
  ^bb0(%x: f32, %out: f32):
    linalg.yield %x : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// The same producer into a consumer that reads each element once fuses.
// CHECK-LABEL: func.func @accumulate_then_negate
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.negf
// CHECK-NOT: linalg.generic
func.func @accumulate_then_negate(%a: tensor<4xf32>, %b: tensor<4xf32>,
                                  %init: tensor<4xf32>) -> tensor<4xf32> {
  %acc = linalg.generic {indexing_maps = [#id, #id, #id],
                         iterator_types = ["parallel"]}
      ins(%a, %b : tensor<4xf32>, tensor<4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%acc : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%x: f32, %out: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// A pure producer into a broadcasting consumer fuses as upstream fuses it.
// CHECK-LABEL: func.func @pure_then_broadcast
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
func.func @pure_then_broadcast(%a: tensor<1xf32>, %b: tensor<1xf32>) -> tensor<3xf32> {
  %init = tensor.empty() : tensor<1xf32>
  %p = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%a, %b : tensor<1xf32>, tensor<1xf32>) outs(%init : tensor<1xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  } -> tensor<1xf32>
  %e = tensor.empty() : tensor<3xf32>
  %r = linalg.generic {indexing_maps = [#zero, #id], iterator_types = ["parallel"]}
      ins(%p : tensor<1xf32>) outs(%e : tensor<3xf32>) {
  ^bb0(%x: f32, %out: f32):
    linalg.yield %x : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

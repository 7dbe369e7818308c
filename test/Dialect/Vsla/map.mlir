// vsla.map: round trip, and the verifier's errors.
// RUN: vsla-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @conv_items
// CHECK: vsla.map ragged(%{{.*}} : tensor<?xf32>) shapes(%{{.*}} : tensor<?x1xi64>) shared(%{{.*}} : tensor<?xf32>)
// CHECK: ^bb0(%{{.*}}: index, %{{.*}}: tensor<?xf32>, %{{.*}}: tensor<?xf32>):
// CHECK: vsla.yield %{{.*}}, %{{.*}} : tensor<?xf32>, tensor<f32>
// CHECK: -> ragged(tensor<?xf32>) shapes(tensor<?x1xi64>) stacked(tensor<?xf32>)
func.func @conv_items(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>, %h: tensor<?xf32>)
    -> (tensor<?xf32>, tensor<?x1xi64>, tensor<?xf32>) {
  %v, %s, %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>)
      shared(%h : tensor<?xf32>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %w: tensor<?xf32>):
    %y = vsla.conv %x, %w : tensor<?xf32>, tensor<?xf32>
    %l = vsla.sum %y axes = [0] : tensor<?xf32>
    vsla.yield %y, %l : tensor<?xf32>, tensor<f32>
  } -> ragged(tensor<?xf32>) shapes(tensor<?x1xi64>) stacked(tensor<?xf32>)
  return %v, %s, %t : tensor<?xf32>, tensor<?x1xi64>, tensor<?xf32>
}

// -----

func.func @item_rank(%values: tensor<?xf32>, %shapes: tensor<?x2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'vsla.map' op body argument for ragged operand 0 is 'tensor<?xf32>'; expected 'tensor<?x?xf32>'}}
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x2xi64>) {
  ^bb0(%i: index, %x: tensor<?xf32>):
    %l = vsla.sum %x axes = [0] : tensor<?xf32>
    vsla.yield %l : tensor<f32>
  } -> stacked(tensor<?xf32>)
  return %t : tensor<?xf32>
}

// -----

func.func @stacked_rank(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'vsla.map' op stacked result 0 is 'tensor<?x?xf32>'; the items it stacks are 'tensor<f32>', so it must have their element type and one more axis}}
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>) {
  ^bb0(%i: index, %x: tensor<?xf32>):
    %l = vsla.sum %x axes = [0] : tensor<?xf32>
    vsla.yield %l : tensor<f32>
  } -> stacked(tensor<?x?xf32>)
  return %t : tensor<?x?xf32>
}

// -----

func.func @yield_count(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'vsla.map' op body yields 2 value(s); the op has 1 per-item result(s) (ragged, then stacked)}}
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>) {
  ^bb0(%i: index, %x: tensor<?xf32>):
    %l = vsla.sum %x axes = [0] : tensor<?xf32>
    vsla.yield %l, %l : tensor<f32>, tensor<f32>
  } -> stacked(tensor<?xf32>)
  return %t : tensor<?xf32>
}

// -----

func.func @shared_type(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>, %w: tensor<3xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'vsla.map' op body argument for shared operand 0 is 'tensor<?xf32>' but the operand is 'tensor<3xf32>'}}
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>) shared(%w : tensor<3xf32>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %v: tensor<?xf32>):
    %l = vsla.sum %x axes = [0] : tensor<?xf32>
    vsla.yield %l : tensor<f32>
  } -> stacked(tensor<?xf32>)
  return %t : tensor<?xf32>
}

// -----

func.func @dynamic_item_rank(%values: tensor<?xf32>, %shapes: tensor<?x?xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'vsla.map' op needs a static item rank (dim 1 of every shapes tensor)}}
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x?xi64>) {
  ^bb0(%i: index, %x: tensor<?xf32>):
    %l = vsla.sum %x axes = [0] : tensor<?xf32>
    vsla.yield %l : tensor<f32>
  } -> stacked(tensor<?xf32>)
  return %t : tensor<?xf32>
}

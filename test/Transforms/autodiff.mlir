// vsla-autodiff: each public function gets a VJP function, and a scalar one
// also a value-and-gradient function; the adjoints are vsla ops.
// RUN: vsla-opt %s --vsla-autodiff --split-input-file --verify-diagnostics | FileCheck %s

// The adjoint of ambient promotion is restriction: a slice back to each
// operand's shape. Fan-out accumulates with vsla.add.
// CHECK-LABEL: func.func @ambient_vjp
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>, %[[CT:.*]]: tensor<?xf32>)
// CHECK-SAME: -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK: %[[G:.*]] = vsla.slice %[[CT]] [0]
// CHECK: vsla.mul %[[G]], %[[B]]
// CHECK: vsla.slice
// CHECK: vsla.add
// CHECK-NOT: func.func @ambient_value_and_grad
func.func @ambient(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.mul %a, %b : tensor<?xf32>, tensor<?xf32>
  %1 = vsla.add %0, %a : tensor<?xf32>, tensor<?xf32>
  return %1 : tensor<?xf32>
}

// -----

// conv's adjoint is a correlation: conv with the reversed other operand.
// CHECK-LABEL: func.func @loss_value_and_grad
// CHECK-SAME: (%[[A:.*]]: tensor<?xf32>, %[[B:.*]]: tensor<?xf32>)
// CHECK-SAME: -> (tensor<f32>, tensor<?xf32>, tensor<?xf32>)
// CHECK: vsla.constant dense<1.000000e+00> : tensor<f32>
// CHECK: vsla.broadcast_to
// CHECK: vsla.reverse %[[B]] axes = [0]
// CHECK: vsla.conv
// CHECK: vsla.reverse %[[A]] axes = [0]
// CHECK: vsla.conv
func.func @loss(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %0 = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
  %1 = vsla.sum %0 axes = [0] : tensor<?xf32>
  return %1 : tensor<f32>
}

// -----

// broadcast_to's adjoint sums over the added and the size-1 axes.
// CHECK-LABEL: func.func @bias_value_and_grad
// CHECK: vsla.sum %{{.*}} axes = [0] : tensor<?x4xf32>
func.func @bias(%b: tensor<4xf32>, %n: index) -> tensor<f32> {
  %0 = vsla.broadcast_to %b to [%n, 4] : tensor<4xf32>
  %1 = vsla.tanh %0 : tensor<?x4xf32>
  %2 = vsla.sum %1 axes = [0, 1] : tensor<?x4xf32>
  return %2 : tensor<f32>
}

// -----

// Integer arguments get no adjoint; unused float arguments get zeros.
// CHECK-LABEL: func.func @partial_vjp
// CHECK-SAME: -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK: vsla.promote
func.func @partial(%x: tensor<?xf32>, %unused: tensor<?xf32>, %k: tensor<?xi64>) -> tensor<?xf32> {
  %0 = vsla.exp %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @data_dependent(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'vsla.shrink' op is not differentiable: its result shape depends on the data}}
  %0 = vsla.shrink %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// The adjoint of vsla.map is a vsla.map of the body's adjoint: the ragged
// operand gets a ragged adjoint (packed like it), the shared filter the sum
// of the items' adjoints, at its own shape.
// CHECK-LABEL: func.func @map_loss_value_and_grad
// CHECK: vsla.map ragged(%{{.*}} : tensor<?xf32>)
// CHECK: %[[VALUES:.*]], %[[SHAPES:.*]], %[[PER_ITEM:.*]] = vsla.map ragged(%{{.*}} : tensor<?xf32>) shapes(%{{.*}} : tensor<?x1xi64>) shared(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32>)
// CHECK: ^bb0(%[[I:.*]]: index, %{{.*}}: tensor<?xf32>, %{{.*}}: tensor<?xf32>, %{{.*}}: tensor<?xf32>):
// CHECK:   vsla.slice %{{.*}} [%[[I]]] [1] [1]
// CHECK:   vsla.yield
// CHECK: -> ragged(tensor<?xf32>) shapes(tensor<?x1xi64>) stacked(tensor<?x?xf32>)
// CHECK: %[[SUM:.*]] = vsla.sum %[[PER_ITEM]] axes = [0]
// CHECK: vsla.promote %[[SUM]]
func.func @map_loss(%values: tensor<?xf32>, %shapes: tensor<?x1xi64>, %h: tensor<?xf32>) -> tensor<f32> {
  %t = vsla.map ragged(%values : tensor<?xf32>) shapes(%shapes : tensor<?x1xi64>) shared(%h : tensor<?xf32>) {
  ^bb0(%i: index, %x: tensor<?xf32>, %w: tensor<?xf32>):
    %y = vsla.conv %x, %w : tensor<?xf32>, tensor<?xf32>
    %l = vsla.sum %y axes = [0] : tensor<?xf32>
    vsla.yield %l : tensor<f32>
  } -> stacked(tensor<?xf32>)
  %r = vsla.sum %t axes = [0] : tensor<?xf32>
  return %r : tensor<f32>
}

// -----

// The adjoints of unfold and fold are each other.
// CHECK-LABEL: func.func @shifts_vjp
// CHECK: vsla.unfold %{{.*}} taps = 3
// CHECK: vsla.fold %{{.*}} taps = 3
func.func @shifts(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.unfold %x taps = 3 : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

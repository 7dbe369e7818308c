// Gradients executed: the known-good value of the VSLA specification
// (d sum(conv(a, b)) at a = [1, 2, 3], b = [0.5, 1.5] is da = [2, 2, 2],
// db = [6, 6]) and an ambient product of unequal lengths.
// RUN: vsla-opt %s --vsla-autodiff=functions=loss,product --vsla-to-cpu | %run_main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @print(%t: tensor<?xf32>) {
  %u = tensor.cast %t : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @loss(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %0 = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
  %1 = vsla.sum %0 axes = [0] : tensor<?xf32>
  return %1 : tensor<f32>
}

// sum(a * b) with a longer than b: a's tail multiplies ambient zeros.
func.func @product(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %0 = vsla.mul %a, %b : tensor<?xf32>, tensor<?xf32>
  %1 = vsla.sum %0 axes = [0] : tensor<?xf32>
  return %1 : tensor<f32>
}

func.func private @loss_value_and_grad(tensor<?xf32>, tensor<?xf32>)
    -> (tensor<f32>, tensor<?xf32>, tensor<?xf32>)
func.func private @product_value_and_grad(tensor<?xf32>, tensor<?xf32>)
    -> (tensor<f32>, tensor<?xf32>, tensor<?xf32>)

func.func @main() {
  %a0 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b0 = arith.constant dense<[0.5, 1.5]> : tensor<2xf32>
  %a = tensor.cast %a0 : tensor<3xf32> to tensor<?xf32>
  %b = tensor.cast %b0 : tensor<2xf32> to tensor<?xf32>
  %v:3 = call @loss_value_and_grad(%a, %b)
      : (tensor<?xf32>, tensor<?xf32>) -> (tensor<f32>, tensor<?xf32>, tensor<?xf32>)
  // CHECK: [2,  2,  2]
  // CHECK: [6,  6]
  call @print(%v#1) : (tensor<?xf32>) -> ()
  call @print(%v#2) : (tensor<?xf32>) -> ()
  %p:3 = call @product_value_and_grad(%a, %b)
      : (tensor<?xf32>, tensor<?xf32>) -> (tensor<f32>, tensor<?xf32>, tensor<?xf32>)
  // d/da = b zero-extended: [0.5, 1.5, 0]; d/db = a restricted: [1, 2]
  // CHECK: [0.5,  1.5,  0]
  // CHECK: [1,  2]
  call @print(%p#1) : (tensor<?xf32>) -> ()
  call @print(%p#2) : (tensor<?xf32>) -> ()
  return
}

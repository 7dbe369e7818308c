// Unary, tensor-scalar, cast, reductions and softmax, executed.
// RUN: vsla-opt %s --vsla-to-cpu | %run_main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)

func.func @print(%t: tensor<?xf32>) {
  %u = tensor.cast %t : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
func.func @print2(%t: tensor<?x?xf32>) {
  %u = tensor.cast %t : tensor<?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @unary(%x: tensor<?xf32>) {
  %0 = vsla.neg %x : tensor<?xf32>
  call @print(%0) : (tensor<?xf32>) -> ()
  %1 = vsla.abs %x : tensor<?xf32>
  call @print(%1) : (tensor<?xf32>) -> ()
  %2 = vsla.relu %x : tensor<?xf32>
  call @print(%2) : (tensor<?xf32>) -> ()
  %3 = vsla.exp %x : tensor<?xf32>
  call @print(%3) : (tensor<?xf32>) -> ()
  %4 = vsla.tanh %x : tensor<?xf32>
  call @print(%4) : (tensor<?xf32>) -> ()
  %5 = vsla.sigmoid %x : tensor<?xf32>
  call @print(%5) : (tensor<?xf32>) -> ()
  %6 = vsla.gelu %x : tensor<?xf32>
  call @print(%6) : (tensor<?xf32>) -> ()
  %7 = vsla.sin %x : tensor<?xf32>
  call @print(%7) : (tensor<?xf32>) -> ()
  %8 = vsla.cos %x : tensor<?xf32>
  call @print(%8) : (tensor<?xf32>) -> ()
  %9 = vsla.abs %x : tensor<?xf32>
  %10 = vsla.sqrt %9 : tensor<?xf32>
  call @print(%10) : (tensor<?xf32>) -> ()
  %11 = vsla.log %9 : tensor<?xf32>
  call @print(%11) : (tensor<?xf32>) -> ()
  return
}

func.func @scalars(%x: tensor<?xf32>, %s: f32) {
  %0 = vsla.add_scalar %x, %s : tensor<?xf32>, f32
  call @print(%0) : (tensor<?xf32>) -> ()
  %1 = vsla.rsub_scalar %x, %s : tensor<?xf32>, f32
  call @print(%1) : (tensor<?xf32>) -> ()
  %2 = vsla.rdiv_scalar %x, %s : tensor<?xf32>, f32
  call @print(%2) : (tensor<?xf32>) -> ()
  %3 = vsla.pow_scalar %x, %s : tensor<?xf32>, f32
  call @print(%3) : (tensor<?xf32>) -> ()
  %4 = vsla.minimum_scalar %x, %s : tensor<?xf32>, f32
  call @print(%4) : (tensor<?xf32>) -> ()
  return
}

func.func @reductions(%x: tensor<?x?xf32>) {
  %0 = vsla.sum %x axes = [1] : tensor<?x?xf32>
  call @print(%0) : (tensor<?xf32>) -> ()
  %1 = vsla.mean %x axes = [0] : tensor<?x?xf32>
  call @print(%1) : (tensor<?xf32>) -> ()
  %2 = vsla.max %x axes = [1] : tensor<?x?xf32>
  call @print(%2) : (tensor<?xf32>) -> ()
  %3 = vsla.min %x axes = [0] : tensor<?x?xf32>
  call @print(%3) : (tensor<?xf32>) -> ()
  %4 = vsla.sum %x axes = [0] keepdims : tensor<?x?xf32>
  %k = tensor.cast %4 : tensor<1x?xf32> to tensor<?x?xf32>
  call @print2(%k) : (tensor<?x?xf32>) -> ()
  %5 = vsla.softmax %x axis = 1 : tensor<?x?xf32>
  call @print2(%5) : (tensor<?x?xf32>) -> ()
  %6 = vsla.log_softmax %x axis = 1 : tensor<?x?xf32>
  call @print2(%6) : (tensor<?x?xf32>) -> ()
  return
}

func.func @casts(%x: tensor<?xf32>) {
  %0 = vsla.cast %x : tensor<?xf32> to tensor<?xi32>
  %1 = tensor.cast %0 : tensor<?xi32> to tensor<*xi32>
  call @printMemrefI32(%1) : (tensor<*xi32>) -> ()
  %2 = vsla.cast %x : tensor<?xf32> to tensor<?xi1>
  %3 = vsla.cast %2 : tensor<?xi1> to tensor<?xf32>
  call @print(%3) : (tensor<?xf32>) -> ()
  return
}

func.func @main() {
  %v = arith.constant dense<[1.0, -2.0, 0.5]> : tensor<3xf32>
  %x = tensor.cast %v : tensor<3xf32> to tensor<?xf32>
  // neg, abs, relu
  // CHECK: [-1,  2,  -0.5]
  // CHECK: [1,  2,  0.5]
  // CHECK: [1,  0,  0.5]
  // exp: [2.71828, 0.135335, 1.64872]
  // CHECK: [2.71828,  0.135335,  1.64872]
  // tanh: [0.761594, -0.964028, 0.462117]
  // CHECK: [0.761594,  -0.964028,  0.462117]
  // sigmoid: [0.731059, 0.119203, 0.622459]
  // CHECK: [0.731059,  0.119203,  0.622459]
  // gelu: [0.841345, -0.0455003, 0.345731]
  // CHECK: [0.841345,  -0.0455{{[0-9]*}},  0.345731]
  // sin: [0.841471, -0.909297, 0.479426]
  // CHECK: [0.841471,  -0.909297,  0.479426]
  // cos: [0.540302, -0.416147, 0.877583]
  // CHECK: [0.540302,  -0.416147,  0.877583]
  // sqrt(|x|): [1, 1.41421, 0.707107]
  // CHECK: [1,  1.41421,  0.707107]
  // log(|x|): [0, 0.693147, -0.693147]
  // CHECK: [0,  0.693147,  -0.693147]
  call @unary(%x) : (tensor<?xf32>) -> ()

  %two = arith.constant 2.0 : f32
  // x + 2, 2 - x, 2 / x, x ** 2, min(x, 2)
  // CHECK: [3,  0,  2.5]
  // CHECK: [1,  4,  1.5]
  // CHECK: [2,  -1,  4]
  // CHECK: [1,  4,  0.25]
  // CHECK: [1,  -2,  0.5]
  call @scalars(%x, %two) : (tensor<?xf32>, f32) -> ()

  %m0 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m = tensor.cast %m0 : tensor<2x3xf32> to tensor<?x?xf32>
  // sum rows [6, 15]; mean of columns [2.5, 3.5, 4.5]; max rows [3, 6];
  // min columns [1, 2, 3]; column sums kept [[5, 7, 9]]
  // CHECK: [6,  15]
  // CHECK: [2.5,  3.5,  4.5]
  // CHECK: [3,  6]
  // CHECK: [1,  2,  3]
  // CHECK: sizes = [1, 3]
  // CHECK-NEXT: {{\[}}[5,   7,   9]]
  // softmax of [1,2,3]: [0.0900306, 0.244728, 0.665241] (same for [4,5,6])
  // CHECK: {{\[}}[0.0900306,   0.244728,   0.665241],
  // CHECK-NEXT: [0.0900306,   0.244728,   0.665241]]
  // log_softmax: [-2.40761, -1.40761, -0.407606]
  // CHECK: {{\[}}[-2.40761,   -1.40761,   -0.407606],
  // CHECK-NEXT: [-2.40761,   -1.40761,   -0.407606]]
  call @reductions(%m) : (tensor<?x?xf32>) -> ()

  // Float to int truncates toward zero; to bool tests for non-zero.
  %c = arith.constant dense<[1.9, -2.7, 0.0]> : tensor<3xf32>
  %cd = tensor.cast %c : tensor<3xf32> to tensor<?xf32>
  // CHECK: [1,  -2,  0]
  // CHECK: [1,  1,  0]
  call @casts(%cd) : (tensor<?xf32>) -> ()
  return
}

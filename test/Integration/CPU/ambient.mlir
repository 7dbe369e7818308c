// Ambient promotion, executed: the known-good values of the VSLA
// specification, through the dynamic-shape path (the operands reach @f as
// tensor<?...>) and the static one.
// RUN: vsla-opt %s --vsla-to-cpu | %run_main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

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

func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @sub(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.sub %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @mul(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.mul %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @div(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.div %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @maximum(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.maximum %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @minimum(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.minimum %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @add2(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = vsla.add %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @main() {
  %c123 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %c45 = arith.constant dense<[4.0, 5.0]> : tensor<2xf32>
  %a = tensor.cast %c123 : tensor<3xf32> to tensor<?xf32>
  %b = tensor.cast %c45 : tensor<2xf32> to tensor<?xf32>

  // CHECK: [5,  7,  3]
  %0 = call @add(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%0) : (tensor<?xf32>) -> ()
  // CHECK: [5,  7,  3]
  %1 = call @add(%b, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%1) : (tensor<?xf32>) -> ()

  %c3 = arith.constant dense<[1.0, -1.0, 2.0]> : tensor<3xf32>
  %c5 = arith.constant dense<[3.0, 0.0, -1.0, 1.0, 2.0]> : tensor<5xf32>
  %x = tensor.cast %c3 : tensor<3xf32> to tensor<?xf32>
  %y = tensor.cast %c5 : tensor<5xf32> to tensor<?xf32>
  // CHECK: [4,  -1,  1,  1,  2]
  %2 = call @add(%x, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%2) : (tensor<?xf32>) -> ()

  %c23 = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %c456 = arith.constant dense<[4.0, 5.0, 6.0]> : tensor<3xf32>
  %p = tensor.cast %c23 : tensor<2xf32> to tensor<?xf32>
  %q = tensor.cast %c456 : tensor<3xf32> to tensor<?xf32>
  // [2,3] o [4,5,6] = [8,15,0]
  // CHECK: [8,  15,  0]
  %3 = call @mul(%p, %q) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%3) : (tensor<?xf32>) -> ()

  // [4,5] - [1,2,3] = [3,3,-3]
  // CHECK: [3,  3,  -3]
  %4 = call @sub(%b, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%4) : (tensor<?xf32>) -> ()

  // Division by an ambient zero: [1,2,3] / [4,5] = [0.25, 0.4, inf];
  // [4,5] / [1,2,3] = [4, 2.5, 0].
  // CHECK: [0.25,  0.4,  inf]
  %5 = call @div(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%5) : (tensor<?xf32>) -> ()
  // CHECK: [4,  2.5,  0]
  %6 = call @div(%b, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%6) : (tensor<?xf32>) -> ()

  // max([1,-1,2], [3,0,-1,1,2]) = [3,0,2,1,2]; min = [1,-1,-1,0,0]
  // CHECK: [3,  0,  2,  1,  2]
  %7 = call @maximum(%x, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%7) : (tensor<?xf32>) -> ()
  // CHECK: [1,  -1,  -1,  0,  0]
  %8 = call @minimum(%x, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%8) : (tensor<?xf32>) -> ()

  // Equal lengths take the plain elementwise path.
  // CHECK: [2,  4,  6]
  %9 = call @add(%a, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%9) : (tensor<?xf32>) -> ()

  // The empty tensor is the identity.
  %e0 = arith.constant dense<> : tensor<0xf32>
  %e = tensor.cast %e0 : tensor<0xf32> to tensor<?xf32>
  // CHECK: [1,  2,  3]
  %10 = call @add(%e, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%10) : (tensor<?xf32>) -> ()

  // [[1,2,3],[4,5,6]] + [[10],[20],[30]] = [[11,2,3],[24,5,6],[30,0,0]]
  %m0 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %n0 = arith.constant dense<[[10.0], [20.0], [30.0]]> : tensor<3x1xf32>
  %m = tensor.cast %m0 : tensor<2x3xf32> to tensor<?x?xf32>
  %n = tensor.cast %n0 : tensor<3x1xf32> to tensor<?x?xf32>
  // CHECK: [11,   2,   3]
  // CHECK-NEXT: [24,   5,   6]
  // CHECK-NEXT: [30,   0,   0]
  %11 = call @add2(%m, %n) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  call @print2(%11) : (tensor<?x?xf32>) -> ()

  // The same with static shapes, lowered without a run-time check.
  // CHECK: [11,   2,   3]
  // CHECK-NEXT: [24,   5,   6]
  // CHECK-NEXT: [30,   0,   0]
  %12 = vsla.add %m0, %n0 : tensor<2x3xf32>, tensor<3x1xf32>
  %13 = tensor.cast %12 : tensor<3x3xf32> to tensor<?x?xf32>
  call @print2(%13) : (tensor<?x?xf32>) -> ()
  return
}

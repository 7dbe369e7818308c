// The ops gradients are built from, executed on dynamic shapes: sign (zeros
// and NaN kept), erf, iota, and reverse along one or both axes.
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

func.func @main() {
  %v = arith.constant dense<[1.5, -2.0, 0.0, 0x7FC00000]> : tensor<4xf32>
  %x = tensor.cast %v : tensor<4xf32> to tensor<?xf32>
  // CHECK: [1,  -1,  0,  nan]
  %s = vsla.sign %x : tensor<?xf32>
  call @print(%s) : (tensor<?xf32>) -> ()
  // erf: [0.966105, -0.995322, 0, nan]
  // CHECK: [0.966105,  -0.995322,  0,  nan]
  %e = vsla.erf %x : tensor<?xf32>
  call @print(%e) : (tensor<?xf32>) -> ()
  // CHECK: [nan,  0,  -2,  1.5]
  %r = vsla.reverse %x axes = [0] : tensor<?xf32>
  call @print(%r) : (tensor<?xf32>) -> ()

  %n = arith.constant 4 : index
  // CHECK: [0,  1,  2,  3]
  %i = vsla.iota %n : tensor<?xf32>
  call @print(%i) : (tensor<?xf32>) -> ()

  %m0 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m = tensor.cast %m0 : tensor<2x3xf32> to tensor<?x?xf32>
  // CHECK: [3,   2,   1]
  // CHECK-NEXT: [6,   5,   4]
  %r1 = vsla.reverse %m axes = [1] : tensor<?x?xf32>
  call @print2(%r1) : (tensor<?x?xf32>) -> ()
  // CHECK: [6,   5,   4]
  // CHECK-NEXT: [3,   2,   1]
  %r2 = vsla.reverse %m axes = [0, 1] : tensor<?x?xf32>
  call @print2(%r2) : (tensor<?x?xf32>) -> ()
  return
}

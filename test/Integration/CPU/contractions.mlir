// conv, kron and matmul, executed: the known-good values of the VSLA
// specification and NumPy's convolve modes.
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
func.func @print3(%t: tensor<?x?x?xf32>) {
  %u = tensor.cast %t : tensor<?x?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @conv(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @conv_valid(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.conv %a, %b mode = valid : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @conv_same(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.conv %a, %b mode = same : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @conv_batch(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = vsla.conv %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
func.func @kron(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.kron %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @kron2(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = vsla.kron %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = vsla.matmul %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
func.func @bmm(%a: tensor<?x?x?xf32>, %b: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %r = vsla.matmul %a, %b : tensor<?x?x?xf32>, tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

func.func @main() {
  %c12 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c34 = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %a = tensor.cast %c12 : tensor<2xf32> to tensor<?xf32>
  %b = tensor.cast %c34 : tensor<2xf32> to tensor<?xf32>
  // conv([1,2],[3,4]) = [3,10,8]
  // CHECK: [3,  10,  8]
  %0 = call @conv(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%0) : (tensor<?xf32>) -> ()

  %c123 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %ch = arith.constant dense<[0.5, 1.5]> : tensor<2xf32>
  %x = tensor.cast %c123 : tensor<3xf32> to tensor<?xf32>
  %h = tensor.cast %ch : tensor<2xf32> to tensor<?xf32>
  // conv([1,2,3],[0.5,1.5]) = [0.5,2.5,4.5,4.5], in either order.
  // CHECK: [0.5,  2.5,  4.5,  4.5]
  %1 = call @conv(%x, %h) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%1) : (tensor<?xf32>) -> ()
  // CHECK: [0.5,  2.5,  4.5,  4.5]
  %2 = call @conv(%h, %x) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%2) : (tensor<?xf32>) -> ()

  // numpy.convolve([1,2,3], [0,1,0.5], mode): valid [2.5], same [1, 2.5, 4]
  %ck = arith.constant dense<[0.0, 1.0, 0.5]> : tensor<3xf32>
  %k = tensor.cast %ck : tensor<3xf32> to tensor<?xf32>
  // CHECK: [2.5]
  %3 = call @conv_valid(%x, %k) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%3) : (tensor<?xf32>) -> ()
  // CHECK: [1,  2.5,  4]
  %4 = call @conv_same(%x, %k) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%4) : (tensor<?xf32>) -> ()
  // valid of lengths 3 and 2: [2.5, 4.5]
  // CHECK: [2.5,  4.5]
  %5 = call @conv_valid(%x, %h) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%5) : (tensor<?xf32>) -> ()

  // An empty operand gives the empty result.
  %ce = arith.constant dense<> : tensor<0xf32>
  %e = tensor.cast %ce : tensor<0xf32> to tensor<?xf32>
  // CHECK: sizes = [0]
  %6 = call @conv(%x, %e) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%6) : (tensor<?xf32>) -> ()

  // Batched rows: [[1,2],[1,0]] conv [[1,1]] = [[1,3,2],[0,0,0]] (row 1 of
  // the second operand is ambient zero).
  %cb = arith.constant dense<[[1.0, 2.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %cc = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %bb = tensor.cast %cb : tensor<2x2xf32> to tensor<?x?xf32>
  %bc = tensor.cast %cc : tensor<1x2xf32> to tensor<?x?xf32>
  // CHECK: [1,   3,   2]
  // CHECK-NEXT: [0,   0,   0]
  %7 = call @conv_batch(%bb, %bc) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  call @print2(%7) : (tensor<?x?xf32>) -> ()

  // kron([1,2],[3,4]) = [3,4,6,8]; kron([3,4],[1,2]) = [3,6,4,8]
  // CHECK: [3,  4,  6,  8]
  %8 = call @kron(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%8) : (tensor<?xf32>) -> ()
  // CHECK: [3,  6,  4,  8]
  %9 = call @kron(%b, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%9) : (tensor<?xf32>) -> ()

  // kron of 2-D: [[1,2]] (x) [[1],[10]] = [[1,2],[10,20]]
  %k1 = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %k2 = arith.constant dense<[[1.0], [10.0]]> : tensor<2x1xf32>
  %kk1 = tensor.cast %k1 : tensor<1x2xf32> to tensor<?x?xf32>
  %kk2 = tensor.cast %k2 : tensor<2x1xf32> to tensor<?x?xf32>
  // CHECK: [1,   2]
  // CHECK-NEXT: [10,   20]
  %10 = call @kron2(%kk1, %kk2) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  call @print2(%10) : (tensor<?x?xf32>) -> ()

  // matmul with a shorter inner axis on the right: [[1,2,3]] @ [[1],[1]]
  // reads only the first two columns: [[3]].
  %m1 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m2 = arith.constant dense<[[1.0, 0.0], [1.0, 2.0]]> : tensor<2x2xf32>
  %mm1 = tensor.cast %m1 : tensor<2x3xf32> to tensor<?x?xf32>
  %mm2 = tensor.cast %m2 : tensor<2x2xf32> to tensor<?x?xf32>
  // [[1+2, 4], [4+5, 10]] = [[3,4],[9,10]]
  // CHECK: [3,   4]
  // CHECK-NEXT: [9,   10]
  %11 = call @matmul(%mm1, %mm2) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  call @print2(%11) : (tensor<?x?xf32>) -> ()

  // Batched, with ambient batch: batch 1 of the left has no partner.
  %b1 = arith.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  %b2 = arith.constant dense<[[[1.0], [1.0]]]> : tensor<1x2x1xf32>
  %bb1 = tensor.cast %b1 : tensor<2x1x2xf32> to tensor<?x?x?xf32>
  %bb2 = tensor.cast %b2 : tensor<1x2x1xf32> to tensor<?x?x?xf32>
  // CHECK: {{\[}}[3]],
  // CHECK-NEXT: {{\[}}[0]]]
  %12 = call @bmm(%bb1, %bb2) : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  call @print3(%12) : (tensor<?x?x?xf32>) -> ()
  return
}

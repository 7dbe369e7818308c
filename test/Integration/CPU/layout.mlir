// Shape and layout ops, executed: broadcast_to (static and run-time
// stretching), promote, reshape, transpose, slice, concat, stack (ragged),
// window stacks and shrink.
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

func.func @broadcast_rows(%x: tensor<?xf32>, %n: index) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?xf32>
  %r = vsla.broadcast_to %x to [%n, %d] : tensor<?xf32>
  return %r : tensor<?x?xf32>
}
// The input extent is dynamic: 1 stretches at run time.
func.func @broadcast_dynamic(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %r = vsla.broadcast_to %x to [%n] : tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @promote(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %r = vsla.promote %x to [%n] : tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @reshape(%x: tensor<?xf32>, %rows: index, %cols: index) -> tensor<?x?xf32> {
  %r = vsla.reshape %x to [%rows, %cols] : tensor<?xf32>
  return %r : tensor<?x?xf32>
}
func.func @transpose(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = vsla.transpose %x perm = [1, 0] : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
func.func @slice(%x: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.slice %x [1] [2] [2] : tensor<?xf32>
  %d = tensor.cast %r : tensor<2xf32> to tensor<?xf32>
  return %d : tensor<?xf32>
}
func.func @concat(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.concat %a, %b, %a axis = 0 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @stack(%a: tensor<?xf32>, %b: tensor<?xf32>, %c: tensor<?xf32>) -> tensor<?x?xf32> {
  %r = vsla.stack %a, %b, %c : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  %d = tensor.cast %r : tensor<3x?xf32> to tensor<?x?xf32>
  return %d : tensor<?x?xf32>
}
func.func @shrink(%x: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.shrink %x : tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @shrink2(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = vsla.shrink %x : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @main() {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %v123 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %x = tensor.cast %v123 : tensor<3xf32> to tensor<?xf32>

  // CHECK: [1,   2,   3]
  // CHECK-NEXT: [1,   2,   3]
  %0 = call @broadcast_rows(%x, %c2) : (tensor<?xf32>, index) -> tensor<?x?xf32>
  call @print2(%0) : (tensor<?x?xf32>) -> ()

  %v7 = arith.constant dense<[7.0]> : tensor<1xf32>
  %seven = tensor.cast %v7 : tensor<1xf32> to tensor<?xf32>
  // CHECK: [7,  7,  7,  7]
  %1 = call @broadcast_dynamic(%seven, %c4) : (tensor<?xf32>, index) -> tensor<?xf32>
  call @print(%1) : (tensor<?xf32>) -> ()
  // CHECK: [1,  2,  3]
  %2 = call @broadcast_dynamic(%x, %c3) : (tensor<?xf32>, index) -> tensor<?xf32>
  call @print(%2) : (tensor<?xf32>) -> ()

  // CHECK: [1,  2,  3,  0,  0]
  %3 = call @promote(%x, %c5) : (tensor<?xf32>, index) -> tensor<?xf32>
  call @print(%3) : (tensor<?xf32>) -> ()

  %v6 = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %six = tensor.cast %v6 : tensor<6xf32> to tensor<?xf32>
  // CHECK: [1,   2,   3]
  // CHECK-NEXT: [4,   5,   6]
  %4 = call @reshape(%six, %c2, %c3) : (tensor<?xf32>, index, index) -> tensor<?x?xf32>
  call @print2(%4) : (tensor<?x?xf32>) -> ()
  // CHECK: [1,   4]
  // CHECK-NEXT: [2,   5]
  // CHECK-NEXT: [3,   6]
  %5 = call @transpose(%4) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  call @print2(%5) : (tensor<?x?xf32>) -> ()

  // x[1:5:2] of [1..6] = [2, 4]
  // CHECK: [2,  4]
  %6 = call @slice(%six) : (tensor<?xf32>) -> tensor<?xf32>
  call @print(%6) : (tensor<?xf32>) -> ()

  %v45 = arith.constant dense<[4.0, 5.0]> : tensor<2xf32>
  %y = tensor.cast %v45 : tensor<2xf32> to tensor<?xf32>
  // CHECK: [1,  2,  3,  4,  5,  1,  2,  3]
  %7 = call @concat(%x, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  call @print(%7) : (tensor<?xf32>) -> ()

  // stack([10,20],[30,40,50],[60]) = [[10,20,0],[30,40,50],[60,0,0]]
  %s1 = arith.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %s2 = arith.constant dense<[30.0, 40.0, 50.0]> : tensor<3xf32>
  %s3 = arith.constant dense<[60.0]> : tensor<1xf32>
  %t1 = tensor.cast %s1 : tensor<2xf32> to tensor<?xf32>
  %t2 = tensor.cast %s2 : tensor<3xf32> to tensor<?xf32>
  %t3 = tensor.cast %s3 : tensor<1xf32> to tensor<?xf32>
  // CHECK: [10,   20,   0]
  // CHECK-NEXT: [30,   40,   50]
  // CHECK-NEXT: [60,   0,   0]
  %8 = call @stack(%t1, %t2, %t3) : (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  call @print2(%8) : (tensor<?x?xf32>) -> ()

  // Window w = 3 over [1,2],[3,4],[5,6],[7,8]: one [3, 2] stack.
  %f0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %f1 = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %f2 = arith.constant dense<[5.0, 6.0]> : tensor<2xf32>
  %f3 = arith.constant dense<[7.0, 8.0]> : tensor<2xf32>
  %w = vsla.window_stack %f0, %f1, %f2, %f3 window = 3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  %wd = tensor.cast %w : tensor<3x2xf32> to tensor<?x?xf32>
  // CHECK: sizes = [3, 2]
  // CHECK: [1,   2]
  // CHECK-NEXT: [3,   4]
  // CHECK-NEXT: [5,   6]
  call @print2(%wd) : (tensor<?x?xf32>) -> ()

  // shrink([5,3,2] - [2,1,2]) = [3,2]
  %a0 = arith.constant dense<[5.0, 3.0, 2.0]> : tensor<3xf32>
  %b0 = arith.constant dense<[2.0, 1.0, 2.0]> : tensor<3xf32>
  %d0 = vsla.sub %a0, %b0 : tensor<3xf32>, tensor<3xf32>
  %d = tensor.cast %d0 : tensor<3xf32> to tensor<?xf32>
  // CHECK: sizes = [2]
  // CHECK-NEXT: [3,  2]
  %9 = call @shrink(%d) : (tensor<?xf32>) -> tensor<?xf32>
  call @print(%9) : (tensor<?xf32>) -> ()

  // 2-D: trailing zero rows and columns go.
  %m0 = arith.constant dense<[[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %m = tensor.cast %m0 : tensor<3x3xf32> to tensor<?x?xf32>
  // CHECK: sizes = [2, 2]
  // CHECK: [1,   0]
  // CHECK-NEXT: [0,   2]
  %10 = call @shrink2(%m) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  call @print2(%10) : (tensor<?x?xf32>) -> ()

  // All zeros shrink to the empty tensor.
  %z0 = arith.constant dense<0.0> : tensor<4xf32>
  %z = tensor.cast %z0 : tensor<4xf32> to tensor<?xf32>
  // CHECK: sizes = [0]
  %11 = call @shrink(%z) : (tensor<?xf32>) -> tensor<?xf32>
  call @print(%11) : (tensor<?xf32>) -> ()
  return
}

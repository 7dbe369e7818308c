// vsla-cpu-bufferize: a matmul kernel takes rows of any stride with unit
// inner stride. An operand whose buffer has a fully dynamic layout (the
// result of an scf.if) is copied into a row-major allocation cast to the
// kernel's layout; memref.alloc cannot make the strided layout itself.
// RUN: vsla-opt %s --vsla-cpu-bufferize | FileCheck %s

// CHECK-LABEL: func.func @caller
// CHECK: } else {
// CHECK: scf.yield
// CHECK: %[[ALLOC:.*]] = memref.alloc(%{{.*}}, %{{.*}}) {alignment = 64 : i64} : memref<?x?xf32>
// CHECK: %[[CAST:.*]] = memref.cast %[[ALLOC]] : memref<?x?xf32> to memref<?x?xf32, strided<[?, 1], offset: ?>>
// CHECK: memref.copy %{{.*}}, %[[CAST]]
// CHECK: call @kernel(%{{.*}}, %[[CAST]])
func.func @caller(%c: i1, %a: tensor<?x?xf32>, %b: tensor<?x?xf32>,
                  %n: index) -> tensor<?x?xf32> {
  %x = scf.if %c -> tensor<?x?xf32> {
    %e = tensor.empty(%n, %n) : tensor<?x?xf32>
    %f = linalg.copy ins(%b : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
    scf.yield %f : tensor<?x?xf32>
  } else {
    %s = tensor.extract_slice %b[1, 1] [%n, %n] [2, 2] : tensor<?x?xf32> to tensor<?x?xf32>
    scf.yield %s : tensor<?x?xf32>
  }
  %r = call @kernel(%a, %x) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func private @kernel(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32>
    attributes {vsla.contraction_kernel} {
  %r = linalg.add ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%a : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// The vsla-to-cpu pipeline stops at each named phase and can write them all.
// RUN: vsla-opt %s --vsla-to-cpu=compile-to=vsla | FileCheck %s --check-prefix=VSLA
// RUN: vsla-opt %s --vsla-to-cpu=compile-to=linalg | FileCheck %s --check-prefix=LINALG
// RUN: vsla-opt %s --vsla-to-cpu=compile-to=bufferized | FileCheck %s --check-prefix=BUF
// RUN: vsla-opt %s --vsla-to-cpu | FileCheck %s --check-prefix=LLVM
// RUN: rm -rf %t && vsla-opt %s "--vsla-to-cpu=dump-phases-to=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=VSLA < %t/1-vsla.mlir
// RUN: FileCheck %s --check-prefix=LINALG < %t/2-linalg.mlir
// RUN: FileCheck %s --check-prefix=BUF < %t/3-bufferized.mlir
// RUN: FileCheck %s --check-prefix=LLVM < %t/4-llvm.mlir
// RUN: vsla-opt %s "--vsla-to-cpu=use-generic-allocation=true" | FileCheck %s --check-prefix=HOOKS
// RUN: not vsla-opt %s --vsla-to-cpu=compile-to=nowhere 2>&1 | FileCheck %s --check-prefix=BAD

// VSLA-LABEL: func.func @chain
// VSLA-NOT: vsla.mul_scalar
// VSLA: vsla.add
// VSLA: vsla.tanh

// The scalar multiply by 1 folded away; the add and the tanh are generics.
// LINALG-LABEL: func.func @chain
// LINALG-NOT: vsla.
// LINALG: linalg.generic
// LINALG: arith.addf
// LINALG: math.tanh

// BUF-LABEL: func.func @chain
// BUF-SAME: memref<?xf32>
// BUF-NOT: tensor.empty
// BUF: memref.alloc
// BUF: linalg.generic {{.*}} memref

// LLVM-LABEL: llvm.func @chain
// LLVM-NOT: memref.
// LLVM-NOT: linalg.
// LLVM: llvm.call @malloc

// HOOKS: llvm.call @_mlir_memref_to_llvm_alloc

// BAD: Cannot find option named 'nowhere'

func.func @chain(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %one = arith.constant 1.0 : f32
  %x = vsla.mul_scalar %a, %one : tensor<?xf32>, f32
  %y = vsla.add %x, %b : tensor<?xf32>, tensor<?xf32>
  %z = vsla.tanh %y : tensor<?xf32>
  return %z : tensor<?xf32>
}

// With static shapes there is no run-time shape check, and the elementwise
// chain fuses into one generic.
// LINALG-LABEL: func.func @static_chain
// LINALG: linalg.generic
// LINALG: arith.mulf
// LINALG-NEXT: arith.addf
// LINALG-NEXT: math.tanh
// LINALG-NOT: linalg.generic
// LINALG: return
func.func @static_chain(%a: tensor<1024xf32>, %b: tensor<1024xf32>) -> tensor<1024xf32> {
  %s = arith.constant 1.5 : f32
  %x = vsla.mul_scalar %a, %s : tensor<1024xf32>, f32
  %y = vsla.add %x, %b : tensor<1024xf32>, tensor<1024xf32>
  %z = vsla.tanh %y : tensor<1024xf32>
  return %z : tensor<1024xf32>
}

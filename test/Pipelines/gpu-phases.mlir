// vsla-to-gpu, phase by phase: device buffers and outlined kernels (gpu),
// NVVM kernels and LLVM host code calling the runtime's mgpu* functions
// (nvvm), and PTX for the target chip (ptx).
// RUN: vsla-opt %s --vsla-to-gpu=compile-to=gpu | FileCheck %s --check-prefix=GPU
// RUN: vsla-opt %s --vsla-to-gpu=compile-to=nvvm | FileCheck %s --check-prefix=NVVM
// RUN: vsla-opt %s --vsla-to-gpu | FileCheck %s --check-prefix=PTX
// RUN: vsla-opt %s --vsla-to-gpu="chip=sm_80 features=+ptx70" | FileCheck %s --check-prefix=SM80
// Math functions come from the toolkit's libdevice: no call is left
// unresolved for the driver to fail on.
// RUN: vsla-opt %s --vsla-to-gpu | FileCheck %s --check-prefix=LINKED --implicit-check-not=".extern .func"
// LINKED: gpu.binary @chain_kernel

// An elementwise chain: one kernel, 256 threads per block, the grid sized
// from the length at run time, each thread guarded by the bound.
// GPU-LABEL: func.func @chain(
// GPU: %[[STREAM:.*]] = gpu.wait async
// GPU: %{{.*}}, %[[ALLOCATED:.*]] = gpu.alloc async [%[[STREAM]]] (%{{.*}}) : memref<?xf32>
// GPU: %[[DONE:.*]] = gpu.launch_func async [%[[ALLOCATED]]] @chain_kernel::@chain_kernel blocks in (%{{.*}}, %c1{{.*}}, %c1{{.*}}) threads in (%c256, %c1{{.*}}, %c1{{.*}})
// GPU: gpu.wait [%[[DONE]]]
// GPU: gpu.module @chain_kernel
// GPU: gpu.func @chain_kernel({{.*}}) kernel
// GPU: gpu.block_id x
// GPU: gpu.thread_id x
// GPU: scf.if
// GPU: math.tanh
func.func @chain(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = vsla.mul %a, %b {vsla.equal_shapes} : tensor<?xf32>, tensor<?xf32>
  %1 = vsla.tanh %0 : tensor<?xf32>
  return %1 : tensor<?xf32>
}

// A 2-D elementwise op: one grid dimension over every element (the loops
// collapsed), consecutive threads on consecutive elements of a row.
// GPU-LABEL: func.func @matrix(
// GPU: gpu.launch_func {{.*}}@{{.*}} blocks in (%{{.*}}, %c1{{.*}}, %c1{{.*}}) threads in (%c256, %c1{{.*}}, %c1{{.*}})
// GPU: gpu.func @matrix_kernel(
// GPU: gpu.block_id x
// GPU-NOT: gpu.block_id y
// GPU: arith.remsi
// GPU: arith.divsi
// GPU: math.tanh
func.func @matrix(%a: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.tanh %a : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// Reductions: a block per output element, its threads combined by
// gpu.all_reduce (warp shuffles and shared memory in the PTX); a reduction
// to a scalar is one block. The output's initial value is set by a
// one-thread kernel first.
// GPU-LABEL: func.func @all(
// GPU: gpu.launch_func async [%{{.*}}] @all_kernel{{.*}} threads in (%c1{{.*}}, %c1{{.*}}, %c1{{.*}})
// GPU: gpu.launch_func async [%{{.*}}] @all_kernel{{.*}} threads in (%c256, %c1{{.*}}, %c1{{.*}})
// GPU-NOT: memref.load
// GPU: return
// GPU: gpu.all_reduce add
func.func @all(%a: tensor<?xf32>) -> tensor<f32> {
  %0 = vsla.sum %a axes = [0] : tensor<?xf32>
  return %0 : tensor<f32>
}

// GPU-LABEL: func.func @rows(
// GPU: gpu.launch_func async [%{{.*}}] @rows_kernel{{.*}} threads in (%c256, %c1{{.*}}, %c1{{.*}})
// GPU: gpu.all_reduce maximumf
func.func @rows(%a: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = vsla.max %a axes = [1] : tensor<?x?xf32>
  return %0 : tensor<?xf32>
}

// float64 (and int64) reductions run on blocks too: each shuffle of a 64-bit
// value is two 32-bit shuffles in the PTX.
// GPU-LABEL: func.func @total64(
// GPU: gpu.launch_func async [%{{.*}}] @total64_kernel{{.*}} threads in (%c256, %c1{{.*}}, %c1{{.*}})
// GPU: gpu.all_reduce add
// GPU-NEXT: } : (f64) -> f64
func.func @total64(%a: tensor<?x?xf64>) -> tensor<?xf64> {
  %0 = vsla.sum %a axes = [1] : tensor<?x?xf64>
  return %0 : tensor<?xf64>
}

// Matrix products: the host calls the runtime's cuBLAS product after the
// output is zeroed on the device.
// GPU-LABEL: func.func @product(
// GPU: gpu.launch_func
// GPU: gpu.wait [
// GPU: call @__vsla_cuda_gemm_f32(
// GPU-NOT: linalg.matmul
// NVVM-DAG: llvm.call @_mlir_ciface___vsla_cuda_gemm_f32(
func.func @product(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = vsla.matmul %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// NVVM-DAG: gpu.module @chain_kernel [#nvvm.target<chip = "sm_90", features = "+ptx80">]
// NVVM-DAG: nvvm.read.ptx.sreg.ctaid.x
// NVVM-DAG: nvvm.read.ptx.sreg.tid.x
// NVVM-DAG: llvm.func @chain(
// NVVM-DAG: llvm.call @mgpuStreamCreate()
// NVVM-DAG: llvm.call @mgpuMemAlloc
// NVVM-DAG: llvm.call @mgpuStreamSynchronize

// PTX: gpu.binary @chain_kernel [#gpu.object<#nvvm.target<chip = "sm_90", features = "+ptx80">
// PTX-SAME: .target sm_90
// PTX-SAME: .visible .entry chain_kernel(
// PTX-SAME: mov.u32 {{.*}}%ctaid.x
// PTX-SAME: ex2.approx
// PTX: gpu.binary @all_kernel
// PTX: gpu.binary @all_kernel_0
// PTX-SAME: .shared .align 4 .b8
// PTX-SAME: shfl.sync.bfly.b32
// PTX-SAME: bar.sync
// PTX: gpu.binary @total64_kernel_{{[0-9]+}}
// PTX-SAME: .shared .align 8 .b8
// PTX-SAME: add.rn.f64
// PTX-SAME: shfl.sync.bfly.b32
// PTX-SAME: shfl.sync.bfly.b32
// PTX-SAME: add.rn.f64
// PTX-SAME: bar.sync

// SM80: .target sm_80

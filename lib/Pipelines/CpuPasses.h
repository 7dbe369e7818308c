//===- CpuPasses.h - the CPU pipeline's own passes --------------*- C++ -*-===//

#ifndef VSLA_PIPELINES_CPUPASSES_H
#define VSLA_PIPELINES_CPUPASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir::vsla {

struct VslaToCpuOptions;

/// The llvm phase of vsla-to-cpu: buffers, loops and OpenMP regions to the
/// LLVM dialect (vsla-to-gpu's emulate-on-host ends with it too).
void addHostLlvmPasses(OpPassManager &pm, const VslaToCpuOptions &options);

/// tanh, erf, exp, log as vectorizable polynomial approximations (f32;
/// f16 and bf16 through f32).
std::unique_ptr<Pass> createMathApproximationPass();

/// Marks the kernels vsla-cpu-outline-contractions makes.
constexpr llvm::StringLiteral kContractionKernelAttrName =
    "vsla.contraction_kernel";

/// Whether `func` is a kernel vsla-cpu-outline-contractions made.
bool isOutlinedContraction(func::FuncOp func);

/// One-shot bufferization across function boundaries: identity layouts,
/// except unit-inner-stride layouts for the outlined contraction kernels.
std::unique_ptr<Pass> createBufferizeModulePass();

/// Each dynamic-shape linalg.matmul / batch_matmul becomes a call to a
/// private kernel shared by all of them with the same element types.
std::unique_ptr<Pass> createOutlineContractionsPass();

/// Matmul-like linalg ops on tensors tiled into register blocks; full
/// blocks are vectorized, partial ones peeled off and left scalar.
std::unique_ptr<Pass> createTileContractionsPass();

/// Loop-invariant vector transfers (accumulators) hoisted out of loops, on
/// memrefs.
std::unique_ptr<Pass> createHoistVectorTransfersPass();

/// Upstream's elementwise fusion, except that a producer reading its outputs
/// (an accumulation) does not fuse into a consumer that broadcasts it.
std::unique_ptr<Pass> createFuseElementwisePass();

/// memref.expand_shape whose reassociation group has several dynamic
/// extents, as memref.reinterpret_cast (expand-strided-metadata crashes on
/// them).
std::unique_ptr<Pass> createExpandDynamicReshapesPass();

/// The runtime function that computes `op` through BLAS
/// (`__vsla_gemm_f32`, `__vsla_batch_gemm_f64`, ...): f32 and f64
/// linalg.matmul and batch_matmul with their default maps. None for other
/// ops, which keep generated code.
std::optional<std::string> getBlasFunctionName(linalg::LinalgOp op);

/// The ops getBlasFunctionName names, on memrefs, as calls to the runtime:
/// its BLAS products on the host (`device` "host"), its cuBLAS products on
/// device memory (`device` "cuda": `__vsla_cuda_gemm_f32`, ...).
std::unique_ptr<Pass> createCallBlasPass(StringRef device = "host");

/// Large linalg ops on memrefs outside loops, split along their outermost
/// parallel loop into per-thread chunks (an scf.parallel whose chunk count is
/// decided at run time).
std::unique_ptr<Pass> createParallelizePass();

/// num_threads and if clauses on the omp.parallel ops convert-scf-to-openmp
/// made of those chunks.
std::unique_ptr<Pass> createOpenMpClausesPass();

} // namespace mlir::vsla

#endif // VSLA_PIPELINES_CPUPASSES_H

//===- GpuPipeline.cpp - vsla to NVVM and PTX for NVIDIA GPUs -------------===//

#include "CpuPasses.h"
#include "DumpPhase.h"
#include "FrontEnd.h"

#include "vsla/Conversion/Passes.h"
#include "vsla/Pipelines/Pipelines.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::vsla {

StringRef getGpuPhaseName(GpuPhase phase) {
  switch (phase) {
  case GpuPhase::vsla:
    return "vsla";
  case GpuPhase::linalg:
    return "linalg";
  case GpuPhase::gpu:
    return "gpu";
  case GpuPhase::nvvm:
    return "nvvm";
  case GpuPhase::ptx:
    return "ptx";
  }
  return "";
}

static void addGpuPhase(OpPassManager &pm, const VslaToGpuOptions &options) {
  // On the host, one thread per block: threads that synchronize cannot run
  // one after the other.
  const int64_t blockSize = options.emulateOnHost ? 1 : options.blockSize;
  addBufferizationPasses(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  addCleanupPasses(pm);
  // Matrix products through cuBLAS (the host code calls the runtime; on the
  // host, BLAS).
  pm.addPass(createCallBlasPass(options.emulateOnHost ? "host" : "cuda"));
  // Reductions: a thread block per output element.
  VslaGpuBlockReductionsOptions reductions;
  reductions.blockSize = blockSize;
  pm.addPass(createVslaGpuBlockReductions(reductions));
  // A ragged batch's items: a thread block each.
  VslaGpuMapItemsOptions items;
  items.blockSize = blockSize;
  pm.addPass(createVslaGpuMapItems(items));
  // Parallel loops, collapsed to one dimension and tiled by the block size
  // (constant tile bounds, guarded inside), mapped to blocks and threads.
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createVslaGpuCollapseParallelLoops());
  addCleanupPasses(pm);
  pm.addNestedPass<func::FuncOp>(createParallelLoopTilingPass(
      {blockSize}, /*noMinMaxBounds=*/true));
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createVslaGpuSerialKernels());
  pm.addPass(createVslaGpuDeviceMemory());
  pm.addPass(createVslaGpuDeviceChecks());
  if (options.emulateOnHost) {
    pm.addPass(createVslaGpuLaunchesOnHost());
    addCleanupPasses(pm);
    return;
  }
  pm.addPass(createLowerAffinePass());
  pm.addPass(createGpuKernelOutliningPass());
  // Allocations, copies and launches on a stream (the host lowering needs
  // their async form), waited for before the function returns.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  addCleanupPasses(pm);
}

static void addNvvmPhase(OpPassManager &pm, const VslaToGpuOptions &options) {
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  addCleanupPasses(pm);
}

static void addPtxPhase(OpPassManager &pm, const VslaToGpuOptions &options) {
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  // libdevice from the toolkit: tanh, exp, erf, ... are its functions.
  binary.toolkitPath = options.cudaPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  addCleanupPasses(pm);
}

void buildVslaToGpuPipeline(OpPassManager &pm,
                            const VslaToGpuOptions &options) {
  const GpuPhase phases[] = {GpuPhase::vsla, GpuPhase::linalg, GpuPhase::gpu,
                             GpuPhase::nvvm, GpuPhase::ptx};
  for (auto [n, phase] : llvm::enumerate(phases)) {
    switch (phase) {
    case GpuPhase::vsla:
      addCleanupPasses(pm);
      break;
    case GpuPhase::linalg:
    {
      // The FFT is a host function: kernels convolve directly. Ambient
      // promotion is one kernel per op.
      ConvertVslaToLinalgOptions lowering;
      lowering.useRuntimeFft = false;
      lowering.guardedPromotion = true;
      addFusedLinalgPasses(pm, lowering, /*gpuBlocks=*/true);
    }
      break;
    case GpuPhase::gpu:
      addGpuPhase(pm, options);
      if (options.emulateOnHost) {
        // The kernels as host loops: the CPU's lowering to LLVM, and done.
        VslaToCpuOptions host;
        host.useGenericAllocation = true;
        addHostLlvmPasses(pm, host);
        return;
      }
      break;
    case GpuPhase::nvvm:
      addNvvmPhase(pm, options);
      break;
    case GpuPhase::ptx:
      addPtxPhase(pm, options);
      break;
    }
    if (!options.dumpPhasesTo.empty())
      pm.addPass(createDumpPhasePass(options.dumpPhasesTo,
                                     std::to_string(n + 1) + "-" +
                                         getGpuPhaseName(phase).str() +
                                         ".mlir"));
    if (phase == options.compileTo)
      return;
  }
}

} // namespace mlir::vsla

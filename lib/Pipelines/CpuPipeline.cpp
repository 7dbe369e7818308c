//===- CpuPipeline.cpp - vsla to the LLVM dialect for the host CPU --------===//

#include "CpuPasses.h"
#include "DumpPhase.h"
#include "FrontEnd.h"

#include "vsla/Conversion/Passes.h"
#include "vsla/Pipelines/Pipelines.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::vsla {

StringRef getCpuPhaseName(CpuPhase phase) {
  switch (phase) {
  case CpuPhase::vsla:
    return "vsla";
  case CpuPhase::linalg:
    return "linalg";
  case CpuPhase::bufferized:
    return "bufferized";
  case CpuPhase::llvm:
    return "llvm";
  }
  return "";
}

static void addVslaPhase(OpPassManager &pm) { addCleanupPasses(pm); }

static void addLinalgPhase(OpPassManager &pm) {
  addFusedLinalgPasses(pm, ConvertVslaToLinalgOptions{}, /*gpuBlocks=*/false);
  pm.addPass(createOutlineContractionsPass());
  pm.addNestedPass<func::FuncOp>(createTileContractionsPass());
  addCleanupPasses(pm);
}

static void addBufferizedPhase(OpPassManager &pm) {
  addBufferizationPasses(pm);
  addCleanupPasses(pm);
  pm.addNestedPass<func::FuncOp>(createHoistVectorTransfersPass());
  pm.addPass(createCallBlasPass());
  pm.addPass(createParallelizePass());
  addCleanupPasses(pm);
}

void addHostLlvmPasses(OpPassManager &pm, const VslaToCpuOptions &options) {
  // Clones that deallocation introduced become allocations and copies.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMaskPass());
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createConvertLinalgToLoopsPass());
  // The items of vsla.map and the per-thread chunks of
  // vsla-cpu-parallelize, as OpenMP loops.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createOpenMpClausesPass());
  pm.addNestedPass<func::FuncOp>(createExpandDynamicReshapesPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Vectorizable approximations of tanh, erf, exp and log; LLVM intrinsics
  // where LLVM has them (pow, sin, ...); libm for the rest. No
  // math-expand-ops: it rewrites powf as exp(y * log(x)), NaN for x < 0.
  pm.addPass(createMathApproximationPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.useGenericFunctions = options.useGenericAllocation;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  // After the memref conversion, which would otherwise run inside it with
  // default options (malloc instead of the runtime's allocation hooks).
  pm.addPass(createConvertOpenMPToLLVMPass());
  ConvertVectorToLLVMPassOptions vectorToLlvm;
  vectorToLlvm.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLlvm));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  addCleanupPasses(pm);
}

void buildVslaToCpuPipeline(OpPassManager &pm,
                            const VslaToCpuOptions &options) {
  const CpuPhase phases[] = {CpuPhase::vsla, CpuPhase::linalg,
                             CpuPhase::bufferized, CpuPhase::llvm};
  for (auto [n, phase] : llvm::enumerate(phases)) {
    switch (phase) {
    case CpuPhase::vsla:
      addVslaPhase(pm);
      break;
    case CpuPhase::linalg:
      addLinalgPhase(pm);
      break;
    case CpuPhase::bufferized:
      addBufferizedPhase(pm);
      break;
    case CpuPhase::llvm:
      addHostLlvmPasses(pm, options);
      break;
    }
    if (!options.dumpPhasesTo.empty())
      pm.addPass(createDumpPhasePass(options.dumpPhasesTo,
                                     std::to_string(n + 1) + "-" +
                                         getCpuPhaseName(phase).str() +
                                         ".mlir"));
    if (phase == options.compileTo)
      return;
  }
}

void registerVslaPipelines() {
  registerPass([] { return createMathApproximationPass(); });
  registerPass([] { return createTileContractionsPass(); });
  registerPass([] { return createOutlineContractionsPass(); });
  registerPass([] { return createBufferizeModulePass(); });
  registerPass([] { return createCallBlasPass(); });
  registerPass([] { return createParallelizePass(); });
  registerPass([] { return createOpenMpClausesPass(); });
  registerPass([] { return createHoistVectorTransfersPass(); });
  registerPass([] { return createExpandDynamicReshapesPass(); });
  registerPass([] { return createFuseElementwisePass(); });
  PassPipelineRegistration<VslaToCpuOptions>(
      "vsla-to-cpu",
      "Compile vsla functions for the host CPU, in the phases vsla, linalg, "
      "bufferized and llvm",
      buildVslaToCpuPipeline);
  PassPipelineRegistration<VslaToGpuOptions>(
      "vsla-to-gpu",
      "Compile vsla functions for NVIDIA GPUs, in the phases vsla, linalg, "
      "gpu, nvvm and ptx",
      buildVslaToGpuPipeline);
}

} // namespace mlir::vsla

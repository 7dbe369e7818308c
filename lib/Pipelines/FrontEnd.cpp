//===- FrontEnd.cpp - the phases vsla-to-cpu and vsla-to-gpu share --------===//

#include "FrontEnd.h"

#include "CpuPasses.h"

#include "vsla/Conversion/Passes.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::vsla {

void addCleanupPasses(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void addFusedLinalgPasses(OpPassManager &pm,
                          const ConvertVslaToLinalgOptions &lowering,
                          bool gpuBlocks) {
  VslaLowerMapOptions lowerMap;
  lowerMap.gpuBlocks = gpuBlocks;
  pm.addPass(createVslaLowerMap(lowerMap));
  pm.addPass(createConvertVslaToLinalg(lowering));
  addCleanupPasses(pm);
  pm.addPass(createFuseElementwisePass());
  addCleanupPasses(pm);
}

void addBufferizationPasses(OpPassManager &pm) {
  // Outputs passed in (bufferization.materialize_in_destination) are
  // written in place by the op that computes them.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(createBufferizeModulePass());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
}

} // namespace mlir::vsla

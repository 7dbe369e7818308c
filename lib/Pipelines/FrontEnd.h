//===- FrontEnd.h - the phases vsla-to-cpu and vsla-to-gpu share -*- C++ -*-===//

#ifndef VSLA_PIPELINES_FRONTEND_H
#define VSLA_PIPELINES_FRONTEND_H

#include "vsla/Conversion/Passes.h"

#include "mlir/Pass/PassManager.h"

namespace mlir::vsla {

/// Canonicalization and CSE: after every step that leaves dead or repeated
/// IR.
void addCleanupPasses(OpPassManager &pm);

/// The linalg phase's common part: maps over ragged batches lowered, vsla
/// converted to linalg on tensors with `lowering`'s options (the CPU: long
/// convolutions through the runtime's FFT, a host function; the GPU: guarded
/// reads for ambient promotion, a map's items as thread blocks), elementwise
/// chains fused.
void addFusedLinalgPasses(OpPassManager &pm,
                          const ConvertVslaToLinalgOptions &lowering,
                          bool gpuBlocks);

/// Tensors to buffers: outputs passed in written in place, the module
/// bufferized across function boundaries, deallocations placed.
void addBufferizationPasses(OpPassManager &pm);

} // namespace mlir::vsla

#endif // VSLA_PIPELINES_FRONTEND_H

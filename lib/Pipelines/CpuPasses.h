//===- CpuPasses.h - the CPU pipeline's own passes --------------*- C++ -*-===//

#ifndef VSLA_PIPELINES_CPUPASSES_H
#define VSLA_PIPELINES_CPUPASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::vsla {

/// tanh, erf, exp, log as vectorizable polynomial approximations (f32;
/// f16 and bf16 through f32).
std::unique_ptr<Pass> createMathApproximationPass();

/// Matmul-like linalg ops on tensors tiled into register blocks; full
/// blocks are vectorized, partial ones peeled off and left scalar.
std::unique_ptr<Pass> createTileContractionsPass();

/// Loop-invariant vector transfers (accumulators) hoisted out of loops, on
/// memrefs.
std::unique_ptr<Pass> createHoistVectorTransfersPass();

} // namespace mlir::vsla

#endif // VSLA_PIPELINES_CPUPASSES_H

//===- BlockReduction.h - a reduction by the threads of a block -*- C++ -*-===//
//
// Private to lib/Transforms: vsla-gpu-block-reductions gives each output
// element of a reduction a thread block of its own launch;
// vsla-gpu-map-items reduces inside a ragged batch item's block. Both emit
// the same loops: the block's threads stride over the reduced elements and
// gpu.all_reduce combines their partial results.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_LIB_TRANSFORMS_BLOCKREDUCTION_H
#define VSLA_LIB_TRANSFORMS_BLOCKREDUCTION_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::vsla {

/// How the partial results of a reduction combine: the combining op in the
/// body, its kind (for the identity) and the block-wide reduction.
struct Combiner {
  Operation *op;
  Value element; // the combining op's operand that is not the accumulator
  arith::AtomicRMWKind kind;
  gpu::AllReduceOperation blockOp;
};

/// Whether `op` is a reduction a block can do: buffers, one output indexed
/// by the parallel loops alone, a combining op of 32 or 64 bits (warp
/// shuffles move 32; convert-gpu-to-nvvm splits a 64-bit shuffle in two).
std::optional<Combiner> matchBlockReduction(linalg::GenericOp op);

/// The number of output elements of `op` (the product of its parallel
/// loops' extents).
Value countBlockReductionOutputs(OpBuilder &b, linalg::GenericOp op);

/// At `b`'s insertion point inside a gpu.launch: the block numbered
/// `blockId` of `gridSize` computes output elements blockId, blockId +
/// gridSize, ...: its `blockDim` threads (this one `threadId`) fold their
/// share of the reduced elements, gpu.all_reduce combines them and thread
/// 0 folds the total into the output. Every thread of the block must reach
/// it. The caller erases `op`.
void emitBlockReduction(OpBuilder &b, linalg::GenericOp op,
                        const Combiner &combiner, Value blockId,
                        Value gridSize, Value threadId, Value blockDim);

/// Whether `forall` runs a ragged batch's items as GPU thread blocks (from
/// vsla-lower-map with gpu-blocks: one dimension mapped to #gpu.block<x>).
inline bool isGpuBlocksLoop(scf::ForallOp forall) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && mapping->size() == 1 &&
         isa<gpu::GPUBlockMappingAttr>((*mapping)[0]);
}

/// Whether `op` lies in such a loop.
inline bool isInGpuBlocksLoop(Operation *op) {
  for (auto forall = op->getParentOfType<scf::ForallOp>(); forall;
       forall = forall->getParentOfType<scf::ForallOp>())
    if (isGpuBlocksLoop(forall))
      return true;
  return false;
}

} // namespace mlir::vsla

#endif // VSLA_LIB_TRANSFORMS_BLOCKREDUCTION_H

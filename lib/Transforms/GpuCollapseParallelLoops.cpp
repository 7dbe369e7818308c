//===- GpuCollapseParallelLoops.cpp - one dimension per parallel loop -----===//
//
// Tiling a multi-dimensional scf.parallel by the block size tiles its first
// dimension; mapped to the GPU, consecutive threads then walk the outer
// dimension (strided, uncoalesced accesses on row-major buffers) and the
// other dimensions become grid dimensions y and z, limited to 65535 blocks.
// Collapsed into one dimension first (the innermost fastest), consecutive
// threads touch consecutive elements and the grid has room for any size.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUCOLLAPSEPARALLELLOOPS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

struct GpuCollapseParallelLoopsPass
    : vsla::impl::VslaGpuCollapseParallelLoopsBase<
          GpuCollapseParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      auto func = loop->getParentOfType<func::FuncOp>();
      if (func && func->hasAttr(vsla::kShapeFunctionAttrName))
        return;
      // The outermost parallel loops are the ones mapped to the grid.
      if (loop.getNumLoops() > 1 && !loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : loops) {
      std::vector<unsigned> all(loop.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
    }
  }
};

} // namespace

//===- TileContractions.cpp - register-blocked contractions ---------------===//
//
// A contraction lowered to scalar loops runs at a fraction of a core's FMA
// throughput. Tiling it into blocks of kTile = (m, n, k) and vectorizing

// that lower to outer products of SIMD registers; after bufferization the
// accumulator's loads and stores are hoisted out of the k loop, so the
// block stays in registers.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::vsla {
namespace {

/// Register block of the (m, n, k) loops: 8 rows of 32 floats (two AVX-512
/// or four AVX2 registers each) accumulated over 16 steps of k.
constexpr int64_t kTileM = 8, kTileN = 32, kTileK = 16;

struct TileContractionsPass
    : PassWrapper<TileContractionsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileContractionsPass)

  StringRef getArgument() const final { return "vsla-cpu-tile-contractions"; }
  StringRef getDescription() const final {
    return "Tile matmul-like linalg ops into register blocks and vectorize "
           "them";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<scf::SCFDialect, vector::VectorDialect>();
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && op.getNumReductionLoops() == 1 &&
          op.getNumParallelLoops() >= 2 &&
          linalg::isaContractionOpInterface(op) && !getBlasFunctionName(op))
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : contractions) {
      // Loops: batch..., m, n, k. Batch loops get blocks of one.
      int64_t batch = op.getNumLoops() - 3;
      SmallVector<int64_t> sizes(batch, 1);
      sizes.append({kTileM, kTileN, kTileK});
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      // Peel each loop's last, partial block: the main loops then work on
      // full blocks of static shape, which vectorize without masks; the
      // partial blocks stay scalar.
      for (LoopLikeOpInterface loop : tiled->loops) {
        auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
        scf::ForOp partial;
        if (forOp)
          (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
      }
    }
    // Fold the peeled loops' block sizes into static slice types.
    OpPassManager cleanup(func::FuncOp::getOperationName());
    cleanup.addPass(createCanonicalizerPass());
    if (failed(runPipeline(cleanup, getOperation())))
      return signalPassFailure();
    // Vectorize the full blocks: contractions whose loop ranges are exactly
    // the block.
    SmallVector<linalg::LinalgOp> blocks;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() ||
          !linalg::isaContractionOpInterface(op) || op.getNumLoops() < 3)
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      ArrayRef<int64_t> inner = ArrayRef<int64_t>(ranges).take_back(3);
      if (inner[0] == kTileM && inner[1] == kTileN && inner[2] == kTileK &&
          llvm::all_of(ArrayRef<int64_t>(ranges).drop_back(3),
                       [](int64_t r) { return r == 1; }))
        blocks.push_back(op);
    });
    for (linalg::LinalgOp block : blocks) {
      rewriter.setInsertionPoint(block);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, block, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (succeeded(vectorized))
        rewriter.replaceOp(block, vectorized->replacements);
    }
    // On tensors the accumulator's read and write are a loop-invariant
    // subset of the loop-carried result: hoist them, so the block stays in
    // registers across k (after bufferization, possible aliasing between
    // function arguments would forbid it).
    getOperation().walk([&](LoopLikeOpInterface loop) {
      moveLoopInvariantCode(loop);
      (void)hoistLoopInvariantSubsets(rewriter, loop);
    });
  }
};

struct HoistVectorTransfersPass
    : PassWrapper<HoistVectorTransfersPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(HoistVectorTransfersPass)

  StringRef getArgument() const final {
    return "vsla-cpu-hoist-vector-transfers";
  }
  StringRef getDescription() const final {
    return "Keep loop-carried vector accumulators in registers";
  }
  void runOnOperation() override {
    // The accumulator's view must be loop-invariant before its transfers
    // can leave the loop.
    getOperation().walk(
        [](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(getOperation(),
                                          /*verifyNonZeroTrip=*/true);
  }
};

} // namespace

std::unique_ptr<Pass> createTileContractionsPass() {
  return std::make_unique<TileContractionsPass>();
}

std::unique_ptr<Pass> createHoistVectorTransfersPass() {
  return std::make_unique<HoistVectorTransfersPass>();
}

} // namespace mlir::vsla

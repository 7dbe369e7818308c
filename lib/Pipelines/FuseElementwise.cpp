//===- FuseElementwise.cpp - elementwise fusion that keeps accumulators ---===//
//
// Upstream's linalg elementwise fusion, with one more condition. A producer
// whose payload reads its output (a convolution step accumulating into its
// init) keeps that output in the fused op, indexed through the consumer's
// map. When the consumer broadcasts the producer's result (its map is not a
// permutation: `broadcast_to(conv(a, b), (3,))` with 1-element operands),
// the fused loop visits each accumulator element several times and the
// reads see earlier iterations' writes: a running sum, not a broadcast.
// Such pairs are not fused; every other pair fuses as upstream fuses it.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::vsla {
namespace {

/// Whether `op`'s payload reads one of its outputs' current values.
bool readsItsOutputs(linalg::LinalgOp op) {
  return llvm::any_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
    return op.payloadUsesValueFromOperand(&init);
  });
}

/// Upstream's condition (the producer has no other use), and a producer
/// that reads its outputs fuses only into a consumer that reads each of its
/// result's elements once.
bool shouldFuse(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto producerOp = dyn_cast<linalg::LinalgOp>(producer);
  auto consumerOp = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!producerOp || !consumerOp || !readsItsOutputs(producerOp))
    return true;
  return consumerOp.getMatchingIndexingMap(fused).isPermutation();
}

struct FuseElementwisePass
    : PassWrapper<FuseElementwisePass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FuseElementwisePass)

  StringRef getArgument() const final { return "vsla-cpu-fuse-elementwise"; }
  StringRef getDescription() const final {
    return "Fuse elementwise linalg ops (upstream's fusion, except an "
           "accumulating producer into a broadcasting consumer)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, shouldFuse);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, shouldFuse);
    (void)applyPatternsGreedily(
        getOperation(), std::move(patterns),
        GreedyRewriteConfig().setUseTopDownTraversal());
  }
};

} // namespace

std::unique_ptr<Pass> createFuseElementwisePass() {
  return std::make_unique<FuseElementwisePass>();
}

} // namespace mlir::vsla

//===- ExpandDynamicReshapes.cpp - expand_shape as reinterpret_cast -------===//
//
// Fusing an elementwise op with a collapse_shape expands the op's other
// operands instead, so a kron (an outer product collapsed to one extent)
// followed by `x - kron(x, x)` views `x` as a ?x? memref: a reassociation
// group with two dynamic extents. MLIR 22's expand-strided-metadata crashes
// on such an expand_shape (it builds a reinterpret_cast from a null stride).
// The view is plain strided arithmetic, so this pass writes it as one: the
// source's base, offset and stride, and the inner extents' products as the
// strides of the group.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::vsla {
namespace {

/// Whether some reassociation group of `op` has more than one dynamic
/// extent, the case expand-strided-metadata cannot take.
bool hasGroupWithDynamicExtents(memref::ExpandShapeOp op) {
  ArrayRef<int64_t> shape = op.getResultType().getShape();
  for (const ReassociationIndices &group : op.getReassociationIndices()) {
    int64_t dynamic = llvm::count_if(
        group, [&](int64_t dim) { return ShapedType::isDynamic(shape[dim]); });
    if (dynamic > 1)
      return true;
  }
  return false;
}

struct ExpandShapeAsReinterpretCast
    : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasGroupWithDynamicExtents(op))
      return failure();
    MemRefType resultType = op.getResultType();
    SmallVector<int64_t> staticStrides;
    int64_t staticOffset;
    if (failed(resultType.getStridesAndOffset(staticStrides, staticOffset)))
      return rewriter.notifyMatchFailure(op, "result is not strided");

    Location loc = op.getLoc();
    auto source = memref::ExtractStridedMetadataOp::create(rewriter, loc,
                                                           op.getSrc());
    SmallVector<OpFoldResult> sourceStrides =
        source.getConstifiedMixedStrides();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(resultType.getRank());
    AffineExpr s0, s1;
    bindSymbols(rewriter.getContext(), s0, s1);
    for (auto [sourceDim, group] :
         llvm::enumerate(op.getReassociationIndices())) {
      // Row major within the group: each extent's stride is the source
      // extent's stride times the extents inside it.
      OpFoldResult running = sourceStrides[sourceDim];
      for (int64_t dim : llvm::reverse(group)) {
        strides[dim] = ShapedType::isDynamic(staticStrides[dim])
                           ? running
                           : rewriter.getIndexAttr(staticStrides[dim]);
        running = affine::makeComposedFoldedAffineApply(
            rewriter, loc, s0 * s1, {running, sizes[dim]});
      }
    }
    OpFoldResult offset = ShapedType::isDynamic(staticOffset)
                              ? source.getConstifiedMixedOffset()
                              : rewriter.getIndexAttr(staticOffset);
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, source.getBaseBuffer(), offset, sizes, strides);
    return success();
  }
};

struct ExpandDynamicReshapesPass
    : PassWrapper<ExpandDynamicReshapesPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ExpandDynamicReshapesPass)

  StringRef getArgument() const final {
    return "vsla-cpu-expand-dynamic-reshapes";
  }
  StringRef getDescription() const final {
    return "Write memref.expand_shape with several dynamic extents in one "
           "group as memref.reinterpret_cast";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, memref::MemRefDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeAsReinterpretCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> createExpandDynamicReshapesPass() {
  return std::make_unique<ExpandDynamicReshapesPass>();
}

} // namespace mlir::vsla

//===- VslaCanonicalization.cpp - rewrite patterns of the vsla ops --------===//
//
// Canonicalizations that create new ops (folders cannot): the additive
// identity when the result is larger than the other operand, and the
// expansion of window and pyramid stacks into plain stacks.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/ShapeInference.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::vsla;

/// `x` zero-extended to the shape of `op`'s result (or `x` itself when it
/// already has that type); null when the promote's inferred type is not the
/// result's (a replacement must keep the type its users were built for).
static Value promoteToResultShape(PatternRewriter &rewriter, Operation *op,
                                  Value x) {
  Type resultType = op->getResult(0).getType();
  if (x.getType() == resultType)
    return x;
  ReifiedRankedShapedTypeDims dims;
  if (failed(reifyResultShapes(rewriter, op, dims)))
    return {};
  auto promoted = PromoteOp::create(rewriter, op->getLoc(), x, dims.front());
  if (promoted.getType() != resultType) {
    rewriter.eraseOp(promoted);
    return {};
  }
  return promoted;
}

namespace {
/// `x + e` and `e + x`, with `e` statically empty, is `x` zero-extended to
/// the result shape: `e` reads as zero everywhere. The folder handles the
/// case where no extension is needed.
struct AddEmptyIsPromote : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    Value other;
    if (isStaticallyEmpty(op.getRhs()))
      other = op.getLhs();
    else if (isStaticallyEmpty(op.getLhs()))
      other = op.getRhs();
    else
      return failure();
    Value promoted = promoteToResultShape(rewriter, op, other);
    if (!promoted)
      return failure();
    rewriter.replaceOp(op, promoted);
    return success();
  }
};

/// `x - e` is `promote(x)`; `e - x` is `neg(promote(x))`.
struct SubEmptyIsPromote : OpRewritePattern<SubOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SubOp op,
                                PatternRewriter &rewriter) const override {
    bool negate;
    Value other;
    if (isStaticallyEmpty(op.getRhs())) {
      other = op.getLhs();
      negate = false;
    } else if (isStaticallyEmpty(op.getLhs())) {
      other = op.getRhs();
      negate = true;
    } else {
      return failure();
    }
    Value promoted = promoteToResultShape(rewriter, op, other);
    if (!promoted)
      return failure();
    if (negate)
      promoted = NegOp::create(rewriter, op.getLoc(), promoted);
    rewriter.replaceOp(op, promoted);
    return success();
  }
};

/// window_stack is sugar for one vsla.stack per window.
struct ExpandWindowStack : OpRewritePattern<WindowStackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WindowStackOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> stacks;
    ValueRange inputs = op.getInputs();
    int64_t window = op.getWindow();
    for (size_t w = 0; w < op.getNumResults(); ++w) {
      size_t begin = w * window;
      size_t size = std::min<size_t>(window, inputs.size() - begin);
      stacks.push_back(StackOp::create(rewriter, op.getLoc(),
                                       inputs.slice(begin, size)));
    }
    rewriter.replaceOp(op, stacks);
    return success();
  }
};

/// pyramid_stack is window_stack applied `levels` times.
struct ExpandPyramidStack : OpRewritePattern<PyramidStackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PyramidStackOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> level(op.getInputs());
    for (uint64_t l = 0; l < op.getLevels(); ++l) {
      auto windows =
          WindowStackOp::create(rewriter, op.getLoc(), level, op.getWindow(),
                                op.getKeepPartial());
      level.assign(windows.getResults().begin(), windows.getResults().end());
    }
    rewriter.replaceOp(op, level);
    return success();
  }
};
} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<AddEmptyIsPromote>(context);
}

void SubOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<SubEmptyIsPromote>(context);
}

void WindowStackOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *context) {
  patterns.add<ExpandWindowStack>(context);
}

void PyramidStackOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                 MLIRContext *context) {
  patterns.add<ExpandPyramidStack>(context);
}

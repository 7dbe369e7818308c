//===- VslaToLinalgPass.cpp - the convert-vsla-to-linalg pass -------------===//

#include "PatternTables.h"

#include "vsla/Conversion/Passes.h"
#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_CONVERTVSLATOLINALG
#include "vsla/Conversion/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

void mlir::vsla::populateVslaToLinalgPatterns(RewritePatternSet &patterns,
                                               bool useRuntimeFft,
                                               bool guardedPromotion) {
  lowering::populateAmbientPromotionPatterns(patterns, guardedPromotion);
  lowering::populateElementwisePatterns(patterns);
  lowering::populateLayoutPatterns(patterns);
  lowering::populateReductionPatterns(patterns);
  lowering::populateContractionPatterns(patterns, useRuntimeFft);
  lowering::populateRunTimeCheckPatterns(patterns);
}

namespace {
struct ConvertVslaToLinalgPass
    : vsla::impl::ConvertVslaToLinalgBase<ConvertVslaToLinalgPass> {
  using ConvertVslaToLinalgBase::ConvertVslaToLinalgBase;
  void runOnOperation() override {
    // Window and pyramid stacks are sugar for plain stacks.
    RewritePatternSet expansions(&getContext());
    WindowStackOp::getCanonicalizationPatterns(expansions, &getContext());
    PyramidStackOp::getCanonicalizationPatterns(expansions, &getContext());
    walkAndApplyPatterns(getOperation(), std::move(expansions));

    lowering::declareCheckFailedFunction(getOperation());
    ConversionTarget target(getContext());
    target.addIllegalDialect<VslaDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateVslaToLinalgPatterns(patterns, useRuntimeFft, guardedPromotion);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

//===- MathApproximation.cpp - vectorizable transcendentals ---------------===//
//
// tanh, erf, exp and log lowered to LLVM become calls into libm, one element
// at a time, which LLVM cannot vectorize. MLIR's polynomial approximations
// (accurate to a few ulp in f32) are plain arithmetic that vectorizes with
// the loop around it.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::vsla {
namespace {

struct MathApproximationPass
    : PassWrapper<MathApproximationPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MathApproximationPass)

  StringRef getArgument() const final { return "vsla-cpu-math-approximation"; }
  StringRef getDescription() const final {
    return "Replace tanh, erf, exp and log with vectorizable polynomial "
           "approximations";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, math::MathDialect,
                    vector::VectorDialect, x86vector::X86VectorDialect>();
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    auto approximated = [](StringRef name) {
      name.consume_front("math.");
      return llvm::is_contained(
          {"tanh", "erf", "exp", "expm1", "log", "log1p", "log2"}, name);
    };
    populateMathF32ExpansionPatterns(patterns, approximated);
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> createMathApproximationPass() {
  return std::make_unique<MathApproximationPass>();
}

} // namespace mlir::vsla

//===- RefineShapes.cpp - propagate static extents through vsla ops -------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAREFINESHAPES
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

namespace {

/// A vsla op whose result types are inferred (all but vsla.cast).
InferTypeOpInterface getRefinableOp(Operation *op) {
  if (!isa_and_nonnull<VslaDialect>(op->getDialect()))
    return {};
  return dyn_cast<InferTypeOpInterface>(op);
}

/// Replaces operands produced by a `tensor.cast` that only erased static
/// information with the cast's more static source.
void lookThroughErasingCasts(Operation *op) {
  for (OpOperand &operand : op->getOpOperands()) {
    auto cast = operand.get().getDefiningOp<tensor::CastOp>();
    if (cast && tensor::preservesStaticInformation(cast.getType(),
                                                   cast.getSource().getType()))
      operand.set(cast.getSource());
  }
}

struct VslaRefineShapesPass
    : vsla::impl::VslaRefineShapesBase<VslaRefineShapesPass> {
  void runOnOperation() override {
    WalkResult walk = getOperation()->walk([&](Operation *op) {
      InferTypeOpInterface refinable = getRefinableOp(op);
      if (!refinable)
        return WalkResult::advance();
      lookThroughErasingCasts(op);
      SmallVector<Type> types;
      if (failed(refinable.inferReturnTypes(
              op->getContext(), op->getLoc(), op->getOperands(),
              op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
              op->getRegions(), types)))
        return WalkResult::interrupt();
      for (auto [result, type] : llvm::zip_equal(op->getResults(), types))
        refineResult(op, result, type);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }

  /// Gives `result` the more static `type`; uses outside the vsla dialect
  /// keep the old type through a `tensor.cast`.
  void refineResult(Operation *op, OpResult result, Type type) {
    Type old = result.getType();
    if (type == old || !tensor::preservesStaticInformation(old, type))
      return;
    result.setType(type);
    if (llvm::all_of(result.getUsers(),
                     [](Operation *user) { return getRefinableOp(user); }))
      return;
    OpBuilder builder(op->getContext());
    builder.setInsertionPointAfter(op);
    auto cast = tensor::CastOp::create(builder, op->getLoc(), old, result);
    result.replaceUsesWithIf(cast, [&](OpOperand &use) {
      return use.getOwner() != cast && !getRefinableOp(use.getOwner());
    });
  }
};

} // namespace

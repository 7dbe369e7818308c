//===- RunTimeChecks.cpp - lowering vsla.check_shape and check_zero -------===//
//
// A check that runs in place becomes a branch that calls the runtime's
// `__vsla_check_failed(id)` when the fact does not hold; the runtime stops
// the call there (see runtime/include/vsla/runtime/CompiledCall.h) and tells
// the caller the message of check `id`. The driver numbers the checks of a
// module (attribute `vsla.check_id`); an unnumbered check reports 0.
//
//===----------------------------------------------------------------------===//

#include "PatternTables.h"

#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::vsla::lowering {

namespace {

int64_t getCheckId(Operation *op) {
  if (auto id = op->getAttrOfType<IntegerAttr>(kCheckIdAttrName))
    return id.getInt();
  return 0;
}

/// if (!holds) __vsla_check_failed(id)
void emitFailureBranch(PatternRewriter &rewriter, Location loc, Value holds,
                       int64_t id) {
  Value failed = arith::XOrIOp::create(
      rewriter, loc, holds, arith::ConstantIntOp::create(rewriter, loc, 1, 1));
  auto branch = scf::IfOp::create(rewriter, loc, failed, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(branch.thenBlock());
  func::CallOp::create(
      rewriter, loc, kCheckFailedFunction, TypeRange{},
      ValueRange{arith::ConstantIntOp::create(rewriter, loc, id, 64)});
}

struct LowerCheckShape : OpRewritePattern<CheckShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CheckShapeOp op,
                                PatternRewriter &rewriter) const override {
    emitFailureBranch(rewriter, op.getLoc(), op.getHolds(), getCheckId(op));
    rewriter.eraseOp(op);
    return success();
  }
};

struct LowerCheckZero : OpRewritePattern<CheckZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CheckZeroOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = tensor::ExtractOp::create(rewriter, loc, op.getValue(),
                                            ValueRange{});
    Type type = value.getType();
    Value zero = arith::ConstantOp::create(rewriter, loc, type,
                                           rewriter.getZeroAttr(type));
    // Ordered-equal: NaN is not zero.
    Value holds =
        isa<FloatType>(type)
            ? Value(arith::CmpFOp::create(rewriter, loc,
                                          arith::CmpFPredicate::OEQ, value,
                                          zero))
            : Value(arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::eq, value,
                                          zero));
    emitFailureBranch(rewriter, loc, holds, getCheckId(op));
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void declareCheckFailedFunction(Operation *root) {
  auto module = dyn_cast<ModuleOp>(root);
  if (!module)
    module = root->getParentOfType<ModuleOp>();
  if (!module || module.lookupSymbol(kCheckFailedFunction))
    return;
  bool used = false;
  root->walk([&](Operation *op) {
    if (isa<CheckShapeOp, CheckZeroOp>(op))
      used = true;
  });
  if (!used)
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto declaration = func::FuncOp::create(
      b, module.getLoc(), kCheckFailedFunction,
      b.getFunctionType({b.getI64Type()}, {}));
  declaration.setPrivate();
}

void populateRunTimeCheckPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerCheckShape, LowerCheckZero>(patterns.getContext());
}

} // namespace mlir::vsla::lowering

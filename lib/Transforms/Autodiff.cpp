//===- Autodiff.cpp - reverse-mode differentiation of vsla IR -------------===//

#include "vsla/Transforms/Autodiff.h"
#include "vsla/Dialect/VslaOps.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAAUTODIFF
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

namespace {

/// For each public function @f: @f_vjp(args..., cotangents...) -> (results...,
/// adjoints of the float tensor arguments...), and, when @f returns one
/// rank-0 float tensor, @f_value_and_grad(args...) -> (value, gradients...).
struct VslaAutodiffPass
    : mlir::vsla::impl::VslaAutodiffBase<VslaAutodiffPass> {
  using VslaAutodiffBase::VslaAutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          (functionNames.empty() ||
           llvm::is_contained(functionNames, func.getSymName())))
        functions.push_back(func);
    for (func::FuncOp func : functions) {
      if (failed(differentiate(func, /*valueAndGrad=*/false)))
        return signalPassFailure();
      auto results = func.getFunctionType().getResults();
      if (results.size() == 1 && isa<RankedTensorType>(results[0]) &&
          cast<RankedTensorType>(results[0]).getRank() == 0 &&
          isa<FloatType>(cast<RankedTensorType>(results[0]).getElementType()))
        if (failed(differentiate(func, /*valueAndGrad=*/true)))
          return signalPassFailure();
    }
  }

  LogicalResult differentiate(func::FuncOp func, bool valueAndGrad) {
    OpBuilder b(func);
    auto clone = cast<func::FuncOp>(b.clone(*func));
    clone.setName((func.getSymName() +
                   (valueAndGrad ? "_value_and_grad" : "_vjp"))
                      .str());
    Block &body = clone.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Location loc = ret.getLoc();
    SmallVector<Value> results(ret.getOperands());
    SmallVector<Value> wrt;
    for (BlockArgument arg : body.getArguments())
      if (isFloatTensor(arg))
        wrt.push_back(arg);

    b.setInsertionPoint(ret);
    SmallVector<Value> cotangents;
    for (Value result : results) {
      if (valueAndGrad) {
        auto type = cast<RankedTensorType>(result.getType());
        cotangents.push_back(ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(
                type, b.getFloatAttr(type.getElementType(), 1.0))));
      } else {
        cotangents.push_back(body.addArgument(result.getType(), loc));
      }
    }
    FailureOr<SmallVector<Value>> grads =
        buildAdjoints(b, loc, results, cotangents, wrt);
    if (failed(grads)) {
      clone.erase();
      return failure();
    }
    SmallVector<Value> returned = results;
    returned.append(grads->begin(), grads->end());
    func::ReturnOp::create(b, loc, returned);
    ret.erase();
    clone.setFunctionType(b.getFunctionType(
        body.getArgumentTypes(), ValueRange(returned).getTypes()));
    // A declaration of the new function (so other code can call it before
    // it exists) is replaced by the definition, when the types agree.
    auto module = func->getParentOfType<ModuleOp>();
    for (auto other : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (other == clone || other.getSymName() != clone.getSymName())
        continue;
      if (!other.isExternal() ||
          other.getFunctionType() != clone.getFunctionType()) {
        other.emitOpError("has the name of the function vsla-autodiff builds "
                          "for @")
            << func.getSymName() << " but is not a declaration of type "
            << clone.getFunctionType();
        clone.erase();
        return failure();
      }
      other.erase();
    }
    return success();
  }
};

} // namespace

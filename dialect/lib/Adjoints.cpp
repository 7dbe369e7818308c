//===- Adjoints.cpp - reverse-mode adjoints of a block of vsla ops --------===//
//
// The core of differentiation, used by the vsla-autodiff pass, the front
// ends' vjp, and the VJP rule of vsla.map (which differentiates its body).
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaInterfaces.h"
#include "vsla/Dialect/VslaOps.h"

using namespace mlir;
using namespace mlir::vsla;

FailureOr<SmallVector<Value>>
mlir::vsla::buildAdjoints(OpBuilder &builder, Location loc, ValueRange results,
                          ValueRange cotangents, ValueRange wrt) {
  Block *block = builder.getInsertionBlock();
  Block::iterator end = builder.getInsertionPoint();

  // The ops between wrt and results: forward from wrt, backward from results.
  DenseSet<Value> dependsOnWrt(wrt.begin(), wrt.end());
  SmallVector<Operation *> ops;
  for (Operation &op : llvm::make_range(block->begin(), end)) {
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return dependsOnWrt.contains(v); })) {
      dependsOnWrt.insert(op.getResults().begin(), op.getResults().end());
      ops.push_back(&op);
    }
  }
  DenseSet<Value> needed(results.begin(), results.end());
  SmallVector<Operation *> active;
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value v) { return needed.contains(v); }))
      continue;
    needed.insert(op->getOperands().begin(), op->getOperands().end());
    active.push_back(op);
  }

  DenseMap<Value, Value> adjoints;
  auto accumulate = [&](Value value, Value adjoint) {
    auto [it, inserted] = adjoints.try_emplace(value, adjoint);
    if (!inserted) {
      // Every adjoint of a value has the value's shape.
      auto sum = AddOp::create(builder, loc, it->second, adjoint);
      sum->setAttr(kEqualShapesAttrName, builder.getUnitAttr());
      it->second = sum;
    }
  };
  for (auto [result, cotangent] : llvm::zip_equal(results, cotangents))
    if (isFloatTensor(result))
      accumulate(result, cotangent);

  for (Operation *op : active) {
    SmallVector<Value> resultAdjoints;
    bool reached = false;
    for (Value result : op->getResults()) {
      resultAdjoints.push_back(adjoints.lookup(result));
      reached |= static_cast<bool>(resultAdjoints.back());
    }
    if (!reached)
      continue;
    auto vjp = dyn_cast<VjpOpInterface>(op);
    if (!vjp)
      return op->emitOpError("is not differentiable (it has no VJP rule)");
    SmallVector<Value> operandAdjoints;
    if (failed(vjp.emitVjp(builder, resultAdjoints, operandAdjoints)))
      return failure();
    for (auto [operand, adjoint] :
         llvm::zip_equal(op->getOperands(), operandAdjoints))
      if (adjoint && dependsOnWrt.contains(operand))
        accumulate(operand, adjoint);
  }

  SmallVector<Value> grads;
  for (Value value : wrt) {
    Value adjoint = adjoints.lookup(value);
    grads.push_back(adjoint ? adjoint : createZerosLike(builder, loc, value));
  }
  return grads;
}


//===- OutlineContractions.cpp - one kernel per matmul signature ----------===//
//
// A register-tiled, vectorized matmul is a large piece of code, and LLVM's
// time grows faster than linearly with a function's size. A training step
// holds a dozen matmuls of a few shapes-up-to-dims (forward and backward), so
// each dynamic-shape linalg.matmul / batch_matmul becomes a call to a private
// kernel shared by every matmul of the same element types: it is tiled and
// compiled once.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::vsla {
namespace {

RankedTensorType dynamicLike(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return RankedTensorType::get(
      SmallVector<int64_t>(tensor.getRank(), ShapedType::kDynamic),
      tensor.getElementType());
}

struct OutlineContractionsPass
    : PassWrapper<OutlineContractionsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(OutlineContractionsPass)

  StringRef getArgument() const final { return "vsla-cpu-outline-contractions"; }
  StringRef getDescription() const final {
    return "Call one shared kernel per matmul signature instead of inlining "
           "each dynamic-shape matmul";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> contractions;
    module.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) ||
          !op.hasPureTensorSemantics() || op->getNumResults() != 1)
        return;
      // Products that become BLAS calls are small code: inlined, they
      // write straight into their destination (an outlined kernel returns
      // a copy).
      if (getBlasFunctionName(op))
        return;
      bool dynamic = llvm::any_of(op->getOperandTypes(), [](Type t) {
        return !cast<RankedTensorType>(t).hasStaticShape();
      });
      if (dynamic)
        contractions.push_back(op);
    });
    if (contractions.empty())
      return;

    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> kernels;
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : contractions) {
      SmallVector<Type> types;
      for (Type t : op->getOperandTypes())
        types.push_back(dynamicLike(t));
      std::string name = "__vsla_" + op->getName().stripDialect().str();
      for (Type t : types) {
        llvm::raw_string_ostream os(name);
        os << "_" << cast<RankedTensorType>(t).getElementType();
      }
      func::FuncOp &kernel = kernels[name];
      if (!kernel) {
        b.setInsertionPointToEnd(module.getBody());
        kernel = func::FuncOp::create(b, op.getLoc(), name,
                                      b.getFunctionType(types, {types.back()}));
        kernel.setPrivate();
        kernel->setAttr(kContractionKernelAttrName, b.getUnitAttr());
        Block *body = kernel.addEntryBlock();
        b.setInsertionPointToStart(body);
        IRMapping mapping;
        mapping.map(op->getOperands(), body->getArguments());
        Operation *clone = b.clone(*op, mapping);
        clone->getResult(0).setType(types.back());
        func::ReturnOp::create(b, op.getLoc(), clone->getResults());
        symbols.insert(kernel);
      }
      b.setInsertionPoint(op);
      SmallVector<Value> operands;
      for (auto [operand, type] : llvm::zip_equal(op->getOperands(), types))
        operands.push_back(operand.getType() == type
                               ? operand
                               : tensor::CastOp::create(b, op.getLoc(), type,
                                                        operand)
                                     .getResult());
      auto call = func::CallOp::create(b, op.getLoc(), kernel, operands);
      Value result = call.getResult(0);
      Type original = op->getResult(0).getType();
      if (result.getType() != original)
        result = tensor::CastOp::create(b, op.getLoc(), original, result);
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
    }
  }
};

} // namespace

std::unique_ptr<Pass> createOutlineContractionsPass() {
  return std::make_unique<OutlineContractionsPass>();
}

} // namespace mlir::vsla

//===- EntryPoints.cpp - destination-passing entry points -----------------===//
//
// For a public function @f whose result shapes follow from its arguments'
// shapes, the driver compiles two more functions:
//
//   @__vsla_shapes_f(args..., %dims: memref<Nxindex>)
//       writes every result dim (reified from the argument dims; the data is
//       never read, so it costs a few integer operations);
//   @__vsla_dps_f(args..., %out0: memref<...>, ...)
//       computes the results into caller-provided buffers
//       (bufferization.materialize_in_destination; empty-tensor elimination
//       makes the last op write straight into them).
//
// The runtime calls the first, allocates the outputs from its buffer pool,
// and calls the second. Functions whose result shapes depend on data
// (vsla.shrink) keep the returned-buffer convention.
//
//===----------------------------------------------------------------------===//

#include "EntryPoints.h"

#include "vsla/Dialect/VslaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace vsla {

using namespace mlir;

namespace {

func::ReturnOp getReturn(func::FuncOp func) {
  return cast<func::ReturnOp>(func.getBody().back().getTerminator());
}

/// A copy of `func` named `name`, inserted into `module`, with memref
/// arguments of `extraTypes` appended and no results; `rewriteReturn` turns
/// the old return operands into whatever the new function does with them.
func::FuncOp cloneWithOutputs(
    ModuleOp module, func::FuncOp func, StringRef name,
    ArrayRef<Type> extraTypes,
    function_ref<void(OpBuilder &, Location, ValueRange returned,
                      ValueRange extraArgs)>
        rewriteReturn) {
  auto copy = cast<func::FuncOp>(func->clone());
  copy.setName(name);
  module.push_back(copy);
  Block &entry = copy.getBody().front();
  SmallVector<Value> extraArgs;
  for (Type type : extraTypes)
    extraArgs.push_back(entry.addArgument(type, func.getLoc()));
  func::ReturnOp ret = getReturn(copy);
  OpBuilder builder(ret);
  rewriteReturn(builder, ret.getLoc(), ret.getOperands(), extraArgs);
  func::ReturnOp::create(builder, ret.getLoc());
  ret.erase();
  SmallVector<Type> inputs(entry.getArgumentTypes());
  copy.setFunctionType(FunctionType::get(module.getContext(), inputs, {}));
  copy->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  return copy;
}

/// True when a shape function reads only argument extents: every vsla and
/// linalg op reified away.
bool computesShapesOnly(func::FuncOp shapes) {
  WalkResult walk = shapes.walk([](Operation *op) {
    if (isa<mlir::vsla::VslaDialect, linalg::LinalgDialect>(op->getDialect()))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

} // namespace

std::string getShapesEntryName(StringRef function) {
  return ("__vsla_shapes_" + function).str();
}

std::string getDestinationEntryName(StringRef function) {
  return ("__vsla_dps_" + function).str();
}

std::unique_ptr<PassManager> createShapeFunctionPipeline(MLIRContext &context) {
  auto pm = std::make_unique<PassManager>(&context,
                                          func::FuncOp::getOperationName());
  pm->addPass(memref::createResolveRankedShapeTypeResultDimsPass());
  pm->addPass(createCanonicalizerPass());
  pm->addPass(createCSEPass());
  return pm;
}

FailureOr<bool> addDestinationPassingEntryPoints(ModuleOp module,
                                                 func::FuncOp func,
                                                 PassManager &shapePipeline) {
  MLIRContext *context = module.getContext();
  SmallVector<Type> resultTypes(func.getResultTypes());
  int64_t dimCount = 0;
  for (Type type : resultTypes) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return false;
    dimCount += tensor.getRank();
  }
  if (resultTypes.empty())
    return false;

  // The shape function: every result dim, stored in order.
  auto dimsType = MemRefType::get({dimCount}, IndexType::get(context));
  func::FuncOp shapes = cloneWithOutputs(
      module, func, getShapesEntryName(func.getSymName()), {dimsType},
      [&](OpBuilder &b, Location loc, ValueRange returned, ValueRange extra) {
        int64_t slot = 0;
        for (Value result : returned) {
          auto type = cast<RankedTensorType>(result.getType());
          for (int64_t d = 0; d < type.getRank(); ++d) {
            Value dim = tensor::DimOp::create(b, loc, result, d);
            Value at = arith::ConstantIndexOp::create(b, loc, slot++);
            memref::StoreOp::create(b, loc, dim, extra[0], ValueRange{at});
          }
        }
      });
  if (failed(shapePipeline.run(shapes)))
    return failure();
  if (!computesShapesOnly(shapes)) {
    shapes.erase();
    return false;
  }

  // The destination-passing function.
  SmallVector<Type> outputTypes;
  for (Type type : resultTypes) {
    auto tensor = cast<RankedTensorType>(type);
    outputTypes.push_back(
        MemRefType::get(tensor.getShape(), tensor.getElementType()));
  }
  cloneWithOutputs(
      module, func, getDestinationEntryName(func.getSymName()), outputTypes,
      [&](OpBuilder &b, Location loc, ValueRange returned, ValueRange extra) {
        for (auto [result, output] : llvm::zip_equal(returned, extra))
          bufferization::MaterializeInDestinationOp::create(
              b, loc, /*result=*/Type(), result, output,
              /*restrict=*/b.getUnitAttr(), /*writable=*/b.getUnitAttr());
      });
  return true;
}

} // namespace vsla

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
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "vsla/Conversion/Passes.h"
#include "vsla/Dialect/VslaOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/raw_ostream.h"

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

/// One run-time shape precondition: an i1 that holds when it is met.
struct ShapeCheck {
  Value holds;
  std::string message;
};

std::string describeLocation(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->getLoc().print(os);
  return text;
}

Value dimValue(OpBuilder &b, Location loc, OpFoldResult dim) {
  return getValueOrCreateConstantIndexOp(b, loc, dim);
}

Value equal(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
}

/// The preconditions on extents that the verifiers could not check because
/// the extents are dynamic; evaluated by the shape function before any
/// computation runs.
SmallVector<ShapeCheck> buildShapeChecks(OpBuilder &b, func::FuncOp func) {
  SmallVector<ShapeCheck> checks;
  func.walk([&](Operation *op) {
    Location loc = op->getLoc();
    std::string where = op->getName().getStringRef().str() + " at " +
                        describeLocation(op) + ": ";
    if (auto broadcast = dyn_cast<mlir::vsla::BroadcastToOp>(op)) {
      auto type = cast<RankedTensorType>(broadcast.getInput().getType());
      SmallVector<OpFoldResult> target = broadcast.getMixedShape();
      int64_t lead = target.size() - type.getRank();
      for (int64_t i = 0; i < type.getRank(); ++i) {
        if (!type.isDynamicDim(i))
          continue;
        Value extent = tensor::DimOp::create(b, loc, broadcast.getInput(), i);
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        Value holds = arith::OrIOp::create(
            b, loc, equal(b, loc, extent, one),
            equal(b, loc, extent, dimValue(b, loc, target[lead + i])));
        checks.push_back({holds, where + "input axis " + std::to_string(i) +
                                     " has an extent that is neither 1 nor "
                                     "the target extent"});
      }
    } else if (auto promote = dyn_cast<mlir::vsla::PromoteOp>(op)) {
      SmallVector<OpFoldResult> target = promote.getMixedShape();
      for (auto [i, dim] : llvm::enumerate(
               tensor::getMixedSizes(b, loc, promote.getInput()))) {
        if (getConstantIntValue(dim) && getConstantIntValue(target[i]))
          continue;
        Value holds = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ule, dimValue(b, loc, dim),
            dimValue(b, loc, target[i]));
        checks.push_back({holds, where + "the target extent of axis " +
                                     std::to_string(i) +
                                     " is smaller than the input's"});
      }
    } else if (auto reshape = dyn_cast<mlir::vsla::ReshapeOp>(op)) {
      Value in = arith::ConstantIndexOp::create(b, loc, 1);
      Value out = arith::ConstantIndexOp::create(b, loc, 1);
      for (OpFoldResult dim :
           tensor::getMixedSizes(b, loc, reshape.getInput()))
        in = arith::MulIOp::create(b, loc, in, dimValue(b, loc, dim));
      for (OpFoldResult dim : reshape.getMixedShape())
        out = arith::MulIOp::create(b, loc, out, dimValue(b, loc, dim));
      checks.push_back({equal(b, loc, in, out),
                        where + "the element counts of the input and the "
                                "target shape differ"});
    } else if (auto concat = dyn_cast<mlir::vsla::ConcatOp>(op)) {
      int64_t axis = concat.getAxis();
      SmallVector<OpFoldResult> first =
          tensor::getMixedSizes(b, loc, concat.getInputs().front());
      for (Value input : concat.getInputs().drop_front())
        for (auto [i, dim] :
             llvm::enumerate(tensor::getMixedSizes(b, loc, input))) {
          if (static_cast<int64_t>(i) == axis ||
              isEqualConstantIntOrValue(dim, first[i]))
            continue;
          checks.push_back(
              {equal(b, loc, dimValue(b, loc, dim),
                     dimValue(b, loc, first[i])),
               where + "the inputs' extents differ on axis " +
                   std::to_string(i) + ", which is not the concat axis"});
        }
    } else if (auto slice = dyn_cast<mlir::vsla::SliceOp>(op)) {
      SmallVector<OpFoldResult> dims =
          tensor::getMixedSizes(b, loc, slice.getInput());
      SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
      SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
      SmallVector<OpFoldResult> strides = slice.getMixedStrides();
      for (size_t i = 0; i < dims.size(); ++i) {
        if (getConstantIntValue(dims[i]) && getConstantIntValue(offsets[i]) &&
            getConstantIntValue(sizes[i]) && getConstantIntValue(strides[i]))
          continue;
        // size == 0, or offset + (size - 1) * stride < extent.
        Value size = dimValue(b, loc, sizes[i]);
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        Value last = arith::AddIOp::create(
            b, loc, dimValue(b, loc, offsets[i]),
            arith::MulIOp::create(b, loc,
                                  arith::SubIOp::create(b, loc, size, one),
                                  dimValue(b, loc, strides[i])));
        Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                             last, dimValue(b, loc, dims[i]));
        Value holds =
            arith::OrIOp::create(b, loc, equal(b, loc, size, zero), inside);
        checks.push_back({holds, where + "the slice of axis " +
                                     std::to_string(i) +
                                     " reads past the input's extent"});
      }
    }
  });
  return checks;
}

/// The ambient binary ops whose operand shapes may differ at run time (not
/// provably equal): their lowering branches on the shapes.
SmallVector<Operation *> getShapeBranchingOps(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (!isa<mlir::vsla::AddOp, mlir::vsla::SubOp, mlir::vsla::MulOp,
             mlir::vsla::DivOp, mlir::vsla::MaximumOp, mlir::vsla::MinimumOp>(
            op) ||
        op->hasAttr(mlir::vsla::kEqualShapesAttrName))
      return;
    // Shapes that are dynamic somewhere and could be equal.
    auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
    auto rhs = cast<RankedTensorType>(op->getOperand(1).getType());
    if ((!lhs.hasStaticShape() || !rhs.hasStaticShape()) &&
        succeeded(verifyCompatibleShape(lhs, rhs)))
      ops.push_back(op);
  });
  return ops;
}

/// An i1 that holds when every op in `ops` sees operands of equal shapes.
Value buildEqualShapesFlag(OpBuilder &b, Location loc,
                           ArrayRef<Operation *> ops) {
  Value all = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (Operation *op : ops) {
    SmallVector<OpFoldResult> lhs =
        tensor::getMixedSizes(b, loc, op->getOperand(0));
    SmallVector<OpFoldResult> rhs =
        tensor::getMixedSizes(b, loc, op->getOperand(1));
    for (auto [l, r] : llvm::zip_equal(lhs, rhs))
      all = arith::AndIOp::create(
          b, loc, all,
          equal(b, loc, dimValue(b, loc, l), dimValue(b, loc, r)));
  }
  return all;
}

} // namespace

std::string getShapesEntryName(StringRef function) {
  return ("__vsla_shapes_" + function).str();
}

std::string getDestinationEntryName(StringRef function) {
  return ("__vsla_dps_" + function).str();
}

std::string getEqualShapesEntryName(StringRef function) {
  return ("__vsla_dps_equal_" + function).str();
}

std::unique_ptr<PassManager> createShapeFunctionPipeline(MLIRContext &context) {
  auto pm = std::make_unique<PassManager>(&context,
                                          func::FuncOp::getOperationName());
  pm->addPass(memref::createResolveRankedShapeTypeResultDimsPass());
  pm->addPass(createCanonicalizerPass());
  pm->addPass(createCSEPass());
  return pm;
}

FailureOr<bool>
addDestinationPassingEntryPoints(ModuleOp module, func::FuncOp func,
                                 PassManager &shapePipeline,
                                 std::vector<std::string> &checkMessages) {
  checkMessages.clear();
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

  // The shape function: every result dim, stored in order, then the
  // number of the first failed shape check (0 when all hold), then 1 when
  // every ambient op sees operands of equal shapes.
  bool specializes = !getShapeBranchingOps(func).empty();
  auto dimsType = MemRefType::get({dimCount + ShapeFunctionLayout::kSlots},
                                  IndexType::get(context));
  func::FuncOp shapes = cloneWithOutputs(
      module, func, getShapesEntryName(func.getSymName()), {dimsType},
      [&](OpBuilder &b, Location loc, ValueRange returned, ValueRange extra) {
        SmallVector<ShapeCheck> checks =
            buildShapeChecks(b, cast<func::FuncOp>(
                                    b.getInsertionBlock()->getParentOp()));
        Value failed = arith::ConstantIndexOp::create(b, loc, 0);
        for (int64_t k = checks.size() - 1; k >= 0; --k)
          failed = arith::SelectOp::create(
              b, loc, checks[k].holds, failed,
              arith::ConstantIndexOp::create(b, loc, k + 1));
        for (const ShapeCheck &check : checks)
          checkMessages.push_back(check.message);
        memref::StoreOp::create(
            b, loc, failed, extra[0],
            ValueRange{arith::ConstantIndexOp::create(
                b, loc, dimCount + ShapeFunctionLayout::kFailedCheck)});
        Value equalShapes = buildEqualShapesFlag(
            b, loc,
            getShapeBranchingOps(
                cast<func::FuncOp>(b.getInsertionBlock()->getParentOp())));
        memref::StoreOp::create(
            b, loc,
            arith::IndexCastUIOp::create(b, loc, b.getIndexType(), equalShapes),
            extra[0],
            ValueRange{arith::ConstantIndexOp::create(
                b, loc, dimCount + ShapeFunctionLayout::kEqualShapes)});
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
  // `restrict` lets empty-tensor elimination compute a result directly in
  // its output buffer. With several results that is unsound: elimination can
  // root two results' computations in one output buffer (they share a CSE'd
  // fill), bufferization then keeps one of them in that buffer, and the
  // other's copy into it clobbers the first before it is copied out. So only
  // single-result functions write in place; the others copy each result.
  auto materialize = [&](OpBuilder &b, Location loc, ValueRange returned,
                         ValueRange extra) {
    UnitAttr restrict = returned.size() == 1 ? b.getUnitAttr() : UnitAttr();
    for (auto [result, output] : llvm::zip_equal(returned, extra))
      bufferization::MaterializeInDestinationOp::create(
          b, loc, /*result=*/Type(), result, output, restrict,
          /*writable=*/b.getUnitAttr());
  };
  cloneWithOutputs(module, func, getDestinationEntryName(func.getSymName()),
                   outputTypes, materialize);
  // The same for calls where every ambient op's operands have equal shapes
  // (the shape function says so): no shape branches, so elementwise chains
  // fuse into single loops.
  if (specializes) {
    func::FuncOp equalShapes =
        cloneWithOutputs(module, func, getEqualShapesEntryName(func.getSymName()),
                         outputTypes, materialize);
    for (Operation *op : getShapeBranchingOps(equalShapes))
      op->setAttr(mlir::vsla::kEqualShapesAttrName, UnitAttr::get(context));
  }
  return true;
}

} // namespace vsla

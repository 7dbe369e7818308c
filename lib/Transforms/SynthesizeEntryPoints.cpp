//===- SynthesizeEntryPoints.cpp - the entry points the runtime calls -----===//
//
// For a public function @f whose result shapes follow from its arguments'
// shapes, two more functions:
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
// (vsla.shrink, vsla.map) keep the returned-buffer convention.
//
// Run-time shape checks (vsla.check_shape, made by
// vsla-materialize-shape-checks and by library code) are evaluated by the
// shape function and erased from the destination-passing functions; where
// there is no shape function they stay in place and run with the data.
//
// The module's vsla.exports attribute describes what was made: the
// runtime's export table is built from it.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
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

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLASYNTHESIZEENTRYPOINTS
#include "vsla/Transforms/Passes.h.inc"

std::string getShapesEntryName(StringRef function) {
  return ("__vsla_shapes_" + function).str();
}

std::string getDestinationEntryName(StringRef function) {
  return ("__vsla_dps_" + function).str();
}

std::string getEqualShapesEntryName(StringRef function) {
  return ("__vsla_dps_equal_" + function).str();
}
} // namespace mlir::vsla

using namespace mlir;
using mlir::vsla::ShapeFunctionSlots;
using mlir::vsla::getShapesEntryName;
using mlir::vsla::getDestinationEntryName;
using mlir::vsla::getEqualShapesEntryName;

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
  // The argument attributes (ragged marks) cover the new outputs too; the
  // results are gone with theirs.
  SmallVector<DictionaryAttr> argAttrs;
  copy.getAllArgAttrs(argAttrs);
  argAttrs.resize(inputs.size(), DictionaryAttr::get(module.getContext()));
  copy.setFunctionType(FunctionType::get(module.getContext(), inputs, {}));
  copy.setAllArgAttrs(argAttrs);
  copy.removeResAttrsAttr();
  copy->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  return copy;
}

/// True when a shape function reads only argument extents: every vsla and
/// linalg op reified away.
bool computesShapesOnly(func::FuncOp shapes) {
  WalkResult walk = shapes.walk([](Operation *op) {
    if (isa<vsla::VslaDialect, linalg::LinalgDialect>(op->getDialect()))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

Value dimValue(OpBuilder &b, Location loc, OpFoldResult dim) {
  return getValueOrCreateConstantIndexOp(b, loc, dim);
}

Value equal(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
}

int64_t getCheckId(Operation *op) {
  auto id = op->getAttrOfType<IntegerAttr>(vsla::kCheckIdAttrName);
  return id ? id.getInt() : 0;
}

/// Erases the run-time checks of `func` that `isDone` selects.
void eraseChecks(func::FuncOp func, function_ref<bool(Operation *)> isDone) {
  SmallVector<Operation *> done;
  func.walk([&](Operation *op) {
    if (isDone(op))
      done.push_back(op);
  });
  for (Operation *op : done)
    op->erase();
}

/// The ambient binary ops whose operand shapes may differ at run time (not
/// provably equal): their lowering branches on the shapes.
SmallVector<Operation *> getShapeBranchingOps(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (!isa<vsla::AddOp, vsla::SubOp, vsla::MulOp,
             vsla::DivOp, vsla::MaximumOp, vsla::MinimumOp>(
            op) ||
        op->hasAttr(vsla::kEqualShapesAttrName))
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

/// Adds the shape and destination-passing entry points of `func` when its
/// result shapes follow from its argument shapes, simplifying the shape
/// function with `simplify`; returns whether it added them.
FailureOr<bool>
addDestinationPassingEntryPoints(ModuleOp module, func::FuncOp func,
                                 function_ref<LogicalResult(func::FuncOp)> simplify) {
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
  // The results of a map over ragged batches are sized by the batches' shape
  // tables (data), and its body's checks run item by item.
  if (func.walk([](vsla::MapOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return false;

  // The shape function: every result dim, stored in order, then the
  // number of the first failed shape check (0 when all hold), then 1 when
  // every ambient op sees operands of equal shapes.
  bool specializes = !getShapeBranchingOps(func).empty();
  auto dimsType = MemRefType::get({dimCount + ShapeFunctionSlots::kCount},
                                  IndexType::get(context));
  func::FuncOp shapes = cloneWithOutputs(
      module, func, getShapesEntryName(func.getSymName()), {dimsType},
      [&](OpBuilder &b, Location loc, ValueRange returned, ValueRange extra) {
        // The id of the first failed check, in program order; 0 if none.
        auto shapes = cast<func::FuncOp>(b.getInsertionBlock()->getParentOp());
        SmallVector<vsla::CheckShapeOp> checks;
        shapes.walk([&](vsla::CheckShapeOp op) { checks.push_back(op); });
        Value failed = arith::ConstantIndexOp::create(b, loc, 0);
        for (vsla::CheckShapeOp check : llvm::reverse(checks))
          failed = arith::SelectOp::create(
              b, loc, check.getHolds(), failed,
              arith::ConstantIndexOp::create(b, loc, getCheckId(check)));
        // Checks of values run with the data, not here.
        eraseChecks(shapes, [](Operation *op) {
          return isa<vsla::CheckShapeOp, vsla::CheckZeroOp>(op);
        });
        memref::StoreOp::create(
            b, loc, failed, extra[0],
            ValueRange{arith::ConstantIndexOp::create(
                b, loc, dimCount + ShapeFunctionSlots::kFailedCheck)});
        Value equalShapes = buildEqualShapesFlag(
            b, loc,
            getShapeBranchingOps(
                cast<func::FuncOp>(b.getInsertionBlock()->getParentOp())));
        memref::StoreOp::create(
            b, loc,
            arith::IndexCastUIOp::create(b, loc, b.getIndexType(), equalShapes),
            extra[0],
            ValueRange{arith::ConstantIndexOp::create(
                b, loc, dimCount + ShapeFunctionSlots::kEqualShapes)});
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
  // It reads descriptors only and runs on the host, whatever the target.
  shapes->setAttr(vsla::kShapeFunctionAttrName, UnitAttr::get(context));
  if (failed(simplify(shapes)))
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
  // The shape function has checked the extents.
  auto isShapeCheck = [](Operation *op) {
    return isa<vsla::CheckShapeOp>(op);
  };
  eraseChecks(cloneWithOutputs(module, func,
                               getDestinationEntryName(func.getSymName()),
                               outputTypes, materialize),
              isShapeCheck);
  // The same for calls where every ambient op's operands have equal shapes
  // (the shape function says so): no shape branches, so elementwise chains
  // fuse into single loops.
  if (specializes) {
    func::FuncOp equalShapes =
        cloneWithOutputs(module, func, getEqualShapesEntryName(func.getSymName()),
                         outputTypes, materialize);
    eraseChecks(equalShapes, isShapeCheck);
    for (Operation *op : getShapeBranchingOps(equalShapes))
      op->setAttr(vsla::kEqualShapesAttrName, UnitAttr::get(context));
  }
  return true;
}


/// The (values, extents) index pairs marked with vsla.ragged_shapes among
/// `count` arguments or results of `func`, checked: the values are a rank-1
/// tensor, the extents a rank-2 tensor of i64.
FailureOr<SmallVector<int64_t>>
getRaggedPairs(func::FuncOp func, bool results) {
  SmallVector<int64_t> pairs;
  TypeRange types = results ? TypeRange(func.getResultTypes())
                            : TypeRange(func.getArgumentTypes());
  StringRef what = results ? "result" : "argument";
  for (unsigned i = 0; i < types.size(); ++i) {
    auto attr = results ? func.getResultAttrOfType<IntegerAttr>(
                              i, vsla::kRaggedShapesAttrName)
                        : func.getArgAttrOfType<IntegerAttr>(
                              i, vsla::kRaggedShapesAttrName);
    if (!attr)
      continue;
    int64_t shapes = attr.getInt();
    auto values = dyn_cast<RankedTensorType>(types[i]);
    auto table = shapes >= 0 && shapes < static_cast<int64_t>(types.size()) &&
                         shapes != i
                     ? dyn_cast<RankedTensorType>(types[shapes])
                     : RankedTensorType();
    if (!values || values.getRank() != 1 || !table || table.getRank() != 2 ||
        !table.getElementType().isInteger(64))
      return func.emitError() << what << " " << i << " of @"
                              << func.getSymName() << " is marked "
                              << vsla::kRaggedShapesAttrName << " = " << shapes
                              << ", which needs rank-1 packed values and an "
                                 "i64 [items, rank] extents "
                              << what << " at that index";
    pairs.append({static_cast<int64_t>(i), shapes});
  }
  return pairs;
}

struct SynthesizeEntryPointsPass
    : mlir::vsla::impl::VslaSynthesizeEntryPointsBase<
          SynthesizeEntryPointsPass> {
  SynthesizeEntryPointsPass() {
    // Reduces a shape function to extent arithmetic.
    shapePipeline.addPass(memref::createResolveRankedShapeTypeResultDimsPass());
    shapePipeline.addPass(createCanonicalizerPass());
    shapePipeline.addPass(createCSEPass());
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    VslaSynthesizeEntryPointsBase::getDependentDialects(registry);
    shapePipeline.getDependentDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder builder(module.getContext());
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isPrivate() && !func.isExternal())
        functions.push_back(func);
    auto simplify = [&](func::FuncOp shapes) {
      return runPipeline(shapePipeline, shapes);
    };
    SmallVector<Attribute> exports;
    for (func::FuncOp func : functions) {
      std::string name = func.getSymName().str();
      SmallVector<NamedAttribute> entry = {
          builder.getNamedAttr("name", builder.getStringAttr(name)),
          builder.getNamedAttr("function_type",
                               TypeAttr::get(func.getFunctionType()))};
      for (bool results : {false, true}) {
        FailureOr<SmallVector<int64_t>> pairs = getRaggedPairs(func, results);
        if (failed(pairs))
          return signalPassFailure();
        if (!pairs->empty())
          entry.push_back(builder.getNamedAttr(
              results ? "ragged_results" : "ragged_arguments",
              builder.getDenseI64ArrayAttr(*pairs)));
      }
      FailureOr<bool> added =
          addDestinationPassingEntryPoints(module, func, simplify);
      if (failed(added)) {
        func.emitError("cannot derive the shape function of @") << name;
        return signalPassFailure();
      }
      entry.push_back(builder.getNamedAttr("destination_passing",
                                           builder.getBoolAttr(*added)));
      if (*added) {
        entry.push_back(builder.getNamedAttr(
            "shapes", builder.getStringAttr(getShapesEntryName(name))));
        entry.push_back(builder.getNamedAttr(
            "destination",
            builder.getStringAttr(getDestinationEntryName(name))));
        if (module.lookupSymbol(getEqualShapesEntryName(name)))
          entry.push_back(builder.getNamedAttr(
              "equal_shapes",
              builder.getStringAttr(getEqualShapesEntryName(name))));
        // Callers use the entry points: the original need not be compiled
        // unless another function calls it.
        if (SymbolTable::symbolKnownUseEmpty(func, module))
          func.erase();
      } else {
        entry.push_back(
            builder.getNamedAttr("call", builder.getStringAttr(name)));
        func->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
      }
      exports.push_back(builder.getDictionaryAttr(entry));
    }
    module->setAttr(vsla::kExportsAttrName, builder.getArrayAttr(exports));
  }

  OpPassManager shapePipeline{func::FuncOp::getOperationName()};
};

} // namespace

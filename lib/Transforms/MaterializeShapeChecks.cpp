//===- MaterializeShapeChecks.cpp - preconditions as vsla.check_shape -----===//
//
// Every precondition of a vsla op on extents that the verifier could not
// check (the extents are dynamic) becomes a vsla.check_shape in front of the
// op. The driver evaluates them in the compiled shape function, before any
// data is read; see docs/python.md for what the user sees.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAMATERIALIZESHAPECHECKS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

namespace {

/// Builds the checks of one op, in front of it.
class CheckBuilder {
public:
  explicit CheckBuilder(Operation *op)
      : b(op), loc(op->getLoc()),
        prefix(op->getName().getStringRef().str() + ": ") {}

  Value dim(OpFoldResult extent) {
    return getValueOrCreateConstantIndexOp(b, loc, extent);
  }
  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value compare(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }

  void check(Value holds, const std::string &message) {
    CheckShapeOp::create(b, loc, holds, b.getStringAttr(prefix + message));
  }
  /// A dynamic extent the op takes as an operand is not negative.
  void checkNonNegative(OpFoldResult extent, const std::string &what) {
    if (getConstantIntValue(extent))
      return; // static: the verifier saw it
    check(compare(arith::CmpIPredicate::sge, dim(extent), constant(0)),
          what + " is negative");
  }
  SmallVector<OpFoldResult> sizes(Value tensor) {
    return tensor::getMixedSizes(b, loc, tensor);
  }

  OpBuilder b;
  Location loc;
  std::string prefix;
};

std::string axisText(size_t axis) { return "axis " + std::to_string(axis); }

/// Operands promised equal in shape (lowered as one loop over the left
/// operand's extents, so a broken promise would read out of bounds).
void checkEqualShapes(Operation *op) {
  CheckBuilder c(op);
  SmallVector<OpFoldResult> lhs = c.sizes(op->getOperand(0));
  SmallVector<OpFoldResult> rhs = c.sizes(op->getOperand(1));
  if (lhs.size() != rhs.size())
    return; // the verifier rejects it
  for (auto [i, pair] : llvm::enumerate(llvm::zip_equal(lhs, rhs))) {
    auto [l, r] = pair;
    if (isEqualConstantIntOrValue(l, r))
      continue;
    c.check(c.compare(arith::CmpIPredicate::eq, c.dim(l), c.dim(r)),
            "the operands were promised equal shapes but differ on " +
                axisText(i) +
                " (a library layer, loss, optimizer or gradient got inputs "
                "of mismatched extents)");
  }
}

void checkBroadcast(BroadcastToOp op) {
  CheckBuilder c(op);
  auto type = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<OpFoldResult> target = op.getMixedShape();
  for (auto [i, extent] : llvm::enumerate(target))
    c.checkNonNegative(extent, "the target extent of " + axisText(i));
  int64_t lead = target.size() - type.getRank();
  SmallVector<OpFoldResult> input = c.sizes(op.getInput());
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (getConstantIntValue(input[i]) && getConstantIntValue(target[lead + i]))
      continue;
    Value extent = c.dim(input[i]);
    c.check(c.either(c.compare(arith::CmpIPredicate::eq, extent, c.constant(1)),
                     c.compare(arith::CmpIPredicate::eq, extent,
                               c.dim(target[lead + i]))),
            "input " + axisText(i) +
                " has an extent that is neither 1 nor the target extent");
  }
}

void checkPromote(PromoteOp op) {
  CheckBuilder c(op);
  SmallVector<OpFoldResult> target = op.getMixedShape();
  for (auto [i, extent] : llvm::enumerate(target))
    c.checkNonNegative(extent, "the target extent of " + axisText(i));
  for (auto [i, extent] : llvm::enumerate(c.sizes(op.getInput()))) {
    if (getConstantIntValue(extent) && getConstantIntValue(target[i]))
      continue;
    c.check(c.compare(arith::CmpIPredicate::sle, c.dim(extent),
                      c.dim(target[i])),
            "the target extent of " + axisText(i) +
                " is smaller than the input's (promote only zero-extends)");
  }
}

void checkReshape(ReshapeOp op) {
  CheckBuilder c(op);
  SmallVector<OpFoldResult> target = op.getMixedShape();
  for (auto [i, extent] : llvm::enumerate(target))
    c.checkNonNegative(extent, "the target extent of " + axisText(i));
  auto type = cast<RankedTensorType>(op.getInput().getType());
  auto result = cast<RankedTensorType>(op.getType());
  if (type.hasStaticShape() && result.hasStaticShape())
    return;
  Value in = c.constant(1), out = c.constant(1);
  for (OpFoldResult extent : c.sizes(op.getInput()))
    in = arith::MulIOp::create(c.b, c.loc, in, c.dim(extent));
  for (OpFoldResult extent : target)
    out = arith::MulIOp::create(c.b, c.loc, out, c.dim(extent));
  c.check(c.compare(arith::CmpIPredicate::eq, in, out),
          "the element counts of the input and the target shape differ");
}

void checkConcat(ConcatOp op) {
  CheckBuilder c(op);
  int64_t axis = op.getAxis();
  SmallVector<OpFoldResult> first = c.sizes(op.getInputs().front());
  for (Value input : op.getInputs().drop_front())
    for (auto [i, extent] : llvm::enumerate(c.sizes(input))) {
      if (static_cast<int64_t>(i) == axis ||
          isEqualConstantIntOrValue(extent, first[i]))
        continue;
      c.check(c.compare(arith::CmpIPredicate::eq, c.dim(extent),
                        c.dim(first[i])),
              "the inputs' extents differ on " + axisText(i) +
                  ", which is not the concat axis");
    }
}

void checkSlice(SliceOp op) {
  CheckBuilder c(op);
  SmallVector<OpFoldResult> dims = c.sizes(op.getInput());
  SmallVector<OpFoldResult> offsets = op.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = op.getMixedSizes();
  SmallVector<OpFoldResult> strides = op.getMixedStrides();
  for (size_t i = 0; i < dims.size(); ++i) {
    if (getConstantIntValue(dims[i]) && getConstantIntValue(offsets[i]) &&
        getConstantIntValue(sizes[i]) && getConstantIntValue(strides[i]))
      continue;
    c.checkNonNegative(offsets[i], "the offset on " + axisText(i));
    c.checkNonNegative(sizes[i], "the size on " + axisText(i));
    // size == 0, or 0 <= offset + (size - 1) * stride < extent.
    Value size = c.dim(sizes[i]);
    Value last = arith::AddIOp::create(
        c.b, c.loc, c.dim(offsets[i]),
        arith::MulIOp::create(
            c.b, c.loc, arith::SubIOp::create(c.b, c.loc, size, c.constant(1)),
            c.dim(strides[i])));
    Value inside = c.compare(arith::CmpIPredicate::ult, last, c.dim(dims[i]));
    c.check(c.either(c.compare(arith::CmpIPredicate::eq, size, c.constant(0)),
                     inside),
            "the slice of " + axisText(i) + " reads past the input's extent");
  }
}

void checkFold(FoldOp op) {
  CheckBuilder c(op);
  SmallVector<OpFoldResult> dims = c.sizes(op.getInput());
  int64_t taps = op.getTaps();
  OpFoldResult rows = dims[dims.size() - 2], length = dims.back();
  if (!getConstantIntValue(rows))
    c.check(c.compare(arith::CmpIPredicate::eq,
                      arith::RemUIOp::create(c.b, c.loc, c.dim(rows),
                                             c.constant(taps)),
                      c.constant(0)),
            "the rows are not a multiple of taps = " + std::to_string(taps));
  if (!getConstantIntValue(length))
    c.check(c.compare(arith::CmpIPredicate::sge, c.dim(length),
                      c.constant(taps - 1)),
            "the length is shorter than taps - 1 = " +
                std::to_string(taps - 1));
}

struct VslaMaterializeShapeChecksPass
    : vsla::impl::VslaMaterializeShapeChecksBase<
          VslaMaterializeShapeChecksPass> {
  void runOnOperation() override {
    getOperation().walk([](Operation *op) {
      if (op->hasAttr(kEqualShapesAttrName) && op->getNumOperands() == 2)
        checkEqualShapes(op);
      if (auto broadcast = dyn_cast<BroadcastToOp>(op))
        checkBroadcast(broadcast);
      else if (auto promote = dyn_cast<PromoteOp>(op))
        checkPromote(promote);
      else if (auto reshape = dyn_cast<ReshapeOp>(op))
        checkReshape(reshape);
      else if (auto concat = dyn_cast<ConcatOp>(op))
        checkConcat(concat);
      else if (auto slice = dyn_cast<SliceOp>(op))
        checkSlice(slice);
      else if (auto fold = dyn_cast<FoldOp>(op))
        checkFold(fold);
      else if (auto iota = dyn_cast<IotaOp>(op)) {
        CheckBuilder c(op);
        c.checkNonNegative(iota.getLength(), "the length");
      }
    });
  }
};

} // namespace

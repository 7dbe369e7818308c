//===- VslaOps.cpp - type inference, reification and verifiers ------------===//
//
// Ops of a family (binary, scalar, unary, reduction, softmax) get their
// inference from the shared functions in ShapeInference.cpp through their
// ODS base class; the ops below have rules of their own.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaOps.h"
#include "vsla/Dialect/ShapeInference.h"
#include "vsla/Dialect/ShapeRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::vsla;

/// Checks that a mixed static/dynamic list has one index operand per
/// dynamic entry (the generic form can break this).
static LogicalResult checkMixedList(StringRef opName,
                                    std::optional<Location> loc,
                                    StringRef what, DenseI64ArrayAttr statics,
                                    ValueRange dynamics) {
  if (!statics)
    return emitInferError(opName, loc, Twine("requires the '") + what +
                                        "' attribute");
  auto count = llvm::count(statics.asArrayRef(), ShapedType::kDynamic);
  if (static_cast<size_t>(count) == dynamics.size())
    return success();
  return emitInferError(opName, loc,
                     Twine(what) + " has " + Twine(count) +
                         " dynamic entries but " + Twine(dynamics.size()) +
                         " index operands; give one operand per '?'");
}

using TargetShapeRule = std::optional<shape::Shape> (*)(ArrayRef<int64_t>,
                                                        ArrayRef<int64_t>,
                                                        std::string &);

template <typename Adaptor>
static LogicalResult inferTargetShapeType(StringRef opName,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          TargetShapeRule rule,
                                          SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(opName, loc, adaptor.getInput(), "input");
  if (failed(type) ||
      failed(checkMixedList(opName, loc, "static_shape",
                            adaptor.getStaticShapeAttr(), adaptor.getShape())))
    return failure();
  std::string error;
  auto shape =
      rule(type->getShape(), adaptor.getStaticShapeAttr().asArrayRef(), error);
  return pushShape(opName, loc, shape, error, type->getElementType(), types);
}

/// The ranked tensor types of `values`, or a diagnostic.
static FailureOr<SmallVector<shape::Shape>>
getInputShapes(StringRef opName, std::optional<Location> loc, ValueRange values,
               Type &elementType) {
  SmallVector<shape::Shape> shapes;
  for (auto [i, value] : llvm::enumerate(values)) {
    FailureOr<RankedTensorType> type = getRankedTensorOperand(
        opName, loc, value, ("input " + Twine(i)).str());
    if (failed(type))
      return failure();
    if (i == 0) {
      elementType = type->getElementType();
    } else if (type->getElementType() != elementType) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "input " << i << " has element type " << type->getElementType()
         << " but input 0 has " << elementType
         << "; insert vsla.cast to convert";
      return emitInferError(opName, loc, text);
    }
    shapes.emplace_back(type->getShape());
  }
  return shapes;
}

//===----------------------------------------------------------------------===//
// broadcast_to, promote, reshape
//===----------------------------------------------------------------------===//

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  return inferTargetShapeType(getOperationName(), loc, adaptor,
                              shape::broadcastShape, types);
}

LogicalResult PromoteOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferTargetShapeType(getOperationName(), loc, adaptor,
                              shape::promoteShape, types);
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferTargetShapeType(getOperationName(), loc, adaptor,
                              shape::reshapeShape, types);
}

//===----------------------------------------------------------------------===//
// conv, kron, matmul
//===----------------------------------------------------------------------===//

/// Both operands as ranked tensors of one element type.
template <typename Adaptor>
static LogicalResult getBinaryOperands(StringRef opName,
                                       std::optional<Location> loc,
                                       Adaptor adaptor, RankedTensorType &lhs,
                                       RankedTensorType &rhs) {
  Type elementType;
  FailureOr<SmallVector<shape::Shape>> shapes = getInputShapes(
      opName, loc, {adaptor.getLhs(), adaptor.getRhs()}, elementType);
  if (failed(shapes))
    return failure();
  lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType lhs, rhs;
  if (failed(getBinaryOperands(getOperationName(), loc, adaptor, lhs, rhs)))
    return failure();
  ConvMode mode = adaptor.getModeAttr() ? adaptor.getMode() : ConvMode::full;
  std::string error;
  auto shape = shape::convShape(lhs.getShape(), rhs.getShape(), mode, error);
  return pushShape(getOperationName(), loc, shape, error,
                   lhs.getElementType(), types);
}

LogicalResult ConvOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> lhs = tensor::getMixedSizes(b, getLoc(), getLhs());
  SmallVector<OpFoldResult> rhs = tensor::getMixedSizes(b, getLoc(), getRhs());
  SmallVector<OpFoldResult> dims;
  for (size_t i = 0; i + 1 < lhs.size(); ++i)
    dims.push_back(buildAmbientExtent(b, getLoc(), lhs[i], rhs[i]));
  dims.push_back(
      buildConvExtent(b, getLoc(), lhs.back(), rhs.back(), getMode()));
  shapes.push_back(std::move(dims));
  return success();
}

LogicalResult KronOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType lhs, rhs;
  if (failed(getBinaryOperands(getOperationName(), loc, adaptor, lhs, rhs)))
    return failure();
  std::string error;
  auto shape = shape::kronShape(lhs.getShape(), rhs.getShape(), error);
  return pushShape(getOperationName(), loc, shape, error,
                   lhs.getElementType(), types);
}

LogicalResult KronOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> lhs = tensor::getMixedSizes(b, getLoc(), getLhs());
  SmallVector<OpFoldResult> rhs = tensor::getMixedSizes(b, getLoc(), getRhs());
  SmallVector<OpFoldResult> dims;
  for (auto [l, r] : llvm::zip_equal(lhs, rhs))
    dims.push_back(buildKronExtent(b, getLoc(), l, r));
  shapes.push_back(std::move(dims));
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType lhs, rhs;
  if (failed(getBinaryOperands(getOperationName(), loc, adaptor, lhs, rhs)))
    return failure();
  std::string error;
  auto shape = shape::matmulShape(lhs.getShape(), rhs.getShape(), error);
  return pushShape(getOperationName(), loc, shape, error,
                   lhs.getElementType(), types);
}

LogicalResult MatmulOp::reifyResultShapes(OpBuilder &b,
                                          ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> lhs = tensor::getMixedSizes(b, getLoc(), getLhs());
  SmallVector<OpFoldResult> rhs = tensor::getMixedSizes(b, getLoc(), getRhs());
  size_t rank = lhs.size();
  SmallVector<OpFoldResult> dims;
  for (size_t i = 0; i + 2 < rank; ++i)
    dims.push_back(buildAmbientExtent(b, getLoc(), lhs[i], rhs[i]));
  dims.push_back(lhs[rank - 2]);
  dims.push_back(rhs[rank - 1]);
  shapes.push_back(std::move(dims));
  return success();
}

//===----------------------------------------------------------------------===//
// transpose, slice, concat, stack
//===----------------------------------------------------------------------===//

/// The type of a layout op whose shape rule takes the input's shape and one
/// i64 array attribute (`perm`, `axes`), which must be present.
template <typename Rule>
static LogicalResult
inferWithArrayAttr(StringRef opName, std::optional<Location> loc, Value input,
                   DenseI64ArrayAttr attr, StringRef attrName, Rule rule,
                   SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(opName, loc, input, "input");
  if (failed(type))
    return failure();
  if (!attr)
    return emitInferError(opName, loc,
                          "requires the '" + attrName.str() + "' attribute");
  std::string error;
  auto shape = rule(type->getShape(), attr.asArrayRef(), error);
  return pushShape(opName, loc, shape, error, type->getElementType(), types);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferWithArrayAttr(getOperationName(), loc, adaptor.getInput(),
                            adaptor.getPermAttr(), "perm",
                            shape::transposeShape, types);
}

LogicalResult IotaOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back({getLength()});
  return success();
}

LogicalResult ReverseOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferWithArrayAttr(getOperationName(), loc, adaptor.getInput(),
                            adaptor.getAxesAttr(), "axes", shape::reverseShape,
                            types);
}

LogicalResult ReverseOp::reifyResultShapes(OpBuilder &b,
                                           ReifiedRankedShapedTypeDims &shapes) {
  return reifySameShape(b, getLoc(), getInput(), shapes);
}

LogicalResult
TransposeOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> input =
      tensor::getMixedSizes(b, getLoc(), getInput());
  SmallVector<OpFoldResult> dims;
  for (int64_t axis : getPerm())
    dims.push_back(input[axis]);
  shapes.push_back(std::move(dims));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(name, loc, adaptor.getInput(), "input");
  if (failed(type) ||
      failed(checkMixedList(name, loc, "static_offsets",
                            adaptor.getStaticOffsetsAttr(),
                            adaptor.getOffsets())) ||
      failed(checkMixedList(name, loc, "static_sizes",
                            adaptor.getStaticSizesAttr(), adaptor.getSizes())) ||
      failed(checkMixedList(name, loc, "static_strides",
                            adaptor.getStaticStridesAttr(),
                            adaptor.getStrides())))
    return failure();
  std::string error;
  auto shape = shape::sliceShape(type->getShape(), adaptor.getStaticOffsets(),
                                 adaptor.getStaticSizes(),
                                 adaptor.getStaticStrides(), error);
  return pushShape(name, loc, shape, error, type->getElementType(), types);
}

LogicalResult SliceOp::reifyResultShapes(OpBuilder &,
                                         ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(getMixedSizes());
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  Type elementType;
  FailureOr<SmallVector<shape::Shape>> shapes = getInputShapes(
      getOperationName(), loc, adaptor.getInputs(), elementType);
  if (failed(shapes))
    return failure();
  if (!adaptor.getAxisAttr())
    return emitInferError(getOperationName(), loc,
                       "requires the 'axis' attribute");
  std::string error;
  auto shape = shape::concatShape(*shapes, adaptor.getAxis(), error);
  return pushShape(getOperationName(), loc, shape, error, elementType, types);
}

LogicalResult ConcatOp::reifyResultShapes(OpBuilder &b,
                                          ReifiedRankedShapedTypeDims &shapes) {
  auto resultType = cast<RankedTensorType>(getType());
  int64_t axis = getAxis();
  SmallVector<OpFoldResult> dims =
      tensor::getMixedSizes(b, getLoc(), getInputs().front());
  for (Value input : getInputs().drop_front()) {
    SmallVector<OpFoldResult> more = tensor::getMixedSizes(b, getLoc(), input);
    dims[axis] = arith::AddIOp::create(
                     b, getLoc(),
                     getValueOrCreateConstantIndexOp(b, getLoc(), dims[axis]),
                     getValueOrCreateConstantIndexOp(b, getLoc(), more[axis]))
                     .getResult();
  }
  // Off the concat axis every input has the same extent; use the static one
  // where the result type knows it.
  for (auto [i, extent] : llvm::enumerate(resultType.getShape()))
    if (!ShapedType::isDynamic(extent))
      dims[i] = b.getIndexAttr(extent);
  shapes.push_back(std::move(dims));
  return success();
}

LogicalResult StackOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  Type elementType;
  FailureOr<SmallVector<shape::Shape>> shapes = getInputShapes(
      getOperationName(), loc, adaptor.getInputs(), elementType);
  if (failed(shapes))
    return failure();
  std::string error;
  auto shape = shape::stackShape(*shapes, error);
  return pushShape(getOperationName(), loc, shape, error, elementType, types);
}

LogicalResult StackOp::reifyResultShapes(OpBuilder &b,
                                         ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> ambient =
      tensor::getMixedSizes(b, getLoc(), getInputs().front());
  for (Value input : getInputs().drop_front()) {
    SmallVector<OpFoldResult> dims = tensor::getMixedSizes(b, getLoc(), input);
    for (auto [acc, dim] : llvm::zip_equal(ambient, dims))
      acc = buildAmbientExtent(b, getLoc(), acc, dim);
  }
  SmallVector<OpFoldResult> dims{
      b.getIndexAttr(static_cast<int64_t>(getInputs().size()))};
  dims.append(ambient.begin(), ambient.end());
  shapes.push_back(std::move(dims));
  return success();
}

//===----------------------------------------------------------------------===//
// window_stack, pyramid_stack
//===----------------------------------------------------------------------===//

/// The shapes one level of window stacking makes of `shapes`.
static std::optional<SmallVector<shape::Shape>>
windowShapes(ArrayRef<shape::Shape> shapes, int64_t window, bool keepPartial,
             std::string &error) {
  SmallVector<shape::Shape> stacks;
  int64_t count = shape::windowCount(shapes.size(), window, keepPartial);
  for (int64_t w = 0; w < count; ++w) {
    size_t begin = w * window;
    size_t size = std::min<size_t>(window, shapes.size() - begin);
    auto stacked = shape::stackShape(shapes.slice(begin, size), error);
    if (!stacked)
      return std::nullopt;
    stacks.push_back(std::move(*stacked));
  }
  return stacks;
}

static LogicalResult checkWindow(StringRef opName, std::optional<Location> loc,
                                 IntegerAttr window) {
  if (!window)
    return emitInferError(opName, loc, "requires the 'window' attribute");
  if (window.getInt() < 1)
    return emitInferError(opName, loc,
                       "window " + Twine(window.getInt()) +
                           " is not positive; a window holds >= 1 tensors");
  return success();
}

LogicalResult WindowStackOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  Type elementType;
  FailureOr<SmallVector<shape::Shape>> shapes = getInputShapes(
      getOperationName(), loc, adaptor.getInputs(), elementType);
  if (failed(shapes) ||
      failed(checkWindow(getOperationName(), loc, adaptor.getWindowAttr())))
    return failure();
  std::string error;
  auto stacks = windowShapes(*shapes, adaptor.getWindow(),
                             adaptor.getKeepPartial(), error);
  if (!stacks)
    return emitInferError(getOperationName(), loc, error);
  for (const shape::Shape &stack : *stacks)
    types.push_back(RankedTensorType::get(stack, elementType));
  return success();
}

LogicalResult PyramidStackOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  Type elementType;
  FailureOr<SmallVector<shape::Shape>> shapes =
      getInputShapes(name, loc, adaptor.getInputs(), elementType);
  if (failed(shapes) ||
      failed(checkWindow(name, loc, adaptor.getWindowAttr())))
    return failure();
  if (!adaptor.getLevelsAttr() || adaptor.getLevels() < 1 ||
      adaptor.getLevels() > 16)
    return emitInferError(name, loc,
                       "levels must be in [1, 16]; a pyramid has at least "
                       "one level");
  SmallVector<shape::Shape> level = std::move(*shapes);
  for (uint64_t l = 0; l < adaptor.getLevels(); ++l) {
    std::string error;
    auto next = windowShapes(level, adaptor.getWindow(),
                             adaptor.getKeepPartial(), error);
    if (!next)
      return emitInferError(name, loc, error);
    level = std::move(*next);
  }
  for (const shape::Shape &stack : level)
    types.push_back(RankedTensorType::get(stack, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// shrink, constant, cast
//===----------------------------------------------------------------------===//

LogicalResult ShrinkOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type = getRankedTensorOperand(
      getOperationName(), loc, adaptor.getInput(), "input");
  if (failed(type))
    return failure();
  SmallVector<int64_t> dynamic(type->getRank(), ShapedType::kDynamic);
  types.push_back(RankedTensorType::get(dynamic, type->getElementType()));
  return success();
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getValueAttr());
  if (!value || !isa<RankedTensorType>(value.getType()))
    return emitInferError(getOperationName(), loc,
                       "requires a 'value' of ranked tensor type, e.g. "
                       "dense<[1.0, 2.0]> : tensor<2xf32>");
  types.push_back(value.getType());
  return success();
}

LogicalResult CastOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getType());
  if (input.getShape() == result.getShape())
    return success();
  return emitOpError("changes the shape from ")
         << shape::formatShape(input.getShape()) << " to "
         << shape::formatShape(result.getShape())
         << "; vsla.cast changes the element type only (use vsla.reshape or "
            "vsla.promote to change the shape)";
}

LogicalResult CastOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &shapes) {
  return reifySameShape(b, getLoc(), getInput(), shapes);
}

//===----------------------------------------------------------------------===//
// check_shape, check_zero
//===----------------------------------------------------------------------===//

LogicalResult CheckShapeOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location>, Adaptor,
                                             SmallVectorImpl<Type> &) {
  return success();
}

LogicalResult CheckZeroOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>, Adaptor,
                                            SmallVectorImpl<Type> &) {
  return success();
}

#define GET_OP_CLASSES
Value mlir::vsla::castIfNeeded(OpBuilder &builder, Location loc, Value value,
                              Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(builder, loc, type, value);
}

#include "vsla/Dialect/VslaOps.cpp.inc"

//===----------------------------------------------------------------------===//
// unfold and fold: [..., C, L] <-> [..., k * C, L + k - 1]
//===----------------------------------------------------------------------===//

namespace {

/// The result type of unfold (`folding` false) or fold of `input`.
LogicalResult inferTapsType(StringRef name, std::optional<Location> loc,
                            Value input, int64_t taps, bool folding,
                            SmallVectorImpl<Type> &types) {
  auto type = dyn_cast<RankedTensorType>(input.getType());
  auto fail = [&](const Twine &message) {
    return emitOptionalError(loc, "'", name, "' op ", message);
  };
  if (!type || type.getRank() < 2)
    return fail("takes a tensor of rank at least 2 ([..., channels, length]), got " +
                Twine(type ? std::to_string(type.getRank()) : "unranked"));
  if (taps < 1)
    return fail("taps must be at least 1, got " + Twine(taps));
  SmallVector<int64_t> shape(type.getShape());
  int64_t &rows = shape[shape.size() - 2];
  int64_t &length = shape.back();
  if (!folding) {
    if (!ShapedType::isDynamic(rows))
      rows *= taps;
    if (!ShapedType::isDynamic(length))
      length += taps - 1;
  } else {
    if (!ShapedType::isDynamic(rows)) {
      if (rows % taps != 0)
        return fail("has " + Twine(rows) + " rows, not a multiple of taps = " +
                    Twine(taps));
      rows /= taps;
    }
    if (!ShapedType::isDynamic(length)) {
      if (length < taps - 1)
        return fail("has length " + Twine(length) + ", shorter than taps - 1 = " +
                    Twine(taps - 1));
      length -= taps - 1;
    }
  }
  types.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult reifyTapsShape(OpBuilder &b, Location loc, Value input,
                             int64_t taps, bool folding,
                             ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> dims = tensor::getMixedSizes(b, loc, input);
  OpFoldResult &rows = dims[dims.size() - 2];
  OpFoldResult &length = dims.back();
  // Folded when static; arith on index values otherwise.
  auto combine = [&](OpFoldResult v, int64_t c,
                     function_ref<int64_t(int64_t, int64_t)> fold,
                     function_ref<Value(Value, Value)> build) -> OpFoldResult {
    if (std::optional<int64_t> known = getConstantIntValue(v))
      return b.getIndexAttr(fold(*known, c));
    return build(cast<Value>(v), arith::ConstantIndexOp::create(b, loc, c));
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, loc, x, y);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto div = [&](Value x, Value y) -> Value {
    return arith::DivUIOp::create(b, loc, x, y);
  };
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubIOp::create(b, loc, x, y);
  };
  if (!folding) {
    rows = combine(rows, taps, [](int64_t x, int64_t c) { return x * c; }, mul);
    length = combine(length, taps - 1,
                     [](int64_t x, int64_t c) { return x + c; }, add);
  } else {
    rows = combine(rows, taps, [](int64_t x, int64_t c) { return x / c; }, div);
    length = combine(length, taps - 1,
                     [](int64_t x, int64_t c) { return x - c; }, sub);
  }
  shapes.push_back(std::move(dims));
  return success();
}

} // namespace

LogicalResult UnfoldOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return inferTapsType(getOperationName(), loc, adaptor.getInput(),
                       adaptor.getTaps(), /*folding=*/false, types);
}

LogicalResult UnfoldOp::reifyResultShapes(OpBuilder &b,
                                          ReifiedRankedShapedTypeDims &shapes) {
  return reifyTapsShape(b, getLoc(), getInput(), getTaps(), false, shapes);
}

LogicalResult FoldOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferTapsType(getOperationName(), loc, adaptor.getInput(),
                       adaptor.getTaps(), /*folding=*/true, types);
}

LogicalResult FoldOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &shapes) {
  return reifyTapsShape(b, getLoc(), getInput(), getTaps(), true, shapes);
}

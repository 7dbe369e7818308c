//===- ShapeInference.cpp - result types and dims of vsla ops -------------===//

#include "vsla/Dialect/ShapeInference.h"
#include "vsla/Dialect/ShapeRules.h"
#include "vsla/Dialect/VslaEnums.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::vsla {

LogicalResult emitInferError(StringRef opName, std::optional<Location> loc,
                             const Twine &message) {
  return emitOptionalError(loc, "'", opName, "' op ", message);
}

bool isStaticallyEmpty(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && llvm::is_contained(type.getShape(), 0);
}

FailureOr<RankedTensorType> getRankedTensorOperand(StringRef opName,
                                                   std::optional<Location> loc,
                                                   Value value,
                                                   StringRef name) {
  if (!value)
    return emitInferError(opName, loc, Twine("is missing operand '") + name + "'");
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << value.getType();
    return emitInferError(opName, loc,
                       Twine("operand '") + name +
                           "' must be a ranked tensor, got " + text);
  }
  return type;
}

static LogicalResult sameElementType(StringRef opName,
                                     std::optional<Location> loc,
                                     RankedTensorType lhs,
                                     RankedTensorType rhs) {
  if (lhs.getElementType() == rhs.getElementType())
    return success();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "operand element types differ (" << lhs.getElementType() << " vs "
     << rhs.getElementType() << "); insert vsla.cast to convert one of them";
  return emitInferError(opName, loc, text);
}

LogicalResult pushShape(StringRef opName, std::optional<Location> loc,
                        const std::optional<shape::Shape> &shape,
                        const std::string &error, Type elementType,
                        SmallVectorImpl<Type> &types) {
  if (!shape)
    return emitInferError(opName, loc, error);
  types.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

LogicalResult inferAmbientBinaryType(StringRef opName,
                                     std::optional<Location> loc, Value lhs,
                                     Value rhs, SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> lhsType =
      getRankedTensorOperand(opName, loc, lhs, "lhs");
  FailureOr<RankedTensorType> rhsType =
      getRankedTensorOperand(opName, loc, rhs, "rhs");
  if (failed(lhsType) || failed(rhsType) ||
      failed(sameElementType(opName, loc, *lhsType, *rhsType)))
    return failure();
  std::string error;
  auto shape =
      shape::ambientShape(lhsType->getShape(), rhsType->getShape(), error);
  return pushShape(opName, loc, shape, error, lhsType->getElementType(),
                   types);
}

LogicalResult inferScalarOpType(StringRef opName, std::optional<Location> loc,
                                Value input, Value scalar,
                                SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(opName, loc, input, "input");
  if (failed(type))
    return failure();
  if (!scalar)
    return emitInferError(opName, loc, "is missing operand 'scalar'");
  if (scalar.getType() != type->getElementType()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "scalar type " << scalar.getType()
       << " differs from the tensor's element type " << type->getElementType()
       << "; convert the scalar (arith casts) or the tensor (vsla.cast)";
    return emitInferError(opName, loc, text);
  }
  types.push_back(*type);
  return success();
}

LogicalResult inferSameType(StringRef opName, std::optional<Location> loc,
                            Value input, SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(opName, loc, input, "input");
  if (failed(type))
    return failure();
  types.push_back(*type);
  return success();
}

LogicalResult inferReductionType(StringRef opName, std::optional<Location> loc,
                                 Value input, DenseI64ArrayAttr axes,
                                 bool keepdims, SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(opName, loc, input, "input");
  if (failed(type))
    return failure();
  if (!axes)
    return emitInferError(opName, loc, "requires the 'axes' attribute");
  std::string error;
  auto shape = shape::reductionShape(type->getShape(), axes.asArrayRef(),
                                     keepdims, error);
  return pushShape(opName, loc, shape, error, type->getElementType(), types);
}

LogicalResult inferSoftmaxType(StringRef opName, std::optional<Location> loc,
                               Value input, IntegerAttr axis,
                               SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> type =
      getRankedTensorOperand(opName, loc, input, "input");
  if (failed(type))
    return failure();
  if (!axis)
    return emitInferError(opName, loc, "requires the 'axis' attribute");
  std::string error;
  auto shape = shape::softmaxShape(type->getShape(), axis.getInt(), error);
  return pushShape(opName, loc, shape, error, type->getElementType(), types);
}

//===----------------------------------------------------------------------===//
// Reification
//===----------------------------------------------------------------------===//

OpFoldResult buildAmbientExtent(OpBuilder &b, Location loc, OpFoldResult lhs,
                                OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(shape::ambientExtent(*l, *r));
  if (l == 0)
    return rhs;
  if (r == 0)
    return lhs;
  if (isEqualConstantIntOrValue(lhs, rhs))
    return lhs;
  return arith::MaxUIOp::create(b, loc,
                                getValueOrCreateConstantIndexOp(b, loc, lhs),
                                getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

OpFoldResult buildConvExtent(OpBuilder &b, Location loc, OpFoldResult m,
                             OpFoldResult n, ConvMode mode) {
  std::optional<int64_t> cm = getConstantIntValue(m);
  std::optional<int64_t> cn = getConstantIntValue(n);
  if ((cm && cn) || cm == 0 || cn == 0)
    return b.getIndexAttr(shape::convExtent(cm.value_or(shape::kDynamic),
                                            cn.value_or(shape::kDynamic),
                                            mode));
  Value vm = getValueOrCreateConstantIndexOp(b, loc, m);
  Value vn = getValueOrCreateConstantIndexOp(b, loc, n);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value longer = arith::MaxUIOp::create(b, loc, vm, vn);
  Value shorter = arith::MinUIOp::create(b, loc, vm, vn);
  Value extent;
  switch (mode) {
  case ConvMode::full:
    extent = arith::SubIOp::create(b, loc, arith::AddIOp::create(b, loc, vm, vn),
                                   one);
    break;
  case ConvMode::valid:
    extent = arith::AddIOp::create(
        b, loc, arith::SubIOp::create(b, loc, longer, shorter), one);
    break;
  case ConvMode::same:
    extent = longer;
    break;
  }
  // An empty operand makes the result empty.
  Value empty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      shorter, zero);
  return arith::SelectOp::create(b, loc, empty, zero, extent).getResult();
}

OpFoldResult buildKronExtent(OpBuilder &b, Location loc, OpFoldResult lhs,
                             OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  if (l == 0 || r == 0)
    return b.getIndexAttr(0);
  if (l == 1)
    return rhs;
  if (r == 1)
    return lhs;
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

LogicalResult reifySameShape(OpBuilder &b, Location loc, Value input,
                             ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(tensor::getMixedSizes(b, loc, input));
  return success();
}

LogicalResult reifyAmbientBinaryShape(OpBuilder &b, Location loc, Value lhs,
                                      Value rhs,
                                      ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> lhsDims = tensor::getMixedSizes(b, loc, lhs);
  SmallVector<OpFoldResult> rhsDims = tensor::getMixedSizes(b, loc, rhs);
  SmallVector<OpFoldResult> dims;
  for (auto [l, r] : llvm::zip_equal(lhsDims, rhsDims))
    dims.push_back(buildAmbientExtent(b, loc, l, r));
  shapes.push_back(std::move(dims));
  return success();
}

LogicalResult reifyReductionShape(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<int64_t> axes, bool keepdims,
                                  ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> dims;
  for (auto [i, dim] : llvm::enumerate(tensor::getMixedSizes(b, loc, input))) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      dims.push_back(dim);
    else if (keepdims)
      dims.push_back(b.getIndexAttr(1));
  }
  shapes.push_back(std::move(dims));
  return success();
}

} // namespace mlir::vsla

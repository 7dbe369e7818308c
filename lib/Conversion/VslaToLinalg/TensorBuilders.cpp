//===- TensorBuilders.cpp - tensors the vsla lowering builds --------------===//

#include "TensorBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::vsla::lowering {

FailureOr<SmallVector<OpFoldResult>> getResultDims(OpBuilder &b,
                                                   Operation *op) {
  ReifiedRankedShapedTypeDims dims;
  auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(op);
  if (!reify || failed(reify.reifyResultShapes(b, dims)) || dims.size() != 1)
    return failure();
  return dims.front();
}

Value createScalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, type, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                   Type elementType, Value scalar) {
  Value empty = tensor::EmptyOp::create(b, loc, dims, elementType);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value createElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                        Value init, const ScalarFn &body) {
  auto type = cast<RankedTensorType>(init.getType());
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + 1, identity);
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value extractOrigin(OpBuilder &b, Location loc, Value source,
                    ArrayRef<OpFoldResult> dims) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> zeros(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
  if (isEqualConstantIntOrValueArray(tensor::getMixedSizes(b, loc, source),
                                     dims))
    return source;
  return tensor::ExtractSliceOp::create(b, loc, source, zeros, dims, ones);
}

Value insertAt(OpBuilder &b, Location loc, Value source, Value dest,
               ArrayRef<OpFoldResult> offsets) {
  int64_t rank = cast<RankedTensorType>(dest.getType()).getRank();
  int64_t sourceRank = cast<RankedTensorType>(source.getType()).getRank();
  SmallVector<OpFoldResult> sizes(rank - sourceRank, b.getIndexAttr(1));
  llvm::append_range(sizes, tensor::getMixedSizes(b, loc, source));
  SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets, sizes,
                                       ones);
}

Value insertOrigin(OpBuilder &b, Location loc, Value source, Value dest) {
  int64_t rank = cast<RankedTensorType>(dest.getType()).getRank();
  SmallVector<OpFoldResult> zeros(rank, b.getIndexAttr(0));
  return insertAt(b, loc, source, dest, zeros);
}

SmallVector<OpFoldResult> minDims(OpBuilder &b, Location loc,
                                  ArrayRef<OpFoldResult> a,
                                  ArrayRef<OpFoldResult> c) {
  SmallVector<OpFoldResult> result;
  for (auto [x, y] : llvm::zip_equal(a, c)) {
    std::optional<int64_t> cx = getConstantIntValue(x);
    std::optional<int64_t> cy = getConstantIntValue(y);
    if (cx && cy)
      result.push_back(b.getIndexAttr(std::min(*cx, *cy)));
    else if (cx == 0 || cy == 0)
      result.push_back(b.getIndexAttr(0));
    else if (isEqualConstantIntOrValue(x, y))
      result.push_back(x);
    else
      result.push_back(
          arith::MinUIOp::create(b, loc,
                                 getValueOrCreateConstantIndexOp(b, loc, x),
                                 getValueOrCreateConstantIndexOp(b, loc, y))
              .getResult());
  }
  return result;
}

bool provablyWithin(ArrayRef<OpFoldResult> a, ArrayRef<OpFoldResult> c) {
  for (auto [x, y] : llvm::zip_equal(a, c)) {
    if (isEqualConstantIntOrValue(x, y))
      continue;
    std::optional<int64_t> cx = getConstantIntValue(x);
    std::optional<int64_t> cy = getConstantIntValue(y);
    if (!(cx == 0 || (cx && cy && *cx <= *cy)))
      return false;
  }
  return true;
}

void replaceWithValue(RewriterBase &rewriter, Operation *op, Value value) {
  Type type = op->getResult(0).getType();
  if (value.getType() != type)
    value = tensor::CastOp::create(rewriter, op->getLoc(), type, value);
  rewriter.replaceOp(op, value);
}

Value createDimsEqual(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> a,
                      ArrayRef<OpFoldResult> c) {
  Value all = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (auto [x, y] : llvm::zip_equal(a, c)) {
    if (isEqualConstantIntOrValue(x, y))
      continue;
    Value eq = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq,
        getValueOrCreateConstantIndexOp(b, loc, x),
        getValueOrCreateConstantIndexOp(b, loc, y));
    all = arith::AndIOp::create(b, loc, all, eq);
  }
  return all;
}

} // namespace mlir::vsla::lowering

//===- Reductions.cpp - reductions and softmax ----------------------------===//
//
// sum, mean, max and min lower to linalg.reduce from the reduction's
// identity (so an empty extent reduces to 0, -inf or +inf, and mean to
// NaN); keepdims re-expands the result. softmax and log_softmax are the
// max-subtracted forms built from the same reductions.
//
//===----------------------------------------------------------------------===//

#include "PatternTables.h"
#include "ScalarMath.h"
#include "TensorBuilders.h"

#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace mlir::vsla::lowering {
namespace {

enum class Reduction { Sum, Max, Min };

/// The identity of `kind` for `type`: 0, the lowest or the highest value.
Value createIdentity(OpBuilder &b, Location loc, Type type, Reduction kind) {
  if (kind == Reduction::Sum)
    return createScalar(b, loc, type, 0);
  bool lowest = kind == Reduction::Max;
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, type,
        b.getFloatAttr(type, APFloat::getInf(floatType.getFloatSemantics(),
                                             /*Negative=*/lowest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = lowest ? APInt::getSignedMinValue(width)
                       : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

BinaryFn combinerOf(Reduction kind) {
  switch (kind) {
  case Reduction::Sum:
    return addScalars;
  case Reduction::Max:
    return maxScalars;
  case Reduction::Min:
    return minScalars;
  }
  return addScalars;
}

/// Reduces `input` over `axes` (removed from the result).
Value createReduce(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes, Reduction kind) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> dims;
  for (auto [i, dim] : llvm::enumerate(tensor::getMixedSizes(b, loc, input)))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      dims.push_back(dim);
  Type elementType = type.getElementType();
  Value init = createFilled(b, loc, dims, elementType,
                            createIdentity(b, loc, elementType, kind));
  SmallVector<int64_t> sorted(axes);
  llvm::sort(sorted);
  BinaryFn combine = combinerOf(kind);
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{init}, sorted,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value combined = combine(nb, nl, args[0], args[1]);
        // A float sum may be reassociated, as every vectorized or parallel
        // reduction does (tree or lane-wise partial sums).
        if (auto add = combined.getDefiningOp<arith::AddFOp>())
          add.setFastmath(arith::FastMathFlags::reassoc);
        linalg::YieldOp::create(nb, nl, combined);
      });
  return reduce.getResult(0);
}

/// `reduced` (without the `axes`) expanded to `resultType` (with them as 1).
Value keepDims(OpBuilder &b, Location loc, Value reduced,
               RankedTensorType resultType, ArrayRef<int64_t> axes,
               ArrayRef<OpFoldResult> resultDims) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < resultType.getRank(); ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(axes, i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    llvm::append_range(groups.back(), pending);
  return tensor::ExpandShapeOp::create(b, loc, resultType, reduced, groups,
                                       resultDims);
}

template <typename OpTy>
struct ReductionLowering : OpConversionPattern<OpTy> {
  ReductionLowering(MLIRContext *context, Reduction kind, bool mean = false)
      : OpConversionPattern<OpTy>(context), kind(kind), mean(mean) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> axes = op.getAxes();
    if (axes.empty()) {
      replaceWithValue(rewriter, op, input);
      return success();
    }
    Value result = createReduce(rewriter, loc, input, axes, kind);
    if (mean) {
      // Divide by the logical extent: the product of the reduced extents.
      SmallVector<OpFoldResult> dims =
          tensor::getMixedSizes(rewriter, loc, input);
      Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (int64_t axis : axes)
        count = arith::MulIOp::create(
            rewriter, loc, count,
            getValueOrCreateConstantIndexOp(rewriter, loc, dims[axis]));
      Type elementType = getElementTypeOrSelf(result.getType());
      Value n = arith::UIToFPOp::create(
          rewriter, loc, elementType,
          arith::IndexCastUIOp::create(rewriter, loc, rewriter.getI64Type(),
                                       count));
      Value init = tensor::EmptyOp::create(
          rewriter, loc, tensor::getMixedSizes(rewriter, loc, result),
          elementType);
      result = createElementwise(rewriter, loc, {result}, init,
                                 [&](OpBuilder &b, Location l, ValueRange x) {
                                   return divScalars(b, l, x[0], n);
                                 });
    }
    auto resultType = cast<RankedTensorType>(op.getType());
    if (op.getKeepdims() && !axes.empty()) {
      FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
      if (failed(dims))
        return failure();
      result = keepDims(rewriter, loc, result, resultType, axes, *dims);
    }
    replaceWithValue(rewriter, op, result);
    return success();
  }

  Reduction kind;
  bool mean;
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)) along one axis;
/// log_softmax(x) = (x - max) - log(sum(exp(x - max))).
template <typename OpTy>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  SoftmaxLowering(MLIRContext *context, bool logarithm)
      : OpConversionPattern<OpTy>(context), logarithm(logarithm) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    SmallVector<OpFoldResult> dims = tensor::getMixedSizes(rewriter, loc, input);
    Type elementType = type.getElementType();

    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = identity.dropResult(axis);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    // One pass over x with a per-row scalar: x op row.
    auto withRow = [&](Value x, Value row, auto body) {
      Value init = tensor::EmptyOp::create(rewriter, loc, dims, elementType);
      return linalg::GenericOp::create(
                 rewriter, loc, TypeRange{init.getType()}, ValueRange{x, row},
                 ValueRange{init},
                 ArrayRef<AffineMap>{identity, reduced, identity}, parallel,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l, body(b, l, args[0], args[1]));
                 })
          .getResult(0);
    };

    Value max = createReduce(rewriter, loc, input, {axis}, Reduction::Max);
    Value shifted = withRow(input, max, [](OpBuilder &b, Location l, Value x,
                                           Value m) {
      return subScalars(b, l, x, m);
    });
    Value exps = createElementwise(
        rewriter, loc, {shifted},
        tensor::EmptyOp::create(rewriter, loc, dims, elementType),
        [](OpBuilder &b, Location l, ValueRange x) {
          return expScalar(b, l, x[0]);
        });
    Value sum = createReduce(rewriter, loc, exps, {axis}, Reduction::Sum);
    Value result =
        logarithm
            ? withRow(shifted, sum,
                      [](OpBuilder &b, Location l, Value x, Value s) {
                        return subScalars(b, l, x, logScalar(b, l, s));
                      })
            : withRow(exps, sum, [](OpBuilder &b, Location l, Value e,
                                    Value s) { return divScalars(b, l, e, s); });
    replaceWithValue(rewriter, op, result);
    return success();
  }

  bool logarithm;
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ReductionLowering<SumOp>>(context, Reduction::Sum);
  patterns.add<ReductionLowering<MeanOp>>(context, Reduction::Sum,
                                          /*mean=*/true);
  patterns.add<ReductionLowering<MaxOp>>(context, Reduction::Max);
  patterns.add<ReductionLowering<MinOp>>(context, Reduction::Min);
  patterns.add<SoftmaxLowering<SoftmaxOp>>(context, /*logarithm=*/false);
  patterns.add<SoftmaxLowering<LogSoftmaxOp>>(context, /*logarithm=*/true);
}

} // namespace mlir::vsla::lowering

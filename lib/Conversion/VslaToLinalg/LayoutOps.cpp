//===- LayoutOps.cpp - shape and layout ops -------------------------------===//
//
// broadcast_to, promote, reshape, transpose, slice, concat, stack and
// shrink. Slices and insertions are anchored at the origin or at computed
// offsets; they bufferize to views of one result buffer.
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

namespace mlir::vsla::lowering {
namespace {

/// NumPy broadcasting. Axes whose input extent is statically 1 stretch
/// through the indexing map; a dynamic input extent may be 1 at run time,
/// so such axes read through an index that is zero when it is.
struct BroadcastToLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> target = op.getMixedShape();
    int64_t lead = resultType.getRank() - inputType.getRank();
    SmallVector<OpFoldResult> inputDims =
        tensor::getMixedSizes(rewriter, loc, input);

    bool needsRuntimeStretch = false;
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < inputType.getRank(); ++i) {
      OpFoldResult want = target[lead + i];
      if (isEqualConstantIntOrValue(inputDims[i], want)) {
        exprs.push_back(rewriter.getAffineDimExpr(lead + i));
        continue;
      }
      if (inputType.getDimSize(i) == 1) {
        exprs.push_back(rewriter.getAffineConstantExpr(0));
        continue;
      }
      needsRuntimeStretch = true;
      exprs.push_back(rewriter.getAffineDimExpr(lead + i));
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, target,
                                         resultType.getElementType());
    if (!needsRuntimeStretch) {
      AffineMap inputMap = AffineMap::get(resultType.getRank(), 0, exprs,
                                          rewriter.getContext());
      AffineMap outputMap =
          rewriter.getMultiDimIdentityMap(resultType.getRank());
      SmallVector<utils::IteratorType> iterators(
          resultType.getRank(), utils::IteratorType::parallel);
      auto generic = linalg::GenericOp::create(
          rewriter, loc, TypeRange{resultType}, ValueRange{input},
          ValueRange{init}, ArrayRef<AffineMap>{inputMap, outputMap},
          iterators, [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, args[0]);
          });
      replaceWithValue(rewriter, op, generic.getResult(0));
      return success();
    }
    // Run-time stretching of each dynamic axis that is 1. That it is 1 or
    // the target extent is a vsla.check_shape (vsla-materialize-shape-checks)
    // evaluated before this code runs.
    SmallVector<Value> stretch(inputType.getRank());
    for (int64_t i = 0; i < inputType.getRank(); ++i) {
      if (!inputType.isDynamicDim(i))
        continue;
      Value extent = getValueOrCreateConstantIndexOp(rewriter, loc, inputDims[i]);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      stretch[i] = arith::CmpIOp::create(rewriter, loc,
                                         arith::CmpIPredicate::eq, extent, one);
    }
    SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{}, ValueRange{init},
        ArrayRef<AffineMap>{
            rewriter.getMultiDimIdentityMap(resultType.getRank())},
        iterators, [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t i = 0; i < inputType.getRank(); ++i) {
            AffineExpr expr = exprs[i];
            if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
              indices.push_back(
                  arith::ConstantIndexOp::create(b, l, constant.getValue()));
              continue;
            }
            Value index = linalg::IndexOp::create(b, l, lead + i);
            if (stretch[i])
              index = arith::SelectOp::create(
                  b, l, stretch[i], arith::ConstantIndexOp::create(b, l, 0),
                  index);
            indices.push_back(index);
          }
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, input, indices).getResult());
        });
    replaceWithValue(rewriter, op, generic.getResult(0));
    return success();
  }
};

/// Zero-extension: the input copied into a zero-filled result.
struct PromoteLowering : OpConversionPattern<PromoteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PromoteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type elementType = cast<RankedTensorType>(op.getType()).getElementType();
    Value zeros = createFilled(rewriter, loc, op.getMixedShape(), elementType,
                               createScalar(rewriter, loc, elementType, 0));
    replaceWithValue(rewriter, op,
                       insertOrigin(rewriter, loc, adaptor.getInput(), zeros));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> extents;
    for (OpFoldResult dim : op.getMixedShape())
      extents.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, dim));
    Value shape = tensor::FromElementsOp::create(
        rewriter, loc,
        RankedTensorType::get({static_cast<int64_t>(extents.size())},
                              rewriter.getIndexType()),
        extents);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(
        op, cast<TensorType>(op.getType()), adaptor.getInput(), shape);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    Value init = tensor::EmptyOp::create(
        rewriter, loc, *dims,
        cast<RankedTensorType>(op.getType()).getElementType());
    auto transpose = linalg::TransposeOp::create(
        rewriter, loc, adaptor.getInput(), init, op.getPerm());
    replaceWithValue(rewriter, op, transpose.getResult()[0]);
    return success();
  }
};

/// Element i of a reversed axis reads element extent - 1 - i: a gather in a
/// tensor.generate (the index arithmetic is not an affine map of the loops).
struct ReverseLowering : OpConversionPattern<ReverseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, input);
    SmallVector<Value> dynamicSizes;
    for (auto [i, size] : llvm::enumerate(sizes))
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, size));
    ArrayRef<int64_t> axes = op.getAxes();
    auto generate = tensor::GenerateOp::create(
        rewriter, loc, type, dynamicSizes,
        [&](OpBuilder &b, Location l, ValueRange indices) {
          SmallVector<Value> source(indices.begin(), indices.end());
          for (int64_t axis : axes) {
            Value extent = getValueOrCreateConstantIndexOp(b, l, sizes[axis]);
            Value last = arith::SubIOp::create(
                b, l, extent, arith::ConstantIndexOp::create(b, l, 1));
            source[axis] = arith::SubIOp::create(b, l, last, indices[axis]);
          }
          tensor::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, input, source).getResult());
        });
    replaceWithValue(rewriter, op, generate.getResult());
    return success();
  }
};

struct IotaLowering : OpConversionPattern<IotaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IotaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<Value> dynamicSizes;
    if (type.isDynamicDim(0))
      dynamicSizes.push_back(adaptor.getLength());
    Type elementType = type.getElementType();
    auto generate = tensor::GenerateOp::create(
        rewriter, op.getLoc(), type, dynamicSizes,
        [&](OpBuilder &b, Location l, ValueRange indices) {
          Value asInt = arith::IndexCastOp::create(b, l, b.getI64Type(), indices[0]);
          Value element = castScalar(b, l, asInt, elementType);
          tensor::YieldOp::create(b, l, element);
        });
    replaceWithValue(rewriter, op, generate.getResult());
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> sizes = op.getMixedSizes();
    // An offset at or past a static extent leaves nothing to read along it
    // (the run-time checks hold the size to 0), but tensor.extract_slice
    // rejects such offsets even for empty slices: the result is empty.
    ArrayRef<int64_t> sourceShape = op.getInput().getType().getShape();
    for (auto [extent, offset] :
         llvm::zip_equal(sourceShape, op.getMixedOffsets())) {
      std::optional<int64_t> staticOffset = getConstantIntValue(offset);
      if (ShapedType::isDynamic(extent) || !staticOffset ||
          *staticOffset < extent)
        continue;
      SmallVector<Value> dynamicSizes;
      for (auto [dim, size] : llvm::enumerate(sizes))
        if (resultType.isDynamicDim(dim))
          dynamicSizes.push_back(
              getValueOrCreateConstantIndexOp(rewriter, op.getLoc(), size));
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, resultType,
                                                   dynamicSizes);
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, adaptor.getInput(), op.getMixedOffsets(), sizes,
        op.getMixedStrides());
    return success();
  }
};

/// Each input inserted at its running offset along the axis.
struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    Value result = tensor::EmptyOp::create(rewriter, loc, *dims,
                                           resultType.getElementType());
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value input : adaptor.getInputs()) {
      SmallVector<OpFoldResult> offsets(resultType.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      result = insertAt(rewriter, loc, input, result, offsets);
      offset = arith::AddIOp::create(
                   rewriter, loc,
                   getValueOrCreateConstantIndexOp(rewriter, loc, offset),
                   tensor::DimOp::create(rewriter, loc, input, axis))
                   .getResult();
    }
    replaceWithValue(rewriter, op, result);
    return success();
  }
};

/// Row i of the result is input i, zero-extended to the ambient shape.
struct StackLowering : OpConversionPattern<StackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(StackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    ArrayRef<OpFoldResult> rowDims = ArrayRef<OpFoldResult>(*dims).drop_front();
    bool ragged = llvm::any_of(adaptor.getInputs(), [&](Value input) {
      return !isEqualConstantIntOrValueArray(
          tensor::getMixedSizes(rewriter, loc, input), rowDims);
    });
    // Only ragged rows leave ambient zeros to fill.
    Value result =
        ragged ? createFilled(rewriter, loc, *dims, elementType,
                              createScalar(rewriter, loc, elementType, 0))
               : Value(tensor::EmptyOp::create(rewriter, loc, *dims,
                                               elementType));
    for (auto [i, input] : llvm::enumerate(adaptor.getInputs())) {
      SmallVector<OpFoldResult> offsets(resultType.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[0] = rewriter.getIndexAttr(i);
      result = insertAt(rewriter, loc, input, result, offsets);
    }
    replaceWithValue(rewriter, op, result);
    return success();
  }
};

/// Where tap `j` of vsla.unfold sits in the unfolded tensor of rank `rank`:
/// row j * channels, column j.
SmallVector<OpFoldResult> getTapOffsets(OpBuilder &b, Location loc,
                                        int64_t rank, Value channels,
                                        int64_t j) {
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[rank - 2] =
      arith::MulIOp::create(b, loc, channels,
                            arith::ConstantIndexOp::create(b, loc, j))
          .getResult();
  offsets[rank - 1] = b.getIndexAttr(j);
  return offsets;
}

/// Each tap's copy of the input is one insertion into the zero-filled
/// result: rows [j * C, (j + 1) * C), columns [j, j + L).
struct UnfoldLowering : OpConversionPattern<UnfoldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnfoldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    Value input = adaptor.getInput();
    Type elementType = cast<RankedTensorType>(op.getType()).getElementType();
    Value result = createFilled(rewriter, loc, *dims, elementType,
                                createScalar(rewriter, loc, elementType, 0));
    SmallVector<OpFoldResult> inputDims =
        tensor::getMixedSizes(rewriter, loc, input);
    int64_t rank = inputDims.size();
    Value channels = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                     inputDims[rank - 2]);
    for (int64_t j = 0; j < static_cast<int64_t>(op.getTaps()); ++j)
      result = insertAt(rewriter, loc, input, result,
                        getTapOffsets(rewriter, loc, rank, channels, j));
    replaceWithValue(rewriter, op, result);
    return success();
  }
};

/// One elementwise pass summing the k tap windows of the input (views of
/// it: rows [j * C, (j + 1) * C), columns [j, j + L)).
struct FoldLowering : OpConversionPattern<FoldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FoldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    Value input = adaptor.getInput();
    Type elementType = cast<RankedTensorType>(op.getType()).getElementType();
    int64_t rank = dims->size();
    Value channels =
        getValueOrCreateConstantIndexOp(rewriter, loc, (*dims)[rank - 2]);
    SmallVector<Value> windows;
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    for (int64_t j = 0; j < static_cast<int64_t>(op.getTaps()); ++j)
      windows.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, input, getTapOffsets(rewriter, loc, rank, channels, j),
          *dims, strides));
    Value init = tensor::EmptyOp::create(rewriter, loc, *dims, elementType);
    bool isFloat = isa<FloatType>(elementType);
    Value sum = createElementwise(
        rewriter, loc, windows, init,
        [isFloat](OpBuilder &b, Location loc, ValueRange values) {
          Value total = values.front();
          for (Value v : values.drop_front())
            total = isFloat ? Value(arith::AddFOp::create(b, loc, total, v))
                            : Value(arith::AddIOp::create(b, loc, total, v));
          return total;
        });
    replaceWithValue(rewriter, op, sum);
    return success();
  }
};

/// The extent along each axis is one past the largest coordinate of a
/// non-zero element (0 if there is none); the result is that box of the
/// input.
struct ShrinkLowering : OpConversionPattern<ShrinkOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ShrinkOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    if (rank == 0) {
      replaceWithValue(rewriter, op, input);
      return success();
    }
    auto extentType = RankedTensorType::get({}, rewriter.getI64Type());
    Value zero = createScalar(rewriter, loc, rewriter.getI64Type(), 0);
    SmallVector<Value> inits;
    for (int64_t i = 0; i < rank; ++i)
      inits.push_back(createFilled(rewriter, loc, {}, rewriter.getI64Type(),
                                   zero));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    maps.append(rank, AffineMap::get(rank, 0, {}, rewriter.getContext()));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    auto extents = linalg::GenericOp::create(
        rewriter, loc, SmallVector<Type>(rank, extentType), ValueRange{input},
        inits, maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0];
          Value nonZero = castScalar(b, l, x, b.getI1Type());
          SmallVector<Value> updated;
          for (int64_t i = 0; i < rank; ++i) {
            Value index = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, i));
            Value onePast = arith::AddIOp::create(
                b, l, index, createScalar(b, l, b.getI64Type(), 1));
            Value widened = arith::MaxSIOp::create(b, l, args[1 + i], onePast);
            updated.push_back(
                arith::SelectOp::create(b, l, nonZero, widened, args[1 + i]));
          }
          linalg::YieldOp::create(b, l, updated);
        });
    SmallVector<OpFoldResult> sizes;
    for (Value extent : extents.getResults()) {
      Value scalar = tensor::ExtractOp::create(rewriter, loc, extent);
      sizes.push_back(arith::IndexCastOp::create(rewriter, loc,
                                                 rewriter.getIndexType(), scalar)
                          .getResult());
    }
    SmallVector<OpFoldResult> zeros(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, cast<RankedTensorType>(op.getType()), input, zeros, sizes, ones);
    return success();
  }
};

} // namespace

void populateLayoutPatterns(RewritePatternSet &patterns) {
  patterns.add<BroadcastToLowering, PromoteLowering, ReshapeLowering,
               TransposeLowering, ReverseLowering, IotaLowering, SliceLowering, ConcatLowering, StackLowering,
               ShrinkLowering, UnfoldLowering, FoldLowering>(
      patterns.getContext());
}

} // namespace mlir::vsla::lowering

//===- ElementwiseOps.cpp - unary, tensor-scalar, cast and constant -------===//
//
// Ops whose result has the input's shape lower to one elementwise
// linalg.generic; constants lower to arith.constant.
//
//===----------------------------------------------------------------------===//

#include "PatternTables.h"
#include "ScalarMath.h"
#include "TensorBuilders.h"

#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::vsla::lowering {
namespace {

/// A tensor of `input`'s dims and `resultType`'s element type, uninitialized.
Value createEmptyLike(OpBuilder &b, Location loc, Value input,
                      RankedTensorType resultType) {
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, input),
                                 resultType.getElementType());
}

template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  UnaryLowering(MLIRContext *context, UnaryFn fn)
      : OpConversionPattern<OpTy>(context), fn(fn) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = createEmptyLike(rewriter, loc, adaptor.getInput(), type);
    replaceWithValue(rewriter, op, createElementwise(rewriter, loc, {adaptor.getInput()}, init,
                              [&](OpBuilder &b, Location l, ValueRange x) {
                                return fn(b, l, x[0]);
                              }));
    return success();
  }

  UnaryFn fn;
};

/// `fn(x, s)`, or `fn(s, x)` for the reversed ops (rsub, rdiv).
template <typename OpTy>
struct ScalarLowering : OpConversionPattern<OpTy> {
  ScalarLowering(MLIRContext *context, BinaryFn fn, bool scalarFirst = false)
      : OpConversionPattern<OpTy>(context), fn(fn), scalarFirst(scalarFirst) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value scalar = adaptor.getScalar();
    Value init = createEmptyLike(rewriter, loc, adaptor.getInput(), type);
    replaceWithValue(rewriter, op, createElementwise(rewriter, loc, {adaptor.getInput()}, init,
                              [&](OpBuilder &b, Location l, ValueRange x) {
                                return scalarFirst ? fn(b, l, scalar, x[0])
                                                   : fn(b, l, x[0], scalar);
                              }));
    return success();
  }

  BinaryFn fn;
  bool scalarFirst;
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = createEmptyLike(rewriter, loc, adaptor.getInput(), type);
    Type elementType = type.getElementType();
    replaceWithValue(rewriter, op, createElementwise(rewriter, loc, {adaptor.getInput()}, init,
                              [&](OpBuilder &b, Location l, ValueRange x) {
                                return castScalar(b, l, x[0], elementType);
                              }));
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(),
                                                   op.getValueAttr());
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<UnaryLowering<NegOp>>(context, negScalar);
  patterns.add<UnaryLowering<AbsOp>>(context, absScalar);
  patterns.add<UnaryLowering<ExpOp>>(context, expScalar);
  patterns.add<UnaryLowering<LogOp>>(context, logScalar);
  patterns.add<UnaryLowering<SqrtOp>>(context, sqrtScalar);
  patterns.add<UnaryLowering<TanhOp>>(context, tanhScalar);
  patterns.add<UnaryLowering<SigmoidOp>>(context, sigmoidScalar);
  patterns.add<UnaryLowering<ReluOp>>(context, reluScalar);
  patterns.add<UnaryLowering<GeluOp>>(context, geluScalar);
  patterns.add<UnaryLowering<SinOp>>(context, sinScalar);
  patterns.add<UnaryLowering<CosOp>>(context, cosScalar);
  patterns.add<UnaryLowering<SignOp>>(context, signScalar);
  patterns.add<UnaryLowering<ErfOp>>(context, erfScalar);

  patterns.add<ScalarLowering<AddScalarOp>>(context, addScalars);
  patterns.add<ScalarLowering<SubScalarOp>>(context, subScalars);
  patterns.add<ScalarLowering<RsubScalarOp>>(context, subScalars,
                                             /*scalarFirst=*/true);
  patterns.add<ScalarLowering<MulScalarOp>>(context, mulScalars);
  patterns.add<ScalarLowering<DivScalarOp>>(context, divScalars);
  patterns.add<ScalarLowering<RdivScalarOp>>(context, divScalars,
                                             /*scalarFirst=*/true);
  patterns.add<ScalarLowering<PowScalarOp>>(context, powScalars);
  patterns.add<ScalarLowering<MaximumScalarOp>>(context, maxScalars);
  patterns.add<ScalarLowering<MinimumScalarOp>>(context, minScalars);

  patterns.add<CastLowering, ConstantLowering>(context);
}

} // namespace mlir::vsla::lowering

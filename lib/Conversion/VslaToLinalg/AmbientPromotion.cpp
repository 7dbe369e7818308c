//===- AmbientPromotion.cpp - binary ops over different shapes ------------===//
//
// `f(a, b)` where each operand reads as zero outside its own shape, without
// materializing a zero-padded copy of either operand:
//
//   result          = fill(f(0, 0))              over max(da, db)
//   result[0 : da]  = f(a, 0)                    (skipped if a's box is
//   result[0 : db]  = f(0, b)                     inside the overlap)
//   result[0 : min] = f(a[0 : min], b[0 : min])  the overlap, last
//
// Every step is an elementwise linalg.generic on slices of the operands and
// of the result, which bufferize to views. When the operand shapes are
// dynamic, a run-time check takes the plain elementwise path if they are
// equal, so the common case costs one pass.
//
// With guarded reads (the GPU pipeline, where each step would be a kernel
// launch), the promoted path is one linalg.generic over the result instead:
// each operand is read where its shape covers the index and is zero
// elsewhere (a branch per read, still no padded copy).
//
//===----------------------------------------------------------------------===//

#include "PatternTables.h"
#include "ScalarMath.h"
#include "TensorBuilders.h"

#include "vsla/Conversion/Passes.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::vsla::lowering {
namespace {

Value castIfNeeded(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

template <typename OpTy>
struct AmbientBinaryLowering : OpConversionPattern<OpTy> {
  AmbientBinaryLowering(MLIRContext *context, BinaryFn fn, bool guardedReads)
      : OpConversionPattern<OpTy>(context), fn(fn), guardedReads(guardedReads) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return rewriter.notifyMatchFailure(op, "cannot compute result dims");
    SmallVector<OpFoldResult> lhsDims = tensor::getMixedSizes(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsDims = tensor::getMixedSizes(rewriter, loc, rhs);

    // Same shapes, known at compile time or promised by the caller: one
    // elementwise pass.
    // (A promise made before other rewrites exposed different static
    // extents cannot hold; it is ignored: the general path stays correct.)
    auto contradicts = [](OpFoldResult l, OpFoldResult r) {
      std::optional<int64_t> cl = getConstantIntValue(l);
      std::optional<int64_t> cr = getConstantIntValue(r);
      return cl && cr && *cl != *cr;
    };
    bool differentStatically =
        llvm::any_of(llvm::zip_equal(lhsDims, rhsDims), [&](auto dims) {
          return contradicts(std::get<0>(dims), std::get<1>(dims));
        });
    if (op->hasAttr(kEqualShapesAttrName) && !differentStatically) {
      replaceWithValue(rewriter, op,
                       sameShape(rewriter, loc, lhs, rhs, resultType, lhsDims));
      return success();
    }
    if (isEqualConstantIntOrValueArray(lhsDims, rhsDims)) {
      replaceWithValue(rewriter, op, sameShape(rewriter, loc, lhs, rhs, resultType,
                                       *dims));
      return success();
    }
    bool staticShapes = llvm::all_of(llvm::concat<OpFoldResult>(lhsDims, rhsDims),
                                     [](OpFoldResult d) {
                                       return getConstantIntValue(d).has_value();
                                     });
    // Extents known to differ (a static 1 against a static 2, next to
    // dynamic ones) rule out the equal-shape path.
    if (staticShapes || differentStatically) {
      replaceWithValue(rewriter, op, promoted(rewriter, loc, lhs, rhs, lhsDims, rhsDims,
                                      resultType, *dims));
      return success();
    }
    // Dynamic shapes: decide at run time.
    Value equal = createDimsEqual(rewriter, loc, lhsDims, rhsDims);
    auto branch = scf::IfOp::create(
        rewriter, loc, equal,
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(b, l,
                               sameShape(b, l, lhs, rhs, resultType, *dims));
        },
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(b, l,
                               promoted(b, l, lhs, rhs, lhsDims, rhsDims,
                                        resultType, *dims));
        });
    replaceWithValue(rewriter, op, branch.getResult(0));
    return success();
  }

private:
  Value apply(OpBuilder &b, Location loc, ValueRange args) const {
    return fn(b, loc, args[0], args[1]);
  }

  /// The operands have the result's shape (checked or known).
  Value sameShape(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  RankedTensorType resultType,
                  ArrayRef<OpFoldResult> dims) const {
    Value l = castIfNeeded(b, loc, lhs, resultType);
    Value r = castIfNeeded(b, loc, rhs, resultType);
    Value init =
        tensor::EmptyOp::create(b, loc, dims, resultType.getElementType());
    return createElementwise(b, loc, {l, r}, init,
                             [&](OpBuilder &nb, Location nl, ValueRange args) {
                               return apply(nb, nl, args);
                             });
  }

  Value promoted(OpBuilder &b, Location loc, Value lhs, Value rhs,
                 ArrayRef<OpFoldResult> lhsDims, ArrayRef<OpFoldResult> rhsDims,
                 RankedTensorType resultType,
                 ArrayRef<OpFoldResult> dims) const {
    if (guardedReads)
      return guarded(b, loc, lhs, rhs, lhsDims, rhsDims, resultType, dims);
    Type elementType = resultType.getElementType();
    Value zero = createScalar(b, loc, elementType, 0);
    // When one operand's box is the whole result (always so in 1-D), its
    // pass writes every element and the fill is dead.
    bool covered = isEqualConstantIntOrValueArray(lhsDims, dims) ||
                   isEqualConstantIntOrValueArray(rhsDims, dims);
    Value result =
        covered ? Value(tensor::EmptyOp::create(b, loc, dims, elementType))
                : createFilled(b, loc, dims, elementType,
                               fn(b, loc, zero, zero));
    SmallVector<OpFoldResult> overlap = minDims(b, loc, lhsDims, rhsDims);
    // f(a, 0) over a's box, unless the overlap covers it.
    if (!provablyWithin(lhsDims, rhsDims)) {
      Value slot = extractOrigin(b, loc, result, lhsDims);
      Value part = createElementwise(
          b, loc, {lhs}, slot, [&](OpBuilder &nb, Location nl, ValueRange x) {
            return fn(nb, nl, x[0], createScalar(nb, nl, elementType, 0));
          });
      result = insertOrigin(b, loc, part, result);
    }
    if (!provablyWithin(rhsDims, lhsDims)) {
      Value slot = extractOrigin(b, loc, result, rhsDims);
      Value part = createElementwise(
          b, loc, {rhs}, slot, [&](OpBuilder &nb, Location nl, ValueRange y) {
            return fn(nb, nl, createScalar(nb, nl, elementType, 0), y[0]);
          });
      result = insertOrigin(b, loc, part, result);
    }
    Value slot = extractOrigin(b, loc, result, overlap);
    Value part = createElementwise(
        b, loc,
        {extractOrigin(b, loc, lhs, overlap), extractOrigin(b, loc, rhs, overlap)},
        slot, [&](OpBuilder &nb, Location nl, ValueRange args) {
          return apply(nb, nl, args);
        });
    return insertOrigin(b, loc, part, result);
  }

  /// One pass over the result, reading each operand where its shape covers
  /// the index and zero elsewhere.
  Value guarded(OpBuilder &b, Location loc, Value lhs, Value rhs,
                ArrayRef<OpFoldResult> lhsDims, ArrayRef<OpFoldResult> rhsDims,
                RankedTensorType resultType,
                ArrayRef<OpFoldResult> dims) const {
    Type elementType = resultType.getElementType();
    int64_t rank = resultType.getRank();
    Value init = tensor::EmptyOp::create(b, loc, dims, elementType);
    SmallVector<Value> lhsExtents = getValueOrCreateConstantIndexOp(b, loc, lhsDims);
    SmallVector<Value> rhsExtents = getValueOrCreateConstantIndexOp(b, loc, rhsDims);
    bool lhsCovers = isEqualConstantIntOrValueArray(lhsDims, dims);
    bool rhsCovers = isEqualConstantIntOrValueArray(rhsDims, dims);
    auto body = [&](OpBuilder &nb, Location nl, ValueRange) {
      SmallVector<Value> index;
      for (int64_t d = 0; d < rank; ++d)
        index.push_back(linalg::IndexOp::create(nb, nl, d));
      auto read = [&](Value operand, ArrayRef<Value> extents,
                      bool covers) -> Value {
        if (covers)
          return tensor::ExtractOp::create(nb, nl, operand, index);
        Value inside = arith::ConstantIntOp::create(nb, nl, 1, 1);
        for (int64_t d = 0; d < rank; ++d)
          inside = arith::AndIOp::create(
              nb, nl, inside,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult,
                                    index[d], extents[d]));
        auto branch = scf::IfOp::create(
            nb, nl, inside,
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(
                  tb, tl,
                  ValueRange{tensor::ExtractOp::create(tb, tl, operand, index)});
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(
                  eb, el, ValueRange{createScalar(eb, el, elementType, 0)});
            });
        return branch.getResult(0);
      };
      Value l = read(lhs, lhsExtents, lhsCovers);
      Value r = read(rhs, rhsExtents, rhsCovers);
      Value result = fn(nb, nl, l, r);
      linalg::YieldOp::create(nb, nl, result);
    };
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    return linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{}, ValueRange{init}, maps,
                                     iterators, body)
        .getResult(0);
  }

  BinaryFn fn;
  bool guardedReads;
};

} // namespace

void populateAmbientPromotionPatterns(RewritePatternSet &patterns,
                                      bool guardedReads) {
  MLIRContext *context = patterns.getContext();
  patterns.add<AmbientBinaryLowering<AddOp>>(context, addScalars, guardedReads);
  patterns.add<AmbientBinaryLowering<SubOp>>(context, subScalars, guardedReads);
  patterns.add<AmbientBinaryLowering<MulOp>>(context, mulScalars, guardedReads);
  patterns.add<AmbientBinaryLowering<DivOp>>(context, divScalars, guardedReads);
  patterns.add<AmbientBinaryLowering<MaximumOp>>(context, maxScalars,
                                                 guardedReads);
  patterns.add<AmbientBinaryLowering<MinimumOp>>(context, minScalars,
                                                 guardedReads);
}

} // namespace mlir::vsla::lowering

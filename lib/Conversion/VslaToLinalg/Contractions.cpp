//===- Contractions.cpp - matmul, conv and kron ---------------------------===//
//
// Contractions read only the overlap of their operands: terms where an
// operand would read an ambient zero contribute exactly zero, so they are
// never computed (matmul's shorter inner axis, batch axes beyond one
// operand's extent).
//
//===----------------------------------------------------------------------===//

#include "PatternTables.h"
#include "ScalarMath.h"
#include "TensorBuilders.h"

#include "vsla/Dialect/ShapeInference.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::vsla::lowering {
namespace {

/// `[..., m, k] @ [..., k', n]` over the overlapping batch and inner extents,
/// written into a zero-filled result.
struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    Type elementType = resultType.getElementType();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    SmallVector<OpFoldResult> lhsDims = tensor::getMixedSizes(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsDims = tensor::getMixedSizes(rewriter, loc, rhs);

    // The batch overlap and the shorter inner extent.
    SmallVector<OpFoldResult> batch = minDims(
        rewriter, loc, ArrayRef(lhsDims).drop_back(2),
        ArrayRef(rhsDims).drop_back(2));
    OpFoldResult inner =
        minDims(rewriter, loc, {lhsDims[rank - 1]}, {rhsDims[rank - 2]})[0];
    SmallVector<OpFoldResult> lhsBox(batch), rhsBox(batch), outBox(batch);
    lhsBox.append({lhsDims[rank - 2], inner});
    rhsBox.append({inner, rhsDims[rank - 1]});
    outBox.append({lhsDims[rank - 2], rhsDims[rank - 1]});

    Value zero = createScalar(rewriter, loc, elementType, 0);
    Value result = createFilled(rewriter, loc, *dims, elementType, zero);
    Value slot = extractOrigin(rewriter, loc, result, outBox);

    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineExpr> loops;
    for (int64_t i = 0; i < rank + 1; ++i)
      loops.push_back(getAffineDimExpr(i, context));
    // Loops: batch..., i, j, k.
    SmallVector<AffineExpr> batchExprs(loops.begin(), loops.begin() + rank - 2);
    AffineExpr i = loops[rank - 2], j = loops[rank - 1], k = loops[rank];
    auto mapOf = [&](ArrayRef<AffineExpr> tail) {
      SmallVector<AffineExpr> exprs(batchExprs);
      exprs.append(tail.begin(), tail.end());
      return AffineMap::get(rank + 1, 0, exprs, context);
    };
    Value lhsSlice = extractOrigin(rewriter, loc, lhs, lhsBox);
    Value rhsSlice = extractOrigin(rewriter, loc, rhs, rhsBox);
    // Named ops where they exist: they vectorize straight to vector.contract.
    if (rank == 2 || rank == 3) {
      Operation *named =
          rank == 2
              ? linalg::MatmulOp::create(rewriter, loc, TypeRange{slot.getType()},
                                         ValueRange{lhsSlice, rhsSlice},
                                         ValueRange{slot})
                    .getOperation()
              : linalg::BatchMatmulOp::create(
                    rewriter, loc, TypeRange{slot.getType()},
                    ValueRange{lhsSlice, rhsSlice}, ValueRange{slot})
                    .getOperation();
      replaceWithValue(rewriter, op,
                       insertOrigin(rewriter, loc, named->getResult(0), result));
      return success();
    }
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto product = linalg::GenericOp::create(
        rewriter, loc, TypeRange{slot.getType()},
        ValueRange{lhsSlice, rhsSlice}, ValueRange{slot},
        ArrayRef<AffineMap>{mapOf({i, k}), mapOf({k, j}), mapOf({i, j})},
        iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value term = mulScalars(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, addScalars(b, l, args[2], term));
        });
    replaceWithValue(rewriter, op,
                       insertOrigin(rewriter, loc, product.getResult(0), result));
    return success();
  }
};

/// The full linear convolution of `a` ([..., m]) and `b` ([..., n]) over
/// their overlapping batch, accumulated into `result` ([..., m + n - 1]) as
/// one scaled copy of `a` per element of `b`: n vectorizable passes of
/// length m, no padding.
Value accumulateConv(OpBuilder &b, Location loc, Value a, Value c,
                     Value result) {
  auto type = cast<RankedTensorType>(a.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> aDims = tensor::getMixedSizes(b, loc, a);
  SmallVector<OpFoldResult> cDims = tensor::getMixedSizes(b, loc, c);
  SmallVector<OpFoldResult> batch = minDims(b, loc, ArrayRef(aDims).drop_back(),
                                            ArrayRef(cDims).drop_back());
  SmallVector<OpFoldResult> aBox(batch), cBox(batch);
  aBox.push_back(aDims.back());
  cBox.push_back(cDims.back());
  Value aSlice = extractOrigin(b, loc, a, aBox);
  Value cSlice = extractOrigin(b, loc, c, cBox);

  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = getValueOrCreateConstantIndexOp(b, loc, cDims.back());
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lower, upper, step, ValueRange{result},
      [&](OpBuilder &nb, Location nl, Value j, ValueRange iterArgs) {
        Value acc = iterArgs[0];
        SmallVector<OpFoldResult> zeros(rank, nb.getIndexAttr(0));
        SmallVector<OpFoldResult> ones(rank, nb.getIndexAttr(1));
        SmallVector<OpFoldResult> at(zeros);
        at.back() = j;
        // The window result[..., j : j + m] and the column c[..., j].
        Value window =
            tensor::ExtractSliceOp::create(nb, nl, acc, at, aBox, ones);
        SmallVector<OpFoldResult> columnBox(batch);
        columnBox.push_back(nb.getIndexAttr(1));
        Value column =
            tensor::ExtractSliceOp::create(nb, nl, cSlice, at, columnBox, ones);
        AffineMap identity = nb.getMultiDimIdentityMap(rank);
        SmallVector<AffineExpr> columnExprs(identity.getResults());
        columnExprs.back() = nb.getAffineConstantExpr(0);
        AffineMap columnMap =
            AffineMap::get(rank, 0, columnExprs, nb.getContext());
        SmallVector<utils::IteratorType> parallel(
            rank, utils::IteratorType::parallel);
        auto update = linalg::GenericOp::create(
            nb, nl, TypeRange{window.getType()}, ValueRange{aSlice, column},
            ValueRange{window},
            ArrayRef<AffineMap>{identity, columnMap, identity}, parallel,
            [](OpBuilder &bb, Location bl, ValueRange args) {
              Value term = mulScalars(bb, bl, args[0], args[1]);
              linalg::YieldOp::create(bb, bl, addScalars(bb, bl, args[2], term));
            });
        Value next = tensor::InsertSliceOp::create(
            nb, nl, update.getResult(0), acc, at, aBox, ones);
        scf::YieldOp::create(nb, nl, next);
      });
  return loop.getResult(0);
}

/// Both signals at least this long: the FFT costs less than the direct sum
/// (measured with benchmarks/run.py, conv rows).
constexpr int64_t kFftMinLength = 64;

/// The full convolution of the 1-D f32/f64 signals `a` and `c` by the
/// runtime's FFT (__vsla_fft_conv_<type>, which falls back to the direct sum
/// for non-finite inputs), into a new tensor of `length` elements.
Value buildFftConv(OpBuilder &b, Location loc, Operation *op, Value a, Value c,
                   OpFoldResult length, Type resultType) {
  MLIRContext *context = b.getContext();
  Type element = cast<RankedTensorType>(resultType).getElementType();
  auto bufferType = MemRefType::get(
      {ShapedType::kDynamic}, element,
      StridedLayoutAttr::get(context, ShapedType::kDynamic,
                             {ShapedType::kDynamic}));
  std::string name = element.isF32() ? "__vsla_fft_conv_f32"
                                     : "__vsla_fft_conv_f64";
  auto module = op->getParentOfType<ModuleOp>();
  if (!module.lookupSymbol<func::FuncOp>(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    auto decl = func::FuncOp::create(
        b, loc, name,
        b.getFunctionType({bufferType, bufferType, bufferType}, {}));
    decl.setPrivate();
    decl->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  b.getUnitAttr());
  }
  Value out = tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{length},
                                      element);
  // Each tensor's buffer, of its own static or dynamic length, viewed as the
  // runtime function's fully dynamic memref.
  auto bufferOf = [&](Value tensor, bool readOnly) -> Value {
    auto type = MemRefType::get(cast<RankedTensorType>(tensor.getType()).getShape(),
                                element, bufferType.getLayout());
    Value buffer =
        bufferization::ToBufferOp::create(b, loc, type, tensor, readOnly);
    return type == bufferType
               ? buffer
               : memref::CastOp::create(b, loc, bufferType, buffer).getResult();
  };
  Value outBuffer = bufferization::ToBufferOp::create(
      b, loc,
      MemRefType::get(cast<RankedTensorType>(out.getType()).getShape(), element,
                      bufferType.getLayout()),
      out, /*read_only=*/false);
  Value outView = outBuffer.getType() == bufferType
                      ? outBuffer
                      : memref::CastOp::create(b, loc, bufferType, outBuffer)
                            .getResult();
  func::CallOp::create(
      b, loc, name, TypeRange{},
      ValueRange{bufferOf(a, true), bufferOf(c, true), outView});
  Value result = bufferization::ToTensorOp::create(
      b, loc, out.getType(), outBuffer, b.getUnitAttr(), b.getUnitAttr());
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, loc, resultType, result);
  return result;
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  ConvLowering(MLIRContext *context, bool useRuntimeFft)
      : OpConversionPattern(context), useRuntimeFft(useRuntimeFft) {}
  /// Whether long 1-D float signals may go through the runtime's FFT.
  bool useRuntimeFft;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    int64_t rank = resultType.getRank();
    FailureOr<SmallVector<OpFoldResult>> dims = getResultDims(rewriter, op);
    if (failed(dims))
      return failure();
    SmallVector<OpFoldResult> lhsDims = tensor::getMixedSizes(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsDims = tensor::getMixedSizes(rewriter, loc, rhs);
    OpFoldResult m = lhsDims.back(), n = rhsDims.back();

    SmallVector<OpFoldResult> fullDims(
        ArrayRef<OpFoldResult>(*dims).drop_back());
    fullDims.push_back(buildConvExtent(rewriter, loc, m, n, ConvMode::full));
    Value zeros = createFilled(rewriter, loc, fullDims, elementType,
                               createScalar(rewriter, loc, elementType, 0));

    // Loop over the shorter operand (convolution commutes).
    std::optional<int64_t> cm = getConstantIntValue(m);
    std::optional<int64_t> cn = getConstantIntValue(n);
    auto direct = [&](OpBuilder &b, Location l) -> Value {
      if (cm && cn)
        return *cn <= *cm ? accumulateConv(b, l, lhs, rhs, zeros)
                          : accumulateConv(b, l, rhs, lhs, zeros);
      Value rhsShorter = arith::CmpIOp::create(
          b, l, arith::CmpIPredicate::ule,
          getValueOrCreateConstantIndexOp(b, l, n),
          getValueOrCreateConstantIndexOp(b, l, m));
      auto branch = scf::IfOp::create(
          b, l, rhsShorter,
          [&](OpBuilder &nb, Location nl) {
            scf::YieldOp::create(nb, nl, accumulateConv(nb, nl, lhs, rhs, zeros));
          },
          [&](OpBuilder &nb, Location nl) {
            scf::YieldOp::create(nb, nl, accumulateConv(nb, nl, rhs, lhs, zeros));
          });
      return branch.getResult(0);
    };
    // Long 1-D float signals: through the FFT, decided at run time.
    bool fftType = useRuntimeFft && rank == 1 &&
                   (elementType.isF32() || elementType.isF64());
    Value full;
    if (!fftType || (cm && *cm < kFftMinLength) || (cn && *cn < kFftMinLength)) {
      full = direct(rewriter, loc);
    } else if (cm && cn) {
      full = buildFftConv(rewriter, loc, op, lhs, rhs, fullDims.back(),
                          zeros.getType());
    } else {
      Value minLength = arith::ConstantIndexOp::create(rewriter, loc,
                                                       kFftMinLength);
      Value shorter = arith::MinUIOp::create(
          rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, m),
          getValueOrCreateConstantIndexOp(rewriter, loc, n));
      Value long_ = arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::uge, shorter,
                                          minLength);
      auto branch = scf::IfOp::create(
          rewriter, loc, long_,
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l,
                                 buildFftConv(b, l, op, lhs, rhs,
                                              fullDims.back(), zeros.getType()));
          },
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l, direct(b, l));
          });
      full = branch.getResult(0);
    }
    if (op.getMode() == ConvMode::full) {
      replaceWithValue(rewriter, op, full);
      return success();
    }
    // valid and same are the slices numpy.convolve returns: offset
    // min(m, n) - 1, or half of it (rounded down) for same; 0 when empty.
    Value shorter = arith::MinUIOp::create(rewriter, loc,
                                           getValueOrCreateConstantIndexOp(rewriter, loc, m),
                                           getValueOrCreateConstantIndexOp(rewriter, loc, n));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value empty = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                        shorter, zero);
    Value offset = arith::SubIOp::create(
        rewriter, loc, arith::SelectOp::create(rewriter, loc, empty, one, shorter),
        one);
    if (op.getMode() == ConvMode::same)
      offset = arith::DivUIOp::create(rewriter, loc, offset,
                                      arith::ConstantIndexOp::create(rewriter, loc, 2));
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    offsets.back() = offset;
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, resultType, full,
                                                        offsets, *dims, strides);
    return success();
  }
};

/// kron(a, b)[i * db + j] = a[i] * b[j] per axis: an outer product into the
/// interleaved shape [da0, db0, da1, db1, ...], collapsed pairwise.
struct KronLowering : OpConversionPattern<KronOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(KronOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    if (rank == 0) {
      Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                           resultType.getElementType());
      replaceWithValue(rewriter, op, createElementwise(
                                 rewriter, loc, {lhs, rhs}, init,
                                 [](OpBuilder &b, Location l, ValueRange args) {
                                   return mulScalars(b, l, args[0], args[1]);
                                 }));
      return success();
    }
    SmallVector<OpFoldResult> lhsDims = tensor::getMixedSizes(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsDims = tensor::getMixedSizes(rewriter, loc, rhs);
    SmallVector<OpFoldResult> interleaved;
    SmallVector<AffineExpr> lhsExprs, rhsExprs;
    SmallVector<ReassociationIndices> pairs;
    for (int64_t i = 0; i < rank; ++i) {
      interleaved.append({lhsDims[i], rhsDims[i]});
      lhsExprs.push_back(rewriter.getAffineDimExpr(2 * i));
      rhsExprs.push_back(rewriter.getAffineDimExpr(2 * i + 1));
      pairs.push_back({2 * i, 2 * i + 1});
    }
    MLIRContext *context = rewriter.getContext();
    Value init = tensor::EmptyOp::create(rewriter, loc, interleaved,
                                         resultType.getElementType());
    SmallVector<utils::IteratorType> parallel(2 * rank,
                                              utils::IteratorType::parallel);
    auto outer = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs},
        ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(2 * rank, 0, lhsExprs, context),
                            AffineMap::get(2 * rank, 0, rhsExprs, context),
                            rewriter.getMultiDimIdentityMap(2 * rank)},
        parallel, [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, mulScalars(b, l, args[0], args[1]));
        });
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, resultType, outer.getResult(0), pairs);
    return success();
  }
};

} // namespace

void populateContractionPatterns(RewritePatternSet &patterns,
                                 bool useRuntimeFft) {
  patterns.add<MatmulLowering, KronLowering>(patterns.getContext());
  patterns.add<ConvLowering>(patterns.getContext(), useRuntimeFft);
}

} // namespace mlir::vsla::lowering

//===- VslaFolders.cpp - folders of the vsla ops --------------------------===//
//
// Two kinds of folds: algebraic identities that return an existing value
// (`neg(neg(x))`, `x * 1`, `promote` to its own shape, ...), and constant
// evaluation of elementwise ops and reductions on small constants. Constant
// evaluation implements ambient promotion directly: an index outside an
// operand's shape reads as zero.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/ShapeRules.h"
#include "vsla/Dialect/ShapeInference.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mlir::vsla;
using llvm::APFloat;
using llvm::APInt;

/// Constant evaluation stops at this many elements: a folder must stay cheap
/// and must not bloat the IR with large literals.
static constexpr int64_t kMaxFoldElements = 4096;

//===----------------------------------------------------------------------===//
// Constant evaluation helpers
//===----------------------------------------------------------------------===//

/// `attr` as a dense constant of static shape small enough to evaluate.
static DenseElementsAttr getSmallConstant(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.getType().hasStaticShape() ||
      dense.getNumElements() > kMaxFoldElements)
    return {};
  return dense;
}

static RankedTensorType getSmallStaticType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      tensor.getNumElements() > kMaxFoldElements)
    return {};
  return tensor;
}

/// Calls `fn(index, linear)` for every index of `shape` in row-major order.
static void forEachIndex(ArrayRef<int64_t> shape,
                         llvm::function_ref<void(ArrayRef<int64_t>, int64_t)> fn) {
  if (llvm::is_contained(shape, 0))
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t linear = 0;; ++linear) {
    fn(index, linear);
    int64_t axis = static_cast<int64_t>(shape.size()) - 1;
    for (; axis >= 0; --axis) {
      if (++index[axis] < shape[axis])
        break;
      index[axis] = 0;
    }
    if (axis < 0)
      return;
  }
}

/// The row-major position of `index` in `shape`, or nullopt when the index
/// lies outside the shape (where ambient promotion reads zero).
static std::optional<int64_t> linearIndexIn(ArrayRef<int64_t> index,
                                            ArrayRef<int64_t> shape) {
  int64_t linear = 0;
  for (auto [i, extent] : llvm::zip_equal(index, shape)) {
    if (i >= extent)
      return std::nullopt;
    linear = linear * extent + i;
  }
  return linear;
}

template <typename V>
static SmallVector<V> valuesOf(DenseElementsAttr attr) {
  auto range = attr.getValues<V>();
  return SmallVector<V>(range.begin(), range.end());
}

/// The additive zero of `type` as an APFloat or APInt.
template <typename V> static V zeroOf(Type type);
template <> APFloat zeroOf<APFloat>(Type type) {
  return APFloat::getZero(cast<FloatType>(type).getFloatSemantics());
}
template <> APInt zeroOf<APInt>(Type type) {
  return APInt::getZero(type.getIntOrFloatBitWidth());
}

template <typename V, typename Fn>
static Attribute evalAmbient(RankedTensorType type, DenseElementsAttr lhs,
                             DenseElementsAttr rhs, Fn fn) {
  SmallVector<V> l = valuesOf<V>(lhs), r = valuesOf<V>(rhs), out;
  V zero = zeroOf<V>(type.getElementType());
  ArrayRef<int64_t> lhsShape = lhs.getType().getShape();
  ArrayRef<int64_t> rhsShape = rhs.getType().getShape();
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index, int64_t) {
    std::optional<int64_t> li = linearIndexIn(index, lhsShape);
    std::optional<int64_t> ri = linearIndexIn(index, rhsShape);
    out.push_back(fn(li ? l[*li] : zero, ri ? r[*ri] : zero));
  });
  return DenseElementsAttr::get(type, out);
}

using FloatBinaryFn = std::function<APFloat(APFloat, const APFloat &)>;
using IntBinaryFn = std::function<APInt(const APInt &, const APInt &)>;

/// Evaluates an ambient-promoting binary op on two small constants.
static Attribute foldAmbientBinary(Attribute lhsAttr, Attribute rhsAttr,
                                   Type resultType, FloatBinaryFn floatFn,
                                   IntBinaryFn intFn) {
  DenseElementsAttr lhs = getSmallConstant(lhsAttr);
  DenseElementsAttr rhs = getSmallConstant(rhsAttr);
  RankedTensorType type = getSmallStaticType(resultType);
  if (!lhs || !rhs || !type)
    return {};
  Type element = type.getElementType();
  if (isa<FloatType>(element) && floatFn)
    return evalAmbient<APFloat>(type, lhs, rhs, floatFn);
  if (isa<IntegerType>(element) && intFn)
    return evalAmbient<APInt>(type, lhs, rhs, intFn);
  return {};
}

/// Rounds `value` to the semantics of `like`.
static APFloat toSemantics(double value, const APFloat &like) {
  APFloat result(value);
  bool losesInfo;
  result.convert(like.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

/// A double-precision function applied elementwise, rounded back.
static std::function<APFloat(const APFloat &)>
viaDouble(double (*fn)(double)) {
  return [fn](const APFloat &x) {
    APFloat wide = x;
    bool losesInfo;
    wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                 &losesInfo);
    return toSemantics(fn(wide.convertToDouble()), x);
  };
}

using FloatUnaryFn = std::function<APFloat(const APFloat &)>;
using IntUnaryFn = std::function<APInt(const APInt &)>;

/// Evaluates an elementwise unary function on a small constant.
static Attribute foldUnary(Attribute inputAttr, FloatUnaryFn floatFn,
                           IntUnaryFn intFn) {
  DenseElementsAttr input = getSmallConstant(inputAttr);
  if (!input)
    return {};
  Type element = input.getElementType();
  if (isa<FloatType>(element) && floatFn) {
    SmallVector<APFloat> out;
    for (const APFloat &x : input.getValues<APFloat>())
      out.push_back(floatFn(x));
    return DenseElementsAttr::get(input.getType(), out);
  }
  if (isa<IntegerType>(element) && intFn) {
    SmallVector<APInt> out;
    for (const APInt &x : input.getValues<APInt>())
      out.push_back(intFn(x));
    return DenseElementsAttr::get(input.getType(), out);
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

static APFloat addF(APFloat a, const APFloat &b) {
  a.add(b, APFloat::rmNearestTiesToEven);
  return a;
}
static APFloat subF(APFloat a, const APFloat &b) {
  a.subtract(b, APFloat::rmNearestTiesToEven);
  return a;
}
static APFloat mulF(APFloat a, const APFloat &b) {
  a.multiply(b, APFloat::rmNearestTiesToEven);
  return a;
}
static APFloat divF(APFloat a, const APFloat &b) {
  a.divide(b, APFloat::rmNearestTiesToEven);
  return a;
}
static APFloat maxF(APFloat a, const APFloat &b) { return llvm::maximum(a, b); }
static APFloat minF(APFloat a, const APFloat &b) { return llvm::minimum(a, b); }

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // The empty tensor is the additive identity.
  if (isStaticallyEmpty(getRhs()) && getLhs().getType() == getType())
    return getLhs();
  if (isStaticallyEmpty(getLhs()) && getRhs().getType() == getType())
    return getRhs();
  return foldAmbientBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), addF,
                           [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isStaticallyEmpty(getRhs()) && getLhs().getType() == getType())
    return getLhs();
  return foldAmbientBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), subF,
                           [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldAmbientBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), mulF,
                           [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldAmbientBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), divF,
                           nullptr);
}

OpFoldResult MaximumOp::fold(FoldAdaptor adaptor) {
  return foldAmbientBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(), maxF,
      [](const APInt &a, const APInt &b) { return a.sge(b) ? a : b; });
}

OpFoldResult MinimumOp::fold(FoldAdaptor adaptor) {
  return foldAmbientBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(), minF,
      [](const APInt &a, const APInt &b) { return a.sle(b) ? a : b; });
}

//===----------------------------------------------------------------------===//
// Scalar ops
//===----------------------------------------------------------------------===//

/// True if the scalar operand is the constant `value` (float or integer).
static bool isScalarConstant(Attribute scalar, int64_t value) {
  if (auto f = dyn_cast_or_null<FloatAttr>(scalar))
    return f.getValue().isExactlyValue(static_cast<double>(value)) ||
           (value == 0 && f.getValue().isZero());
  if (auto i = dyn_cast_or_null<IntegerAttr>(scalar))
    return i.getValue() == value;
  return false;
}

/// Applies `x op s` elementwise to a constant tensor and a constant scalar.
static Attribute foldWithScalar(Attribute input, Attribute scalar,
                                FloatBinaryFn floatFn, IntBinaryFn intFn) {
  if (auto f = dyn_cast_or_null<FloatAttr>(scalar)) {
    APFloat s = f.getValue();
    return foldUnary(input,
                     floatFn ? FloatUnaryFn([=](const APFloat &x) {
                       return floatFn(x, s);
                     })
                             : nullptr,
                     nullptr);
  }
  if (auto i = dyn_cast_or_null<IntegerAttr>(scalar)) {
    APInt s = i.getValue();
    return foldUnary(input, nullptr,
                     intFn ? IntUnaryFn([=](const APInt &x) {
                       return intFn(x, s);
                     })
                           : nullptr);
  }
  return {};
}

static FloatBinaryFn reversed(FloatBinaryFn fn) {
  return [fn](APFloat x, const APFloat &s) { return fn(s, x); };
}

OpFoldResult AddScalarOp::fold(FoldAdaptor adaptor) {
  if (isScalarConstant(adaptor.getScalar(), 0))
    return getInput();
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(), addF,
                        [](const APInt &x, const APInt &s) { return x + s; });
}

OpFoldResult SubScalarOp::fold(FoldAdaptor adaptor) {
  if (isScalarConstant(adaptor.getScalar(), 0))
    return getInput();
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(), subF,
                        [](const APInt &x, const APInt &s) { return x - s; });
}

OpFoldResult RsubScalarOp::fold(FoldAdaptor adaptor) {
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(),
                        reversed(subF),
                        [](const APInt &x, const APInt &s) { return s - x; });
}

OpFoldResult MulScalarOp::fold(FoldAdaptor adaptor) {
  if (isScalarConstant(adaptor.getScalar(), 1))
    return getInput();
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(), mulF,
                        [](const APInt &x, const APInt &s) { return x * s; });
}

OpFoldResult DivScalarOp::fold(FoldAdaptor adaptor) {
  if (isScalarConstant(adaptor.getScalar(), 1))
    return getInput();
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(), divF, nullptr);
}

OpFoldResult RdivScalarOp::fold(FoldAdaptor adaptor) {
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(),
                        reversed(divF), nullptr);
}

OpFoldResult PowScalarOp::fold(FoldAdaptor adaptor) {
  if (isScalarConstant(adaptor.getScalar(), 1))
    return getInput();
  return foldWithScalar(adaptor.getInput(), adaptor.getScalar(),
                        [](APFloat x, const APFloat &s) {
                          return toSemantics(std::pow(x.convertToDouble(),
                                                      s.convertToDouble()),
                                             x);
                        },
                        nullptr);
}

OpFoldResult MaximumScalarOp::fold(FoldAdaptor adaptor) {
  return foldWithScalar(
      adaptor.getInput(), adaptor.getScalar(), maxF,
      [](const APInt &x, const APInt &s) { return x.sge(s) ? x : s; });
}

OpFoldResult MinimumScalarOp::fold(FoldAdaptor adaptor) {
  return foldWithScalar(
      adaptor.getInput(), adaptor.getScalar(), minF,
      [](const APInt &x, const APInt &s) { return x.sle(s) ? x : s; });
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

/// `op(op(x))` where applying the op twice is the same as once (or, for an
/// involution like `neg`, as not at all).
template <typename OpTy> static OpTy getSameOpProducer(Value value) {
  return value.getDefiningOp<OpTy>();
}

static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
static double gelu(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getSameOpProducer<NegOp>(getInput()))
    return inner.getInput();
  return foldUnary(
      adaptor.getInput(), [](const APFloat &x) { return neg(x); },
      [](const APInt &x) { return -x; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getSameOpProducer<AbsOp>(getInput()))
    return inner.getResult();
  return foldUnary(
      adaptor.getInput(), [](const APFloat &x) { return abs(x); },
      [](const APInt &x) { return x.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getSameOpProducer<ReluOp>(getInput()))
    return inner.getResult();
  return foldUnary(
      adaptor.getInput(),
      [](const APFloat &x) {
        return x.isNegative() && !x.isNaN() ? APFloat::getZero(x.getSemantics())
                                            : x;
      },
      [](const APInt &x) {
        return x.isNegative() ? APInt::getZero(x.getBitWidth()) : x;
      });
}

OpFoldResult ExpOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::exp), nullptr);
}
OpFoldResult LogOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::log), nullptr);
}
OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::sqrt), nullptr);
}
OpFoldResult TanhOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::tanh), nullptr);
}
OpFoldResult SigmoidOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(sigmoid), nullptr);
}
OpFoldResult GeluOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(gelu), nullptr);
}
OpFoldResult SinOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::sin), nullptr);
}
OpFoldResult CosOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::cos), nullptr);
}
OpFoldResult ErfOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), viaDouble(std::erf), nullptr);
}
OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getSameOpProducer<SignOp>(getInput()))
    return inner.getResult();
  return foldUnary(
      adaptor.getInput(),
      [](const APFloat &x) {
        if (x.isNaN() || x.isZero())
          return x;
        APFloat one(x.getSemantics(), 1);
        if (x.isNegative())
          one.changeSign();
        return one;
      },
      [](const APInt &x) {
        if (x.isZero())
          return x;
        return x.isNegative() ? APInt::getAllOnes(x.getBitWidth())
                              : APInt(x.getBitWidth(), 1);
      });
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

template <typename V, typename Combine>
static Attribute reduceConstant(DenseElementsAttr input,
                                ArrayRef<int64_t> axes,
                                RankedTensorType resultType, V init,
                                Combine combine) {
  SmallVector<V> in = valuesOf<V>(input), out(resultType.getNumElements(), init);
  ArrayRef<int64_t> shape = input.getType().getShape();
  forEachIndex(shape, [&](ArrayRef<int64_t> index, int64_t linear) {
    int64_t target = 0;
    for (auto [axis, i] : llvm::enumerate(index))
      if (!llvm::is_contained(axes, static_cast<int64_t>(axis)))
        target = target * shape[axis] + i;
    out[target] = combine(out[target], in[linear]);
  });
  return DenseElementsAttr::get(resultType, out);
}

enum class ReductionKind { Sum, Mean, Max, Min };

static Attribute foldReduction(Attribute inputAttr, ArrayRef<int64_t> axes,
                               Type resultType, ReductionKind kind) {
  DenseElementsAttr input = getSmallConstant(inputAttr);
  RankedTensorType type = getSmallStaticType(resultType);
  if (!input || !type)
    return {};
  ArrayRef<int64_t> shape = input.getType().getShape();
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= shape[axis];
  // Max, min and mean of no elements are left to the runtime's semantics.
  if (count == 0 && kind != ReductionKind::Sum)
    return {};
  Type element = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(element)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    switch (kind) {
    case ReductionKind::Sum:
      return reduceConstant<APFloat>(input, axes, type, APFloat::getZero(sem),
                                     addF);
    case ReductionKind::Mean: {
      auto sums = cast<DenseElementsAttr>(reduceConstant<APFloat>(
          input, axes, type, APFloat::getZero(sem), addF));
      APFloat n(sem, count);
      SmallVector<APFloat> means;
      for (const APFloat &sum : sums.getValues<APFloat>())
        means.push_back(divF(sum, n));
      return DenseElementsAttr::get(type, means);
    }
    case ReductionKind::Max:
      return reduceConstant<APFloat>(input, axes, type,
                                     APFloat::getInf(sem, /*Negative=*/true),
                                     maxF);
    case ReductionKind::Min:
      return reduceConstant<APFloat>(input, axes, type, APFloat::getInf(sem),
                                     minF);
    }
  }
  if (auto intType = dyn_cast<IntegerType>(element)) {
    unsigned width = intType.getWidth();
    switch (kind) {
    case ReductionKind::Sum:
      return reduceConstant<APInt>(
          input, axes, type, APInt::getZero(width),
          [](const APInt &a, const APInt &b) { return a + b; });
    case ReductionKind::Mean:
      return {};
    case ReductionKind::Max:
      return reduceConstant<APInt>(
          input, axes, type, APInt::getSignedMinValue(width),
          [](const APInt &a, const APInt &b) { return a.sge(b) ? a : b; });
    case ReductionKind::Min:
      return reduceConstant<APInt>(
          input, axes, type, APInt::getSignedMaxValue(width),
          [](const APInt &a, const APInt &b) { return a.sle(b) ? a : b; });
    }
  }
  return {};
}

OpFoldResult SumOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return getInput();
  return foldReduction(adaptor.getInput(), getAxes(), getType(),
                       ReductionKind::Sum);
}
OpFoldResult MeanOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return getInput();
  return foldReduction(adaptor.getInput(), getAxes(), getType(),
                       ReductionKind::Mean);
}
OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return getInput();
  return foldReduction(adaptor.getInput(), getAxes(), getType(),
                       ReductionKind::Max);
}
OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return getInput();
  return foldReduction(adaptor.getInput(), getAxes(), getType(),
                       ReductionKind::Min);
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

/// True if `shape` names exactly the extents of `value`: equal static
/// extents, and dynamic extents given by `tensor.dim %value, i`.
static bool isShapeOf(Value value, ArrayRef<OpFoldResult> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (static_cast<int64_t>(shape.size()) != type.getRank())
    return false;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    int64_t extent = type.getDimSize(i);
    std::optional<int64_t> constant = getConstantIntValue(dim);
    if (!ShapedType::isDynamic(extent)) {
      if (constant != extent)
        return false;
      continue;
    }
    auto dimOp = dyn_cast_or_null<tensor::DimOp>(
        dyn_cast_if_present<Value>(dim) ? cast<Value>(dim).getDefiningOp()
                                        : nullptr);
    if (!dimOp || dimOp.getSource() != value ||
        dimOp.getConstantIndex() != static_cast<int64_t>(i))
      return false;
  }
  return true;
}

/// Whether a shape op taking `value` to `shape` with result type `type`
/// changes nothing. The types must match as well as the extents: a fold may
/// not replace a value by one of another type (a static extent where the
/// op's result, built while the extent was a run-time value, is dynamic),
/// or ops whose types are inferred from it would no longer verify.
static bool isNoOpTo(Value value, ArrayRef<OpFoldResult> shape, Type type) {
  return value.getType() == type && isShapeOf(value, shape);
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor) {
  if (isNoOpTo(getInput(), getMixedShape(), getType()))
    return getInput();
  return {};
}

OpFoldResult PromoteOp::fold(FoldAdaptor) {
  if (isNoOpTo(getInput(), getMixedShape(), getType()))
    return getInput();
  // promote(promote(x, s1), s2) = promote(x, s2): zero-extension composes.
  if (auto inner = getInput().getDefiningOp<PromoteOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (isNoOpTo(getInput(), getMixedShape(), getType()))
    return getInput();
  // reshape(reshape(x, s1), s2) = reshape(x, s2): row-major order is kept.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult ReverseOp::fold(FoldAdaptor) {
  // Reversing no axis, or only axes of extent 0 or 1, changes nothing.
  auto type = cast<RankedTensorType>(getInput().getType());
  for (int64_t axis : getAxes())
    if (axis < 0 || axis >= type.getRank() || type.isDynamicDim(axis) ||
        type.getDimSize(axis) > 1)
      return {};
  return getInput();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  // transpose(transpose(x, p), q) = transpose(x, p[q[i]]).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t axis : perm)
      composed.push_back(inner.getPerm()[axis]);
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return getInput();
    return getResult();
  }
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  // The whole tensor: offsets 0, strides 1, sizes the input's extents.
  if (getInput().getType() == getType() &&
      cast<RankedTensorType>(getType()).hasStaticShape() &&
      llvm::all_of(getStaticOffsets(), [](int64_t o) { return o == 0; }) &&
      llvm::all_of(getStaticStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

OpFoldResult ShrinkOp::fold(FoldAdaptor) {
  // shrink is idempotent.
  if (auto inner = getInput().getDefiningOp<ShrinkOp>())
    return inner.getResult();
  return {};
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===- ScalarMath.cpp - scalar bodies of the elementwise lowerings --------===//

#include "ScalarMath.h"
#include "TensorBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir::vsla::lowering {

static bool isFloat(Value x) { return isa<FloatType>(x.getType()); }

template <typename FloatOp, typename IntOp>
static Value floatOrInt(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x))
    return FloatOp::create(b, loc, x, y);
  return IntOp::create(b, loc, x, y);
}

Value addScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return floatOrInt<arith::AddFOp, arith::AddIOp>(b, loc, x, y);
}
Value subScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return floatOrInt<arith::SubFOp, arith::SubIOp>(b, loc, x, y);
}
Value mulScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return floatOrInt<arith::MulFOp, arith::MulIOp>(b, loc, x, y);
}
Value divScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return floatOrInt<arith::DivFOp, arith::DivSIOp>(b, loc, x, y);
}
// maximumf/minimumf propagate NaN, as NumPy's maximum/minimum do.
Value maxScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return floatOrInt<arith::MaximumFOp, arith::MaxSIOp>(b, loc, x, y);
}
Value minScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return floatOrInt<arith::MinimumFOp, arith::MinSIOp>(b, loc, x, y);
}
Value powScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return math::PowFOp::create(b, loc, x, y);
}

Value negScalar(OpBuilder &b, Location loc, Value x) {
  if (isFloat(x))
    return arith::NegFOp::create(b, loc, x);
  return arith::SubIOp::create(b, loc, createScalar(b, loc, x.getType(), 0), x);
}
Value absScalar(OpBuilder &b, Location loc, Value x) {
  if (isFloat(x))
    return math::AbsFOp::create(b, loc, x);
  return math::AbsIOp::create(b, loc, x);
}
Value expScalar(OpBuilder &b, Location loc, Value x) {
  return math::ExpOp::create(b, loc, x);
}
Value logScalar(OpBuilder &b, Location loc, Value x) {
  return math::LogOp::create(b, loc, x);
}
Value sqrtScalar(OpBuilder &b, Location loc, Value x) {
  return math::SqrtOp::create(b, loc, x);
}
Value tanhScalar(OpBuilder &b, Location loc, Value x) {
  return math::TanhOp::create(b, loc, x);
}
Value sigmoidScalar(OpBuilder &b, Location loc, Value x) {
  Value one = createScalar(b, loc, x.getType(), 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}
Value reluScalar(OpBuilder &b, Location loc, Value x) {
  return maxScalars(b, loc, x, createScalar(b, loc, x.getType(), 0));
}
Value geluScalar(OpBuilder &b, Location loc, Value x) {
  // x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))
  Type type = x.getType();
  Value scaled = arith::MulFOp::create(
      b, loc, x, createScalar(b, loc, type, 0.70710678118654752440));
  Value erf = math::ErfOp::create(b, loc, scaled);
  Value onePlus =
      arith::AddFOp::create(b, loc, createScalar(b, loc, type, 1.0), erf);
  Value half = arith::MulFOp::create(b, loc, x, createScalar(b, loc, type, 0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}
Value signScalar(OpBuilder &b, Location loc, Value x) {
  // 1 above zero, -1 below, and x itself otherwise: zeros keep their sign
  // and a NaN stays NaN (no ordered comparison holds for it).
  Type type = x.getType();
  Value zero = createScalar(b, loc, type, 0);
  Value positive, negative;
  if (isFloat(x)) {
    positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    negative = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  } else {
    positive = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
    negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
  }
  Value belowOrSame = arith::SelectOp::create(
      b, loc, negative, createScalar(b, loc, type, -1), x);
  return arith::SelectOp::create(b, loc, positive, createScalar(b, loc, type, 1),
                                 belowOrSame);
}
Value erfScalar(OpBuilder &b, Location loc, Value x) {
  return math::ErfOp::create(b, loc, x);
}
Value sinScalar(OpBuilder &b, Location loc, Value x) {
  return math::SinOp::create(b, loc, x);
}
Value cosScalar(OpBuilder &b, Location loc, Value x) {
  return math::CosOp::create(b, loc, x);
}

Value castScalar(OpBuilder &b, Location loc, Value x, Type type) {
  Type from = x.getType();
  if (from == type)
    return x;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(type);
  bool fromBool = from.isInteger(1);
  bool toBool = type.isInteger(1);
  if (toBool) {
    // Non-zero is true (NaN is non-zero).
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   createScalar(b, loc, from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 createScalar(b, loc, from, 0));
  }
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, type, x);
    return arith::TruncFOp::create(b, loc, type, x);
  }
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, type, x);
  if (toFloat)
    return fromBool ? Value(arith::UIToFPOp::create(b, loc, type, x))
                    : Value(arith::SIToFPOp::create(b, loc, type, x));
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = type.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return fromBool ? Value(arith::ExtUIOp::create(b, loc, type, x))
                    : Value(arith::ExtSIOp::create(b, loc, type, x));
  return arith::TruncIOp::create(b, loc, type, x);
}

} // namespace mlir::vsla::lowering

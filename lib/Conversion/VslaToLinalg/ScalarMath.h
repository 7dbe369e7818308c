//===- ScalarMath.h - scalar bodies of the elementwise lowerings -*- C++ -*-===//
//
// One function per scalar operation, dispatching on float vs integer element
// types, so each lowering pattern names its arithmetic in one line.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_CONVERSION_VSLATOLINALG_SCALARMATH_H
#define VSLA_CONVERSION_VSLATOLINALG_SCALARMATH_H

#include "mlir/IR/Builders.h"

namespace mlir::vsla::lowering {

using BinaryFn = Value (*)(OpBuilder &, Location, Value, Value);
using UnaryFn = Value (*)(OpBuilder &, Location, Value);

Value addScalars(OpBuilder &b, Location loc, Value x, Value y);
Value subScalars(OpBuilder &b, Location loc, Value x, Value y);
Value mulScalars(OpBuilder &b, Location loc, Value x, Value y);
Value divScalars(OpBuilder &b, Location loc, Value x, Value y);
Value maxScalars(OpBuilder &b, Location loc, Value x, Value y);
Value minScalars(OpBuilder &b, Location loc, Value x, Value y);
Value powScalars(OpBuilder &b, Location loc, Value x, Value y);

Value negScalar(OpBuilder &b, Location loc, Value x);
Value absScalar(OpBuilder &b, Location loc, Value x);
Value expScalar(OpBuilder &b, Location loc, Value x);
Value logScalar(OpBuilder &b, Location loc, Value x);
Value sqrtScalar(OpBuilder &b, Location loc, Value x);
Value tanhScalar(OpBuilder &b, Location loc, Value x);
Value sigmoidScalar(OpBuilder &b, Location loc, Value x);
Value reluScalar(OpBuilder &b, Location loc, Value x);
Value geluScalar(OpBuilder &b, Location loc, Value x);
Value sinScalar(OpBuilder &b, Location loc, Value x);
Value cosScalar(OpBuilder &b, Location loc, Value x);
Value signScalar(OpBuilder &b, Location loc, Value x);
Value erfScalar(OpBuilder &b, Location loc, Value x);

/// Converts `x` to `type` as NumPy's astype does.
Value castScalar(OpBuilder &b, Location loc, Value x, Type type);

} // namespace mlir::vsla::lowering

#endif // VSLA_CONVERSION_VSLATOLINALG_SCALARMATH_H

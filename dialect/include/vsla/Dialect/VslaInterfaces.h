//===- VslaInterfaces.h - the vsla op interfaces ----------------*- C++ -*-===//

#ifndef VSLA_DIALECT_VSLAINTERFACES_H
#define VSLA_DIALECT_VSLAINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include "vsla/Dialect/VslaInterfaces.h.inc"

namespace mlir {
class DialectRegistry;
namespace vsla {
/// Attaches the VJP rules (VslaVjp.cpp) to the vsla ops.
void attachVjpInterfaces(MLIRContext &context);
/// Whether `value` is a ranked tensor of floats (what gets an adjoint).
inline bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}
/// Emits at the builder's insertion point the adjoints of `wrt` for the
/// given `cotangents` of `results`: the vector-Jacobian product of the
/// computation from `wrt` to `results`. All values must live in the block of
/// the insertion point, defined before it. Ops are visited in reverse order;
/// fan-out accumulates with vsla.add. A value of `wrt` that the results do
/// not depend on gets a zero adjoint. Fails, with a diagnostic at the op,
/// when an op on the way is not differentiable.
FailureOr<SmallVector<Value>> buildAdjoints(OpBuilder &builder, Location loc,
                                            ValueRange results,
                                            ValueRange cotangents,
                                            ValueRange wrt);
/// Zeros of `value`'s type and run-time shape: an empty constant promoted.
Value createZerosLike(OpBuilder &builder, Location loc, Value value);
} // namespace vsla
} // namespace mlir

#endif // VSLA_DIALECT_VSLAINTERFACES_H

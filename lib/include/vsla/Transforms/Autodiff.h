//===- Autodiff.h - reverse-mode differentiation of vsla IR -----*- C++ -*-===//
//
// Gradients are a graph transform: the adjoint of every op is vsla IR
// emitted by the op's VjpOpInterface, so a differentiated program is again a
// vsla program (and can be differentiated again).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_TRANSFORMS_AUTODIFF_H
#define VSLA_TRANSFORMS_AUTODIFF_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir::vsla {

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

} // namespace mlir::vsla

#endif // VSLA_TRANSFORMS_AUTODIFF_H

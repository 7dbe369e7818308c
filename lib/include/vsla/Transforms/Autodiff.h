//===- Autodiff.h - reverse-mode differentiation of vsla IR -----*- C++ -*-===//
//
// Gradients are a graph transform: the adjoint of every op is vsla IR
// emitted by the op's VjpOpInterface, so a differentiated program is again a
// vsla program (and can be differentiated again).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_TRANSFORMS_AUTODIFF_H
#define VSLA_TRANSFORMS_AUTODIFF_H

#include "vsla/Dialect/VslaInterfaces.h"

namespace mlir::vsla {

// buildAdjoints lives with the VJP interface (vsla/Dialect/VslaInterfaces.h).

} // namespace mlir::vsla

#endif // VSLA_TRANSFORMS_AUTODIFF_H

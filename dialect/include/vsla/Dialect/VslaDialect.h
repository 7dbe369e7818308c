//===- VslaDialect.h - the vsla dialect -----------------------*- C++ -*-===//

#ifndef VSLA_DIALECT_VSLADIALECT_H
#define VSLA_DIALECT_VSLADIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "vsla/Dialect/VslaDialect.h.inc"

namespace mlir::vsla {
/// A discardable attribute on an ambient binary op (vsla.add, vsla.mul, ...)
/// promising that its operands have equal shapes at run time, because the
/// caller has checked or the shapes agree by construction (as in the VJP
/// rules): the op lowers to one elementwise pass, with no run-time shape
/// branch, so it fuses with its neighbours.
constexpr llvm::StringLiteral kEqualShapesAttrName = "vsla.equal_shapes";
} // namespace mlir::vsla

#endif // VSLA_DIALECT_VSLADIALECT_H

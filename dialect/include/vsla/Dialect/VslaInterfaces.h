//===- VslaInterfaces.h - the vsla op interfaces ----------------*- C++ -*-===//

#ifndef VSLA_DIALECT_VSLAINTERFACES_H
#define VSLA_DIALECT_VSLAINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "vsla/Dialect/VslaInterfaces.h.inc"

namespace mlir {
class DialectRegistry;
namespace vsla {
/// Attaches the VJP rules (VslaVjp.cpp) to the vsla ops.
void attachVjpInterfaces(MLIRContext &context);
/// Zeros of `value`'s type and run-time shape: an empty constant promoted.
Value createZerosLike(OpBuilder &builder, Location loc, Value value);
} // namespace vsla
} // namespace mlir

#endif // VSLA_DIALECT_VSLAINTERFACES_H

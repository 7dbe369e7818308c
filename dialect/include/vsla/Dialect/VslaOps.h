//===- VslaOps.h - the vsla operations ------------------------*- C++ -*-===//

#ifndef VSLA_DIALECT_VSLAOPS_H
#define VSLA_DIALECT_VSLAOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaEnums.h"
#include "vsla/Dialect/VslaInterfaces.h"

#define GET_ATTRDEF_CLASSES
#include "vsla/Dialect/VslaAttrs.h.inc"

#define GET_OP_CLASSES
#include "vsla/Dialect/VslaOps.h.inc"

namespace mlir::vsla {
/// `value` as `type` (a cast-compatible tensor type): itself when the types
/// agree, else a tensor.cast at the builder's insertion point.
Value castIfNeeded(OpBuilder &builder, Location loc, Value value, Type type);
} // namespace mlir::vsla

#endif // VSLA_DIALECT_VSLAOPS_H

//===- VslaEnums.h - enums of the vsla dialect ----------------*- C++ -*-===//

#ifndef VSLA_DIALECT_VSLAENUMS_H
#define VSLA_DIALECT_VSLAENUMS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "vsla/Dialect/VslaEnums.h.inc"

#endif // VSLA_DIALECT_VSLAENUMS_H

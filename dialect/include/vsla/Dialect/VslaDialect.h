//===- VslaDialect.h - the vsla dialect -----------------------*- C++ -*-===//

#ifndef VSLA_DIALECT_VSLADIALECT_H
#define VSLA_DIALECT_VSLADIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "vsla/Dialect/VslaDialect.h.inc"

#endif // VSLA_DIALECT_VSLADIALECT_H

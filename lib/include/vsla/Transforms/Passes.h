//===- Passes.h - passes over the vsla dialect ----------------*- C++ -*-===//

#ifndef VSLA_TRANSFORMS_PASSES_H
#define VSLA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::vsla {

#define GEN_PASS_DECL
#include "vsla/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "vsla/Transforms/Passes.h.inc"

} // namespace mlir::vsla

#endif // VSLA_TRANSFORMS_PASSES_H

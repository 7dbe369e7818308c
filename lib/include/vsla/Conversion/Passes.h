//===- Passes.h - conversions out of the vsla dialect ---------*- C++ -*-===//

#ifndef VSLA_CONVERSION_PASSES_H
#define VSLA_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "vsla/Dialect/VslaDialect.h"

namespace mlir::vsla {

/// Adds the patterns that lower every vsla op to upstream ops on tensors
/// (the options of convert-vsla-to-linalg).
void populateVslaToLinalgPatterns(RewritePatternSet &patterns,
                                  bool useRuntimeFft = true,
                                  bool guardedPromotion = false);

#define GEN_PASS_DECL
#include "vsla/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "vsla/Conversion/Passes.h.inc"

} // namespace mlir::vsla

#endif // VSLA_CONVERSION_PASSES_H

//===- Passes.h - passes over the vsla dialect ----------------*- C++ -*-===//

#ifndef VSLA_TRANSFORMS_PASSES_H
#define VSLA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::vsla {

#define GEN_PASS_DECL
#include "vsla/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "vsla/Transforms/Passes.h.inc"

/// The module attributes the two passes above write.
constexpr llvm::StringLiteral kCheckMessagesAttrName = "vsla.check_messages";
constexpr llvm::StringLiteral kExportsAttrName = "vsla.exports";

/// The names of the entry points vsla-synthesize-entry-points adds for @f.
std::string getShapesEntryName(llvm::StringRef function);
std::string getDestinationEntryName(llvm::StringRef function);
std::string getEqualShapesEntryName(llvm::StringRef function);

/// The shape function's output: the result dims in order, then these slots
/// (the runtime reads them; see vsla/runtime/Module.h).
struct ShapeFunctionSlots {
  /// 0, or k when shape check k failed.
  static constexpr int64_t kFailedCheck = 0;
  /// 1 when every ambient op sees operands of equal shapes.
  static constexpr int64_t kEqualShapes = 1;
  static constexpr int64_t kCount = 2;
};

} // namespace mlir::vsla

#endif // VSLA_TRANSFORMS_PASSES_H

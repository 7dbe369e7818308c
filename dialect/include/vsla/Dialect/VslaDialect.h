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
/// shapes agree by construction (as in the VJP rules) or the caller says so.
/// The promise is checked when the code runs (vsla-materialize-shape-checks
/// turns it into a vsla.check_shape); the op lowers to one elementwise pass, with no run-time shape
/// branch, so it fuses with its neighbours.
constexpr llvm::StringLiteral kEqualShapesAttrName = "vsla.equal_shapes";
/// The number of a run-time check (vsla.check_shape, vsla.check_zero) in its
/// module, from 1: what the compiled code reports when the check fails.
constexpr llvm::StringLiteral kCheckIdAttrName = "vsla.check_id";
/// On a function argument (result) holding a ragged batch's packed values:
/// the index of the argument (result) holding its per-item extents, an i64
/// tensor [items, rank]. The pair crosses the boundary as one ragged value
/// (the runtime's export table and artifacts record it).
constexpr llvm::StringLiteral kRaggedShapesAttrName = "vsla.ragged_shapes";
/// On a function: it is a shape function (vsla-synthesize-entry-points),
/// which reads argument extents only and always runs on the host.
constexpr llvm::StringLiteral kShapeFunctionAttrName = "vsla.shape_function";
/// On a memref.alloc in a GPU host function: a buffer in host memory (a
/// copy of a device buffer the host reads or writes), left alone by
/// vsla-gpu-device-memory.
constexpr llvm::StringLiteral kHostBufferAttrName = "vsla.host_buffer";
/// The runtime function compiled code calls when a run-time check fails:
/// `void __vsla_check_failed(i64 id)`.
constexpr llvm::StringLiteral kCheckFailedFunction = "__vsla_check_failed";
/// The runtime function told which ragged-batch item is being checked.
constexpr llvm::StringLiteral kMapItemFunction = "__vsla_map_item";
/// The runtime function that says how many threads parallel loops may use.
constexpr llvm::StringLiteral kNumThreadsFunction = "__vsla_num_threads";
} // namespace mlir::vsla

#endif // VSLA_DIALECT_VSLADIALECT_H

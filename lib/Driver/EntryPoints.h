//===- EntryPoints.h - destination-passing entry points ---------*- C++ -*-===//

#ifndef VSLA_DRIVER_ENTRYPOINTS_H
#define VSLA_DRIVER_ENTRYPOINTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

#include <string>
#include <vector>

namespace vsla {

/// The shape function's output: the result dims in order, then these slots.
struct ShapeFunctionLayout {
  /// 0, or k when shape check k failed.
  static constexpr int64_t kFailedCheck = 0;
  /// 1 when every ambient op sees operands of equal shapes.
  static constexpr int64_t kEqualShapes = 1;
  static constexpr int64_t kSlots = 2;
};

/// The names of the entry points compiled for public function `function`.
std::string getShapesEntryName(llvm::StringRef function);
std::string getDestinationEntryName(llvm::StringRef function);
/// The destination-passing entry point for calls where every ambient op's
/// operands have equal shapes (compiled only when some op could branch).
std::string getEqualShapesEntryName(llvm::StringRef function);

/// The passes that reduce a shape function to extent arithmetic; build once
/// and reuse (its canonicalization patterns are costly to build).
std::unique_ptr<mlir::PassManager> createShapeFunctionPipeline(
    mlir::MLIRContext &context);

/// Numbers the run-time checks of `module` that have no number yet
/// (vsla.check_shape and vsla.check_zero, attribute vsla.check_id, following
/// on from `checkMessages`) and lists what each says when it fails, with its
/// source location: check k is checkMessages[k - 1].
void numberRunTimeChecks(mlir::ModuleOp module,
                         std::vector<std::string> &checkMessages);

/// Adds @__vsla_shapes_<f> and @__vsla_dps_<f> to `module` when the result
/// shapes of `func` follow from its argument shapes, simplifying the shape
/// function with `shapePipeline`. The shape function also evaluates the
/// function's vsla.check_shape ops (numbered by numberRunTimeChecks): after
/// the result dims it writes 0, or the id of the first check that failed;
/// then 1 when every ambient op sees equal
/// operand shapes, in which case @__vsla_dps_equal_<f> (when present) computes
/// the same results without shape branches. Returns whether it added the
/// entry points.
mlir::FailureOr<bool>
addDestinationPassingEntryPoints(mlir::ModuleOp module, mlir::func::FuncOp func,
                                 mlir::PassManager &shapePipeline);

} // namespace vsla

#endif // VSLA_DRIVER_ENTRYPOINTS_H

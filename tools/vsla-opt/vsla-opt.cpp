//===- vsla-opt.cpp - the VSLA optimizer driver ---------------------------===//
//
// mlir-opt with the vsla dialect, its passes, and the upstream dialects that
// VSLA's CPU and GPU pipelines lower through.
//
//===----------------------------------------------------------------------===//

#include "vsla/Conversion/Passes.h"
#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Pipelines/Pipelines.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  // All upstream dialects, with the external interface models (bufferization,
  // tiling, ...) the CPU and GPU pipelines rely on.
  mlir::registerAllDialects(registry);
  registry.insert<mlir::vsla::VslaDialect>();
  mlir::registerAllExtensions(registry);
  // vsla-to-gpu's ptx phase: kernels to LLVM IR, then NVPTX.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  mlir::registerAllPasses();
  mlir::vsla::registerVslaPasses();
  mlir::vsla::registerVslaConversionPasses();
  mlir::vsla::registerVslaPipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "VSLA optimizer driver\n", registry));
}

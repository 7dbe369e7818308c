//===- DumpPhase.h - write the IR of a finished phase -----------*- C++ -*-===//

#ifndef VSLA_PIPELINES_DUMPPHASE_H
#define VSLA_PIPELINES_DUMPPHASE_H

#include "mlir/Pass/Pass.h"

#include <memory>
#include <string>

namespace mlir::vsla {

/// A pass that prints the operation it runs on to `directory/fileName`,
/// creating the directory if needed; it fails with a diagnostic if the file
/// cannot be written.
std::unique_ptr<Pass> createDumpPhasePass(std::string directory,
                                          std::string fileName);

} // namespace mlir::vsla

#endif // VSLA_PIPELINES_DUMPPHASE_H

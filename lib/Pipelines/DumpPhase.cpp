//===- DumpPhase.cpp - write the IR of a finished phase -------------------===//

#include "DumpPhase.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::vsla {
namespace {

struct DumpPhasePass : PassWrapper<DumpPhasePass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DumpPhasePass)

  DumpPhasePass(std::string directory, std::string fileName)
      : directory(std::move(directory)), fileName(std::move(fileName)) {}

  StringRef getArgument() const final { return "vsla-dump-phase"; }
  StringRef getDescription() const final {
    return "Write the IR to a file (used by dump-phases-to)";
  }

  void runOnOperation() override {
    markAllAnalysesPreserved();
    if (std::error_code ec = llvm::sys::fs::create_directories(directory)) {
      getOperation()->emitError("cannot create directory '")
          << directory << "' for dump-phases-to: " << ec.message();
      return signalPassFailure();
    }
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, fileName);
    std::error_code ec;
    llvm::raw_fd_ostream file(path, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      getOperation()->emitError("cannot write '")
          << path << "' for dump-phases-to: " << ec.message();
      return signalPassFailure();
    }
    getOperation()->print(file);
    file << "\n";
  }

  std::string directory, fileName;
};

} // namespace

std::unique_ptr<Pass> createDumpPhasePass(std::string directory,
                                          std::string fileName) {
  return std::make_unique<DumpPhasePass>(std::move(directory),
                                         std::move(fileName));
}

} // namespace mlir::vsla

//===- Compiler.h - vsla modules to executables -----------------*- C++ -*-===//
//
// The compiler driver: a module of vsla functions goes through the
// `vsla-to-cpu` pipeline and the ORC JIT (LLVM at O3, for the host CPU and
// its vector extensions) and comes back as an Executable whose public
// functions take and return tensors. Executables are cached by module text,
// so compiling the same module twice returns the first executable.
//
// Calling convention: inputs are passed by strided memref descriptor, zero
// copy when contiguous (a non-contiguous input is copied into a pooled
// buffer first). Outputs are passed in, destination-passing style: a
// compiled shape function gives the result shapes from the input shapes,
// the runtime allocates the outputs from the current buffer pool and the
// compiled code writes into them. Where result shapes depend on data
// (vsla.shrink), the compiled code allocates its results through the
// runtime's allocation hooks instead, from the same pool. Either way a
// HostTensor returns its memory to the pool when destroyed, and the
// temporaries inside compiled code come from the pool too.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DRIVER_COMPILER_H
#define VSLA_DRIVER_COMPILER_H

#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/Module.h"
#include "vsla/runtime/Status.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlir {
class ExecutionEngine;
class PassManager;
} // namespace mlir

namespace vsla {

struct CompileOptions {
  /// LLVM optimization level of the generated code (0-3).
  unsigned optLevel = 3;
  /// The CPU the code is for ("host": this machine's, with its features).
  std::string cpu = "host";
  /// Where the functions run: "cpu", or "cuda" (kernels for `gpuChip`
  /// with `gpuFeatures` as PTX, host code for `cpu` calling them through
  /// the runtime's CUDA device; docs/gpu.md).
  std::string target = "cpu";
  std::string gpuChip = "sm_90";
  std::string gpuFeatures = "+ptx80";
  /// Whether to look the module up in, and store it into, the persistent
  /// compile cache ($VSLA_CACHE_DIR, default ~/.cache/vsla; an empty
  /// VSLA_CACHE_DIR turns it off).
  bool useDiskCache = true;
  /// When not empty, the IR after each pipeline phase is written here.
  std::string dumpPhasesTo;
};

using rt::Argument;
using rt::HostTensor;
using FunctionSignature = rt::FunctionExport;
using rt::ValueSignature;

/// A module compiled in this process: the export table of rt::Module,
/// filled from the ORC JIT's code or from the persistent compile cache, and
/// what it takes to write the code as an artifact.
class Executable : public rt::Module {
public:
  ~Executable() override;

  /// The artifact holding this module's code and export table, with
  /// `constants` and `userMetadata` added (docs/artifact.md).
  rt::StatusOr<rt::ArtifactContents>
  getArtifact(std::vector<rt::ArtifactConstant> constants = {},
              std::string userMetadata = "") const;

  /// Writes the compiled code as a relocatable object file.
  rt::Status writeObjectFile(llvm::StringRef path) const;

  /// The compiled code as a relocatable object (read from the JIT when
  /// asked: the executable keeps no second copy).
  rt::StatusOr<std::string> getObjectCode() const;

  /// Whether the code came from the persistent compile cache.
  bool isFromCache() const { return fromCache; }

  /// Filled by the compiler from the module's export metadata.
  void addFunction(rt::FunctionExport function) {
    functions.push_back(std::move(function));
  }
  void addCheckMessage(std::string message) {
    checkMessages.push_back(std::move(message));
  }

protected:
  /// Loads the kernels of code compiled for cuda (runs the engine's
  /// initializers) on the first call of a device function: code that is
  /// only written out (vsla.export, vsla-compile) never loads them.
  rt::Status prepareDevice() const override;

private:
  friend class Compiler;
  Executable() = default;

  /// Keeps the JIT's code alive (null for code from the cache).
  std::unique_ptr<mlir::ExecutionEngine> engine;
  /// Keeps the cache's code alive (null for JIT code).
  std::shared_ptr<rt::Module> cached;
  /// The artifact parts that are not in the export table (the object code
  /// only for code from the cache, which has no engine to read it from).
  rt::ArtifactContents artifact;
  bool fromCache = false;
  /// Whether the engine's initializers ran (and so its finalizers may).
  mutable bool initialized = false;
  /// prepareDevice's work, done once, and its outcome.
  mutable std::once_flag deviceOnce;
  mutable rt::Status deviceStatus;
};

class Compiler {
public:
  Compiler();
  ~Compiler();

  /// The context modules handed to compile() must live in.
  mlir::MLIRContext &getContext() { return context; }

  /// Compiles every public function of `module` (vsla, func, arith and
  /// tensor ops on tensors). The module is not modified.
  rt::StatusOr<std::shared_ptr<Executable>>
  compile(mlir::ModuleOp module, const CompileOptions &options = {});

  /// Parses `source` (MLIR text) and compiles it.
  rt::StatusOr<std::shared_ptr<Executable>>
  compileSource(llvm::StringRef source, const CompileOptions &options = {});

  /// How many distinct executables the cache holds.
  size_t getCacheSize() const;

private:
  friend class FunctionBuilder;

  /// The executable of a persistent-cache entry, or null when the entry is
  /// missing, unreadable, corrupted or for another key.
  std::shared_ptr<Executable> loadFromDiskCache(const std::string &path,
                                                const std::string &key);

  mlir::MLIRContext context;
  /// Guards the cache; compileMutex serializes compilations, which share
  /// the context's diagnostic handlers.
  mutable std::mutex mutex;
  std::mutex compileMutex;
  /// Built once: constructing canonicalization patterns for every dialect
  /// costs more than compiling a small module.
  std::unique_ptr<mlir::PassManager> pipeline;
  /// Shape checks, their numbers, the entry points and maps' loops.
  std::unique_ptr<mlir::PassManager> cpuEntryPointPipeline, gpuEntryPointPipeline;
  std::unordered_map<std::string, std::shared_ptr<Executable>> cache;
};

} // namespace vsla

#endif // VSLA_DRIVER_COMPILER_H

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
// buffer first). Results are allocated by the compiled code through the
// runtime's allocation hooks, so they come from the current buffer pool, and
// are returned to it when the HostTensor holding them is destroyed. The
// temporaries inside compiled code come from the same pool.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DRIVER_COMPILER_H
#define VSLA_DRIVER_COMPILER_H

#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/MemRefDescriptor.h"
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
} // namespace mlir

namespace vsla {

struct CompileOptions {
  /// LLVM optimization level of the generated code (0-3).
  unsigned optLevel = 3;
  /// When not empty, the IR after each pipeline phase is written here.
  std::string dumpPhasesTo;
};

/// One argument or result of a compiled function: a tensor of a rank and
/// element type, or (arguments only) a scalar.
struct ValueSignature {
  bool isTensor = true;
  rt::ElementType elementType = rt::ElementType::F32;
  int64_t rank = 0;
};

struct FunctionSignature {
  std::string name;
  std::vector<ValueSignature> arguments;
  std::vector<ValueSignature> results;
};

/// A tensor result: owns its memory, which returns to the buffer pool it
/// came from when the tensor is destroyed.
class HostTensor {
public:
  explicit HostTensor(rt::MemRefDescriptor descriptor)
      : descriptor(std::move(descriptor)) {}
  HostTensor(HostTensor &&other) noexcept;
  HostTensor &operator=(HostTensor &&other) noexcept;
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;
  ~HostTensor();

  const rt::MemRefDescriptor &getDescriptor() const { return descriptor; }
  std::vector<int64_t> getShape() const { return descriptor.getSizes(); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(descriptor.getDataPtr());
  }

private:
  rt::MemRefDescriptor descriptor;
  bool owned = true;
};

/// An argument of Executable::invoke: a tensor (borrowed, by descriptor) or
/// a scalar.
struct Argument {
  static Argument tensor(const rt::MemRefDescriptor &descriptor) {
    Argument a;
    a.descriptor = &descriptor;
    return a;
  }
  static Argument scalar(double value) {
    Argument a;
    a.value = value;
    return a;
  }
  const rt::MemRefDescriptor *descriptor = nullptr;
  double value = 0;
};

class Executable {
public:
  ~Executable();

  const std::vector<FunctionSignature> &getFunctions() const {
    return functions;
  }
  const FunctionSignature *lookup(llvm::StringRef name) const;

  /// Runs `function` on `arguments` and appends its results to `results`.
  /// Thread-safe: compiled code keeps no state between calls.
  rt::Status invoke(llvm::StringRef function,
                    llvm::ArrayRef<Argument> arguments,
                    std::vector<HostTensor> &results) const;

  /// Writes the compiled code as a relocatable object file.
  rt::Status writeObjectFile(llvm::StringRef path) const;

private:
  friend class Compiler;
  Executable() = default;

  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::vector<FunctionSignature> functions;
  std::vector<void (*)(void **)> entryPoints;
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
  mlir::MLIRContext context;
  /// Guards the cache; compileMutex serializes compilations, which share
  /// the context's diagnostic handlers.
  mutable std::mutex mutex;
  std::mutex compileMutex;
  std::unordered_map<std::string, std::shared_ptr<Executable>> cache;
};

} // namespace vsla

#endif // VSLA_DRIVER_COMPILER_H

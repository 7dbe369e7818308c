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
  /// Whether the result shapes follow from the argument shapes, so the
  /// runtime computes them first and passes the outputs in (destination-
  /// passing style). Otherwise (data-dependent shapes: vsla.shrink) the
  /// compiled code allocates its results from the pool.
  bool destinationPassing = false;
};

/// A tensor result: owns its memory, which returns to the buffer pool it
/// came from when the tensor is destroyed.
class HostTensor {
public:
  /// A result the compiled code allocated through the allocation hooks.
  explicit HostTensor(rt::MemRefDescriptor descriptor)
      : descriptor(std::move(descriptor)) {}
  /// A result the runtime allocated and passed in.
  HostTensor(rt::MemRefDescriptor descriptor, rt::Buffer buffer)
      : descriptor(std::move(descriptor)), buffer(std::move(buffer)),
        owned(false) {}
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
  rt::Buffer buffer;
  /// Whether descriptor's allocated pointer goes back through the hooks.
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
  /// An integer scalar, exact over the whole int64 range (a double is not).
  static Argument integer(int64_t value) {
    Argument a;
    a.value = static_cast<double>(value);
    a.integerValue = value;
    a.isInteger = true;
    return a;
  }
  const rt::MemRefDescriptor *descriptor = nullptr;
  double value = 0;
  int64_t integerValue = 0;
  bool isInteger = false;
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

  /// The destination-passing call: shapes, outputs from the pool, compute.
  rt::Status invokeWithOutputs(size_t index, llvm::ArrayRef<void *> inputs,
                               std::vector<HostTensor> &results) const;

  using PackedFunction = void (*)(void **);
  /// Calls compiled code; a failed run-time check or allocation inside it
  /// comes back as a status naming `function`.
  rt::Status callCompiled(PackedFunction entry, void **arguments,
                          const std::string &function) const;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::vector<FunctionSignature> functions;
  /// Per function: the returned-results entry point, or the shape and
  /// destination-passing entry points (null when not used).
  std::vector<PackedFunction> entryPoints;
  std::vector<PackedFunction> shapeEntryPoints;
  std::vector<PackedFunction> destinationEntryPoints;
  /// Per function: the destination-passing entry point without shape
  /// branches, for calls whose ambient ops see equal shapes (or null).
  std::vector<PackedFunction> equalShapesEntryPoints;
  /// What each run-time check of the module says when it fails: check k
  /// (numbered from 1) is checkMessages[k - 1].
  std::vector<std::string> checkMessages;
  /// checkMessages[id - 1], or nothing for an unknown id.
  std::string getCheckMessage(int64_t id) const;
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

  mlir::MLIRContext context;
  /// Guards the cache; compileMutex serializes compilations, which share
  /// the context's diagnostic handlers.
  mutable std::mutex mutex;
  std::mutex compileMutex;
  /// Built once: constructing canonicalization patterns for every dialect
  /// costs more than compiling a small module.
  std::unique_ptr<mlir::PassManager> pipeline;
  std::unique_ptr<mlir::PassManager> shapePipeline;
  std::unordered_map<std::string, std::shared_ptr<Executable>> cache;
};

} // namespace vsla

#endif // VSLA_DRIVER_COMPILER_H

//===- Module.h - loaded compiled code and its export table -----*- C++ -*-===//
//
// A module is compiled code plus its export table: per public function its
// argument and result signatures, its entry points (a shape function and a
// destination-passing body, or a body that returns its own results) and the
// messages of its run-time checks. The ORC JIT fills the table for @vsla.jit
// (lib/Driver), the artifact loader (Artifact.h) fills it from a file; both
// are called through Module::invoke, which checks the arguments, computes the
// result shapes, allocates the outputs from the buffer pool and runs the
// code (docs/runtime.md).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_MODULE_H
#define VSLA_RUNTIME_MODULE_H

#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/Status.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vsla::rt {

/// An extent whose value is known only when the function is called.
constexpr int64_t kDynamicExtent = -1;

/// One argument or result of a compiled function: a tensor of a rank and
/// element type (with its static extents, kDynamicExtent where unknown), or
/// (arguments only) a scalar.
struct ValueSignature {
  bool isTensor = true;
  ElementType elementType = ElementType::F32;
  int64_t rank = 0;
  /// Empty (every extent dynamic) or `rank` entries.
  std::vector<int64_t> dims;
};

/// A ragged value crossing the boundary: packed values (rank 1) plus one row
/// of extents per item (an i64 tensor of shape [items, itemRank]).
struct RaggedPair {
  int64_t values = 0;
  int64_t shapes = 0;
};

/// The shape function's output: the result dims in order, then these slots.
struct ShapeFunctionLayout {
  /// 0, or k when shape check k failed.
  static constexpr int64_t kFailedCheck = 0;
  /// 1 when every ambient op sees operands of equal shapes.
  static constexpr int64_t kEqualShapes = 1;
  static constexpr int64_t kSlots = 2;
};

/// One exported function.
struct FunctionExport {
  std::string name;
  std::vector<ValueSignature> arguments;
  std::vector<ValueSignature> results;
  /// Arguments and results that are the two halves of a ragged value.
  std::vector<RaggedPair> raggedArguments;
  std::vector<RaggedPair> raggedResults;
  /// Per argument: -1 when the caller passes it, else the index of the
  /// module constant bound to it (an exported model's parameters). Empty:
  /// the caller passes every argument.
  std::vector<int64_t> boundArguments;
  /// Where the code runs; "host" for now.
  std::string device = "host";
  /// Whether the result shapes follow from the argument shapes (the
  /// runtime computes them with `shapes`, allocates the outputs and calls
  /// `destination`); otherwise `call` allocates its results from the pool
  /// (data-dependent shapes: vsla.shrink, vsla.map).
  bool destinationPassing = false;
  PackedEntryPoint call = nullptr;
  PackedEntryPoint shapes = nullptr;
  PackedEntryPoint destination = nullptr;
  /// The destination-passing body without shape branches, for calls whose
  /// ambient ops see equal operand shapes (null when not compiled).
  PackedEntryPoint equalShapes = nullptr;

  /// How many arguments the caller passes (those not bound to constants).
  size_t getNumUserArguments() const;
};

/// A tensor result: owns its memory, which returns to the buffer pool it
/// came from when the tensor is destroyed.
class HostTensor {
public:
  /// A result the compiled code allocated through the allocation hooks.
  explicit HostTensor(MemRefDescriptor descriptor)
      : descriptor(std::move(descriptor)) {}
  /// A result the runtime allocated and passed in.
  HostTensor(MemRefDescriptor descriptor, Buffer buffer)
      : descriptor(std::move(descriptor)), buffer(std::move(buffer)),
        owned(false) {}
  HostTensor(HostTensor &&other) noexcept;
  HostTensor &operator=(HostTensor &&other) noexcept;
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;
  ~HostTensor();

  const MemRefDescriptor &getDescriptor() const { return descriptor; }
  std::vector<int64_t> getShape() const { return descriptor.getSizes(); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(descriptor.getDataPtr());
  }

private:
  MemRefDescriptor descriptor;
  Buffer buffer;
  /// Whether descriptor's allocated pointer goes back through the hooks.
  bool owned = true;
};

/// An argument of Module::invoke: a tensor (borrowed, by descriptor) or a
/// scalar.
struct Argument {
  static Argument tensor(const MemRefDescriptor &descriptor) {
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
  const MemRefDescriptor *descriptor = nullptr;
  double value = 0;
  int64_t integerValue = 0;
  bool isInteger = false;
};

/// A tensor held by a module (an exported model's parameters).
struct ModuleConstant {
  std::string name;
  MemRefDescriptor descriptor;
};

class Module {
public:
  virtual ~Module();

  const std::vector<FunctionExport> &getFunctions() const { return functions; }
  const FunctionExport *lookup(const std::string &name) const;
  const std::vector<ModuleConstant> &getConstants() const { return constants; }
  /// What the producer stored beside the code (the Python front end keeps
  /// the pytree structure of an exported function here); opaque to the
  /// runtime.
  const std::string &getUserMetadata() const { return userMetadata; }
  /// What run-time check `id` (numbered from 1) says when it fails, or
  /// nothing for an unknown id.
  std::string getCheckMessage(int64_t id) const;
  const std::vector<std::string> &getCheckMessages() const {
    return checkMessages;
  }

  /// Runs `function` on `arguments` (those not bound to module constants)
  /// and appends its results to `results`. Checks the arguments' kinds,
  /// ranks, element types and static extents, and the function's run-time
  /// shape checks, before any data is read. Thread-safe: compiled code
  /// keeps no state between calls.
  Status invoke(const std::string &function, const std::vector<Argument> &arguments,
                std::vector<HostTensor> &results) const;
  /// The same for an entry of getFunctions() (no lookup by name).
  Status invoke(const FunctionExport &function,
                const std::vector<Argument> &arguments,
                std::vector<HostTensor> &results) const;

  /// Marks the module's device functions as not runnable here (their
  /// code was loaded without a device); invoke says `reason`.
  void setDeviceUnavailable(std::string reason) {
    deviceUnavailable = std::move(reason);
  }
  /// Why device functions cannot run here; empty when they can (or the
  /// module has none).
  const std::string &getDeviceUnavailable() const { return deviceUnavailable; }

protected:
  Module() = default;
  /// Called before each call of a device function: a module whose kernels
  /// load on first use (code compiled in-process) loads them here, once,
  /// and returns why they cannot run when they do not load.
  virtual Status prepareDevice() const { return okStatus(); }
  /// Not empty: why device functions cannot run in this process.
  std::string deviceUnavailable;
  std::vector<FunctionExport> functions;
  /// Check k (numbered from 1) says checkMessages[k - 1].
  std::vector<std::string> checkMessages;
  std::vector<ModuleConstant> constants;
  std::string userMetadata;

private:
  /// Constant `index` in device memory, copied on first use (device
  /// functions cannot read the host copy).
  StatusOr<const MemRefDescriptor *> getDeviceConstant(size_t index) const;

  struct DeviceConstant {
    Buffer buffer;
    MemRefDescriptor descriptor;
  };
  mutable std::mutex deviceConstantsMutex;
  mutable std::vector<std::unique_ptr<DeviceConstant>> deviceConstants;

  Status invokeWithOutputs(const FunctionExport &function,
                           const std::vector<void *> &inputs,
                           std::vector<HostTensor> &results) const;
  Status callCompiledCode(PackedEntryPoint entry, void **arguments,
                          const std::string &function) const;
};

/// "a rank-2 tensor of f32", "an i64 scalar": for error messages.
std::string describeValue(const ValueSignature &value);

} // namespace vsla::rt

#endif // VSLA_RUNTIME_MODULE_H

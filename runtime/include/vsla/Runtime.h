//===- Runtime.h - running VSLA artifacts from C++ --------------*- C++ -*-===//
//
// The embedding API: load an artifact written by vsla-compile or
// vsla.export and call its functions on your own buffers. It needs the VSLA
// runtime library only (find_package(VSLARuntime), target VSLA::Runtime): no
// LLVM, no MLIR, no Python. See docs/runtime.md and examples/cpp.
//
//   auto model = vsla::Model::load("digits.vsla");
//   if (!model.ok()) { puts(model.getStatus().toString().c_str()); return 1; }
//   std::vector<float> pixels(batch * 64);
//   auto out = model->call({vsla::TensorRef::of(pixels.data(), {batch, 64})});
//   const float *logits = (*out)[0].data<float>();   // [batch, 10]
//
// Results own pooled memory that returns to the pool when they are
// destroyed. Every argument is checked (count, element type, rank, static
// extents, the function's shape checks) before any data is read.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_H
#define VSLA_RUNTIME_H

#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/Module.h"
#include "vsla/runtime/Npy.h"
#include "vsla/runtime/Status.h"

#include <memory>
#include <string>
#include <vector>

namespace vsla {

using rt::ElementType;
using rt::FunctionExport;
using rt::HostTensor;
using rt::Status;
using rt::StatusOr;

/// A row-major tensor in the caller's memory (borrowed for a call).
struct TensorRef {
  ElementType elementType = ElementType::F32;
  const void *data = nullptr;
  std::vector<int64_t> shape;

  static TensorRef of(const float *data, std::vector<int64_t> shape) {
    return {ElementType::F32, data, std::move(shape)};
  }
  static TensorRef of(const double *data, std::vector<int64_t> shape) {
    return {ElementType::F64, data, std::move(shape)};
  }
  static TensorRef of(const int32_t *data, std::vector<int64_t> shape) {
    return {ElementType::I32, data, std::move(shape)};
  }
  static TensorRef of(const int64_t *data, std::vector<int64_t> shape) {
    return {ElementType::I64, data, std::move(shape)};
  }
};

/// A loaded artifact.
class Model {
public:
  static StatusOr<Model> load(const std::string &path) {
    auto module = rt::loadArtifactFile(path);
    if (!module.ok())
      return module.getStatus();
    return Model(std::move(*module));
  }

  const std::vector<FunctionExport> &functions() const {
    return module->getFunctions();
  }

  /// Calls `function` (by default the artifact's only one) on `inputs`, in
  /// the order of its signature (a ragged argument is its packed values,
  /// then its [items, rank] extents).
  StatusOr<std::vector<HostTensor>> call(const std::vector<TensorRef> &inputs,
                                         std::string function = "") const {
    if (function.empty()) {
      if (module->getFunctions().size() != 1)
        return rt::invalidArgument("the model has several functions; name one");
      function = module->getFunctions().front().name;
    }
    std::vector<rt::MemRefDescriptor> descriptors;
    descriptors.reserve(inputs.size());
    std::vector<rt::Argument> arguments;
    for (const TensorRef &input : inputs) {
      auto descriptor = rt::MemRefDescriptor::getRowMajor(
          input.elementType, const_cast<void *>(input.data), input.shape);
      if (!descriptor.ok())
        return descriptor.getStatus();
      descriptors.push_back(std::move(*descriptor));
      arguments.push_back(rt::Argument::tensor(descriptors.back()));
    }
    std::vector<HostTensor> results;
    if (Status status = module->invoke(function, arguments, results);
        !status.ok())
      return status;
    return results;
  }

  /// The underlying module (export table, constants, invoke with scalars).
  const rt::Module &getModule() const { return *module; }

private:
  explicit Model(std::shared_ptr<rt::Module> module)
      : module(std::move(module)) {}
  std::shared_ptr<rt::Module> module;
};

} // namespace vsla

#endif // VSLA_RUNTIME_H

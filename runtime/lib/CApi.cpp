//===- CApi.cpp - the runtime's C interface, over DLPack tensors ----------===//

#include "vsla/runtime/CApi.h"

#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/DLPack.h"
#include "vsla/runtime/Module.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace vsla::rt;

struct vsla_module {
  std::shared_ptr<Module> module;
};

namespace {

char *toMessage(const Status &status) {
  return status.ok() ? nullptr : strdup(status.toString().c_str());
}

/// A result handed out as a DLPack tensor: owns the memory (host or device
/// pool) until the consumer calls the deleter.
struct ManagedResult {
  vsla_dl_managed_tensor_t managed;
  HostTensor tensor;
  std::vector<int64_t> shape, strides;

  explicit ManagedResult(HostTensor tensor) : tensor(std::move(tensor)) {}
};

void deleteResult(vsla_dl_managed_tensor_t *self) {
  delete static_cast<ManagedResult *>(self->manager_ctx);
}

const FunctionExport *getFunction(const vsla_module_t *module, size_t index) {
  const auto &functions = module->module->getFunctions();
  return index < functions.size() ? &functions[index] : nullptr;
}

/// The argument a DLPack tensor is for `expected` (`what` names it).
Status toArgument(const vsla_dl_tensor_t &tensor, const ValueSignature &expected,
                  bool onDevice, const std::string &what,
                  std::vector<MemRefDescriptor> &descriptors,
                  std::vector<Argument> &arguments) {
  auto described = describeDLTensor(tensor, what);
  if (!described.ok())
    return described.getStatus();
  if (!expected.isTensor) {
    if (tensor.ndim != 0 || tensor.device.device_type != VSLA_DL_CPU)
      return invalidArgument(what + " is a scalar: pass a rank-0 CPU tensor");
    const char *data = static_cast<const char *>(described->getDataPtr());
    switch (described->getElementType()) {
    case ElementType::F32:
      arguments.push_back(Argument::scalar(*reinterpret_cast<const float *>(data)));
      return okStatus();
    case ElementType::F64:
      arguments.push_back(Argument::scalar(*reinterpret_cast<const double *>(data)));
      return okStatus();
    case ElementType::I32:
      arguments.push_back(Argument::integer(*reinterpret_cast<const int32_t *>(data)));
      return okStatus();
    case ElementType::I64:
      arguments.push_back(Argument::integer(*reinterpret_cast<const int64_t *>(data)));
      return okStatus();
    default:
      return invalidArgument(what + " is a scalar of an unsupported type");
    }
  }
  int32_t wanted = onDevice ? VSLA_DL_CUDA : VSLA_DL_CPU;
  if (tensor.device.device_type != wanted)
    return invalidArgument(
        what + " is in " +
        (tensor.device.device_type == VSLA_DL_CUDA ? "CUDA device memory"
         : tensor.device.device_type == VSLA_DL_CPU
             ? "host memory"
             : "memory of DLPack device type " +
                   std::to_string(tensor.device.device_type)) +
        "; the function runs on " + (onDevice ? "cuda: pass GPU tensors"
                                              : "the host: pass CPU tensors"));
  if (onDevice && tensor.device.device_id != 0)
    return invalidArgument(what + " is on CUDA device " +
                           std::to_string(tensor.device.device_id) +
                           "; functions run on device 0 for now");
  if (onDevice && described->isContiguous() && cuda::getDeviceCount() > 0)
    if (Status status = cuda::checkDeviceRange(
            0, described->getDataPtr(),
            static_cast<size_t>(described->getNumElements()) *
                getElementByteSize(described->getElementType()),
            what);
        !status.ok())
      return status;
  descriptors.push_back(std::move(*described));
  arguments.push_back(Argument::tensor(descriptors.back()));
  return okStatus();
}

} // namespace

extern "C" {

char *vsla_module_load(const char *path, vsla_module_t **module) {
  if (!path || !module)
    return toMessage(invalidArgument("vsla_module_load needs a path and an "
                                     "output pointer"));
  auto loaded = loadArtifactFile(path);
  if (!loaded.ok())
    return toMessage(loaded.getStatus());
  *module = new vsla_module{std::move(*loaded)};
  return nullptr;
}

void vsla_module_release(vsla_module_t *module) { delete module; }

size_t vsla_module_function_count(const vsla_module_t *module) {
  return module->module->getFunctions().size();
}

const char *vsla_module_function_name(const vsla_module_t *module,
                                      size_t index) {
  const FunctionExport *function = getFunction(module, index);
  return function ? function->name.c_str() : nullptr;
}

const char *vsla_module_function_device(const vsla_module_t *module,
                                        size_t index) {
  const FunctionExport *function = getFunction(module, index);
  return function ? function->device.c_str() : nullptr;
}

size_t vsla_module_function_arguments(const vsla_module_t *module,
                                      size_t index) {
  const FunctionExport *function = getFunction(module, index);
  return function ? function->getNumUserArguments() : 0;
}

size_t vsla_module_function_results(const vsla_module_t *module,
                                    size_t index) {
  const FunctionExport *function = getFunction(module, index);
  return function ? function->results.size() : 0;
}

const char *vsla_module_user_metadata(const vsla_module_t *module,
                                      size_t *bytes) {
  const std::string &metadata = module->module->getUserMetadata();
  if (bytes)
    *bytes = metadata.size();
  return metadata.data();
}

char *vsla_module_call(vsla_module_t *module, const char *function,
                       const vsla_dl_tensor_t *const *arguments,
                       size_t argumentCount, vsla_dl_managed_tensor_t **results,
                       size_t resultCapacity, size_t *resultCount) {
  if (!module || !function || (argumentCount && !arguments) || !resultCount)
    return toMessage(invalidArgument("vsla_module_call: a null module, "
                                     "function name or pointer"));
  *resultCount = 0;
  const FunctionExport *signature = module->module->lookup(function);
  if (!signature)
    return toMessage(invalidArgument(std::string("the module has no function @") +
                                     function));
  if (argumentCount != signature->getNumUserArguments())
    return toMessage(invalidArgument(
        "@" + signature->name + " takes " +
        std::to_string(signature->getNumUserArguments()) + " arguments, got " +
        std::to_string(argumentCount)));
  if (resultCapacity < signature->results.size())
    return toMessage(invalidArgument(
        "@" + signature->name + " has " +
        std::to_string(signature->results.size()) +
        " results; the results array holds " + std::to_string(resultCapacity)));
  bool onDevice = signature->device == "cuda";
  std::vector<MemRefDescriptor> descriptors;
  descriptors.reserve(argumentCount);
  std::vector<Argument> callArguments;
  size_t user = 0;
  for (size_t i = 0; i < signature->arguments.size(); ++i) {
    if (!signature->boundArguments.empty() && signature->boundArguments[i] >= 0)
      continue;
    if (!arguments[user])
      return toMessage(invalidArgument("argument " + std::to_string(user) +
                                       " of @" + signature->name + " is null"));
    if (Status status = toArgument(
            *arguments[user], signature->arguments[i], onDevice,
            "argument " + std::to_string(user) + " of @" + signature->name,
            descriptors, callArguments);
        !status.ok())
      return toMessage(status);
    ++user;
  }
  // Producers on the GPU make their work visible to the legacy default
  // stream (DLPack's stream 1); compiled code runs on its own stream.
  // (Without a device, invoke says why the call cannot run.)
  if (onDevice && cuda::getDeviceCount() > 0)
    if (Status status = cuda::synchronizeLegacyStream(0); !status.ok())
      return toMessage(status);
  std::vector<HostTensor> outputs;
  if (Status status = module->module->invoke(*signature, callArguments, outputs);
      !status.ok())
    return toMessage(status);
  for (HostTensor &output : outputs) {
    auto *result = new ManagedResult(std::move(output));
    const MemRefDescriptor &descriptor = result->tensor.getDescriptor();
    result->shape = descriptor.getSizes();
    result->strides = descriptor.getStrides();
    vsla_dl_tensor_t &tensor = result->managed.dl_tensor;
    tensor.data = descriptor.getDataPtr();
    tensor.byte_offset = 0;
    tensor.device = {onDevice ? VSLA_DL_CUDA : VSLA_DL_CPU, 0};
    tensor.ndim = static_cast<int32_t>(descriptor.getRank());
    tensor.dtype = getDLDataType(descriptor.getElementType());
    tensor.shape = result->shape.data();
    tensor.strides = result->strides.data();
    result->managed.manager_ctx = result;
    result->managed.deleter = deleteResult;
    results[(*resultCount)++] = &result->managed;
  }
  return nullptr;
}

void vsla_free_string(char *message) { std::free(message); }

} // extern "C"

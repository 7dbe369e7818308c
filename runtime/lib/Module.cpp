//===- Module.cpp - invoking compiled code through its export table -------===//

#include "vsla/runtime/Module.h"

#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/BufferPool.h"
#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/StridedCopy.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vsla::rt {

size_t FunctionExport::getNumUserArguments() const {
  return static_cast<size_t>(
      std::count(boundArguments.begin(), boundArguments.end(), -1)) +
         (boundArguments.empty() ? arguments.size() : 0);
}

HostTensor::HostTensor(HostTensor &&other) noexcept
    : descriptor(other.descriptor), buffer(std::move(other.buffer)),
      owned(other.owned) {
  other.owned = false;
}

HostTensor &HostTensor::operator=(HostTensor &&other) noexcept {
  if (this != &other) {
    if (owned && descriptor.getAllocatedPtr())
      _mlir_memref_to_llvm_free(descriptor.getAllocatedPtr());
    descriptor = other.descriptor;
    buffer = std::move(other.buffer);
    owned = other.owned;
    other.owned = false;
  }
  return *this;
}

HostTensor::~HostTensor() {
  if (owned && descriptor.getAllocatedPtr())
    _mlir_memref_to_llvm_free(descriptor.getAllocatedPtr());
}

Module::~Module() = default;

const FunctionExport *Module::lookup(const std::string &name) const {
  for (const FunctionExport &function : functions)
    if (function.name == name)
      return &function;
  return nullptr;
}

std::string Module::getCheckMessage(int64_t id) const {
  if (id < 1 || id > static_cast<int64_t>(checkMessages.size()))
    return "";
  return checkMessages[id - 1];
}

std::string describeValue(const ValueSignature &value) {
  std::string type = getElementTypeName(value.elementType);
  if (!value.isTensor)
    return "a " + type + " scalar";
  std::string text = "a rank-" + std::to_string(value.rank) + " tensor of " +
                     type;
  if (value.dims.empty())
    return text;
  std::string dims;
  for (int64_t dim : value.dims)
    dims += (dims.empty() ? "" : ", ") +
            (dim == kDynamicExtent ? std::string("?") : std::to_string(dim));
  return text + " of shape [" + dims + "]";
}

Status Module::callCompiledCode(PackedEntryPoint entry, void **arguments,
                                const std::string &function) const {
  Status status = callCompiled(
      entry, arguments, [&](int64_t id) { return getCheckMessage(id); });
  if (status.ok() || status.getCode() != StatusCode::InvalidArgument)
    return status;
  return invalidArgument("the inputs do not fit @" + function + ": " +
                         status.getMessage());
}

namespace {

/// A scalar argument stored as the compiled code reads it. Integers given
/// as integers are stored exactly (the caller has range-checked them).
std::array<char, 8> storeScalar(const Argument &argument, ElementType type) {
  std::array<char, 8> bytes{};
  double value = argument.value;
  if (argument.isInteger && type != ElementType::F32 &&
      type != ElementType::F64) {
    if (type == ElementType::I32) {
      auto i = static_cast<int32_t>(argument.integerValue);
      std::memcpy(bytes.data(), &i, sizeof(i));
    } else {
      std::memcpy(bytes.data(), &argument.integerValue,
                  sizeof(argument.integerValue));
    }
    return bytes;
  }
  switch (type) {
  case ElementType::F32: {
    float f = static_cast<float>(value);
    std::memcpy(bytes.data(), &f, sizeof(f));
    break;
  }
  case ElementType::F64:
    std::memcpy(bytes.data(), &value, sizeof(value));
    break;
  case ElementType::I32: {
    int32_t i = static_cast<int32_t>(value);
    std::memcpy(bytes.data(), &i, sizeof(i));
    break;
  }
  default: {
    int64_t i = static_cast<int64_t>(value);
    std::memcpy(bytes.data(), &i, sizeof(i));
    break;
  }
  }
  return bytes;
}

} // namespace

Status Module::invoke(const std::string &name,
                      const std::vector<Argument> &userArguments,
                      std::vector<HostTensor> &results) const {
  const FunctionExport *found = lookup(name);
  if (!found)
    return invalidArgument("the module has no function @" + name);
  return invoke(*found, userArguments, results);
}

StatusOr<const MemRefDescriptor *>
Module::getDeviceConstant(size_t index) const {
  std::lock_guard<std::mutex> lock(deviceConstantsMutex);
  if (deviceConstants.size() < constants.size())
    deviceConstants.resize(constants.size());
  if (!deviceConstants[index]) {
    const MemRefDescriptor &host = constants[index].descriptor;
    if (!host.isContiguous())
      return internalError("module constant '" + constants[index].name +
                           "' is not row-major; device functions cannot bind it");
    size_t bytes = static_cast<size_t>(host.getNumElements()) *
                   getElementByteSize(host.getElementType());
    auto pool = cuda::getDevicePool(0);
    if (!pool.ok())
      return pool.getStatus();
    auto buffer = Buffer::allocate(**pool, bytes, 256);
    if (!buffer.ok())
      return buffer.getStatus();
    // Constants are stored row-major (the artifact writer packs them).
    if (Status status =
            cuda::copyHostToDevice(0, buffer->data(), host.getDataPtr(), bytes);
        !status.ok())
      return status;
    auto descriptor = MemRefDescriptor::getRowMajor(
        host.getElementType(), buffer->data(), host.getSizes());
    if (!descriptor.ok())
      return descriptor.getStatus();
    deviceConstants[index].reset(
        new DeviceConstant{std::move(*buffer), std::move(*descriptor)});
  }
  return &deviceConstants[index]->descriptor;
}

Status Module::invoke(const FunctionExport &signature,
                      const std::vector<Argument> &userArguments,
                      std::vector<HostTensor> &results) const {
  const std::string &name = signature.name;
  const bool onDevice = signature.device != "host";
  if (onDevice && signature.device != "cuda")
    return unavailable("@" + name + " runs on device " + signature.device +
                       ", which this runtime does not know");
  if (onDevice && !deviceUnavailable.empty())
    return unavailable("@" + name + " runs on a CUDA device: " +
                       deviceUnavailable);
  if (onDevice)
    if (Status status = prepareDevice(); !status.ok())
      return Status(status.getCode(), "@" + name + " runs on a CUDA device: " +
                                          status.getMessage());
  if (userArguments.size() != signature.getNumUserArguments())
    return invalidArgument("@" + signature.name + " takes " +
                           std::to_string(signature.getNumUserArguments()) +
                           " arguments, got " +
                           std::to_string(userArguments.size()));
  // The full argument list: the caller's, with module constants bound in.
  const std::vector<Argument> *arguments = &userArguments;
  std::vector<Argument> bound;
  if (!signature.boundArguments.empty()) {
    size_t next = 0;
    for (int64_t constant : signature.boundArguments) {
      if (constant < 0)
        bound.push_back(userArguments[next++]);
      else if (static_cast<size_t>(constant) >= constants.size())
        return internalError("@" + signature.name +
                             " is bound to a missing module constant");
      else if (!onDevice)
        bound.push_back(Argument::tensor(constants[constant].descriptor));
      else if (auto device = getDeviceConstant(constant); device.ok())
        bound.push_back(Argument::tensor(**device));
      else
        return device.getStatus();
    }
    arguments = &bound;
  }

  // Storage the packed argument arrays point into; sized up front so the
  // pointers stay valid.
  std::vector<void *> tensorPointers(arguments->size());
  std::vector<std::array<char, 8>> scalars(arguments->size());
  std::vector<Buffer> copies;
  std::vector<MemRefDescriptor> contiguous;
  contiguous.reserve(arguments->size());
  std::vector<void *> inputs;

  size_t userIndex = 0;
  for (size_t i = 0; i < arguments->size(); ++i) {
    const Argument &argument = (*arguments)[i];
    const ValueSignature &expected = signature.arguments[i];
    bool isUser = signature.boundArguments.empty() ||
                  signature.boundArguments[i] < 0;
    // Built only for an error: this loop runs on every call.
    auto what = [&, i, userIndex] {
      return isUser ? "argument " + std::to_string(userIndex) + " of @" +
                          signature.name
                    : "bound argument " + std::to_string(i) + " of @" +
                          signature.name;
    };
    userIndex += isUser;
    if (!expected.isTensor) {
      if (argument.descriptor)
        return invalidArgument(what() + " is " + describeValue(expected) +
                               ", got a tensor");
      scalars[i] = storeScalar(argument, expected.elementType);
      inputs.push_back(scalars[i].data());
      continue;
    }
    const MemRefDescriptor *descriptor = argument.descriptor;
    if (!descriptor)
      return invalidArgument(what() + " is " + describeValue(expected) +
                             ", got a scalar");
    if (descriptor->getRank() != expected.rank ||
        descriptor->getElementType() != expected.elementType)
      return invalidArgument(
          what() + " is " + describeValue(expected) + ", got a rank-" +
          std::to_string(descriptor->getRank()) + " tensor of " +
          getElementTypeName(descriptor->getElementType()));
    for (size_t dim = 0; dim < expected.dims.size(); ++dim)
      if (expected.dims[dim] != kDynamicExtent &&
          descriptor->getSize(static_cast<int64_t>(dim)) != expected.dims[dim])
        return invalidArgument(
            what() + " is " + describeValue(expected) + ", got extent " +
            std::to_string(descriptor->getSize(static_cast<int64_t>(dim))) +
            " in dim " + std::to_string(dim));
    if (!descriptor->isContiguous() && onDevice)
      return invalidArgument(what() + " is not contiguous; device functions "
                             "take row-major device buffers");
    if (!descriptor->isContiguous()) {
      // Compiled code reads inputs in row-major order.
      size_t bytes = descriptor->getNumElements() *
                     getElementByteSize(descriptor->getElementType());
      auto buffer = Buffer::allocate(getCurrentPool(), bytes);
      if (!buffer.ok())
        return buffer.getStatus();
      auto copy = MemRefDescriptor::getRowMajor(
          descriptor->getElementType(), *buffer, descriptor->getSizes());
      if (!copy.ok())
        return copy.getStatus();
      if (Status status = copyElements(*descriptor, *copy); !status.ok())
        return status;
      copies.push_back(std::move(*buffer));
      contiguous.push_back(std::move(*copy));
      descriptor = &contiguous.back();
    }
    tensorPointers[i] = const_cast<void *>(descriptor->getAbiPointer());
    inputs.push_back(&tensorPointers[i]);
  }

  if (signature.destinationPassing)
    return invokeWithOutputs(signature, inputs, results);

  size_t resultWords = 0;
  for (const ValueSignature &result : signature.results)
    resultWords += 3 + 2 * result.rank;
  std::vector<int64_t> resultStorage(resultWords, 0);
  void *resultPointer = resultStorage.data();
  std::vector<void *> packed{&resultPointer};
  packed.insert(packed.end(), inputs.begin(), inputs.end());
  if (!signature.call)
    return internalError("@" + signature.name + " has no entry point");
  const bool device = signature.device == "cuda";
  if (Status status =
          callCompiledCode(signature.call, packed.data(), signature.name);
      !status.ok()) {
    if (device)
      cuda::abandonThreadStreamWork();
    return status;
  }
  if (device)
    if (Status status = cuda::synchronizeThreadStream(); !status.ok()) {
      cuda::abandonThreadStreamWork();
      return status;
    }

  // Memory the results must not take ownership of a second time.
  std::vector<void *> ownedElsewhere;
  for (const Argument &argument : *arguments)
    if (argument.descriptor)
      ownedElsewhere.push_back(argument.descriptor->getAllocatedPtr());
  for (const MemRefDescriptor &copy : contiguous)
    ownedElsewhere.push_back(copy.getAllocatedPtr());
  const int64_t *words = resultStorage.data();
  for (const ValueSignature &result : signature.results) {
    void *allocated, *aligned;
    std::memcpy(&allocated, &words[0], sizeof(void *));
    std::memcpy(&aligned, &words[1], sizeof(void *));
    std::vector<int64_t> sizes(words + 3, words + 3 + result.rank);
    std::vector<int64_t> strides(words + 3 + result.rank,
                                 words + 3 + 2 * result.rank);
    auto descriptor = MemRefDescriptor::get(result.elementType, allocated,
                                            aligned, words[2], sizes, strides);
    if (!descriptor.ok())
      return descriptor.getStatus();
    words += 3 + 2 * result.rank;
    // Compiled code may return one buffer for two results (equal values
    // merged) or return an input's own memory: each result must own its
    // memory, so those get a pooled copy.
    bool shared = allocated != nullptr &&
                  std::find(ownedElsewhere.begin(), ownedElsewhere.end(),
                            allocated) != ownedElsewhere.end();
    if (device) {
      // Device memory the call allocated from the device pool becomes the
      // result's; anything else (an input returned as is, one block
      // returned twice) is copied into a block of its own.
      if (!shared && allocated) {
        auto adopted = cuda::adoptThreadStreamBlock(allocated);
        if (adopted.ok()) {
          ownedElsewhere.push_back(allocated);
          results.emplace_back(std::move(*descriptor), std::move(*adopted));
          continue;
        }
      }
      auto pool = cuda::getDevicePool(0);
      if (!pool.ok())
        return pool.getStatus();
      size_t bytes =
          descriptor->getNumElements() * getElementByteSize(result.elementType);
      if (!descriptor->isContiguous())
        return internalError("@" + signature.name +
                             " returned a strided view of device memory");
      auto buffer = Buffer::allocate(**pool, bytes, 256);
      if (!buffer.ok())
        return buffer.getStatus();
      if (bytes)
        if (Status status = cuda::copyDeviceToDevice(
                0, buffer->data(), descriptor->getDataPtr(), bytes);
            !status.ok())
          return status;
      auto copy =
          MemRefDescriptor::getRowMajor(result.elementType, *buffer, sizes);
      if (!copy.ok())
        return copy.getStatus();
      results.emplace_back(std::move(*copy), std::move(*buffer));
      continue;
    }
    if (!shared) {
      if (allocated)
        ownedElsewhere.push_back(allocated);
      results.emplace_back(std::move(*descriptor));
      continue;
    }
    auto buffer = Buffer::allocate(
        getCurrentPool(),
        descriptor->getNumElements() * getElementByteSize(result.elementType));
    if (!buffer.ok())
      return buffer.getStatus();
    auto copy = MemRefDescriptor::getRowMajor(result.elementType, *buffer, sizes);
    if (!copy.ok())
      return copy.getStatus();
    if (Status status = copyElements(*descriptor, *copy); !status.ok())
      return status;
    results.emplace_back(std::move(*copy), std::move(*buffer));
  }
  return okStatus();
}

Status Module::invokeWithOutputs(const FunctionExport &signature,
                                 const std::vector<void *> &inputs,
                                 std::vector<HostTensor> &results) const {
  if (!signature.shapes || !signature.destination)
    return internalError("@" + signature.name + " has no entry point");
  int64_t dimCount = 0;
  for (const ValueSignature &result : signature.results)
    dimCount += result.rank;

  // The result shapes, from the input shapes; the first failed shape check
  // (0 when every check holds); whether ambient ops see equal shapes.
  const int64_t size = dimCount + ShapeFunctionLayout::kSlots;
  std::vector<int64_t> dims(size, 0);
  auto dimsView =
      MemRefDescriptor::getRowMajor(ElementType::I64, dims.data(), {size});
  if (!dimsView.ok())
    return dimsView.getStatus();
  void *dimsPointer = dimsView->getAbiPointer();
  std::vector<void *> packed(inputs.begin(), inputs.end());
  packed.push_back(&dimsPointer);
  signature.shapes(packed.data());
  if (int64_t failed = dims[dimCount + ShapeFunctionLayout::kFailedCheck]) {
    std::string message = getCheckMessage(failed);
    return invalidArgument("the input shapes do not fit @" + signature.name +
                           ": " +
                           (message.empty() ? "a shape check failed" : message));
  }

  // The outputs, from the pool (the device's for device functions).
  BufferPool *pool = &getCurrentPool();
  if (signature.device == "cuda") {
    auto devicePool = cuda::getDevicePool(0);
    if (!devicePool.ok())
      return devicePool.getStatus();
    pool = *devicePool;
  }
  std::vector<MemRefDescriptor> outputs;
  std::vector<Buffer> buffers;
  outputs.reserve(signature.results.size());
  const int64_t *extent = dims.data();
  for (const ValueSignature &result : signature.results) {
    std::vector<int64_t> sizes(extent, extent + result.rank);
    extent += result.rank;
    size_t bytes = getElementByteSize(result.elementType);
    bool overflow = false;
    for (int64_t size : sizes) {
      if (size < 0)
        return invalidArgument("@" + signature.name +
                               " computed a negative result extent (" +
                               std::to_string(size) + ")");
      overflow |=
          __builtin_mul_overflow(bytes, static_cast<size_t>(size), &bytes);
    }
    if (overflow)
      return outOfMemory("a result of @" + signature.name +
                         " needs more bytes than the address space has");
    auto buffer = Buffer::allocate(
        *pool, bytes, signature.device == "cuda" ? 256 : kDefaultAlignment);
    if (!buffer.ok())
      return buffer.getStatus();
    auto output = MemRefDescriptor::getRowMajor(result.elementType, *buffer, sizes);
    if (!output.ok())
      return output.getStatus();
    outputs.push_back(std::move(*output));
    buffers.push_back(std::move(*buffer));
  }
  std::vector<void *> outputPointers;
  for (MemRefDescriptor &output : outputs)
    outputPointers.push_back(output.getAbiPointer());
  packed.assign(inputs.begin(), inputs.end());
  for (void *&pointer : outputPointers)
    packed.push_back(&pointer);
  // Equal operand shapes at every ambient op: the variant without shape
  // branches, whose elementwise chains are fused.
  bool equalShapes = dims[dimCount + ShapeFunctionLayout::kEqualShapes] != 0 &&
                     signature.equalShapes;
  if (Status status = callCompiledCode(
          equalShapes ? signature.equalShapes : signature.destination,
          packed.data(), signature.name);
      !status.ok()) {
    // Before the outputs go back to the pool: kernels queued before the
    // failure may still write them.
    if (signature.device == "cuda")
      cuda::abandonThreadStreamWork();
    return status;
  }
  // Device results are complete when the call returns (work the compiled
  // code left queued, a cuBLAS product last, say).
  if (signature.device == "cuda")
    if (Status status = cuda::synchronizeThreadStream(); !status.ok())
      return status;

  for (size_t i = 0; i < outputs.size(); ++i)
    results.emplace_back(std::move(outputs[i]), std::move(buffers[i]));
  return okStatus();
}

} // namespace vsla::rt

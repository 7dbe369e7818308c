//===- Executable.cpp - calling compiled vsla functions -------------------===//

#include "EntryPoints.h"

#include "vsla/Driver/Compiler.h"
#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/BufferPool.h"
#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/StridedCopy.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"

#include <array>
#include <atomic>
#include <cstring>

namespace vsla {

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

namespace detail {
std::atomic<bool> processExiting{false};
} // namespace detail

Executable::~Executable() {
  // Destroying an engine runs its deinitializers through the JIT, which
  // needs LLVM's code generator; during static destruction at exit parts of
  // it are already gone. The process is ending: leave the engine be.
  if (detail::processExiting.load())
    (void)engine.release();
}

const FunctionSignature *Executable::lookup(llvm::StringRef name) const {
  for (const FunctionSignature &function : functions)
    if (function.name == name)
      return &function;
  return nullptr;
}

rt::Status Executable::invokeWithOutputs(size_t index,
                                         llvm::ArrayRef<void *> inputs,
                                         std::vector<HostTensor> &results) const {
  const FunctionSignature &signature = functions[index];
  int64_t dimCount = 0;
  for (const ValueSignature &result : signature.results)
    dimCount += result.rank;

  // The result shapes, from the input shapes; the first failed shape check
  // (0 when every check holds); whether ambient ops see equal shapes.
  const int64_t size = dimCount + ShapeFunctionLayout::kSlots;
  std::vector<int64_t> dims(size, 0);
  auto dimsView = rt::MemRefDescriptor::getRowMajor(
      rt::ElementType::I64, dims.data(), {size});
  if (!dimsView.ok())
    return dimsView.getStatus();
  void *dimsPointer = dimsView->getAbiPointer();
  llvm::SmallVector<void *> packed(inputs.begin(), inputs.end());
  packed.push_back(&dimsPointer);
  shapeEntryPoints[index](packed.data());
  if (int64_t failed = dims[dimCount + ShapeFunctionLayout::kFailedCheck]) {
    std::string message = getCheckMessage(failed);
    return rt::invalidArgument("the input shapes do not fit @" +
                               signature.name + ": " +
                               (message.empty() ? "a shape check failed"
                                                : message));
  }

  // The outputs, from the pool.
  std::vector<rt::MemRefDescriptor> outputs;
  std::vector<rt::Buffer> buffers;
  outputs.reserve(signature.results.size());
  const int64_t *extent = dims.data();
  for (const ValueSignature &result : signature.results) {
    std::vector<int64_t> sizes(extent, extent + result.rank);
    extent += result.rank;
    size_t bytes = rt::getElementByteSize(result.elementType);
    bool overflow = false;
    for (int64_t size : sizes) {
      if (size < 0)
        return rt::invalidArgument("@" + signature.name +
                                   " computed a negative result extent (" +
                                   std::to_string(size) + ")");
      overflow |= __builtin_mul_overflow(bytes, static_cast<size_t>(size),
                                         &bytes);
    }
    if (overflow)
      return rt::outOfMemory("a result of @" + signature.name +
                             " needs more bytes than the address space has");
    auto buffer = rt::Buffer::allocate(rt::getCurrentPool(), bytes);
    if (!buffer.ok())
      return buffer.getStatus();
    auto output =
        rt::MemRefDescriptor::getRowMajor(result.elementType, *buffer, sizes);
    if (!output.ok())
      return output.getStatus();
    outputs.push_back(std::move(*output));
    buffers.push_back(std::move(*buffer));
  }
  std::vector<void *> outputPointers;
  for (rt::MemRefDescriptor &output : outputs)
    outputPointers.push_back(output.getAbiPointer());
  packed.assign(inputs.begin(), inputs.end());
  for (void *&pointer : outputPointers)
    packed.push_back(&pointer);
  // Equal operand shapes at every ambient op: the variant without shape
  // branches, whose elementwise chains are fused.
  bool equalShapes = dims[dimCount + ShapeFunctionLayout::kEqualShapes] != 0 &&
                     equalShapesEntryPoints[index];
  if (rt::Status status = callCompiled(
          equalShapes ? equalShapesEntryPoints[index]
                      : destinationEntryPoints[index],
          packed.data(), signature.name);
      !status.ok())
    return status;

  for (auto [output, buffer] : llvm::zip_equal(outputs, buffers))
    results.emplace_back(std::move(output), std::move(buffer));
  return rt::okStatus();
}

std::string Executable::getCheckMessage(int64_t id) const {
  if (id < 1 || id > static_cast<int64_t>(checkMessages.size()))
    return "";
  return checkMessages[id - 1];
}

rt::Status Executable::callCompiled(PackedFunction entry, void **arguments,
                                    const std::string &function) const {
  rt::Status status = rt::callCompiled(
      entry, arguments, [&](int64_t id) { return getCheckMessage(id); });
  if (status.ok() || status.getCode() != rt::StatusCode::InvalidArgument)
    return status;
  return rt::invalidArgument("the inputs do not fit @" + function + ": " +
                             status.getMessage());
}

rt::Status Executable::writeObjectFile(llvm::StringRef path) const {
  engine->dumpToObjectFile(path);
  return rt::okStatus();
}

namespace {

std::string describe(const ValueSignature &value) {
  if (!value.isTensor)
    return std::string("a ") + rt::getElementTypeName(value.elementType) +
           " scalar";
  return "a rank-" + std::to_string(value.rank) + " tensor of " +
         rt::getElementTypeName(value.elementType);
}

/// A scalar argument stored as the compiled code reads it. Integers given
/// as integers are stored exactly (the caller has range-checked them).
std::array<char, 8> storeScalar(const Argument &argument,
                                rt::ElementType type) {
  std::array<char, 8> bytes{};
  double value = argument.value;
  if (argument.isInteger && type != rt::ElementType::F32 &&
      type != rt::ElementType::F64) {
    if (type == rt::ElementType::I32) {
      auto i = static_cast<int32_t>(argument.integerValue);
      std::memcpy(bytes.data(), &i, sizeof(i));
    } else {
      std::memcpy(bytes.data(), &argument.integerValue,
                  sizeof(argument.integerValue));
    }
    return bytes;
  }
  switch (type) {
  case rt::ElementType::F32: {
    float f = static_cast<float>(value);
    std::memcpy(bytes.data(), &f, sizeof(f));
    break;
  }
  case rt::ElementType::F64:
    std::memcpy(bytes.data(), &value, sizeof(value));
    break;
  case rt::ElementType::I32: {
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

rt::Status Executable::invoke(llvm::StringRef name,
                              llvm::ArrayRef<Argument> arguments,
                              std::vector<HostTensor> &results) const {
  size_t index = 0;
  while (index < functions.size() && functions[index].name != name)
    ++index;
  if (index == functions.size())
    return rt::invalidArgument("the executable has no function @" + name.str());
  const FunctionSignature &signature = functions[index];
  if (arguments.size() != signature.arguments.size())
    return rt::invalidArgument(
        "@" + signature.name + " takes " +
        std::to_string(signature.arguments.size()) + " arguments, got " +
        std::to_string(arguments.size()));

  // Storage the packed argument arrays point into; sized up front so the
  // pointers stay valid.
  std::vector<void *> tensorPointers(arguments.size());
  std::vector<std::array<char, 8>> scalars(arguments.size());
  std::vector<rt::Buffer> copies;
  std::vector<rt::MemRefDescriptor> contiguous;
  contiguous.reserve(arguments.size());
  llvm::SmallVector<void *> inputs;

  for (auto [i, argument] : llvm::enumerate(arguments)) {
    const ValueSignature &expected = signature.arguments[i];
    // Built only for an error: this loop runs on every call.
    auto what = [&, i = i] {
      return "argument " + std::to_string(i) + " of @" + signature.name;
    };
    if (!expected.isTensor) {
      if (argument.descriptor)
        return rt::invalidArgument(what() + " is " + describe(expected) +
                                   ", got a tensor");
      scalars[i] = storeScalar(argument, expected.elementType);
      inputs.push_back(scalars[i].data());
      continue;
    }
    const rt::MemRefDescriptor *descriptor = argument.descriptor;
    if (!descriptor)
      return rt::invalidArgument(what() + " is " + describe(expected) +
                                 ", got a scalar");
    if (descriptor->getRank() != expected.rank ||
        descriptor->getElementType() != expected.elementType)
      return rt::invalidArgument(
          what() + " is " + describe(expected) + ", got a rank-" +
          std::to_string(descriptor->getRank()) + " tensor of " +
          rt::getElementTypeName(descriptor->getElementType()));
    if (!descriptor->isContiguous()) {
      // Compiled code reads inputs in row-major order.
      size_t bytes = descriptor->getNumElements() *
                     rt::getElementByteSize(descriptor->getElementType());
      auto buffer = rt::Buffer::allocate(rt::getCurrentPool(), bytes);
      if (!buffer.ok())
        return buffer.getStatus();
      auto copy = rt::MemRefDescriptor::getRowMajor(
          descriptor->getElementType(), *buffer, descriptor->getSizes());
      if (!copy.ok())
        return copy.getStatus();
      if (rt::Status status = rt::copyElements(*descriptor, *copy);
          !status.ok())
        return status;
      copies.push_back(std::move(*buffer));
      contiguous.push_back(std::move(*copy));
      descriptor = &contiguous.back();
    }
    tensorPointers[i] = const_cast<void *>(descriptor->getAbiPointer());
    inputs.push_back(&tensorPointers[i]);
  }

  if (signature.destinationPassing)
    return invokeWithOutputs(index, inputs, results);

  size_t resultWords = 0;
  for (const ValueSignature &result : signature.results)
    resultWords += 3 + 2 * result.rank;
  std::vector<int64_t> resultStorage(resultWords, 0);
  void *resultPointer = resultStorage.data();
  llvm::SmallVector<void *> packed{&resultPointer};
  packed.append(inputs.begin(), inputs.end());
  if (rt::Status status =
          callCompiled(entryPoints[index], packed.data(), signature.name);
      !status.ok())
    return status;

  // Memory the results must not take ownership of a second time.
  std::vector<void *> ownedElsewhere;
  for (const Argument &argument : arguments)
    if (argument.descriptor)
      ownedElsewhere.push_back(argument.descriptor->getAllocatedPtr());
  for (const rt::MemRefDescriptor &copy : contiguous)
    ownedElsewhere.push_back(copy.getAllocatedPtr());
  const int64_t *words = resultStorage.data();
  for (const ValueSignature &result : signature.results) {
    void *allocated, *aligned;
    std::memcpy(&allocated, &words[0], sizeof(void *));
    std::memcpy(&aligned, &words[1], sizeof(void *));
    std::vector<int64_t> sizes(words + 3, words + 3 + result.rank);
    std::vector<int64_t> strides(words + 3 + result.rank,
                                 words + 3 + 2 * result.rank);
    auto descriptor = rt::MemRefDescriptor::get(
        result.elementType, allocated, aligned, words[2], sizes, strides);
    if (!descriptor.ok())
      return descriptor.getStatus();
    words += 3 + 2 * result.rank;
    // Compiled code may return one buffer for two results (equal values
    // merged) or return an input's own memory: each result must own its
    // memory, so those get a pooled copy.
    bool shared = allocated != nullptr &&
                  llvm::is_contained(ownedElsewhere, allocated);
    if (!shared) {
      if (allocated)
        ownedElsewhere.push_back(allocated);
      results.emplace_back(std::move(*descriptor));
      continue;
    }
    auto buffer = rt::Buffer::allocate(
        rt::getCurrentPool(), descriptor->getNumElements() *
                                  rt::getElementByteSize(result.elementType));
    if (!buffer.ok())
      return buffer.getStatus();
    auto copy =
        rt::MemRefDescriptor::getRowMajor(result.elementType, *buffer, sizes);
    if (!copy.ok())
      return copy.getStatus();
    if (rt::Status status = rt::copyElements(*descriptor, *copy); !status.ok())
      return status;
    results.emplace_back(std::move(*copy), std::move(*buffer));
  }
  return rt::okStatus();
}

} // namespace vsla

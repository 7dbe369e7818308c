//===- vsla-run.cpp - run a function of a VSLA artifact -------------------===//
//
// vsla-run model.vsla [--function NAME] --input x.npy ... [--output y.npy ...]
//          [--benchmark N] [--describe]
//
// Loads the artifact with the runtime alone (no LLVM or MLIR in the
// process), calls one of its functions on .npy inputs (or numbers, for
// scalar arguments) in the order of its signature, and writes the results
// as .npy files, or prints them. A ragged argument is two inputs: its packed
// values and its per-item extents (lengths, for items of rank 1). Functions
// that run on a CUDA device get their inputs copied to device memory and
// their results copied back.
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/Module.h"
#include "vsla/runtime/Npy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace vsla::rt;

namespace {

constexpr const char *kUsage =
    "usage: vsla-run MODEL.vsla [--function NAME] --input X.npy|NUMBER ... "
    "[--output Y.npy ...] [--benchmark N] [--describe]\n";

int fail(const std::string &message) {
  std::fprintf(stderr, "vsla-run: %s\n", message.c_str());
  return 1;
}

int fail(const Status &status) {
  return fail(std::string(statusCodeName(status.getCode())) + ": " +
              status.getMessage());
}

/// " [ragged values]" or " [ragged extents]" for a part of a ragged value.
std::string describeRagged(const std::vector<RaggedPair> &pairs, size_t index) {
  for (const RaggedPair &pair : pairs) {
    if (pair.values == static_cast<int64_t>(index))
      return " [ragged values]";
    if (pair.shapes == static_cast<int64_t>(index))
      return " [ragged extents]";
  }
  return "";
}

std::string describeFunction(const FunctionExport &function) {
  std::string text = "@" + function.name + "(";
  bool first = true;
  for (size_t i = 0; i < function.arguments.size(); ++i) {
    if (!function.boundArguments.empty() && function.boundArguments[i] >= 0)
      continue;
    text += (first ? "" : ", ") + describeValue(function.arguments[i]) +
            describeRagged(function.raggedArguments, i);
    first = false;
  }
  text += ") -> (";
  for (size_t i = 0; i < function.results.size(); ++i)
    text += (i ? ", " : "") + describeValue(function.results[i]) +
            describeRagged(function.raggedResults, i);
  return text + ")" +
         (function.device == "host" ? "" : " on " + function.device);
}

template <typename T> T read(const char *at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

void printTensor(const MemRefDescriptor &tensor) {
  std::printf("%s[", getElementTypeName(tensor.getElementType()));
  for (int64_t d = 0; d < tensor.getRank(); ++d)
    std::printf("%s%lld", d ? "x" : "", static_cast<long long>(tensor.getSize(d)));
  std::printf("]");
  // Contents in row-major order, at most 16 values.
  std::vector<int64_t> sizes = tensor.getSizes();
  int64_t count = std::min<int64_t>(tensor.getNumElements(), 16);
  std::vector<int64_t> index(sizes.size(), 0);
  std::printf(" {");
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = tensor.getOffset();
    for (size_t d = 0; d < sizes.size(); ++d)
      offset += index[d] * tensor.getStride(static_cast<int64_t>(d));
    const char *base = static_cast<const char *>(tensor.getAlignedPtr());
    size_t bytes = getElementByteSize(tensor.getElementType());
    const char *at = base + offset * static_cast<int64_t>(bytes);
    const char *separator = n ? ", " : "";
    switch (tensor.getElementType()) {
    case ElementType::F32:
      std::printf("%s%g", separator, read<float>(at));
      break;
    case ElementType::F64:
      std::printf("%s%g", separator, read<double>(at));
      break;
    case ElementType::I32:
      std::printf("%s%d", separator, read<int32_t>(at));
      break;
    case ElementType::I64:
      std::printf("%s%lld", separator,
                  static_cast<long long>(read<int64_t>(at)));
      break;
    case ElementType::I1:
      std::printf("%s%s", separator, *at ? "true" : "false");
      break;
    default:
      std::printf("%s?", separator);
    }
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  std::printf("%s}\n", tensor.getNumElements() > count ? ", ..." : "");
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, functionName;
  std::vector<std::string> inputs, outputs;
  long benchmark = 0;
  bool describe = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "vsla-run: %s needs a value\n%s", flag, kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--input" || arg == "-i")
      inputs.push_back(value("--input"));
    else if (arg == "--output" || arg == "-o")
      outputs.push_back(value("--output"));
    else if (arg == "--function" || arg == "-f")
      functionName = value("--function");
    else if (arg == "--benchmark") {
      char *end = nullptr;
      const char *text = value("--benchmark");
      benchmark = std::strtol(text, &end, 10);
      if (*end || benchmark < 1) {
        std::fprintf(stderr, "vsla-run: --benchmark takes a positive count, "
                             "got %s\n%s", text, kUsage);
        return 2;
      }
    } else if (arg == "--describe")
      describe = true;
    else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "vsla-run: unknown option %s\n%s", arg.c_str(),
                   kUsage);
      return 2;
    } else if (modelPath.empty())
      modelPath = arg;
    else {
      std::fprintf(stderr, "vsla-run: a second model %s\n%s", arg.c_str(),
                   kUsage);
      return 2;
    }
  }
  if (modelPath.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }

  auto module = loadArtifactFile(modelPath);
  if (!module.ok())
    return fail(module.getStatus());
  const std::vector<FunctionExport> &functions = (*module)->getFunctions();
  if (describe) {
    for (const FunctionExport &function : functions)
      std::printf("%s\n", describeFunction(function).c_str());
    return 0;
  }
  const FunctionExport *function = nullptr;
  if (functionName.empty()) {
    if (functions.size() != 1) {
      std::string names;
      for (const FunctionExport &f : functions)
        names += " @" + f.name;
      return fail("the model has " + std::to_string(functions.size()) +
                  " functions (" + names.substr(1) +
                  "); choose one with --function NAME");
    }
    function = &functions.front();
  } else {
    function = (*module)->lookup(functionName);
    if (!function)
      return fail("the model has no function @" + functionName +
                  "; --describe lists its functions");
  }

  // The user arguments in order: .npy files for tensors, numbers for
  // scalars.
  std::vector<const ValueSignature *> expected;
  for (size_t i = 0; i < function->arguments.size(); ++i)
    if (function->boundArguments.empty() || function->boundArguments[i] < 0)
      expected.push_back(&function->arguments[i]);
  if (inputs.size() != expected.size())
    return fail(describeFunction(*function) + " takes " +
                std::to_string(expected.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  std::vector<NpyArray> arrays(inputs.size());
  std::vector<MemRefDescriptor> descriptors;
  descriptors.reserve(inputs.size());
  std::vector<Argument> arguments;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!expected[i]->isTensor) {
      char *end = nullptr;
      double number = std::strtod(inputs[i].c_str(), &end);
      if (inputs[i].empty() || *end)
        return fail("input " + std::to_string(i) + " is " +
                    describeValue(*expected[i]) + ", got " + inputs[i]);
      long long integer = std::strtoll(inputs[i].c_str(), &end, 10);
      arguments.push_back(*end ? Argument::scalar(number)
                               : Argument::integer(integer));
      continue;
    }
    auto array = readNpy(inputs[i]);
    if (!array.ok())
      return fail(array.getStatus());
    arrays[i] = std::move(*array);
    // Lengths of rank-1 items may be given as a vector: [n] is [n, 1].
    if (expected[i]->rank == 2 && arrays[i].shape.size() == 1 &&
        arrays[i].elementType == ElementType::I64)
      for (const RaggedPair &pair : function->raggedArguments)
        if (&function->arguments[pair.shapes] == expected[i])
          arrays[i].shape.push_back(1);
    auto descriptor = arrays[i].getDescriptor();
    if (!descriptor.ok())
      return fail(descriptor.getStatus());
    descriptors.push_back(std::move(*descriptor));
    arguments.push_back(Argument::tensor(descriptors.back()));
  }
  // A device function takes device buffers: copy the inputs there.
  const bool onDevice = function->device == "cuda";
  std::vector<Buffer> deviceInputs;
  std::vector<MemRefDescriptor> deviceDescriptors;
  deviceDescriptors.reserve(descriptors.size());
  if (onDevice) {
    auto pool = cuda::getDevicePool(0);
    if (!pool.ok())
      return fail(pool.getStatus());
    size_t tensor = 0;
    for (Argument &argument : arguments) {
      if (!argument.descriptor)
        continue;
      const MemRefDescriptor &host = descriptors[tensor++];
      size_t bytes = static_cast<size_t>(host.getNumElements()) *
                     getElementByteSize(host.getElementType());
      auto buffer = Buffer::allocate(**pool, bytes, 256);
      if (!buffer.ok())
        return fail(buffer.getStatus());
      if (Status status = cuda::copyHostToDevice(0, buffer->data(),
                                                 host.getDataPtr(), bytes);
          !status.ok())
        return fail(status);
      auto device = MemRefDescriptor::getRowMajor(
          host.getElementType(), buffer->data(), host.getSizes());
      if (!device.ok())
        return fail(device.getStatus());
      deviceDescriptors.push_back(std::move(*device));
      deviceInputs.push_back(std::move(*buffer));
      argument = Argument::tensor(deviceDescriptors.back());
    }
  }
  if (!outputs.empty() && outputs.size() != function->results.size())
    return fail("@" + function->name + " has " +
                std::to_string(function->results.size()) + " results, got " +
                std::to_string(outputs.size()) + " --output paths");

  std::vector<HostTensor> results;
  if (Status status = (*module)->invoke(function->name, arguments, results);
      !status.ok())
    return fail(status);
  if (benchmark > 0) {
    std::vector<double> times;
    for (long n = 0; n < benchmark; ++n) {
      std::vector<HostTensor> again;
      auto start = std::chrono::steady_clock::now();
      if (Status status = (*module)->invoke(function->name, arguments, again);
          !status.ok())
        return fail(status);
      times.push_back(std::chrono::duration<double, std::micro>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
    std::sort(times.begin(), times.end());
    std::printf("@%s: %ld calls, median %.1f us, min %.1f us\n",
                function->name.c_str(), benchmark, times[times.size() / 2],
                times.front());
  }
  for (size_t i = 0; i < results.size(); ++i) {
    MemRefDescriptor result = results[i].getDescriptor();
    // Device results come back to the host first.
    std::vector<char> copy;
    if (onDevice) {
      size_t bytes = static_cast<size_t>(result.getNumElements()) *
                     getElementByteSize(result.getElementType());
      copy.resize(std::max<size_t>(bytes, 1));
      if (Status status = cuda::copyDeviceToHost(0, copy.data(),
                                                 result.getDataPtr(), bytes);
          !status.ok())
        return fail(status);
      auto host = MemRefDescriptor::getRowMajor(result.getElementType(),
                                                copy.data(), result.getSizes());
      if (!host.ok())
        return fail(host.getStatus());
      result = std::move(*host);
    }
    if (outputs.empty()) {
      std::printf("result %zu: ", i);
      printTensor(result);
      continue;
    }
    if (Status status = writeNpy(outputs[i], result); !status.ok())
      return fail(status);
  }
  return 0;
}

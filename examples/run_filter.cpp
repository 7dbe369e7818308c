//===- run_filter.cpp - compile examples/filter.mlir and run it -----------===//
//
// The C++ driver end to end: compile the vsla filter once, run it on signals
// of several lengths (one compiled executable serves them all), and check
// every result against a plain C++ reference.
//
//   build/bin/vsla-example-filter examples/filter.mlir
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/Compiler.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s examples/filter.mlir\n", argv[0]);
    return 2;
  }
  auto file = llvm::MemoryBuffer::getFile(argv[1]);
  if (!file) {
    std::fprintf(stderr, "cannot read %s: %s\n", argv[1],
                 file.getError().message().c_str());
    return 1;
  }
  vsla::Compiler compiler;
  auto executable = compiler.compileSource((*file)->getBuffer());
  if (!executable.ok()) {
    std::fprintf(stderr, "%s\n", executable.getStatus().toString().c_str());
    return 1;
  }

  std::vector<float> kernel{0.25f, 0.5f, 0.25f};
  auto kernelView = *vsla::rt::MemRefDescriptor::getRowMajor(
      vsla::rt::ElementType::F32, kernel.data(), {3});
  bool allMatch = true;
  for (int64_t length : {1, 5, 8, 13}) {
    std::vector<float> signal(length);
    for (int64_t i = 0; i < length; ++i)
      signal[i] = std::sin(0.7f * i);
    auto signalView = *vsla::rt::MemRefDescriptor::getRowMajor(
        vsla::rt::ElementType::F32, signal.data(), {length});
    std::vector<vsla::HostTensor> results;
    vsla::rt::Status status = (*executable)->invoke(
        "filter",
        {vsla::Argument::tensor(signalView), vsla::Argument::tensor(kernelView)},
        results);
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.toString().c_str());
      return 1;
    }
    // Reference: tanh(conv(signal, kernel) + [1.0, 0.25]).
    std::vector<float> expected(length + 2, 0.0f);
    for (int64_t i = 0; i < length; ++i)
      for (int64_t j = 0; j < 3; ++j)
        expected[i + j] += signal[i] * kernel[j];
    expected[0] += 1.0f;
    expected[1] += 0.25f;
    const float *out = results[0].data<float>();
    bool match = results[0].getShape() == std::vector<int64_t>{length + 2};
    std::printf("length %2lld -> %2lld:", static_cast<long long>(length),
                static_cast<long long>(results[0].getShape()[0]));
    for (int64_t i = 0; i < length + 2; ++i) {
      match = match && std::fabs(out[i] - std::tanh(expected[i])) < 1e-5f;
      std::printf(" %7.4f", out[i]);
    }
    std::printf("   %s\n", match ? "matches the C++ reference" : "MISMATCH");
    allMatch = allMatch && match;
  }
  std::printf("compiled executables: %zu (one for every length)\n",
              compiler.getCacheSize());
  return allMatch ? 0 : 1;
}

//===- cpu_microbench.cpp - VSLA's generated code against the machine -----===//
//
// Measures, on one core of the host:
//   - the machine: memory bandwidth (STREAM-style copy and triad) and peak
//     single-precision FMA throughput, with plain C++ kernels;
//   - VSLA: the fused elementwise chain tanh(a * 1.5 + b) * sigmoid(a) over
//     4M float32 elements (static and dynamic shapes), and a 1024 x 1024
//     float32 matmul;
// and prints each VSLA figure next to the machine's. Best of several runs.
//
//   build/bin/vsla-bench-cpu [--quick]
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/Compiler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace vsla;
using Clock = std::chrono::steady_clock;

namespace {

/// The best wall time of `repeats` runs of `fn`, in seconds.
double bestOf(int repeats, const std::function<void()> &fn) {
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    auto start = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start)
                              .count());
  }
  return best;
}

/// Keeps the optimizer from deleting a kernel whose result is unused.
volatile float sink;

double measureTriadGBs(size_t n, int repeats) {
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  double t = bestOf(repeats, [&] {
    for (size_t i = 0; i < n; ++i)
      a[i] = b[i] + 1.5f * c[i];
    sink = a[n / 2];
  });
  return 3.0 * n * sizeof(float) / t / 1e9;
}

double measureCopyGBs(size_t n, int repeats) {
  std::vector<float> a(n), b(n, 1.0f);
  double t = bestOf(repeats, [&] {
    std::memcpy(a.data(), b.data(), n * sizeof(float));
    sink = a[n / 2];
  });
  return 2.0 * n * sizeof(float) / t / 1e9;
}

/// Peak FMA throughput: many independent accumulators in registers.
double measurePeakGflops(int repeats) {
  constexpr int kLanes = 128;
  constexpr long kIterations = 4000000;
  alignas(64) float acc[kLanes];
  for (int i = 0; i < kLanes; ++i)
    acc[i] = 1.0f + i * 1e-3f;
  double t = bestOf(repeats, [&] {
    for (long it = 0; it < kIterations; ++it)
      for (int i = 0; i < kLanes; ++i)
        acc[i] = acc[i] * 0.999999f + 1e-7f;
    sink = acc[7];
  });
  return 2.0 * kLanes * kIterations / t / 1e9;
}

const char *kChain = R"mlir(
  func.func @chain_static(%a: tensor<4194304xf32>, %b: tensor<4194304xf32>) -> tensor<4194304xf32> {
    %s = arith.constant 1.5 : f32
    %x = vsla.mul_scalar %a, %s : tensor<4194304xf32>, f32
    %y = vsla.add %x, %b : tensor<4194304xf32>, tensor<4194304xf32>
    %t = vsla.tanh %y : tensor<4194304xf32>
    %g = vsla.sigmoid %a : tensor<4194304xf32>
    %r = vsla.mul %t, %g : tensor<4194304xf32>, tensor<4194304xf32>
    return %r : tensor<4194304xf32>
  }
  func.func @chain_dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %s = arith.constant 1.5 : f32
    %x = vsla.mul_scalar %a, %s : tensor<?xf32>, f32
    %y = vsla.add %x, %b : tensor<?xf32>, tensor<?xf32>
    %t = vsla.tanh %y : tensor<?xf32>
    %g = vsla.sigmoid %a : tensor<?xf32>
    %r = vsla.mul %t, %g : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @matmul(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
    %r = vsla.matmul %a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>
    return %r : tensor<1024x1024xf32>
  }
)mlir";

double timeCall(const Executable &executable, const char *name,
                const std::vector<rt::MemRefDescriptor> &inputs, int repeats) {
  std::vector<Argument> arguments;
  for (const rt::MemRefDescriptor &input : inputs)
    arguments.push_back(Argument::tensor(input));
  return bestOf(repeats, [&] {
    std::vector<HostTensor> results;
    rt::Status status = executable.invoke(name, arguments, results);
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.toString().c_str());
      std::exit(1);
    }
  });
}

} // namespace

int main(int argc, char **argv) {
  bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  int repeats = quick ? 2 : 7;
  constexpr size_t kChainElements = size_t(4) << 20;
  constexpr int64_t kMatmul = 1024;

  double triad = measureTriadGBs(kChainElements * 4, repeats);
  double copy = measureCopyGBs(kChainElements * 4, repeats);
  double peak = measurePeakGflops(repeats);

  Compiler compiler;
  auto compileStart = Clock::now();
  auto executable = compiler.compileSource(kChain);
  double compileSeconds =
      std::chrono::duration<double>(Clock::now() - compileStart).count();
  if (!executable.ok()) {
    std::fprintf(stderr, "%s\n", executable.getStatus().toString().c_str());
    return 1;
  }

  std::vector<float> a(kChainElements), b(kChainElements);
  for (size_t i = 0; i < kChainElements; ++i) {
    a[i] = std::sin(0.001f * i);
    b[i] = std::cos(0.002f * i);
  }
  std::vector<int64_t> shape{static_cast<int64_t>(kChainElements)};
  auto va = *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, a.data(),
                                               shape);
  auto vb = *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, b.data(),
                                               shape);
  double chainStatic = timeCall(**executable, "chain_static", {va, vb}, repeats);
  double chainDynamic =
      timeCall(**executable, "chain_dynamic", {va, vb}, repeats);
  // Reads a and b, writes the result: 12 bytes an element.
  double chainBytes = 12.0 * kChainElements;

  std::vector<float> m(kMatmul * kMatmul), n(kMatmul * kMatmul);
  for (size_t i = 0; i < m.size(); ++i) {
    m[i] = 0.001f * (i % 1000);
    n[i] = 0.002f * (i % 997);
  }
  auto vm = *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, m.data(),
                                               {kMatmul, kMatmul});
  auto vn = *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, n.data(),
                                               {kMatmul, kMatmul});
  double matmul = timeCall(**executable, "matmul", {vm, vn}, quick ? 1 : 3);
  double matmulFlops = 2.0 * kMatmul * kMatmul * kMatmul;

  std::printf("machine (one core)\n");
  std::printf("  memory bandwidth, triad      %8.2f GB/s\n", triad);
  std::printf("  memory bandwidth, memcpy     %8.2f GB/s\n", copy);
  std::printf("  peak f32 FMA throughput      %8.2f GFLOP/s\n", peak);
  std::printf("vsla (compile of the module: %.2f s)\n", compileSeconds);
  std::printf("  chain, 4M f32, static shape  %8.3f ms  %8.2f GB/s  (%4.0f%% of triad)\n",
              chainStatic * 1e3, chainBytes / chainStatic / 1e9,
              100.0 * chainBytes / chainStatic / 1e9 / triad);
  std::printf("  chain, 4M f32, dynamic shape %8.3f ms  %8.2f GB/s  (%4.0f%% of triad)\n",
              chainDynamic * 1e3, chainBytes / chainDynamic / 1e9,
              100.0 * chainBytes / chainDynamic / 1e9 / triad);
  std::printf("  matmul 1024x1024 f32         %8.3f ms  %8.2f GFLOP/s (%4.1f%% of peak)\n",
              matmul * 1e3, matmulFlops / matmul / 1e9,
              100.0 * matmulFlops / matmul / 1e9 / peak);
  return 0;
}

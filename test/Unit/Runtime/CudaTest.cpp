//===- CudaTest.cpp - the CUDA device with and without a driver -----------===//
//
// Machines without an NVIDIA driver (CI) check that everything CUDA is an
// Unavailable status, never a crash: a missing library, the toolkit's stub
// driver, the mgpu* functions compiled host code calls. Where a device is
// present the same binary checks allocation, copies and the caching pool.
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/Cuda.h"

#include <gtest/gtest.h>

#include <numeric>
#include <unistd.h>
#include <vector>

using namespace vsla::rt;

namespace {

bool haveDevice() { return cuda::getDeviceCount() > 0; }

TEST(Cuda, AMissingDriverIsUnavailable) {
  auto driver = cuda::loadDriver("/nonexistent/libcuda.so.1");
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.getStatus().getCode(), StatusCode::Unavailable);
  EXPECT_NE(driver.getStatus().getMessage().find("no CUDA driver"),
            std::string::npos);
}

TEST(Cuda, TheToolkitsStubDriverIsUnavailable) {
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (access(stub, R_OK) != 0)
    GTEST_SKIP() << "no CUDA toolkit stub at " << stub;
  auto driver = cuda::loadDriver(stub);
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.getStatus().getCode(), StatusCode::Unavailable);
  EXPECT_NE(driver.getStatus().getMessage().find("stub"), std::string::npos)
      << driver.getStatus().getMessage();
}

TEST(Cuda, WithoutADeviceEverythingIsAStatus) {
  if (haveDevice())
    GTEST_SKIP() << "a CUDA device is present";
  EXPECT_EQ(cuda::getDeviceCount(), 0);
  EXPECT_EQ(cuda::getDriver().getStatus().getCode(), StatusCode::Unavailable);
  EXPECT_EQ(cuda::DeviceAllocator::get(0).getStatus().getCode(),
            StatusCode::Unavailable);
  EXPECT_EQ(cuda::getDevicePool(0).getStatus().getCode(),
            StatusCode::Unavailable);
  EXPECT_EQ(cuda::getDeviceInfo(0).getStatus().getCode(),
            StatusCode::Unavailable);
  char byte = 0;
  EXPECT_FALSE(cuda::copyHostToDevice(0, &byte, &byte, 1).ok());
}

/// Compiled host code that allocates device memory, as the GPU pipeline
/// emits it: mgpuMemAlloc, then a launch.
void allocateAndLaunch(void **) {
  void *memory = mgpuMemAlloc(1024, nullptr, false);
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  mgpuMemFree(memory, nullptr);
}

TEST(Cuda, HostCodeWithoutADeviceFailsItsCall) {
  if (haveDevice())
    GTEST_SKIP() << "a CUDA device is present";
  Status status = callCompiled(&allocateAndLaunch, nullptr,
                               [](int64_t) { return std::string(); });
  EXPECT_EQ(status.getCode(), StatusCode::Unavailable) << status.toString();
  // Outside a compiled call the functions report and return null.
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(16, nullptr, false), nullptr);
}

TEST(Cuda, HostSharedMemoryIsRefused) {
  Status status = callCompiled(
      [](void **) { (void)mgpuMemAlloc(64, nullptr, /*hostShared=*/true); },
      nullptr, [](int64_t) { return std::string(); });
  EXPECT_FALSE(status.ok());
}

TEST(Cuda, DeviceMemoryRoundTripsThroughThePool) {
  if (!haveDevice())
    GTEST_SKIP() << "no CUDA device";
  auto info = cuda::getDeviceInfo(0);
  ASSERT_TRUE(info.ok()) << info.getStatus().toString();
  EXPECT_GT(info->multiprocessors, 0);
  auto pool = cuda::getDevicePool(0);
  ASSERT_TRUE(pool.ok());
  std::vector<float> host(1000), back(1000, -1.f);
  std::iota(host.begin(), host.end(), 0.f);
  for (int round = 0; round < 3; ++round) {
    auto memory = (*pool)->allocate(host.size() * sizeof(float), 256);
    ASSERT_TRUE(memory.ok());
    ASSERT_TRUE(cuda::copyHostToDevice(0, *memory, host.data(),
                                       host.size() * sizeof(float))
                    .ok());
    ASSERT_TRUE(cuda::copyDeviceToHost(0, back.data(), *memory,
                                       back.size() * sizeof(float))
                    .ok());
    EXPECT_EQ(back, host);
    ASSERT_TRUE((*pool)->deallocate(*memory, 0, 256).ok());
  }
  // After the first round the pool served every block.
  EXPECT_GE((*pool)->getStats().hits, 2u);
}

/// Compiled host code reading device memory on its own stream: a copy from
/// `arguments[0]` to `arguments[1]` of `arguments[2]` bytes.
void copyOnThreadStream(void **arguments) {
  mgpuMemcpy(arguments[1], arguments[0],
             *static_cast<size_t *>(arguments[2]), mgpuStreamCreate());
}

TEST(Cuda, CompiledCodeReadsWhatACopyToTheDevicePutThere) {
  if (!haveDevice())
    GTEST_SKIP() << "no CUDA device";
  // A copy from pageable host memory may return before the bytes land;
  // compiled code's stream does not wait for the copy's (the fake driver
  // models both, test/FakeCuda).
  auto pool = cuda::getDevicePool(0);
  ASSERT_TRUE(pool.ok());
  std::vector<int> host(256), back(256, -1);
  std::iota(host.begin(), host.end(), 1);
  size_t bytes = host.size() * sizeof(int);
  auto input = (*pool)->allocate(bytes, 256);
  auto output = (*pool)->allocate(bytes, 256);
  ASSERT_TRUE(input.ok() && output.ok());
  ASSERT_TRUE(cuda::copyHostToDevice(0, *input, host.data(), bytes).ok());
  void *arguments[] = {*input, *output, &bytes};
  Status status = callCompiled(&copyOnThreadStream, arguments,
                               [](int64_t) { return std::string(); });
  ASSERT_TRUE(status.ok()) << status.toString();
  ASSERT_TRUE(cuda::synchronizeThreadStream().ok());
  ASSERT_TRUE(cuda::copyDeviceToHost(0, back.data(), *output, bytes).ok());
  EXPECT_EQ(back, host);
  ASSERT_TRUE((*pool)->deallocate(*input, 0, 256).ok());
  ASSERT_TRUE((*pool)->deallocate(*output, 0, 256).ok());
}

} // namespace

// How products on strided views become one column-major cuBLAS GEMM: the
// plan is pure arithmetic, checked here without a GPU.
TEST(CudaGemm, RowMajorOperandsRunAsTheTransposedProduct) {
  // C(2x3) += A(2x4) B(4x3), all row-major: cuBLAS computes C^T = B^T A^T.
  const int64_t a[2] = {4, 1}, b[2] = {3, 1}, c[2] = {3, 1};
  auto plan = cuda::planGemm(2, 3, 4, a, b, c);
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(plan->swapped);
  EXPECT_FALSE(plan->transposeA);
  EXPECT_FALSE(plan->transposeB);
  EXPECT_EQ(plan->m, 3);
  EXPECT_EQ(plan->n, 2);
  EXPECT_EQ(plan->k, 4);
  EXPECT_EQ(plan->lda, 3); // B's row stride
  EXPECT_EQ(plan->ldb, 4); // A's row stride
  EXPECT_EQ(plan->ldc, 3);
}

TEST(CudaGemm, AColumnMajorResultTakesRowMajorOperandsTransposed) {
  const int64_t a[2] = {4, 1}, b[2] = {3, 1}, c[2] = {1, 2};
  auto plan = cuda::planGemm(2, 3, 4, a, b, c);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->swapped);
  EXPECT_TRUE(plan->transposeA);
  EXPECT_TRUE(plan->transposeB);
  EXPECT_EQ(plan->lda, 4);
  EXPECT_EQ(plan->ldb, 3);
  EXPECT_EQ(plan->ldc, 2);
}

TEST(CudaGemm, ATransposedViewNeedsNoCopy) {
  // A(2x4) is a view of a row-major 4x2 buffer: strides (1, 2).
  const int64_t a[2] = {1, 2}, b[2] = {3, 1}, c[2] = {3, 1};
  auto plan = cuda::planGemm(2, 3, 4, a, b, c);
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(plan->swapped);
  EXPECT_FALSE(plan->transposeA);
  EXPECT_TRUE(plan->transposeB); // A^T is row-major 4x2: transposed
  EXPECT_EQ(plan->ldb, 2);
}

TEST(CudaGemm, VectorsAndSlicedRowsKeepValidLeadingDimensions) {
  // A row vector (1x4) times B (4x3), and a row slice of a wider matrix.
  const int64_t a[2] = {4, 1}, b[2] = {10, 1}, c[2] = {3, 1};
  auto plan = cuda::planGemm(1, 3, 4, a, b, c);
  ASSERT_TRUE(plan.has_value());
  EXPECT_GE(plan->lda, 1);
  EXPECT_GE(plan->ldb, 1);
  EXPECT_GE(plan->ldc, 1);
  EXPECT_EQ(plan->swapped ? plan->lda : plan->ldb, 10);
}

TEST(CudaGemm, OperandsWithoutAUnitStrideOrHugeExtentsHaveNoPlan) {
  const int64_t strided[2] = {8, 2}, b[2] = {3, 1}, c[2] = {3, 1};
  EXPECT_FALSE(cuda::planGemm(2, 3, 4, strided, b, c).has_value());
  const int64_t a[2] = {4, 1};
  EXPECT_FALSE(
      cuda::planGemm(int64_t(1) << 32, 3, 4, a, b, c).has_value());
  // A leading dimension smaller than a row (overlapping rows) is refused.
  const int64_t overlapping[2] = {2, 1};
  EXPECT_FALSE(cuda::planGemm(2, 3, 4, overlapping, b, c).has_value());
}

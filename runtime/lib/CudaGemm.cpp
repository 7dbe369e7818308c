//===- CudaGemm.cpp - matrix products on the GPU through cuBLAS -----------===//
//
// The GPU pipeline turns each f32/f64 linalg.matmul and batch_matmul into a
// call of __vsla_cuda_gemm_<type> / __vsla_cuda_batch_gemm_<type> (C += A * B
// on strided views of device memory, through MLIR's C interface), as the CPU
// pipeline calls BLAS. cuBLAS is loaded with dlopen like the driver: the
// runtime has no link-time dependency on CUDA.
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/Cuda.h"

#include "CudaCalls.h"

#include "vsla/runtime/Gemm.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace vsla::rt::cuda {

namespace {

using cublasHandle_t = struct cublasContext *;
using cublasStatus_t = int;
using cublasOperation_t = int;
constexpr cublasOperation_t kNoTranspose = 0, kTranspose = 1;

template <typename T>
using GemmFn = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t,
                                  cublasOperation_t, int, int, int, const T *,
                                  const T *, int, const T *, int, const T *,
                                  T *, int);
template <typename T>
using BatchGemmFn = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t,
                                       cublasOperation_t, int, int, int,
                                       const T *, const T *, int, long long,
                                       const T *, int, long long, const T *,
                                       T *, int, long long, int);

struct Cublas {
  cublasStatus_t (*create)(cublasHandle_t *);
  cublasStatus_t (*setStream)(cublasHandle_t, CUstream);
  const char *(*getStatusString)(cublasStatus_t);
  GemmFn<float> sgemm;
  GemmFn<double> dgemm;
  BatchGemmFn<float> sgemmBatched;
  BatchGemmFn<double> dgemmBatched;

  template <typename T> GemmFn<T> gemm() const {
    if constexpr (std::is_same_v<T, float>)
      return sgemm;
    else
      return dgemm;
  }
  template <typename T> BatchGemmFn<T> batchGemm() const {
    if constexpr (std::is_same_v<T, float>)
      return sgemmBatched;
    else
      return dgemmBatched;
  }
};

StatusOr<std::unique_ptr<Cublas>> loadCublas(const std::string &library) {
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return unavailable("cannot load " + library + ": " + dlerror());
  auto cublas = std::make_unique<Cublas>();
  const char *missing = nullptr;
  auto need = [&](const char *symbol, auto &slot) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(
        dlsym(handle, symbol));
    if (!slot && !missing)
      missing = symbol;
  };
  need("cublasCreate_v2", cublas->create);
  need("cublasSetStream_v2", cublas->setStream);
  need("cublasGetStatusString", cublas->getStatusString);
  need("cublasSgemm_v2", cublas->sgemm);
  need("cublasDgemm_v2", cublas->dgemm);
  need("cublasSgemmStridedBatched", cublas->sgemmBatched);
  need("cublasDgemmStridedBatched", cublas->dgemmBatched);
  if (missing) {
    dlclose(handle);
    return unavailable(library + " lacks " + missing +
                       "; cuBLAS 11 or newer is needed");
  }
  return cublas;
}

StatusOr<const Cublas *> getCublas() {
  static StatusOr<std::unique_ptr<Cublas>> *loaded = [] {
    std::string tried;
    const char *names[] = {std::getenv("VSLA_CUBLAS"), "libcublas.so.13",
                           "libcublas.so.12", "libcublas.so.11", "libcublas.so"};
    for (const char *name : names) {
      if (!name || !*name)
        continue;
      auto cublas = loadCublas(name);
      if (cublas.ok() || std::getenv("VSLA_CUBLAS"))
        return new StatusOr<std::unique_ptr<Cublas>>(std::move(cublas));
      tried += std::string(tried.empty() ? "" : ", ") + name;
    }
    return new StatusOr<std::unique_ptr<Cublas>>(
        unavailable("no cuBLAS: cannot load any of " + tried +
                    " (install CUDA's libcublas, or set VSLA_CUBLAS to it)"));
  }();
  if (!loaded->ok())
    return loaded->getStatus();
  return static_cast<const Cublas *>(loaded->value().get());
}

Status toStatus(const Cublas &cublas, cublasStatus_t result, const char *call) {
  if (result == 0)
    return okStatus();
  std::string message = std::string(call) + " failed: " +
                        cublas.getStatusString(result);
  // CUBLAS_STATUS_ALLOC_FAILED
  return result == 3 ? outOfMemory(message) : internalError(message);
}

/// The calling thread's cuBLAS handle for the default device, on the
/// thread's stream (the one compiled host code launches on).
StatusOr<cublasHandle_t> getHandle(const Cublas &cublas) {
  thread_local std::map<int, cublasHandle_t> handles;
  int device = detail::getDefaultDevice();
  cublasHandle_t &handle = handles[device];
  if (!handle)
    if (Status status = toStatus(cublas, cublas.create(&handle),
                                 "cublasCreate");
        !status.ok()) {
      handle = nullptr;
      return status;
    }
  if (Status status = toStatus(cublas, cublas.setStream(handle,
                                                        mgpuStreamCreate()),
                               "cublasSetStream");
      !status.ok())
    return status;
  return handle;
}

/// One product's operands: element (i, j) of each at
/// data + i * strides[0] + j * strides[1].
template <typename T> struct Product {
  const T *a, *b;
  T *c;
  int64_t m, n, k;
  int64_t aStrides[2], bStrides[2], cStrides[2];
  int64_t batch = 1, aBatch = 0, bBatch = 0, cBatch = 0;
};

/// Runs `p` as `plan` says (planGemm).
template <typename T>
Status runPlan(const Cublas &cublas, cublasHandle_t handle, const Product<T> &p,
               const GemmPlan &plan) {
  const T *a = plan.swapped ? p.b : p.a, *b = plan.swapped ? p.a : p.b;
  int64_t aBatch = plan.swapped ? p.bBatch : p.aBatch;
  int64_t bBatch = plan.swapped ? p.aBatch : p.bBatch;
  cublasOperation_t opA = plan.transposeA ? kTranspose : kNoTranspose;
  cublasOperation_t opB = plan.transposeB ? kTranspose : kNoTranspose;
  const T one = 1;
  if (p.batch == 1)
    return toStatus(cublas,
                    cublas.gemm<T>()(handle, opA, opB, plan.m, plan.n, plan.k,
                                     &one, a, plan.lda, b, plan.ldb, &one, p.c,
                                     plan.ldc),
                    "cublasGemm");
  return toStatus(cublas,
                  cublas.batchGemm<T>()(handle, opA, opB, plan.m, plan.n, plan.k,
                                        &one, a, plan.lda, aBatch, b, plan.ldb,
                                        bBatch, &one, p.c, plan.ldc, p.cBatch,
                                        static_cast<int>(p.batch)),
                  "cublasGemmStridedBatched");
}

template <typename T> Status runProduct(const Product<T> &p) {
  if (p.m == 0 || p.n == 0 || p.k == 0 || p.batch == 0)
    return okStatus(); // C += nothing
  for (int64_t extent : {p.m, p.n, p.k, p.batch})
    if (extent > INT_MAX)
      return invalidArgument("a matrix product on the GPU has an extent of " +
                             std::to_string(extent) +
                             ", beyond cuBLAS's 32-bit sizes");
  auto cublas = getCublas();
  if (!cublas.ok())
    return cublas.getStatus();
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  if (Status status = setCurrentDevice(detail::getDefaultDevice());
      !status.ok())
    return status;
  auto handle = getHandle(**cublas);
  if (!handle.ok())
    return handle.getStatus();
  std::optional<GemmPlan> plan =
      planGemm(p.m, p.n, p.k, p.aStrides, p.bStrides, p.cStrides);
  if (!plan)
    return invalidArgument(
        "a matrix product on the GPU has operands with no unit stride "
        "(strides [" + std::to_string(p.aStrides[0]) + ", " +
        std::to_string(p.aStrides[1]) + "], [" + std::to_string(p.bStrides[0]) +
        ", " + std::to_string(p.bStrides[1]) + "], [" +
        std::to_string(p.cStrides[0]) + ", " + std::to_string(p.cStrides[1]) +
        "]); make them contiguous first");
  std::optional<Status> status = runPlan(**cublas, *handle, p, *plan);
  // Queued on the thread's stream: later kernels run after it, and the
  // runtime waits for the stream before it hands results back.
  return *status;
}

/// Runs `p`, failing the compiled call that asked for it when it cannot.
template <typename T> void runFromCompiledCode(const Product<T> &p) {
  detail::finishCall([&] {
    Status status = runProduct(p);
    if (!status.ok())
      detail::report(std::move(status));
    return status.ok();
  }());
}

template <typename T>
void gemmCall(StridedMemRef<T, 2> *a, StridedMemRef<T, 2> *b,
              StridedMemRef<T, 2> *c) {
  runFromCompiledCode(Product<T>{a->aligned + a->offset, b->aligned + b->offset,
                                 c->aligned + c->offset, c->sizes[0],
                                 c->sizes[1], std::min(a->sizes[1], b->sizes[0]),
                                 {a->strides[0], a->strides[1]},
                                 {b->strides[0], b->strides[1]},
                                 {c->strides[0], c->strides[1]}});
}

template <typename T>
void batchGemmCall(StridedMemRef<T, 3> *a, StridedMemRef<T, 3> *b,
                   StridedMemRef<T, 3> *c) {
  runFromCompiledCode(Product<T>{a->aligned + a->offset, b->aligned + b->offset,
                                 c->aligned + c->offset, c->sizes[1],
                                 c->sizes[2], std::min(a->sizes[2], b->sizes[1]),
                                 {a->strides[1], a->strides[2]},
                                 {b->strides[1], b->strides[2]},
                                 {c->strides[1], c->strides[2]},
                                 /*batch=*/c->sizes[0],
                                 /*aBatch=*/a->strides[0],
                                 /*bBatch=*/b->strides[0],
                                 /*cBatch=*/c->strides[0]});
}

} // namespace

namespace {

/// How cuBLAS reads the rows x cols matrix whose element (i, j) is at
/// i * strides[0] + j * strides[1]: as itself (column-major, no transpose)
/// or transposed (row-major); none when neither stride is a unit one.
std::optional<std::pair<bool, int64_t>>
asColumnMajor(int64_t rows, int64_t cols, const int64_t strides[2]) {
  int64_t minRows = std::max<int64_t>(rows, 1),
          minCols = std::max<int64_t>(cols, 1);
  if (strides[0] == 1 || rows <= 1) {
    int64_t ld = cols <= 1 ? minRows : strides[1];
    if (ld >= minRows && ld <= INT_MAX)
      return std::pair{false, ld};
  }
  if (strides[1] == 1 || cols <= 1) {
    int64_t ld = rows <= 1 ? minCols : strides[0];
    if (ld >= minCols && ld <= INT_MAX)
      return std::pair{true, ld};
  }
  return std::nullopt;
}

std::optional<GemmPlan> planColumnMajor(int64_t m, int64_t n, int64_t k,
                                        const int64_t a[2], const int64_t b[2],
                                        const int64_t c[2], bool swapped) {
  auto cm = asColumnMajor(m, n, c);
  auto am = asColumnMajor(m, k, a);
  auto bm = asColumnMajor(k, n, b);
  if (!cm || cm->first || !am || !bm)
    return std::nullopt;
  return GemmPlan{swapped,
                  am->first,
                  bm->first,
                  static_cast<int>(m),
                  static_cast<int>(n),
                  static_cast<int>(k),
                  static_cast<int>(am->second),
                  static_cast<int>(bm->second),
                  static_cast<int>(cm->second)};
}

} // namespace

std::optional<GemmPlan> planGemm(int64_t m, int64_t n, int64_t k,
                                 const int64_t aStrides[2],
                                 const int64_t bStrides[2],
                                 const int64_t cStrides[2]) {
  for (int64_t extent : {m, n, k})
    if (extent > INT_MAX)
      return std::nullopt;
  if (auto plan = planColumnMajor(m, n, k, aStrides, bStrides, cStrides,
                                  /*swapped=*/false))
    return plan;
  // C^T += B^T A^T: a row-major C is a column-major C^T.
  const int64_t at[2] = {aStrides[1], aStrides[0]};
  const int64_t bt[2] = {bStrides[1], bStrides[0]};
  const int64_t ct[2] = {cStrides[1], cStrides[0]};
  return planColumnMajor(n, m, k, bt, at, ct, /*swapped=*/true);
}

Status getCublasStatus() {
  auto cublas = getCublas();
  return cublas.ok() ? okStatus() : cublas.getStatus();
}

} // namespace vsla::rt::cuda

using vsla::rt::StridedMemRef;

extern "C" {

void _mlir_ciface___vsla_cuda_gemm_f32(StridedMemRef<float, 2> *a,
                                       StridedMemRef<float, 2> *b,
                                       StridedMemRef<float, 2> *c) {
  vsla::rt::cuda::gemmCall(a, b, c);
}

void _mlir_ciface___vsla_cuda_gemm_f64(StridedMemRef<double, 2> *a,
                                       StridedMemRef<double, 2> *b,
                                       StridedMemRef<double, 2> *c) {
  vsla::rt::cuda::gemmCall(a, b, c);
}

void _mlir_ciface___vsla_cuda_batch_gemm_f32(StridedMemRef<float, 3> *a,
                                             StridedMemRef<float, 3> *b,
                                             StridedMemRef<float, 3> *c) {
  vsla::rt::cuda::batchGemmCall(a, b, c);
}

void _mlir_ciface___vsla_cuda_batch_gemm_f64(StridedMemRef<double, 3> *a,
                                             StridedMemRef<double, 3> *b,
                                             StridedMemRef<double, 3> *c) {
  vsla::rt::cuda::batchGemmCall(a, b, c);
}

} // extern "C"

//===- Cuda.h - NVIDIA GPUs through the CUDA driver API ---------*- C++ -*-===//
//
// The runtime's CUDA device: the driver API loaded with dlopen (no link-time
// dependency on CUDA; a machine without a driver or device gets an
// Unavailable status, never a crash), device memory behind the Allocator
// interface, a caching device pool (a BufferPool over it: size classes, a
// bound on idle bytes, statistics; no cuMemAlloc per call after warm-up),
// host<->device copies, and the mgpu* functions MLIR's GPU host code calls
// (CudaRuntimeCalls.cpp). See docs/gpu.md.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_CUDA_H
#define VSLA_RUNTIME_CUDA_H

#include "vsla/runtime/Allocator.h"
#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/BufferPool.h"
#include "vsla/runtime/Gemm.h"
#include "vsla/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace vsla::rt::cuda {

// The driver's types, declared here so the runtime builds without CUDA.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

/// The driver entry points the runtime calls.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemGetInfo)(size_t *, size_t *);
  CUresult (*cuMemGetAddressRange)(CUdeviceptr *, size_t *, CUdeviceptr);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
};

/// Loads the driver from `library` (dlopen) and initializes it; an
/// Unavailable status says why there is none (no library, a stub library,
/// no device). Each call loads anew; use getDriver().
StatusOr<std::unique_ptr<Driver>> loadDriver(const std::string &library);

/// The process's driver: $VSLA_CUDA_DRIVER, else libcuda.so.1, loaded once.
StatusOr<const Driver *> getDriver();

/// A driver call's failure as a Status: "cuMemAlloc failed:
/// CUDA_ERROR_OUT_OF_MEMORY (out of memory)"; ok for CUDA_SUCCESS.
Status toStatus(const Driver &driver, CUresult result, const char *call);

/// How many CUDA devices the process sees (0 without a driver).
int getDeviceCount();

/// Why the process has no CUDA device (no driver and why, or none seen);
/// empty when it has one.
std::string getNoDeviceReason();

struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  size_t totalMemoryBytes = 0;
  int multiprocessors = 0;
  int computeCapabilityMajor = 0;
  int computeCapabilityMinor = 0;
};
StatusOr<DeviceInfo> getDeviceInfo(int ordinal);

/// Makes device `ordinal`'s primary context current on the calling thread.
Status setCurrentDevice(int ordinal);

/// Device memory of one device (cuMemAlloc; the host must not dereference
/// it). Thread-safe; one per device, from get().
class DeviceAllocator final : public Allocator {
public:
  static StatusOr<DeviceAllocator *> get(int ordinal);

  StatusOr<void *> allocate(size_t bytes, size_t alignment) override;
  Status deallocate(void *ptr, size_t bytes, size_t alignment) override;
  MemorySpace getMemorySpace() const override { return MemorySpace::Device; }
  const char *getName() const override { return name.c_str(); }
  int getOrdinal() const { return ordinal; }

private:
  DeviceAllocator(const Driver &driver, int ordinal)
      : driver(driver), ordinal(ordinal),
        name("cuda:" + std::to_string(ordinal)) {}
  const Driver &driver;
  int ordinal;
  std::string name;
};

/// The caching pool of device `ordinal`'s memory, one per device. Its idle
/// bytes are bounded by $VSLA_CUDA_POOL_MAX_CACHED_BYTES (default 1 GiB).
/// The runtime runs each device's work in order on one stream, so a block
/// freed after its last use was enqueued is safe to hand to later work.
StatusOr<BufferPool *> getDevicePool(int ordinal);

/// Whether `bytes` bytes from `data` are memory the GPUs can read, of device
/// `ordinal`, inside one allocation: what a tensor from another framework
/// (DLPack) claims, checked before compiled code reads it. A pointer the
/// driver does not know, another device's, or a range past its allocation's
/// end is a failed_precondition naming `what`.
Status checkDeviceRange(int ordinal, const void *data, size_t bytes,
                        const std::string &what);

/// Synchronous copies between host memory and device `ordinal`'s memory:
/// complete when they return (a copy to the device is waited for, so work
/// on any stream may read it).
Status copyHostToDevice(int ordinal, void *device, const void *host,
                        size_t bytes);
Status copyDeviceToHost(int ordinal, void *host, const void *device,
                        size_t bytes);

/// Waits for the work compiled code queued on the calling thread's stream
/// (after a call of a device function); blocks freed on it go back to the
/// device pool. Ok when the thread has no stream.
Status synchronizeThreadStream();

/// A block the calling thread's compiled code allocated (gpu.alloc) and
/// returned as a result: it leaves the call's blocks (a later failed call
/// does not return it to the pool) and becomes a Buffer of the device pool.
/// NotFound when the call did not allocate it (an input returned as is).
StatusOr<Buffer> adoptThreadStreamBlock(void *block);

/// Copies `bytes` between two places in device `ordinal`'s memory and waits.
Status copyDeviceToDevice(int ordinal, void *target, const void *source,
                          size_t bytes);

/// After a device call failed (a launch, a check, an allocation): waits
/// for what it had queued on the calling thread's stream and returns every
/// device block it still held to the pool.
void abandonThreadStreamWork();

/// Runs `load` (code that loads kernels onto the device: a module's
/// initializers, which cannot return a status) and returns the first failure
/// of the mgpu* calls it made, which would otherwise only be printed.
Status captureDeviceFailures(const std::function<void()> &load);

/// Waits for the work queued on device `ordinal`'s legacy default stream
/// (where DLPack producers make their results visible to consumers).
Status synchronizeLegacyStream(int ordinal);

/// One column-major cuBLAS GEMM: C(m x n) += op(A) op(B), with A and B
/// trading places when `swapped` (C^T += B^T A^T runs a row-major C).
struct GemmPlan {
  bool swapped = false;
  bool transposeA = false, transposeB = false;
  int m = 0, n = 0, k = 0;
  int lda = 0, ldb = 0, ldc = 0;
};

/// How C += A * B on strided views (element (i, j) of each at
/// i * strides[0] + j * strides[1]; A m x k, B k x n, C m x n) runs as one
/// cuBLAS GEMM; none when an operand has no unit stride (or an invalid
/// leading dimension) or an extent exceeds cuBLAS's 32-bit sizes.
std::optional<GemmPlan> planGemm(int64_t m, int64_t n, int64_t k,
                                 const int64_t aStrides[2],
                                 const int64_t bStrides[2],
                                 const int64_t cStrides[2]);

/// Whether cuBLAS loads (`$VSLA_CUBLAS`, else libcublas.so.13, .12, .11):
/// matrix products on the GPU call it. Unavailable says what was tried.
Status getCublasStatus();

} // namespace vsla::rt::cuda

/// The functions MLIR's GPU host code calls (gpu-to-llvm and the GPU
/// dialect's LLVM translation, LLVM 22's ABI), over the driver and the
/// device pool. A failed call inside rt::callCompiled fails that call with
/// a Status (Unavailable without a driver); elsewhere it is printed and the
/// function returns null.
extern "C" {
vsla::rt::cuda::CUmodule mgpuModuleLoad(void *data, size_t bytes);
vsla::rt::cuda::CUmodule mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(vsla::rt::cuda::CUmodule module);
vsla::rt::cuda::CUfunction mgpuModuleGetFunction(vsla::rt::cuda::CUmodule module,
                                                 const char *name);
void mgpuLaunchKernel(vsla::rt::cuda::CUfunction function, intptr_t gridX,
                      intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                      intptr_t blockY, intptr_t blockZ, int32_t sharedBytes,
                      vsla::rt::cuda::CUstream stream, void **params,
                      void **extra, size_t paramCount);
vsla::rt::cuda::CUstream mgpuStreamCreate();
void mgpuStreamDestroy(vsla::rt::cuda::CUstream stream);
void mgpuStreamSynchronize(vsla::rt::cuda::CUstream stream);
void mgpuStreamWaitEvent(vsla::rt::cuda::CUstream stream,
                         vsla::rt::cuda::CUevent event);
vsla::rt::cuda::CUevent mgpuEventCreate();
void mgpuEventDestroy(vsla::rt::cuda::CUevent event);
void mgpuEventSynchronize(vsla::rt::cuda::CUevent event);
void mgpuEventRecord(vsla::rt::cuda::CUevent event,
                     vsla::rt::cuda::CUstream stream);
void *mgpuMemAlloc(uint64_t bytes, vsla::rt::cuda::CUstream stream,
                   bool hostShared);
void mgpuMemFree(void *pointer, vsla::rt::cuda::CUstream stream);
void mgpuMemcpy(void *target, void *source, size_t bytes,
                vsla::rt::cuda::CUstream stream);
void mgpuMemset32(void *target, unsigned value, size_t count,
                  vsla::rt::cuda::CUstream stream);
void mgpuMemset16(void *target, unsigned short value, size_t count,
                  vsla::rt::cuda::CUstream stream);
void mgpuSetDefaultDevice(int32_t device);

/// c[i, j] += sum_k a[i, k] * b[k, j] on device memory through cuBLAS (the
/// GPU pipeline's matmuls; batch: per leading index). Any layout with a
/// unit stride in each operand; others fail the call with a named error.
void _mlir_ciface___vsla_cuda_gemm_f32(vsla::rt::StridedMemRef<float, 2> *a,
                                       vsla::rt::StridedMemRef<float, 2> *b,
                                       vsla::rt::StridedMemRef<float, 2> *c);
void _mlir_ciface___vsla_cuda_gemm_f64(vsla::rt::StridedMemRef<double, 2> *a,
                                       vsla::rt::StridedMemRef<double, 2> *b,
                                       vsla::rt::StridedMemRef<double, 2> *c);
void _mlir_ciface___vsla_cuda_batch_gemm_f32(
    vsla::rt::StridedMemRef<float, 3> *a, vsla::rt::StridedMemRef<float, 3> *b,
    vsla::rt::StridedMemRef<float, 3> *c);
void _mlir_ciface___vsla_cuda_batch_gemm_f64(
    vsla::rt::StridedMemRef<double, 3> *a,
    vsla::rt::StridedMemRef<double, 3> *b,
    vsla::rt::StridedMemRef<double, 3> *c);
}

#endif // VSLA_RUNTIME_CUDA_H

//===- Cuda.cpp - NVIDIA GPUs through the CUDA driver API -----------------===//

#include "vsla/runtime/Cuda.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <vector>

namespace vsla::rt::cuda {

namespace {

constexpr CUresult kSuccess = 0;
constexpr CUresult kStubLibrary = 34;
constexpr int kAttributeMultiprocessors = 16;
constexpr int kAttributeComputeMajor = 75;
constexpr int kAttributeComputeMinor = 76;

/// Resolves `symbol` from `library` into `slot`; false when it is missing.
template <typename F> bool bind(void *library, const char *symbol, F &slot) {
  slot = reinterpret_cast<F>(dlsym(library, symbol));
  return slot != nullptr;
}

} // namespace

StatusOr<std::unique_ptr<Driver>> loadDriver(const std::string &library) {
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return unavailable("no CUDA driver: cannot load " + library +
                       " (install NVIDIA's driver, or set VSLA_CUDA_DRIVER "
                       "to its libcuda.so.1)");
  auto driver = std::make_unique<Driver>();
  Driver &d = *driver;
  const char *missing = nullptr;
  auto need = [&](const char *symbol, auto &slot) {
    if (!bind(handle, symbol, slot) && !missing)
      missing = symbol;
  };
  need("cuInit", d.cuInit);
  need("cuGetErrorName", d.cuGetErrorName);
  need("cuGetErrorString", d.cuGetErrorString);
  need("cuDeviceGetCount", d.cuDeviceGetCount);
  need("cuDeviceGet", d.cuDeviceGet);
  need("cuDeviceGetName", d.cuDeviceGetName);
  need("cuDeviceGetAttribute", d.cuDeviceGetAttribute);
  need("cuDeviceTotalMem_v2", d.cuDeviceTotalMem);
  need("cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain);
  need("cuCtxSetCurrent", d.cuCtxSetCurrent);
  need("cuMemAlloc_v2", d.cuMemAlloc);
  need("cuMemFree_v2", d.cuMemFree);
  need("cuMemGetInfo_v2", d.cuMemGetInfo);
  need("cuMemGetAddressRange_v2", d.cuMemGetAddressRange);
  need("cuPointerGetAttribute", d.cuPointerGetAttribute);
  need("cuMemcpyHtoD_v2", d.cuMemcpyHtoD);
  need("cuMemcpyDtoH_v2", d.cuMemcpyDtoH);
  need("cuMemcpyAsync", d.cuMemcpyAsync);
  need("cuMemsetD32Async", d.cuMemsetD32Async);
  need("cuMemsetD16Async", d.cuMemsetD16Async);
  need("cuModuleLoadData", d.cuModuleLoadData);
  need("cuModuleLoadDataEx", d.cuModuleLoadDataEx);
  need("cuModuleUnload", d.cuModuleUnload);
  need("cuModuleGetFunction", d.cuModuleGetFunction);
  need("cuLaunchKernel", d.cuLaunchKernel);
  need("cuStreamCreate", d.cuStreamCreate);
  need("cuStreamDestroy_v2", d.cuStreamDestroy);
  need("cuStreamSynchronize", d.cuStreamSynchronize);
  need("cuStreamWaitEvent", d.cuStreamWaitEvent);
  need("cuEventCreate", d.cuEventCreate);
  need("cuEventDestroy_v2", d.cuEventDestroy);
  need("cuEventRecord", d.cuEventRecord);
  need("cuEventSynchronize", d.cuEventSynchronize);
  if (missing) {
    dlclose(handle);
    return unavailable(library + " lacks " + missing +
                       "; the CUDA driver is too old or not NVIDIA's");
  }
  CUresult result = d.cuInit(0);
  if (result == kStubLibrary) {
    dlclose(handle);
    return unavailable(library + " is the CUDA toolkit's stub driver; this "
                       "machine has no NVIDIA driver");
  }
  if (result != kSuccess) {
    Status status = toStatus(d, result, "cuInit");
    dlclose(handle);
    return unavailable("the CUDA driver cannot start: " + status.getMessage());
  }
  int count = 0;
  if (d.cuDeviceGetCount(&count) != kSuccess || count == 0) {
    dlclose(handle);
    return unavailable("the CUDA driver sees no device");
  }
  // The library stays loaded for the life of the process.
  return driver;
}

StatusOr<const Driver *> getDriver() {
  static StatusOr<std::unique_ptr<Driver>> *loaded = [] {
    const char *path = std::getenv("VSLA_CUDA_DRIVER");
    return new StatusOr<std::unique_ptr<Driver>>(
        loadDriver(path && *path ? path : "libcuda.so.1"));
  }();
  if (!loaded->ok())
    return loaded->getStatus();
  return static_cast<const Driver *>(loaded->value().get());
}

Status toStatus(const Driver &driver, CUresult result, const char *call) {
  if (result == kSuccess)
    return okStatus();
  const char *name = nullptr, *text = nullptr;
  driver.cuGetErrorName(result, &name);
  driver.cuGetErrorString(result, &text);
  std::string message = std::string(call) + " failed: " +
                        (name ? name : "CUDA error " + std::to_string(result)) +
                        (text ? std::string(" (") + text + ")" : "");
  // CUDA_ERROR_OUT_OF_MEMORY
  if (result == 2)
    return outOfMemory(message);
  return internalError(message);
}

int getDeviceCount() {
  auto driver = getDriver();
  if (!driver.ok())
    return 0;
  int count = 0;
  if ((*driver)->cuDeviceGetCount(&count) != kSuccess)
    return 0;
  return count;
}

std::string getNoDeviceReason() {
  if (getDeviceCount() > 0)
    return "";
  auto driver = getDriver();
  return driver.ok() ? "this machine has no CUDA device"
                     : driver.getStatus().getMessage();
}

namespace {

/// The primary context of each device, retained once.
StatusOr<CUcontext> getPrimaryContext(const Driver &driver, int ordinal) {
  static std::mutex mutex;
  static std::vector<CUcontext> contexts;
  std::lock_guard<std::mutex> lock(mutex);
  int count = 0;
  driver.cuDeviceGetCount(&count);
  if (ordinal < 0 || ordinal >= count)
    return invalidArgument("there is no CUDA device " +
                           std::to_string(ordinal) + " (the process sees " +
                           std::to_string(count) + ")");
  if (contexts.size() < static_cast<size_t>(count))
    contexts.resize(count, nullptr);
  if (!contexts[ordinal]) {
    CUdevice device;
    if (Status status =
            toStatus(driver, driver.cuDeviceGet(&device, ordinal), "cuDeviceGet");
        !status.ok())
      return status;
    CUcontext context = nullptr;
    if (Status status =
            toStatus(driver, driver.cuDevicePrimaryCtxRetain(&context, device),
                     "cuDevicePrimaryCtxRetain");
        !status.ok())
      return status;
    contexts[ordinal] = context;
  }
  return contexts[ordinal];
}

} // namespace

Status setCurrentDevice(int ordinal) {
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  auto context = getPrimaryContext(**driver, ordinal);
  if (!context.ok())
    return context.getStatus();
  return toStatus(**driver, (*driver)->cuCtxSetCurrent(*context),
                  "cuCtxSetCurrent");
}

StatusOr<DeviceInfo> getDeviceInfo(int ordinal) {
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  const Driver &d = **driver;
  if (auto context = getPrimaryContext(d, ordinal); !context.ok())
    return context.getStatus();
  CUdevice device;
  if (Status status = toStatus(d, d.cuDeviceGet(&device, ordinal), "cuDeviceGet");
      !status.ok())
    return status;
  DeviceInfo info;
  info.ordinal = ordinal;
  char name[256] = {};
  d.cuDeviceGetName(name, sizeof(name) - 1, device);
  info.name = name;
  d.cuDeviceTotalMem(&info.totalMemoryBytes, device);
  d.cuDeviceGetAttribute(&info.multiprocessors, kAttributeMultiprocessors,
                         device);
  d.cuDeviceGetAttribute(&info.computeCapabilityMajor, kAttributeComputeMajor,
                         device);
  d.cuDeviceGetAttribute(&info.computeCapabilityMinor, kAttributeComputeMinor,
                         device);
  return info;
}

StatusOr<DeviceAllocator *> DeviceAllocator::get(int ordinal) {
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  if (auto context = getPrimaryContext(**driver, ordinal); !context.ok())
    return context.getStatus();
  static std::mutex mutex;
  static std::vector<std::unique_ptr<DeviceAllocator>> allocators;
  std::lock_guard<std::mutex> lock(mutex);
  if (allocators.size() <= static_cast<size_t>(ordinal))
    allocators.resize(ordinal + 1);
  if (!allocators[ordinal])
    allocators[ordinal].reset(new DeviceAllocator(**driver, ordinal));
  return allocators[ordinal].get();
}

StatusOr<void *> DeviceAllocator::allocate(size_t bytes, size_t alignment) {
  // cuMemAlloc aligns to at least 256 bytes.
  if (!isPowerOfTwo(alignment) || alignment > 256)
    return invalidArgument("device alignment " + std::to_string(alignment) +
                           " is not a power of two up to 256");
  if (Status status = setCurrentDevice(ordinal); !status.ok())
    return status;
  CUdeviceptr pointer = 0;
  if (Status status = toStatus(driver, driver.cuMemAlloc(&pointer, bytes ? bytes : 1),
                               "cuMemAlloc");
      !status.ok())
    return Status(status.getCode(), status.getMessage() + " (" +
                                        std::to_string(bytes) + " bytes on " +
                                        name + ")");
  return reinterpret_cast<void *>(pointer);
}

Status DeviceAllocator::deallocate(void *ptr, size_t, size_t) {
  if (!ptr)
    return okStatus();
  if (Status status = setCurrentDevice(ordinal); !status.ok())
    return status;
  return toStatus(driver,
                  driver.cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)),
                  "cuMemFree");
}

StatusOr<BufferPool *> getDevicePool(int ordinal) {
  auto allocator = DeviceAllocator::get(ordinal);
  if (!allocator.ok())
    return allocator.getStatus();
  static std::mutex mutex;
  // Never destroyed: tensors (a Python process's, at exit) may outlive
  // static destruction, and the driver may be gone by then anyway.
  static auto &pools = *new std::vector<std::unique_ptr<BufferPool>>();
  std::lock_guard<std::mutex> lock(mutex);
  if (pools.size() <= static_cast<size_t>(ordinal))
    pools.resize(ordinal + 1);
  if (!pools[ordinal]) {
    BufferPoolOptions options;
    options.maxCachedBytes = size_t(1) << 30;
    if (const char *text = std::getenv("VSLA_CUDA_POOL_MAX_CACHED_BYTES");
        text && *text)
      options.maxCachedBytes = std::strtoull(text, nullptr, 10);
    auto pool = BufferPool::create(**allocator, options);
    if (!pool.ok())
      return pool.getStatus();
    pools[ordinal] = std::move(*pool);
  }
  return pools[ordinal].get();
}

namespace {

/// Runs `copy(driver)` with device `ordinal` current.
template <typename F>
Status copyOnDevice(int ordinal, const char *call, F copy) {
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  if (Status status = setCurrentDevice(ordinal); !status.ok())
    return status;
  return toStatus(**driver, copy(**driver), call);
}

} // namespace

Status checkDeviceRange(int ordinal, const void *data, size_t bytes,
                        const std::string &what) {
  if (bytes == 0)
    return okStatus();
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  const Driver &d = **driver;
  auto address = reinterpret_cast<CUdeviceptr>(data);
  char text[32];
  std::snprintf(text, sizeof(text), "%p", data);
  constexpr int kMemoryType = 2, kDeviceOrdinal = 9;
  constexpr unsigned kHostMemory = 1;
  unsigned memoryType = 0;
  if (d.cuPointerGetAttribute(&memoryType, kMemoryType, address) != kSuccess)
    return failedPrecondition(
        what + " claims CUDA memory at " + text +
        ", which the CUDA driver does not know (host memory, or freed): pass "
        "a tensor allocated on the GPU");
  int device = -1;
  if (d.cuPointerGetAttribute(&device, kDeviceOrdinal, address) == kSuccess &&
      device != ordinal)
    return failedPrecondition(what + " is in the memory of cuda:" +
                              std::to_string(device) + ", not cuda:" +
                              std::to_string(ordinal));
  if (memoryType == kHostMemory)
    return okStatus(); // pinned host memory the GPU maps: no device range
  CUdeviceptr base = 0;
  size_t size = 0;
  if (d.cuMemGetAddressRange(&base, &size, address) != kSuccess)
    return okStatus(); // memory the driver does not range (imported, VMM)
  if (address - base > size || bytes > size - (address - base))
    return failedPrecondition(
        what + " describes " + std::to_string(bytes) + " bytes from " + text +
        ", past the end of its allocation (" +
        std::to_string(size - (address - base)) +
        " bytes left): its shape or strides do not match its memory");
  return okStatus();
}

Status copyHostToDevice(int ordinal, void *device, const void *host,
                        size_t bytes) {
  // From pageable memory cuMemcpyHtoD may return once the bytes are staged,
  // before the DMA lands; compiled code runs on a non-blocking stream that
  // does not order after the legacy one. Wait for the copy itself.
  if (Status status = copyOnDevice(ordinal, "cuMemcpyHtoD", [&](const Driver &d) {
        return d.cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(device), host,
                              bytes);
      });
      !status.ok())
    return status;
  return synchronizeLegacyStream(ordinal);
}

Status copyDeviceToHost(int ordinal, void *host, const void *device,
                        size_t bytes) {
  return copyOnDevice(ordinal, "cuMemcpyDtoH", [&](const Driver &d) {
    return d.cuMemcpyDtoH(host, reinterpret_cast<CUdeviceptr>(device), bytes);
  });
}

Status copyDeviceToDevice(int ordinal, void *target, const void *source,
                          size_t bytes) {
  if (Status status = copyOnDevice(ordinal, "cuMemcpyAsync", [&](const Driver &d) {
        return d.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(target),
                               reinterpret_cast<CUdeviceptr>(source), bytes,
                               /*legacy stream*/ nullptr);
      });
      !status.ok())
    return status;
  return synchronizeLegacyStream(ordinal);
}

Status synchronizeLegacyStream(int ordinal) {
  // CU_STREAM_LEGACY
  const auto legacy = reinterpret_cast<CUstream>(uintptr_t(1));
  return copyOnDevice(ordinal, "cuStreamSynchronize", [&](const Driver &d) {
    return d.cuStreamSynchronize(legacy);
  });
}

} // namespace vsla::rt::cuda

//===- FakeCudaDriver.cpp - a CUDA driver over host memory, for tests -----===//
//
// The driver API entry points the runtime loads (runtime/lib/Cuda.cpp), over
// host memory: one device, allocations with malloc, copies and memsets with
// memcpy, streams and events that are always done. Kernels do not run:
// modules load, and every launch fails with CUDA_ERROR_NOT_SUPPORTED. Tests
// point VSLA_CUDA_DRIVER at this library to exercise everything around the
// kernels (device tensors, copies, DLPack, the device pool, dispatch by
// device, the errors of a failed launch) on machines without a GPU.
//
// Device memory is not host memory, as on a GPU: each allocation is a
// memfd mapped twice, once without access (the address the driver hands
// out: a host read or write of it faults, as host code dereferencing a real
// device pointer would) and once readable and writable, where this driver's
// copies and memsets work.
//
// One asynchrony of the real driver is kept, because code can get it wrong:
// a copy from pageable host memory (cuMemcpyHtoD) returns once the bytes
// are staged, and lands when the legacy default stream gets to it. Here it
// lands when that stream is synchronized or used again (a copy to the host,
// a copy on it, a free); work on another stream (a non-blocking one, as the
// runtime's) before then reads the old bytes.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

constexpr CUresult kSuccess = 0;
constexpr CUresult kInvalidValue = 1;
constexpr CUresult kOutOfMemory = 2;
constexpr CUresult kNotSupported = 801;
constexpr size_t kTotalBytes = size_t(1) << 30;

size_t bytesInUse = 0;
/// A live allocation: its size, and where this driver reads and writes it.
struct Allocation {
  size_t bytes;
  size_t mapped;
  char *access;
};
/// By device address (what cuPointerGetAttribute and cuMemGetAddressRange
/// answer from).
std::map<CUdeviceptr, Allocation> allocations;

/// The allocation holding `pointer`, or allocations.end().
std::map<CUdeviceptr, Allocation>::iterator findAllocation(CUdeviceptr pointer) {
  auto next = allocations.upper_bound(pointer);
  if (next == allocations.begin())
    return allocations.end();
  auto found = std::prev(next);
  return pointer - found->first < found->second.bytes ? found
                                                      : allocations.end();
}

/// Where this driver touches `pointer`: its accessible view for device
/// memory, the pointer itself for host memory (unified addressing).
char *access(CUdeviceptr pointer) {
  auto found = findAllocation(pointer);
  if (found == allocations.end())
    return reinterpret_cast<char *>(pointer);
  return found->second.access + (pointer - found->first);
}
int handle = 0; // what opaque handles point to

/// Copies to the device that have not landed yet, in order.
struct PendingCopy {
  CUdeviceptr target;
  std::vector<char> bytes;
};
std::vector<PendingCopy> pending;

/// The legacy default stream gets to its queued copies.
void land() {
  for (PendingCopy &copy : pending)
    std::memcpy(access(copy.target), copy.bytes.data(), copy.bytes.size());
  pending.clear();
}

bool isLegacy(void *stream) {
  return stream == nullptr || stream == reinterpret_cast<void *>(1);
}

} // namespace

extern "C" {

CUresult cuInit(unsigned) { return kSuccess; }

CUresult cuGetErrorName(CUresult result, const char **name) {
  switch (result) {
  case kSuccess:
    *name = "CUDA_SUCCESS";
    return kSuccess;
  case kInvalidValue:
    *name = "CUDA_ERROR_INVALID_VALUE";
    return kSuccess;
  case kOutOfMemory:
    *name = "CUDA_ERROR_OUT_OF_MEMORY";
    return kSuccess;
  case kNotSupported:
    *name = "CUDA_ERROR_NOT_SUPPORTED";
    return kSuccess;
  default:
    *name = nullptr;
    return kInvalidValue;
  }
}

CUresult cuGetErrorString(CUresult result, const char **text) {
  *text = result == kNotSupported
              ? "the fake CUDA driver runs no kernels"
              : nullptr;
  return kSuccess;
}

CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return kSuccess;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return kInvalidValue;
  *device = 0;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, int) {
  std::strncpy(name, "VSLA fake CUDA device", static_cast<size_t>(length));
  if (length > 0)
    name[length - 1] = '\0';
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  constexpr int kMultiprocessors = 16, kMajor = 75, kMinor = 76;
  *value = attribute == kMultiprocessors ? 1
           : attribute == kMajor         ? 9
           : attribute == kMinor         ? 0
                                         : 0;
  return kSuccess;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, int) {
  *bytes = kTotalBytes;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int) {
  *context = &handle;
  return kSuccess;
}

CUresult cuCtxSetCurrent(void *) { return kSuccess; }

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  if (bytes == 0)
    return kInvalidValue;
  if (bytes > kTotalBytes - bytesInUse)
    return kOutOfMemory;
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t mapped = (bytes + page - 1) / page * page;
  int fd = memfd_create("vsla-fake-cuda", 0);
  if (fd < 0)
    return kOutOfMemory;
  void *device = MAP_FAILED, *view = MAP_FAILED;
  if (ftruncate(fd, static_cast<off_t>(mapped)) == 0) {
    device = mmap(nullptr, mapped, PROT_NONE, MAP_SHARED, fd, 0);
    view = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (device == MAP_FAILED || view == MAP_FAILED) {
    if (device != MAP_FAILED)
      munmap(device, mapped);
    if (view != MAP_FAILED)
      munmap(view, mapped);
    return kOutOfMemory;
  }
  bytesInUse += bytes;
  *pointer = reinterpret_cast<CUdeviceptr>(device);
  allocations[*pointer] = {bytes, mapped, static_cast<char *>(view)};
  return kSuccess;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  if (!pointer)
    return kSuccess;
  land();
  auto found = allocations.find(pointer);
  if (found == allocations.end())
    return kInvalidValue;
  bytesInUse -= found->second.bytes;
  munmap(reinterpret_cast<void *>(pointer), found->second.mapped);
  munmap(found->second.access, found->second.mapped);
  allocations.erase(found);
  return kSuccess;
}

CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
  *free = kTotalBytes - bytesInUse;
  *total = kTotalBytes;
  return kSuccess;
}

CUresult cuMemGetAddressRange_v2(CUdeviceptr *base, size_t *size,
                                 CUdeviceptr pointer) {
  auto found = findAllocation(pointer);
  if (found == allocations.end())
    return kInvalidValue;
  *base = found->first;
  *size = found->second.bytes;
  return kSuccess;
}

CUresult cuPointerGetAttribute(void *data, int attribute, CUdeviceptr pointer) {
  constexpr int kMemoryType = 2, kDeviceOrdinal = 9;
  constexpr unsigned kDeviceMemory = 2;
  if (findAllocation(pointer) == allocations.end())
    return kInvalidValue; // not memory this driver allocated
  if (attribute == kMemoryType)
    *static_cast<unsigned *>(data) = kDeviceMemory;
  else if (attribute == kDeviceOrdinal)
    *static_cast<int *>(data) = 0;
  else
    return kInvalidValue;
  return kSuccess;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr target, const void *source, size_t bytes) {
  const auto *staged = static_cast<const char *>(source);
  pending.push_back({target, std::vector<char>(staged, staged + bytes)});
  return kSuccess;
}

CUresult cuMemcpyDtoH_v2(void *target, CUdeviceptr source, size_t bytes) {
  land();
  std::memcpy(target, access(source), bytes);
  return kSuccess;
}

CUresult cuMemcpyAsync(CUdeviceptr target, CUdeviceptr source, size_t bytes,
                       void *stream) {
  if (isLegacy(stream))
    land();
  std::memmove(access(target), access(source), bytes);
  return kSuccess;
}

CUresult cuMemsetD32Async(CUdeviceptr target, unsigned value, size_t count,
                          void *) {
  auto *words = reinterpret_cast<uint32_t *>(access(target));
  for (size_t i = 0; i < count; ++i)
    words[i] = value;
  return kSuccess;
}

CUresult cuMemsetD16Async(CUdeviceptr target, unsigned short value,
                          size_t count, void *) {
  auto *halves = reinterpret_cast<uint16_t *>(access(target));
  for (size_t i = 0; i < count; ++i)
    halves[i] = value;
  return kSuccess;
}

CUresult cuModuleLoadData(void **module, const void *) {
  *module = &handle;
  return kSuccess;
}

CUresult cuModuleLoadDataEx(void **module, const void *, unsigned, int *,
                            void **) {
  *module = &handle;
  return kSuccess;
}

CUresult cuModuleUnload(void *) { return kSuccess; }

CUresult cuModuleGetFunction(void **function, void *, const char *) {
  *function = &handle;
  return kSuccess;
}

CUresult cuLaunchKernel(void *, unsigned, unsigned, unsigned, unsigned,
                        unsigned, unsigned, unsigned, void *, void **,
                        void **) {
  return kNotSupported;
}

CUresult cuStreamCreate(void **stream, unsigned) {
  *stream = &handle;
  return kSuccess;
}

CUresult cuStreamDestroy_v2(void *) { return kSuccess; }
CUresult cuStreamSynchronize(void *stream) {
  if (isLegacy(stream))
    land();
  return kSuccess;
}
CUresult cuStreamWaitEvent(void *, void *, unsigned) { return kSuccess; }

CUresult cuEventCreate(void **event, unsigned) {
  *event = &handle;
  return kSuccess;
}

CUresult cuEventDestroy_v2(void *) { return kSuccess; }
CUresult cuEventRecord(void *, void *) { return kSuccess; }
CUresult cuEventSynchronize(void *) { return kSuccess; }

} // extern "C"

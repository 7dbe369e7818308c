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

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

constexpr CUresult kSuccess = 0;
constexpr CUresult kInvalidValue = 1;
constexpr CUresult kOutOfMemory = 2;
constexpr CUresult kNotSupported = 801;
constexpr size_t kTotalBytes = size_t(1) << 30;

size_t bytesInUse = 0;
/// Each live allocation's size, by address (what cuPointerGetAttribute and
/// cuMemGetAddressRange answer from).
std::map<CUdeviceptr, size_t> allocations;

/// The allocation holding `pointer`, or allocations.end().
std::map<CUdeviceptr, size_t>::iterator findAllocation(CUdeviceptr pointer) {
  auto next = allocations.upper_bound(pointer);
  if (next == allocations.begin())
    return allocations.end();
  auto found = std::prev(next);
  return pointer - found->first < found->second ? found : allocations.end();
}
int handle = 0; // what opaque handles point to

/// Allocations carry their size in a header, for cuMemGetInfo.
constexpr size_t kHeader = 256;

/// Copies to the device that have not landed yet, in order.
struct PendingCopy {
  CUdeviceptr target;
  std::vector<char> bytes;
};
std::vector<PendingCopy> pending;

/// The legacy default stream gets to its queued copies.
void land() {
  for (PendingCopy &copy : pending)
    std::memcpy(reinterpret_cast<void *>(copy.target), copy.bytes.data(),
                copy.bytes.size());
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
  auto *block = static_cast<char *>(std::aligned_alloc(kHeader, kHeader + (bytes + 255) / 256 * 256));
  if (!block)
    return kOutOfMemory;
  std::memcpy(block, &bytes, sizeof(bytes));
  bytesInUse += bytes;
  *pointer = reinterpret_cast<CUdeviceptr>(block + kHeader);
  allocations[*pointer] = bytes;
  return kSuccess;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  if (!pointer)
    return kSuccess;
  land();
  char *block = reinterpret_cast<char *>(pointer) - kHeader;
  size_t bytes;
  std::memcpy(&bytes, block, sizeof(bytes));
  bytesInUse -= bytes;
  allocations.erase(pointer);
  std::free(block);
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
  *size = found->second;
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
  std::memcpy(target, reinterpret_cast<const void *>(source), bytes);
  return kSuccess;
}

CUresult cuMemcpyAsync(CUdeviceptr target, CUdeviceptr source, size_t bytes,
                       void *stream) {
  if (isLegacy(stream))
    land();
  std::memmove(reinterpret_cast<void *>(target),
               reinterpret_cast<const void *>(source), bytes);
  return kSuccess;
}

CUresult cuMemsetD32Async(CUdeviceptr target, unsigned value, size_t count,
                          void *) {
  auto *words = reinterpret_cast<uint32_t *>(target);
  for (size_t i = 0; i < count; ++i)
    words[i] = value;
  return kSuccess;
}

CUresult cuMemsetD16Async(CUdeviceptr target, unsigned short value,
                          size_t count, void *) {
  auto *halves = reinterpret_cast<uint16_t *>(target);
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

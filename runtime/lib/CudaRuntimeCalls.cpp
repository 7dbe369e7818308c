//===- CudaRuntimeCalls.cpp - the mgpu* functions GPU host code calls -----===//
//
// MLIR lowers GPU host code (kernel launches, device allocations, copies)
// to calls of mgpu* functions; upstream implements them in a library Debian
// does not ship. These implement them over the runtime's CUDA driver and
// device pool, and turn failures into Statuses of the compiled call (the
// upstream wrappers print and carry on).
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/Cuda.h"

#include "CudaCalls.h"

#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>

using namespace vsla::rt;
using namespace vsla::rt::cuda;

namespace {
thread_local int32_t defaultDevice = 0;
/// Inside captureDeviceFailures: where the first failure goes.
thread_local Status *captured = nullptr;
} // namespace

namespace vsla::rt::cuda {

Status captureDeviceFailures(const std::function<void()> &load) {
  Status first;
  Status *outer = captured;
  captured = &first;
  load();
  captured = outer;
  return first;
}

} // namespace vsla::rt::cuda

namespace vsla::rt::cuda::detail {

int getDefaultDevice() { return defaultDevice; }

void report(Status status) {
  if (captured) {
    if (captured->ok())
      *captured = std::move(status);
  } else if (vsla::rt::detail::insideCompiledCall())
    vsla::rt::detail::recordFailure(std::move(status));
  else
    std::fprintf(stderr, "vsla runtime: %s\n", status.toString().c_str());
}

void finishCall(bool ok) {
  if (!ok && !captured && vsla::rt::detail::insideCompiledCall())
    vsla::rt::detail::unwindCompiledCall();
}

const Driver *prepare() {
  auto driver = getDriver();
  if (!driver.ok()) {
    report(driver.getStatus());
    return nullptr;
  }
  if (Status status = setCurrentDevice(defaultDevice); !status.ok()) {
    report(status);
    return nullptr;
  }
  return *driver;
}

} // namespace vsla::rt::cuda::detail

using cuda::detail::finishCall;
using cuda::detail::prepare;
using cuda::detail::report;

namespace {

bool check(const Driver &driver, CUresult result, const char *call) {
  Status status = toStatus(driver, result, call);
  if (status.ok())
    return true;
  report(status);
  return false;
}

/// Runs a driver call `f(driver)` with the default device current and
/// reports its failure.
template <typename F> bool call(const char *name, F f) {
  const Driver *driver = prepare();
  return driver && check(*driver, f(*driver), name);
}

CUdeviceptr device(void *pointer) {
  return reinterpret_cast<CUdeviceptr>(pointer);
}

} // namespace

extern "C" {

CUmodule mgpuModuleLoad(void *data, size_t) {
  CUmodule module = nullptr;
  finishCall(call("cuModuleLoadData", [&](const Driver &d) {
    return d.cuModuleLoadData(&module, data);
  }));
  return module;
}

CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = nullptr;
  finishCall([&] {
    const Driver *driver = prepare();
    if (!driver)
      return false;
    // The PTX compiler's log says why a module does not load.
    char log[4096] = {};
    constexpr int kErrorLogBuffer = 5, kErrorLogBytes = 6,
                  kOptimizationLevel = 7;
    int options[] = {kErrorLogBuffer, kErrorLogBytes, kOptimizationLevel};
    void *values[] = {log, reinterpret_cast<void *>(sizeof(log) - 1),
                      reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
    CUresult result =
        driver->cuModuleLoadDataEx(&module, data, 3, options, values);
    if (result == 0)
      return true;
    Status status = toStatus(*driver, result, "cuModuleLoadDataEx");
    report(Status(status.getCode(),
                  status.getMessage() + (log[0] ? ": " : "") + log));
    return false;
  }());
  return module;
}

void mgpuModuleUnload(CUmodule module) {
  if (!module)
    return; // never loaded (a failed load was reported then)
  finishCall(call("cuModuleUnload",
              [&](const Driver &d) { return d.cuModuleUnload(module); }));
}

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction function = nullptr;
  finishCall(call("cuModuleGetFunction", [&](const Driver &d) {
    return d.cuModuleGetFunction(&function, module, name);
  }));
  return function;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, CUstream stream,
                      void **params, void **extra, size_t) {
  finishCall([&] {
    for (intptr_t extent : {gridX, gridY, gridZ, blockX, blockY, blockZ})
      if (extent < 0 || extent > INT32_MAX) {
        report(invalidArgument("a kernel launch has a grid or block extent "
                               "of " + std::to_string(extent)));
        return false;
      }
    if (gridX == 0 || gridY == 0 || gridZ == 0)
      return true; // an empty grid: nothing to run (the driver refuses it)
    return call("cuLaunchKernel", [&](const Driver &d) {
      return d.cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                              blockZ, sharedBytes, stream, params, extra);
    });
  }());
}

namespace {
/// The calling thread's stream on the default device: compiled host code
/// asks for a stream on every call and destroys it on return; creating one
/// per call costs more than small kernels. Each thread keeps its own, so
/// calls from different threads do not serialize.
thread_local CUstream threadStream = nullptr;
thread_local int32_t threadStreamDevice = -1;

/// Stream-ordered reuse of device memory. Compiled host code frees a
/// temporary as soon as it is dead, while kernels queued before may still
/// read it; returning it to the shared pool then would need a wait for the
/// stream. Instead a block freed on the calling thread's stream waits in
/// `pending`, where later allocations of the same thread (on the same
/// stream, so after those kernels) reuse it, and goes back to the pool when
/// that stream is next synchronized (at the latest when the compiled call
/// returns).
struct StreamBlocks {
  /// The size asked for each block this thread allocated from the pool.
  std::unordered_map<void *, uint64_t> sizes;
  /// Blocks freed on the thread's stream, by size.
  std::multimap<uint64_t, void *> pending;
};
thread_local StreamBlocks streamBlocks;

bool onThreadStream(CUstream stream) {
  return stream && stream == threadStream &&
         threadStreamDevice == defaultDevice;
}

/// A pending block of `bytes` to `bytes * 5 / 4`, or null.
void *reusePending(uint64_t bytes) {
  auto found = streamBlocks.pending.lower_bound(bytes);
  if (found == streamBlocks.pending.end() ||
      found->first > bytes + bytes / 4)
    return nullptr;
  void *block = found->second;
  streamBlocks.sizes[block] = found->first;
  streamBlocks.pending.erase(found);
  return block;
}

/// Returns the block of each entry of `blocks` (`block(entry)`) to device
/// `ordinal`'s pool and empties `blocks`.
extern "C++" template <typename Blocks, typename Block>
void returnToPool(int ordinal, Blocks &blocks, Block block) {
  if (blocks.empty())
    return;
  auto pool = getDevicePool(ordinal);
  for (auto &entry : blocks)
    if (pool.ok())
      (void)(*pool)->deallocate(block(entry), 0, 256);
  blocks.clear();
}

void releasePending() {
  returnToPool(threadStreamDevice, streamBlocks.pending,
               [](const auto &entry) { return entry.second; });
}
} // namespace

CUstream mgpuStreamCreate() {
  if (threadStream && threadStreamDevice == defaultDevice)
    return threadStream;
  CUstream stream = nullptr;
  constexpr unsigned kNonBlocking = 1;
  finishCall(call("cuStreamCreate", [&](const Driver &d) {
    return d.cuStreamCreate(&stream, kNonBlocking);
  }));
  if (stream && !threadStream) {
    threadStream = stream;
    threadStreamDevice = defaultDevice;
  }
  return stream;
}

void mgpuStreamDestroy(CUstream stream) {
  if (stream && stream == threadStream)
    return; // the thread's stream lives on
  finishCall(call("cuStreamDestroy",
              [&](const Driver &d) { return d.cuStreamDestroy(stream); }));
}

void mgpuStreamSynchronize(CUstream stream) {
  bool ok = call("cuStreamSynchronize",
                 [&](const Driver &d) { return d.cuStreamSynchronize(stream); });
  // The stream's work is done: blocks freed on it go back to the pool.
  if (ok && stream && stream == threadStream)
    releasePending();
  finishCall(ok);
}

void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  finishCall(call("cuStreamWaitEvent", [&](const Driver &d) {
    return d.cuStreamWaitEvent(stream, event, 0);
  }));
}

CUevent mgpuEventCreate() {
  CUevent event = nullptr;
  constexpr unsigned kDisableTiming = 2;
  finishCall(call("cuEventCreate", [&](const Driver &d) {
    return d.cuEventCreate(&event, kDisableTiming);
  }));
  return event;
}

void mgpuEventDestroy(CUevent event) {
  finishCall(call("cuEventDestroy",
              [&](const Driver &d) { return d.cuEventDestroy(event); }));
}

void mgpuEventSynchronize(CUevent event) {
  finishCall(call("cuEventSynchronize",
              [&](const Driver &d) { return d.cuEventSynchronize(event); }));
}

void mgpuEventRecord(CUevent event, CUstream stream) {
  finishCall(call("cuEventRecord",
              [&](const Driver &d) { return d.cuEventRecord(event, stream); }));
}

void *mgpuMemAlloc(uint64_t bytes, CUstream stream, bool hostShared) {
  void *memory = nullptr;
  finishCall([&] {
    if (hostShared) {
      report(invalidArgument("host-shared GPU memory (gpu.alloc host_shared) "
                             "is not supported; allocate device memory and "
                             "copy"));
      return false;
    }
    if (onThreadStream(stream)) {
      memory = reusePending(bytes);
      if (memory)
        return true;
    }
    auto pool = getDevicePool(defaultDevice);
    if (!pool.ok()) {
      report(pool.getStatus());
      return false;
    }
    auto allocated = (*pool)->allocate(bytes, 256);
    if (!allocated.ok()) {
      report(allocated.getStatus());
      return false;
    }
    memory = *allocated;
    streamBlocks.sizes[memory] = bytes;
    return true;
  }());
  return memory;
}

void mgpuMemFree(void *pointer, CUstream stream) {
  if (!pointer)
    return;
  auto size = streamBlocks.sizes.find(pointer);
  if (onThreadStream(stream) && size != streamBlocks.sizes.end()) {
    // Stream-ordered: work queued on this stream may still read the block,
    // and only later work on the same stream reuses it.
    streamBlocks.pending.emplace(size->second, pointer);
    streamBlocks.sizes.erase(size);
    return;
  }
  if (size != streamBlocks.sizes.end())
    streamBlocks.sizes.erase(size);
  finishCall([&] {
    // The block returns to the pool for later work on any stream: first
    // wait for the work that may still read it.
    if (stream && !call("cuStreamSynchronize", [&](const Driver &d) {
          return d.cuStreamSynchronize(stream);
        }))
      return false;
    auto pool = getDevicePool(defaultDevice);
    if (!pool.ok()) {
      report(pool.getStatus());
      return false;
    }
    if (Status status = (*pool)->deallocate(pointer, 0, 256); !status.ok()) {
      report(status);
      return false;
    }
    return true;
  }());
}

void mgpuMemcpy(void *target, void *source, size_t bytes, CUstream stream) {
  finishCall(call("cuMemcpyAsync", [&](const Driver &d) {
    return d.cuMemcpyAsync(device(target), device(source), bytes, stream);
  }));
}

void mgpuMemset32(void *target, unsigned value, size_t count,
                  CUstream stream) {
  finishCall(call("cuMemsetD32Async", [&](const Driver &d) {
    return d.cuMemsetD32Async(device(target), value, count, stream);
  }));
}

void mgpuMemset16(void *target, unsigned short value, size_t count,
                  CUstream stream) {
  finishCall(call("cuMemsetD16Async", [&](const Driver &d) {
    return d.cuMemsetD16Async(device(target), value, count, stream);
  }));
}

void mgpuSetDefaultDevice(int32_t device) { defaultDevice = device; }

} // extern "C"

void vsla::rt::cuda::abandonThreadStreamWork() {
  // What the failed call queued may still run and read its blocks: wait
  // for it (a failed wait leaves nothing better to do), then every block
  // the call still held goes back to the pool (a call that completes frees
  // its temporaries; its outputs are the runtime's, not in `sizes`).
  if (threadStream)
    if (auto driver = getDriver();
        driver.ok() && setCurrentDevice(threadStreamDevice).ok())
      (void)(*driver)->cuStreamSynchronize(threadStream);
  releasePending();
  returnToPool(defaultDevice, streamBlocks.sizes,
               [](const auto &entry) { return entry.first; });
}

StatusOr<vsla::rt::Buffer>
vsla::rt::cuda::adoptThreadStreamBlock(void *block) {
  auto size = streamBlocks.sizes.find(block);
  if (size == streamBlocks.sizes.end())
    return failedPrecondition("not a block of this call");
  auto pool = getDevicePool(defaultDevice);
  if (!pool.ok())
    return pool.getStatus();
  uint64_t bytes = size->second;
  streamBlocks.sizes.erase(size);
  return Buffer::adopt(**pool, block, bytes, 256);
}

Status vsla::rt::cuda::synchronizeThreadStream() {
  if (!threadStream)
    return okStatus();
  auto driver = getDriver();
  if (!driver.ok())
    return driver.getStatus();
  if (Status status = setCurrentDevice(threadStreamDevice); !status.ok())
    return status;
  if (Status status = toStatus(**driver,
                               (*driver)->cuStreamSynchronize(threadStream),
                               "cuStreamSynchronize");
      !status.ok())
    return status;
  releasePending();
  return okStatus();
}

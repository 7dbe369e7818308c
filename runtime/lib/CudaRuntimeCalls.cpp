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

#include <cstdio>
#include <string>

using namespace vsla::rt;
using namespace vsla::rt::cuda;

namespace {

thread_local int32_t defaultDevice = 0;

/// Notes a failure: inside a compiled call, the status that call fails
/// with (finish() then unwinds); elsewhere, printed.
void report(Status status) {
  if (detail::insideCompiledCall())
    detail::recordFailure(std::move(status));
  else
    std::fprintf(stderr, "vsla runtime: %s\n", status.toString().c_str());
}

/// Ends an mgpu call: one that failed inside a compiled call unwinds it.
/// Called with no object that has a destructor alive in the frame
/// (unwinding skips destructors): the work runs in a lambda before it.
void finish(bool ok) {
  if (!ok && detail::insideCompiledCall())
    detail::unwindCompiledCall();
}

/// The driver with the default device's context current, or null after
/// report().
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
  finish(call("cuModuleLoadData", [&](const Driver &d) {
    return d.cuModuleLoadData(&module, data);
  }));
  return module;
}

CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = nullptr;
  finish([&] {
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
  finish(call("cuModuleUnload",
              [&](const Driver &d) { return d.cuModuleUnload(module); }));
}

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction function = nullptr;
  finish(call("cuModuleGetFunction", [&](const Driver &d) {
    return d.cuModuleGetFunction(&function, module, name);
  }));
  return function;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, CUstream stream,
                      void **params, void **extra, size_t) {
  finish([&] {
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
} // namespace

CUstream mgpuStreamCreate() {
  if (threadStream && threadStreamDevice == defaultDevice)
    return threadStream;
  CUstream stream = nullptr;
  constexpr unsigned kNonBlocking = 1;
  finish(call("cuStreamCreate", [&](const Driver &d) {
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
  finish(call("cuStreamDestroy",
              [&](const Driver &d) { return d.cuStreamDestroy(stream); }));
}

void mgpuStreamSynchronize(CUstream stream) {
  finish(call("cuStreamSynchronize",
              [&](const Driver &d) { return d.cuStreamSynchronize(stream); }));
}

void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  finish(call("cuStreamWaitEvent", [&](const Driver &d) {
    return d.cuStreamWaitEvent(stream, event, 0);
  }));
}

CUevent mgpuEventCreate() {
  CUevent event = nullptr;
  constexpr unsigned kDisableTiming = 2;
  finish(call("cuEventCreate", [&](const Driver &d) {
    return d.cuEventCreate(&event, kDisableTiming);
  }));
  return event;
}

void mgpuEventDestroy(CUevent event) {
  finish(call("cuEventDestroy",
              [&](const Driver &d) { return d.cuEventDestroy(event); }));
}

void mgpuEventSynchronize(CUevent event) {
  finish(call("cuEventSynchronize",
              [&](const Driver &d) { return d.cuEventSynchronize(event); }));
}

void mgpuEventRecord(CUevent event, CUstream stream) {
  finish(call("cuEventRecord",
              [&](const Driver &d) { return d.cuEventRecord(event, stream); }));
}

void *mgpuMemAlloc(uint64_t bytes, CUstream, bool hostShared) {
  void *memory = nullptr;
  finish([&] {
    if (hostShared) {
      report(invalidArgument("host-shared GPU memory (gpu.alloc host_shared) "
                             "is not supported; allocate device memory and "
                             "copy"));
      return false;
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
    return true;
  }());
  return memory;
}

void mgpuMemFree(void *pointer, CUstream stream) {
  if (!pointer)
    return;
  finish([&] {
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
  finish(call("cuMemcpyAsync", [&](const Driver &d) {
    return d.cuMemcpyAsync(device(target), device(source), bytes, stream);
  }));
}

void mgpuMemset32(void *target, unsigned value, size_t count,
                  CUstream stream) {
  finish(call("cuMemsetD32Async", [&](const Driver &d) {
    return d.cuMemsetD32Async(device(target), value, count, stream);
  }));
}

void mgpuMemset16(void *target, unsigned short value, size_t count,
                  CUstream stream) {
  finish(call("cuMemsetD16Async", [&](const Driver &d) {
    return d.cuMemsetD16Async(device(target), value, count, stream);
  }));
}

void mgpuSetDefaultDevice(int32_t device) { defaultDevice = device; }

} // extern "C"

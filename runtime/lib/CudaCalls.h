//===- CudaCalls.h - runtime functions GPU host code calls ------*- C++ -*-===//
//
// Private to the runtime: what the mgpu* functions (CudaRuntimeCalls.cpp)
// and the cuBLAS products (CudaGemm.cpp) share. A failure inside a compiled
// call fails that call with a Status; elsewhere it is printed.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_LIB_CUDACALLS_H
#define VSLA_RUNTIME_LIB_CUDACALLS_H

#include "vsla/runtime/Cuda.h"

namespace vsla::rt::cuda::detail {

/// The device compiled host code runs on (mgpuSetDefaultDevice), per thread.
int getDefaultDevice();

/// Notes a failure: inside captureDeviceFailures, the status it returns;
/// inside a compiled call, the status that call fails with (finishCall()
/// then unwinds); elsewhere, printed.
void report(Status status);

/// Ends a runtime function: one that failed inside a compiled call unwinds
/// it. Called with no object that has a destructor alive in the frame
/// (unwinding skips destructors): the work runs in a lambda before it.
void finishCall(bool ok);

/// The driver with the default device's context current, or null after
/// report().
const Driver *prepare();

} // namespace vsla::rt::cuda::detail

#endif // VSLA_RUNTIME_LIB_CUDACALLS_H

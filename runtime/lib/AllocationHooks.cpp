//===- AllocationHooks.cpp - memref allocation from compiled code ---------===//

#include "vsla/runtime/AllocationHooks.h"

#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/Threads.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <cstdlib>
#include <string>

namespace vsla::rt {

namespace {
/// Null means "the default pool".
thread_local BufferPool *currentPool = nullptr;

/// Whether the calling thread is one of the threads an OpenMP parallel region
/// of compiled code runs on, other than the one that entered it (libomp is
/// loaded by the compiler; without it there are no such threads).
bool isOpenMpWorker() {
  using ThreadNum = int (*)();
  // Looked up until found: libomp is loaded with the compiler.
  static std::atomic<ThreadNum> threadNum{nullptr};
  ThreadNum found = threadNum.load(std::memory_order_acquire);
  if (!found) {
    found = reinterpret_cast<ThreadNum>(findOpenMpSymbol("omp_get_thread_num"));
    if (!found)
      return false;
    threadNum.store(found, std::memory_order_release);
  }
  return found() > 0;
}

/// The pool of an OpenMP worker running items of a vsla.map: the items'
/// temporaries are allocated and freed by the thread that runs the item, so a
/// pool per worker keeps them off the shared pool's lock.
BufferPool &getWorkerPool() {
  thread_local std::unique_ptr<BufferPool> pool = [] {
    BufferPoolOptions options;
    options.maxCachedBytes = size_t(64) << 20;
    return std::move(BufferPool::create(HostAllocator::get(), options)).value();
  }();
  return *pool;
}

/// The pool the hooks use on this thread.
BufferPool &getHookPool() {
  if (!currentPool && !detail::insideCompiledCall() && isOpenMpWorker())
    return getWorkerPool();
  return getCurrentPool();
}

void *allocateFromCurrentPool(size_t alignment, size_t size) {
  BufferPool &pool = getHookPool();
  StatusOr<void *> ptr = pool.allocate(size, alignment);
  if (ptr.ok()) {
    detail::noteAllocation(*ptr);
    return *ptr;
  }
  if (detail::insideCompiledCall()) {
    // Compiled code cannot handle a null pointer: fail the whole call. The
    // status is built in a scope of its own: unwinding skips destructors.
    {
      detail::recordFailure(outOfMemory(
          "compiled code could not allocate a temporary of " +
          std::to_string(size) + " bytes from " + pool.getName() + ": " +
          ptr.getStatus().getMessage()));
    }
    detail::unwindCompiledCall();
  }
  // Compiled code only sees a null pointer, so say why here.
  std::fprintf(stderr,
               "vsla runtime: memref allocation of %zu bytes from %s "
               "failed: %s\n",
               size, pool.getName(), ptr.getStatus().toString().c_str());
  return nullptr;
}
} // namespace

BufferPool &getDefaultPool() {
  static BufferPool *pool = [] {
    StatusOr<std::unique_ptr<BufferPool>> created =
        BufferPool::create(HostAllocator::get());
    return std::move(created).value().release();
  }();
  return *pool;
}

BufferPool &getCurrentPool() {
  return currentPool ? *currentPool : getDefaultPool();
}

CurrentPoolScope::CurrentPoolScope(BufferPool &pool) : previous(currentPool) {
  currentPool = &pool;
}

CurrentPoolScope::~CurrentPoolScope() { currentPool = previous; }

} // namespace vsla::rt

using namespace vsla::rt;

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  return allocateFromCurrentPool(kDefaultAlignment, size);
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                    size_t size) {
  return allocateFromCurrentPool(alignment, size);
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  detail::noteRelease(ptr);
  // The common case: freed under the pool it was allocated from.
  if (getHookPool().releaseIfOwned(ptr))
    return;
  Status status = BufferPool::releaseToOwningPool(ptr);
  if (status.ok())
    return;
  std::fprintf(stderr, "vsla runtime: _mlir_memref_to_llvm_free: %s\n",
               status.toString().c_str());
  std::abort();
}

//===- AllocationHooks.cpp - memref allocation from compiled code ---------===//

#include "vsla/runtime/AllocationHooks.h"

#include "vsla/runtime/CompiledCall.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vsla::rt {

namespace {
/// Null means "the default pool".
thread_local BufferPool *currentPool = nullptr;

void *allocateFromCurrentPool(size_t alignment, size_t size) {
  BufferPool &pool = getCurrentPool();
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
  if (getCurrentPool().release(ptr).ok())
    return;
  Status status = BufferPool::releaseToOwningPool(ptr);
  if (status.ok())
    return;
  std::fprintf(stderr, "vsla runtime: _mlir_memref_to_llvm_free: %s\n",
               status.toString().c_str());
  std::abort();
}

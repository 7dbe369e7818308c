//===- AllocationHooks.h - memref allocation from compiled code -*- C++ -*-===//
//
// Code lowered with `finalize-memref-to-llvm{use-generic-functions=true}`
// calls the three C functions below instead of malloc/free for every
// memref.alloc and memref.dealloc. The runtime defines them to allocate from a
// BufferPool, so temporaries inside compiled code come from the same cache as
// the buffers the runtime passes in (DESIGN.md section 2, point 5).
//
// Which pool: the calling thread's current pool, set by a CurrentPoolScope,
// or the process-wide default pool when no scope is active. A free goes to
// whichever pool allocated the pointer, even after its scope has ended or on
// another thread.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_ALLOCATIONHOOKS_H
#define VSLA_RUNTIME_ALLOCATIONHOOKS_H

#include "vsla/runtime/BufferPool.h"

#include <cstddef>

extern "C" {
/// malloc for memrefs: 64-byte aligned memory from the current pool, or null
/// when it cannot be had (the reason is printed to stderr).
void *_mlir_memref_to_llvm_alloc(size_t size);
/// aligned_alloc for memrefs: `alignment` must be a power of two; alignments
/// below 64 give 64.
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
/// free for memrefs: returns `ptr` to the pool that allocated it. Freeing a
/// pointer no pool owns (a double free) prints an error and aborts, as glibc
/// does, rather than corrupting the cache.
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace vsla::rt {

/// The process-wide pool over the host heap, created on first use with the
/// default BufferPoolOptions and never destroyed (compiled code may free
/// during static destruction).
BufferPool &getDefaultPool();

/// The pool the hooks allocate from on this thread.
BufferPool &getCurrentPool();

/// Makes `pool` the calling thread's current pool for the lifetime of the
/// scope, restoring the previous one afterwards; scopes nest. The pool must be
/// a host pool and outlive every pointer the hooks allocate from it.
class CurrentPoolScope {
public:
  explicit CurrentPoolScope(BufferPool &pool);
  ~CurrentPoolScope();
  CurrentPoolScope(const CurrentPoolScope &) = delete;
  CurrentPoolScope &operator=(const CurrentPoolScope &) = delete;

private:
  BufferPool *previous;
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_ALLOCATIONHOOKS_H

//===- Allocator.cpp - the allocator interface and the host heap ----------===//

#include "vsla/runtime/Allocator.h"

#include <cstdlib>
#include <string>

namespace vsla::rt {

Allocator::~Allocator() = default;

HostAllocator &HostAllocator::get() {
  static HostAllocator instance;
  return instance;
}

StatusOr<void *> HostAllocator::allocate(size_t bytes, size_t alignment) {
  if (!isPowerOfTwo(alignment))
    return invalidArgument("alignment " + std::to_string(alignment) +
                           " is not a power of two; pass 64 (the runtime "
                           "default) or another power of two");
  // posix_memalign wants a multiple of sizeof(void *).
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  // Zero bytes still gets a real, distinct block so that every successful
  // allocation has a pointer to free.
  void *ptr = nullptr;
  if (posix_memalign(&ptr, alignment, bytes == 0 ? 1 : bytes) != 0 || !ptr)
    return outOfMemory("the host heap could not provide " +
                       std::to_string(bytes) + " bytes aligned to " +
                       std::to_string(alignment) +
                       "; free memory or lower the pool's maxCachedBytes");
  return ptr;
}

Status HostAllocator::deallocate(void *ptr, size_t /*bytes*/,
                                 size_t /*alignment*/) {
  std::free(ptr);
  return okStatus();
}

} // namespace vsla::rt

//===- Buffer.cpp - an owning handle to allocator memory ------------------===//

#include "vsla/runtime/Buffer.h"

namespace vsla::rt {

StatusOr<Buffer> Buffer::allocate(Allocator &allocator, size_t bytes,
                                  size_t alignment) {
  StatusOr<void *> ptr = allocator.allocate(bytes, alignment);
  if (!ptr.ok())
    return ptr.getStatus();
  return Buffer(&allocator, *ptr, bytes, alignment);
}

Buffer &Buffer::operator=(Buffer &&other) noexcept {
  if (this == &other)
    return *this;
  (void)reset();
  allocator = other.allocator;
  ptr = other.ptr;
  bytes = other.bytes;
  alignment = other.alignment;
  other.allocator = nullptr;
  other.ptr = nullptr;
  other.bytes = 0;
  other.alignment = 0;
  return *this;
}

Status Buffer::reset() {
  if (!allocator)
    return okStatus();
  Status status = allocator->deallocate(ptr, bytes, alignment);
  allocator = nullptr;
  ptr = nullptr;
  bytes = 0;
  alignment = 0;
  return status;
}

void *Buffer::release() {
  void *owned = ptr;
  allocator = nullptr;
  ptr = nullptr;
  bytes = 0;
  alignment = 0;
  return owned;
}

} // namespace vsla::rt

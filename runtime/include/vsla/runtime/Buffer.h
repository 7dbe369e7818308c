//===- Buffer.h - an owning handle to allocator memory ----------*- C++ -*-===//
//
// A Buffer owns one block from an Allocator (usually a BufferPool) and gives it
// back when destroyed, so temporaries return to the pool's cache without the
// caller remembering sizes. Move-only: exactly one owner at a time.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_BUFFER_H
#define VSLA_RUNTIME_BUFFER_H

#include "vsla/runtime/Allocator.h"

namespace vsla::rt {

class Buffer {
public:
  /// A null buffer: owns nothing.
  Buffer() = default;

  /// Allocates `bytes` bytes from `allocator`, which must outlive the buffer.
  static StatusOr<Buffer> allocate(Allocator &allocator, size_t bytes,
                                   size_t alignment = kDefaultAlignment);

  /// Takes ownership of `data`, which `allocator` returned for
  /// allocate(bytes, alignment).
  static Buffer adopt(Allocator &allocator, void *data, size_t bytes,
                      size_t alignment) {
    return Buffer(&allocator, data, bytes, alignment);
  }

  Buffer(Buffer &&other) noexcept { *this = std::move(other); }
  Buffer &operator=(Buffer &&other) noexcept;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer() { (void)reset(); }

  /// Not null for every allocated buffer, including zero-byte ones.
  void *data() const { return ptr; }
  /// The requested size in bytes (the block behind it may be larger).
  size_t size() const { return bytes; }
  size_t getAlignment() const { return alignment; }
  /// The allocator the memory goes back to; null for a null buffer.
  Allocator *getAllocator() const { return allocator; }
  bool isNull() const { return allocator == nullptr; }

  template <typename T> T *dataAs() const { return static_cast<T *>(ptr); }

  /// Returns the memory to its allocator now and leaves a null buffer.
  Status reset();

  /// Gives up ownership without freeing: the caller must deallocate the
  /// returned pointer through getAllocator().
  void *release();

private:
  Buffer(Allocator *allocator, void *ptr, size_t bytes, size_t alignment)
      : allocator(allocator), ptr(ptr), bytes(bytes), alignment(alignment) {}

  Allocator *allocator = nullptr;
  void *ptr = nullptr;
  size_t bytes = 0;
  size_t alignment = 0;
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_BUFFER_H

//===- Allocator.h - the device-agnostic allocator interface ----*- C++ -*-===//
//
// Everything that hands out memory (the host heap, a CUDA device, a caching
// BufferPool wrapping either) implements this interface, so buffers, pools and
// executables never depend on where their memory lives.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_ALLOCATOR_H
#define VSLA_RUNTIME_ALLOCATOR_H

#include "vsla/runtime/Status.h"

#include <cstddef>

namespace vsla::rt {

/// The alignment of every runtime allocation unless a larger one is asked for:
/// a cache line, and enough for any AVX-512 vector load.
inline constexpr size_t kDefaultAlignment = 64;

/// Where an allocator's memory can be touched from.
enum class MemorySpace {
  /// Ordinary host memory, readable and writable by the CPU.
  Host,
  /// Device memory (e.g. CUDA); the host must not dereference it.
  Device,
};

inline constexpr bool isPowerOfTwo(size_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}

class Allocator {
public:
  virtual ~Allocator();

  /// Returns at least `bytes` bytes aligned to `alignment`, which must be a
  /// power of two. A zero-byte request succeeds with a distinct pointer that
  /// must be deallocated like any other.
  virtual StatusOr<void *> allocate(size_t bytes, size_t alignment) = 0;

  /// Returns memory obtained from allocate(); `bytes` and `alignment` are the
  /// values passed to allocate() (allocators that track their blocks, such as
  /// BufferPool, may ignore them). Deallocating null is a no-op.
  virtual Status deallocate(void *ptr, size_t bytes, size_t alignment) = 0;

  virtual MemorySpace getMemorySpace() const = 0;

  /// A short name for messages ("host", "pool(host)", "cuda:0").
  virtual const char *getName() const = 0;
};

/// The host heap (posix_memalign/free). Stateless and thread-safe; use the
/// process-wide instance from get().
class HostAllocator final : public Allocator {
public:
  static HostAllocator &get();

  StatusOr<void *> allocate(size_t bytes, size_t alignment) override;
  Status deallocate(void *ptr, size_t bytes, size_t alignment) override;
  MemorySpace getMemorySpace() const override { return MemorySpace::Host; }
  const char *getName() const override { return "host"; }
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_ALLOCATOR_H

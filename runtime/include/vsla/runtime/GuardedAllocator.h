//===- GuardedAllocator.h - host memory fenced by inaccessible pages -*- C++ -*-//
//
// A test mode for finding out-of-bounds accesses and use-after-free in
// compiled code. Each block gets its own mapping, placed so that the block
// ends exactly where an inaccessible page begins, with another inaccessible
// page in front of it; a freed block's pages become inaccessible and are not
// handed out again for a long while. A read or write past the end of a block,
// or into a freed one, faults at the instruction that does it instead of
// silently corrupting a neighbouring block.
//
// Buffer pools over the host heap use it when VSLA_POOL_GUARD=1 is set (see
// BufferPoolOptions::guardPages and docs/runtime.md). It costs a few system
// calls and at least two pages of address space per allocation: a debugging
// tool, not an allocator for production.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_GUARDEDALLOCATOR_H
#define VSLA_RUNTIME_GUARDEDALLOCATOR_H

#include "vsla/runtime/Allocator.h"

#include <cstddef>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace vsla::rt {

/// Whether VSLA_POOL_GUARD is set to something other than "" or "0". Read
/// once, at the first call.
bool isPoolGuardRequested();

class GuardedAllocator final : public Allocator {
public:
  /// The process-wide instance. Thread-safe.
  static GuardedAllocator &get();

  /// Returns a block of roundUp(bytes, alignment) accessible bytes whose end
  /// is the first byte of an inaccessible page (so its start is aligned to
  /// `alignment`, a power of two). A zero-byte block is a pointer to the
  /// inaccessible page itself: any access to it faults.
  StatusOr<void *> allocate(size_t bytes, size_t alignment) override;
  /// Makes the block's pages inaccessible and gives their memory back to the
  /// system; the address range is not reused until many later blocks have
  /// been freed. Fails with failed_precondition for a pointer that is not a
  /// live block of this allocator (a double free).
  Status deallocate(void *ptr, size_t bytes, size_t alignment) override;
  MemorySpace getMemorySpace() const override { return MemorySpace::Host; }
  const char *getName() const override { return "guarded host"; }

  /// The number of bytes allocate(bytes, alignment) makes accessible, or 0
  /// when that rounding overflows.
  static size_t getBlockBytes(size_t bytes, size_t alignment);

  /// Whether `ptr` is a live block of this allocator.
  bool owns(const void *ptr) const;

private:
  GuardedAllocator() = default;

  struct Mapping {
    void *base;
    size_t length;
  };

  mutable std::mutex mutex;
  std::unordered_map<const void *, Mapping> live;
  /// Freed mappings, inaccessible, oldest first; unmapped once there are too
  /// many, so a long run does not exhaust the address space.
  std::deque<Mapping> quarantine;
  size_t quarantineBytes = 0;
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_GUARDEDALLOCATOR_H

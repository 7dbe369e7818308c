//===- BufferPool.h - a caching allocator over any Allocator ----*- C++ -*-===//
//
// Compiled code allocates and frees the same temporaries on every call; going
// to the heap (or cuMemAlloc) each time costs more than the kernels. A
// BufferPool rounds requests up to size classes and keeps released blocks in a
// bounded cache, so a steady-state workload stops allocating after warm-up.
//
// Size classes: powers of two from `minBlockBytes` up to
// `largeThresholdBytes`; above that, multiples of `largeGranularityBytes`.
// Every block is aligned to at least kDefaultAlignment (64 bytes).
//
// The pool tracks its live blocks in a pointer -> block map instead of a
// header in front of each block, so it works unchanged for device memory the
// host cannot write to, and release() needs only the pointer.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_BUFFERPOOL_H
#define VSLA_RUNTIME_BUFFERPOOL_H

#include "vsla/runtime/Allocator.h"

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vsla::rt {

/// A lock for short critical sections: spins (with a pause), then yields
/// the core, never sleeps in the kernel. Meets the Lockable requirements.
class SpinMutex {
public:
  void lock() {
    unsigned spins = 0;
    while (locked.exchange(true, std::memory_order_acquire))
      do
        pause(spins++);
      while (locked.load(std::memory_order_relaxed));
  }
  bool try_lock() { return !locked.exchange(true, std::memory_order_acquire); }
  void unlock() { locked.store(false, std::memory_order_release); }

private:
  static void pause(unsigned spins);
  std::atomic<bool> locked{false};
};

struct BufferPoolOptions {
  /// The smallest size class; zero-byte requests get a block of this size.
  /// A power of two.
  size_t minBlockBytes = 64;
  /// Requests up to this size round up to a power of two; larger ones round
  /// up to a multiple of largeGranularityBytes, which wastes less on big
  /// tensors. A power of two, at least minBlockBytes.
  size_t largeThresholdBytes = size_t(1) << 20;
  /// Rounding unit for large blocks; not zero.
  size_t largeGranularityBytes = 4096;
  /// The most bytes of idle blocks the cache holds. When a release goes over
  /// the bound, the least recently released blocks go back to the backing
  /// allocator first. 0 disables caching.
  size_t maxCachedBytes = size_t(256) << 20;
  /// Guarded-memory test mode: every block comes from the GuardedAllocator
  /// instead of the backing allocator, exactly roundUp(bytes, alignment)
  /// long (no size classes) and ending at an inaccessible page, and released
  /// blocks are made inaccessible instead of cached (maxCachedBytes is 0).
  /// An out-of-bounds access or a use after free by compiled code faults at
  /// once. Only for pools over HostAllocator::get(); create() turns it on
  /// for those when VSLA_POOL_GUARD=1 is set in the environment.
  bool guardPages = false;
};

/// A snapshot of the pool's counters.
struct BufferPoolStats {
  /// Allocations served from the cache.
  uint64_t hits = 0;
  /// Allocations that went to the backing allocator.
  uint64_t misses = 0;
  /// Idle blocks given back to the backing allocator to respect
  /// maxCachedBytes (trim() is not counted).
  uint64_t evictions = 0;
  /// Bytes of idle blocks held in the cache, and how many blocks.
  size_t bytesHeld = 0;
  size_t idleBlocks = 0;
  /// Bytes of blocks handed out and not yet released (block sizes, i.e.
  /// after rounding to the size class), and its high-water mark.
  size_t bytesInUse = 0;
  size_t peakBytesInUse = 0;
  /// Blocks handed out and not yet released.
  size_t liveAllocations = 0;
};

class BufferPool final : public Allocator {
public:
  /// A pool over `backing`, which must outlive it. Fails with
  /// invalid_argument when the options are inconsistent. A pool over
  /// HostAllocator::get() gets guardPages when VSLA_POOL_GUARD=1 is set.
  static StatusOr<std::unique_ptr<BufferPool>>
  create(Allocator &backing, BufferPoolOptions options = {});

  /// Gives the cached blocks back. Blocks still in use are not freed (their
  /// owners may still touch them): destroy a pool after its buffers.
  ~BufferPool() override;

  BufferPool(const BufferPool &) = delete;
  BufferPool &operator=(const BufferPool &) = delete;

  StatusOr<void *> allocate(size_t bytes, size_t alignment) override;
  /// The same as release(ptr); the size and alignment are looked up.
  Status deallocate(void *ptr, size_t bytes, size_t alignment) override;
  MemorySpace getMemorySpace() const override {
    return backing.getMemorySpace();
  }
  const char *getName() const override { return name.c_str(); }

  /// Returns a block from allocate() to the cache. Fails with
  /// failed_precondition if this pool did not hand out `ptr` or it was
  /// already released. Releasing null is a no-op.
  Status release(void *ptr);
  /// release(), when `ptr` is a live allocation of this pool; false (and
  /// nothing done, no message built) when it is not.
  bool releaseIfOwned(void *ptr);

  /// Whether `ptr` is a block this pool handed out and that is not released.
  bool owns(const void *ptr) const;

  /// The size of the block that allocate(bytes, alignment) hands out (with
  /// guardPages, roundUp(bytes, max(alignment, 64)), 0 for 0 bytes).
  StatusOr<size_t> getBlockBytes(size_t bytes,
                                 size_t alignment = kDefaultAlignment) const;

  /// Gives every idle block back to the backing allocator.
  void trim();

  /// Changes the cache bound, evicting the oldest idle blocks if the cache
  /// now holds more. Ignored with guardPages (nothing is cached).
  void setMaxCachedBytes(size_t maxCachedBytes);

  BufferPoolStats getStats() const;

  /// Sets peakBytesInUse to the current bytesInUse, to measure the peak of
  /// one phase of a program.
  void resetPeakBytesInUse();

  BufferPoolOptions getOptions() const;
  Allocator &getBackingAllocator() const { return backing; }

  /// Releases `ptr` to whichever live pool owns it. The allocation hooks use
  /// this when memory outlives the pool scope it was allocated in. Fails with
  /// failed_precondition when no pool owns it.
  static Status releaseToOwningPool(void *ptr);

  /// trim() on every live pool (the default pool, the per-thread pools of
  /// compiled code's worker threads, and any other).
  static void trimAll();

private:
  BufferPool(Allocator &backing, BufferPoolOptions options);

  /// Cached blocks are binned by (block bytes, alignment).
  struct BinKey {
    size_t bytes;
    size_t alignment;
    bool operator<(const BinKey &other) const {
      return bytes != other.bytes ? bytes < other.bytes
                                  : alignment < other.alignment;
    }
  };
  struct IdleBlock {
    void *ptr;
    BinKey key;
  };
  using IdleList = std::list<IdleBlock>;
  struct LiveBlock {
    BinKey key;
  };

  void recordLiveLocked(void *ptr, BinKey key);
  /// Moves the least recently released blocks out of the cache until it
  /// holds at most maxCachedBytes; the caller frees them after unlocking.
  void evictOverBoundLocked(std::deque<IdleBlock> &toFree);
  void freeToBacking(const std::deque<IdleBlock> &blocks);

  Allocator &backing;
  /// Where blocks come from: `backing`, or the GuardedAllocator with
  /// guardPages.
  Allocator &source;
  BufferPoolOptions options;
  std::string name;

  /// Held for a few map operations per call. Compiled code allocates from
  /// every OpenMP thread at once (the items of a vsla.map), so waiters spin
  /// briefly instead of sleeping in the kernel.
  mutable SpinMutex mutex;
  /// Idle blocks, least recently released first.
  IdleList idleByAge;
  /// Per size class, positions in idleByAge, least recently released first;
  /// allocation reuses the most recent one (warmest in cache).
  std::map<BinKey, std::deque<IdleList::iterator>> idleByBin;
  std::unordered_map<const void *, LiveBlock> liveBlocks;
  BufferPoolStats stats;
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_BUFFERPOOL_H

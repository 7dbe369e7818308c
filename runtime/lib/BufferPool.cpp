//===- BufferPool.cpp - a caching allocator over any Allocator ------------===//

#include "vsla/runtime/BufferPool.h"

#include "vsla/runtime/GuardedAllocator.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <limits>
#include <thread>
#include <vector>

namespace vsla::rt {

void SpinMutex::pause(unsigned spins) {
  if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    return;
  }
  std::this_thread::yield();
}

namespace {

/// Every pool alive in the process, so that memory allocated through the
/// hooks under one pool scope can be freed after the scope has ended.
struct PoolRegistry {
  std::mutex mutex;
  std::vector<BufferPool *> pools;
};

PoolRegistry &getPoolRegistry() {
  // Leaked on purpose: pools (the default one included) may be destroyed or
  // used during static destruction.
  static PoolRegistry *registry = new PoolRegistry;
  return *registry;
}

std::string describePointer(const void *ptr) {
  char text[32];
  std::snprintf(text, sizeof(text), "%p", ptr);
  return text;
}

size_t roundUpToPowerOfTwo(size_t value) {
  size_t result = 1;
  while (result < value)
    result <<= 1;
  return result;
}

} // namespace

StatusOr<std::unique_ptr<BufferPool>>
BufferPool::create(Allocator &backing, BufferPoolOptions options) {
  if (!isPowerOfTwo(options.minBlockBytes))
    return invalidArgument("BufferPoolOptions::minBlockBytes is " +
                           std::to_string(options.minBlockBytes) +
                           "; it must be a power of two such as 64");
  if (!isPowerOfTwo(options.largeThresholdBytes) ||
      options.largeThresholdBytes < options.minBlockBytes)
    return invalidArgument(
        "BufferPoolOptions::largeThresholdBytes is " +
        std::to_string(options.largeThresholdBytes) +
        "; it must be a power of two no smaller than minBlockBytes (" +
        std::to_string(options.minBlockBytes) + ")");
  if (options.largeGranularityBytes == 0)
    return invalidArgument("BufferPoolOptions::largeGranularityBytes is 0; "
                           "use a rounding unit such as 4096");
  bool overHostHeap = &backing == &HostAllocator::get();
  if (overHostHeap && isPoolGuardRequested())
    options.guardPages = true;
  if (options.guardPages) {
    if (!overHostHeap)
      return invalidArgument(
          std::string("BufferPoolOptions::guardPages needs a pool over the "
                      "host heap (HostAllocator::get()), not ") +
          backing.getName());
    options.maxCachedBytes = 0;
  }
  return std::unique_ptr<BufferPool>(new BufferPool(backing, options));
}

BufferPool::BufferPool(Allocator &backing, BufferPoolOptions options)
    : backing(backing),
      source(options.guardPages ? GuardedAllocator::get() : backing),
      options(options), name(std::string("pool(") + source.getName() + ")") {
  PoolRegistry &registry = getPoolRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.pools.push_back(this);
}

BufferPool::~BufferPool() {
  {
    PoolRegistry &registry = getPoolRegistry();
    std::lock_guard<std::mutex> lock(registry.mutex);
    auto &pools = registry.pools;
    pools.erase(std::remove(pools.begin(), pools.end(), this), pools.end());
  }
  trim();
  // Live blocks are leaked rather than freed under their owners' feet.
  if (!liveBlocks.empty())
    std::fprintf(stderr,
                 "vsla runtime: %s destroyed with %zu live allocations "
                 "(%zu bytes); they are leaked. Release every buffer before "
                 "destroying its pool\n",
                 name.c_str(), liveBlocks.size(), stats.bytesInUse);
}

StatusOr<size_t> BufferPool::getBlockBytes(size_t bytes,
                                           size_t alignment) const {
  if (!isPowerOfTwo(alignment))
    return invalidArgument("alignment " + std::to_string(alignment) +
                           " is not a power of two; pass 64 (the runtime "
                           "default) or another power of two");
  if (options.guardPages) {
    size_t blockBytes = GuardedAllocator::getBlockBytes(
        bytes, std::max(alignment, kDefaultAlignment));
    if (bytes != 0 && blockBytes == 0)
      return outOfMemory("a request for " + std::to_string(bytes) +
                         " bytes cannot be satisfied by any allocator; check "
                         "the size computation for an overflow");
    return blockBytes;
  }
  size_t needed = std::max(bytes, options.minBlockBytes);
  if (needed <= options.largeThresholdBytes)
    return roundUpToPowerOfTwo(needed);
  size_t granularity = options.largeGranularityBytes;
  if (needed > std::numeric_limits<size_t>::max() - granularity)
    return outOfMemory("a request for " + std::to_string(bytes) +
                       " bytes cannot be satisfied by any allocator; check "
                       "the size computation for an overflow");
  return (needed + granularity - 1) / granularity * granularity;
}

void BufferPool::recordLiveLocked(void *ptr, BinKey key) {
  liveBlocks.emplace(ptr, LiveBlock{key});
  stats.bytesInUse += key.bytes;
  stats.peakBytesInUse = std::max(stats.peakBytesInUse, stats.bytesInUse);
  stats.liveAllocations = liveBlocks.size();
}

StatusOr<void *> BufferPool::allocate(size_t bytes, size_t alignment) {
  StatusOr<size_t> blockBytes = getBlockBytes(bytes, alignment);
  if (!blockBytes.ok())
    return blockBytes.getStatus();
  BinKey key{*blockBytes, std::max(alignment, kDefaultAlignment)};

  {
    std::lock_guard<SpinMutex> lock(mutex);
    auto bin = idleByBin.find(key);
    if (bin != idleByBin.end() && !bin->second.empty()) {
      IdleList::iterator newest = bin->second.back();
      void *ptr = newest->ptr;
      bin->second.pop_back();
      idleByAge.erase(newest);
      stats.bytesHeld -= key.bytes;
      stats.idleBlocks = idleByAge.size();
      ++stats.hits;
      recordLiveLocked(ptr, key);
      return ptr;
    }
    ++stats.misses;
  }

  // The backing allocator is called without the lock so that a slow
  // allocation (a page fault storm, cuMemAlloc) does not stall cache hits.
  StatusOr<void *> ptr = source.allocate(key.bytes, key.alignment);
  if (!ptr.ok() && ptr.getStatus().getCode() == StatusCode::OutOfMemory) {
    // Idle blocks of other sizes may be what is in the way.
    trim();
    ptr = source.allocate(key.bytes, key.alignment);
  }
  if (!ptr.ok())
    return ptr.getStatus();

  std::lock_guard<SpinMutex> lock(mutex);
  if (liveBlocks.count(*ptr))
    return internalError(source.getName() + std::string(" returned ") +
                         describePointer(*ptr) +
                         " while it is still in use; the backing allocator "
                         "is broken");
  recordLiveLocked(*ptr, key);
  return *ptr;
}

Status BufferPool::deallocate(void *ptr, size_t /*bytes*/,
                              size_t /*alignment*/) {
  return release(ptr);
}

Status BufferPool::release(void *ptr) {
  if (!ptr || releaseIfOwned(ptr))
    return okStatus();
  return failedPrecondition(
      describePointer(ptr) + " is not a live allocation of " + name +
      "; it was released already or came from another allocator. "
      "Release each pointer once, to the pool that allocated it");
}

bool BufferPool::releaseIfOwned(void *ptr) {
  std::deque<IdleBlock> toFree;
  {
    std::lock_guard<SpinMutex> lock(mutex);
    auto live = liveBlocks.find(ptr);
    if (live == liveBlocks.end())
      return false;
    BinKey key = live->second.key;
    liveBlocks.erase(live);
    stats.bytesInUse -= key.bytes;
    stats.liveAllocations = liveBlocks.size();

    if (options.guardPages || key.bytes > options.maxCachedBytes) {
      // Caching it would only evict everything else and then itself (and a
      // guarded pool caches nothing, so that a use after free faults).
      toFree.push_back(IdleBlock{ptr, key});
      ++stats.evictions;
    } else {
      idleByAge.push_back(IdleBlock{ptr, key});
      idleByBin[key].push_back(std::prev(idleByAge.end()));
      stats.bytesHeld += key.bytes;
      stats.idleBlocks = idleByAge.size();
      evictOverBoundLocked(toFree);
    }
  }
  freeToBacking(toFree);
  return true;
}

void BufferPool::evictOverBoundLocked(std::deque<IdleBlock> &toFree) {
  while (stats.bytesHeld > options.maxCachedBytes) {
    IdleBlock oldest = idleByAge.front();
    // Blocks enter their bin and idleByAge in the same order, so the oldest
    // block overall is the oldest of its bin.
    auto bin = idleByBin.find(oldest.key);
    assert(bin != idleByBin.end() && !bin->second.empty() &&
           bin->second.front() == idleByAge.begin());
    bin->second.pop_front();
    if (bin->second.empty())
      idleByBin.erase(bin);
    idleByAge.pop_front();
    stats.bytesHeld -= oldest.key.bytes;
    ++stats.evictions;
    toFree.push_back(oldest);
  }
  stats.idleBlocks = idleByAge.size();
}

void BufferPool::freeToBacking(const std::deque<IdleBlock> &blocks) {
  for (const IdleBlock &block : blocks) {
    Status status =
        source.deallocate(block.ptr, block.key.bytes, block.key.alignment);
    if (!status.ok())
      std::fprintf(stderr, "vsla runtime: %s could not free a block: %s\n",
                   name.c_str(), status.toString().c_str());
  }
}

bool BufferPool::owns(const void *ptr) const {
  std::lock_guard<SpinMutex> lock(mutex);
  return liveBlocks.count(ptr) != 0;
}

void BufferPool::trim() {
  std::deque<IdleBlock> toFree;
  {
    std::lock_guard<SpinMutex> lock(mutex);
    toFree.assign(idleByAge.begin(), idleByAge.end());
    idleByAge.clear();
    idleByBin.clear();
    stats.bytesHeld = 0;
    stats.idleBlocks = 0;
  }
  freeToBacking(toFree);
}

void BufferPool::setMaxCachedBytes(size_t maxCachedBytes) {
  std::deque<IdleBlock> toFree;
  {
    std::lock_guard<SpinMutex> lock(mutex);
    if (options.guardPages)
      return;
    options.maxCachedBytes = maxCachedBytes;
    evictOverBoundLocked(toFree);
  }
  freeToBacking(toFree);
}

BufferPoolStats BufferPool::getStats() const {
  std::lock_guard<SpinMutex> lock(mutex);
  return stats;
}

void BufferPool::resetPeakBytesInUse() {
  std::lock_guard<SpinMutex> lock(mutex);
  stats.peakBytesInUse = stats.bytesInUse;
}

BufferPoolOptions BufferPool::getOptions() const {
  std::lock_guard<SpinMutex> lock(mutex);
  return options;
}

Status BufferPool::releaseToOwningPool(void *ptr) {
  if (!ptr)
    return okStatus();
  PoolRegistry &registry = getPoolRegistry();
  // Held while releasing so the owner cannot be destroyed in between.
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (BufferPool *pool : registry.pools)
    if (pool->owns(ptr))
      return pool->release(ptr);
  return failedPrecondition(
      describePointer(ptr) +
      " is not a live allocation of any buffer pool; it was freed twice or "
      "was not allocated by the runtime");
}

void BufferPool::trimAll() {
  PoolRegistry &registry = getPoolRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (BufferPool *pool : registry.pools)
    pool->trim();
}

} // namespace vsla::rt

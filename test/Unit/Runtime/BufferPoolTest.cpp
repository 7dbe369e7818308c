//===- BufferPoolTest.cpp - the caching allocator -------------------------===//

#include "vsla/runtime/BufferPool.h"
#include "vsla/runtime/Buffer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

using namespace vsla::rt;

namespace {

/// The host heap, counting what the pool asks of it and optionally refusing
/// to hold more than `limitBytes` at once.
class CountingAllocator final : public Allocator {
public:
  explicit CountingAllocator(size_t limitBytes = SIZE_MAX)
      : limitBytes(limitBytes) {}

  StatusOr<void *> allocate(size_t bytes, size_t alignment) override {
    std::lock_guard<std::mutex> lock(mutex);
    if (outstandingBytes + bytes > limitBytes) {
      ++refusals;
      return outOfMemory("counting allocator limit reached");
    }
    StatusOr<void *> ptr = HostAllocator::get().allocate(bytes, alignment);
    if (ptr.ok()) {
      ++allocations;
      outstandingBytes += bytes;
      outstandingBlocks.insert(*ptr);
    }
    return ptr;
  }

  Status deallocate(void *ptr, size_t bytes, size_t alignment) override {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(outstandingBlocks.erase(ptr), 1u) << "freed an unknown block";
    ++deallocations;
    outstandingBytes -= bytes;
    freed.push_back(ptr);
    return HostAllocator::get().deallocate(ptr, bytes, alignment);
  }

  MemorySpace getMemorySpace() const override { return MemorySpace::Host; }
  const char *getName() const override { return "counting"; }

  size_t limitBytes;
  std::mutex mutex;
  size_t allocations = 0;
  size_t deallocations = 0;
  size_t refusals = 0;
  size_t outstandingBytes = 0;
  std::set<void *> outstandingBlocks;
  std::vector<void *> freed;
};

std::unique_ptr<BufferPool> makePool(Allocator &backing,
                                     BufferPoolOptions options = {}) {
  StatusOr<std::unique_ptr<BufferPool>> pool =
      BufferPool::create(backing, options);
  EXPECT_TRUE(pool.ok()) << pool.getStatus().toString();
  return std::move(pool).value();
}

void *mustAllocate(BufferPool &pool, size_t bytes,
                   size_t alignment = kDefaultAlignment) {
  StatusOr<void *> ptr = pool.allocate(bytes, alignment);
  EXPECT_TRUE(ptr.ok()) << ptr.getStatus().toString();
  return ptr.ok() ? *ptr : nullptr;
}

void mustRelease(BufferPool &pool, void *ptr) {
  Status status = pool.release(ptr);
  EXPECT_TRUE(status.ok()) << status.toString();
}

TEST(BufferPool, SizeClasses) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  auto blockBytes = [&](size_t bytes) { return *pool->getBlockBytes(bytes); };
  EXPECT_EQ(blockBytes(0), 64u);
  EXPECT_EQ(blockBytes(1), 64u);
  EXPECT_EQ(blockBytes(64), 64u);
  EXPECT_EQ(blockBytes(65), 128u);
  EXPECT_EQ(blockBytes(1000), 1024u);
  EXPECT_EQ(blockBytes(1 << 20), size_t(1) << 20);
  // Above the large threshold: 4 KiB multiples, not the next power of two.
  EXPECT_EQ(blockBytes((1 << 20) + 1), (size_t(1) << 20) + 4096);
  EXPECT_EQ(blockBytes(3 << 20), size_t(3) << 20);

  StatusOr<size_t> huge = pool->getBlockBytes(SIZE_MAX - 10);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.getStatus().getCode(), StatusCode::OutOfMemory);

  StatusOr<size_t> badAlignment = pool->getBlockBytes(100, 48);
  ASSERT_FALSE(badAlignment.ok());
  EXPECT_EQ(badAlignment.getStatus().getCode(), StatusCode::InvalidArgument);
  EXPECT_NE(badAlignment.getStatus().getMessage().find(
                "alignment 48 is not a power of two"),
            std::string::npos);
}

TEST(BufferPool, CustomSizeClasses) {
  CountingAllocator backing;
  BufferPoolOptions options;
  options.minBlockBytes = 256;
  options.largeThresholdBytes = 4096;
  options.largeGranularityBytes = 1000;
  auto pool = makePool(backing, options);
  EXPECT_EQ(*pool->getBlockBytes(1), 256u);
  EXPECT_EQ(*pool->getBlockBytes(3000), 4096u);
  EXPECT_EQ(*pool->getBlockBytes(4097), 5000u);
}

TEST(BufferPool, InvalidOptionsAreRejected) {
  CountingAllocator backing;
  BufferPoolOptions notPowerOfTwo;
  notPowerOfTwo.minBlockBytes = 48;
  StatusOr<std::unique_ptr<BufferPool>> pool =
      BufferPool::create(backing, notPowerOfTwo);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.getStatus().getCode(), StatusCode::InvalidArgument);
  EXPECT_EQ(pool.getStatus().getMessage(),
            "BufferPoolOptions::minBlockBytes is 48; it must be a power of "
            "two such as 64");

  BufferPoolOptions thresholdTooSmall;
  thresholdTooSmall.minBlockBytes = 1024;
  thresholdTooSmall.largeThresholdBytes = 512;
  pool = BufferPool::create(backing, thresholdTooSmall);
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.getStatus().getMessage().find("no smaller than minBlockBytes"),
            std::string::npos);

  BufferPoolOptions noGranularity;
  noGranularity.largeGranularityBytes = 0;
  pool = BufferPool::create(backing, noGranularity);
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.getStatus().getMessage().find("largeGranularityBytes is 0"),
            std::string::npos);
}

TEST(BufferPool, HitMissAccounting) {
  CountingAllocator backing;
  auto pool = makePool(backing);

  void *first = mustAllocate(*pool, 100);
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.bytesInUse, 128u);
  EXPECT_EQ(stats.liveAllocations, 1u);

  mustRelease(*pool, first);
  stats = pool->getStats();
  EXPECT_EQ(stats.bytesInUse, 0u);
  EXPECT_EQ(stats.bytesHeld, 128u);
  EXPECT_EQ(stats.idleBlocks, 1u);
  EXPECT_EQ(stats.liveAllocations, 0u);

  // Same size class: served from the cache, same block.
  void *second = mustAllocate(*pool, 120);
  EXPECT_EQ(second, first);
  // The cached block is taken: a second one is a miss.
  void *third = mustAllocate(*pool, 100);
  EXPECT_NE(third, second);
  // A different size class does not reuse the 128-byte block.
  mustRelease(*pool, third);
  void *other = mustAllocate(*pool, 300);
  stats = pool->getStats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(backing.allocations, 3u);
  EXPECT_EQ(stats.bytesInUse, 128u + 512u);
  EXPECT_EQ(stats.bytesHeld, 128u);
  EXPECT_EQ(stats.liveAllocations, 2u);

  mustRelease(*pool, second);
  mustRelease(*pool, other);
}

TEST(BufferPool, SteadyStateAllocatesNothingNew) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  const std::vector<size_t> sizes = {0,    10,    100,  1000,
                                     5000, 70000, 1000, (2 << 20) + 5};
  auto cycle = [&] {
    std::vector<void *> live;
    for (size_t size : sizes)
      live.push_back(mustAllocate(*pool, size));
    for (void *ptr : live)
      mustRelease(*pool, ptr);
  };

  cycle(); // warm-up
  BufferPoolStats warm = pool->getStats();
  size_t warmAllocations = backing.allocations;
  EXPECT_EQ(warm.misses, sizes.size());
  EXPECT_EQ(warmAllocations, sizes.size());

  for (int i = 0; i < 100; ++i)
    cycle();
  BufferPoolStats after = pool->getStats();
  EXPECT_EQ(after.misses, warm.misses);
  EXPECT_EQ(backing.allocations, warmAllocations);
  EXPECT_EQ(backing.deallocations, 0u);
  EXPECT_EQ(after.hits, warm.hits + 100 * sizes.size());
  EXPECT_EQ(after.bytesHeld, warm.bytesHeld);
  EXPECT_EQ(after.liveAllocations, 0u);
}

TEST(BufferPool, CacheBoundEvictsLeastRecentlyReleased) {
  CountingAllocator backing;
  BufferPoolOptions options;
  options.maxCachedBytes = 1024;
  auto pool = makePool(backing, options);

  void *a = mustAllocate(*pool, 512);
  void *b = mustAllocate(*pool, 256);
  void *c = mustAllocate(*pool, 256);
  void *d = mustAllocate(*pool, 512);
  mustRelease(*pool, a);
  mustRelease(*pool, b);
  mustRelease(*pool, c);
  EXPECT_EQ(pool->getStats().bytesHeld, 1024u);
  EXPECT_EQ(backing.deallocations, 0u);

  // Over the bound by 512: the oldest release (a) goes, not b or c.
  mustRelease(*pool, d);
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.bytesHeld, 1024u);
  EXPECT_EQ(stats.idleBlocks, 3u);
  EXPECT_EQ(stats.evictions, 1u);
  ASSERT_EQ(backing.freed.size(), 1u);
  EXPECT_EQ(backing.freed[0], a);

  // What is left is served from the cache.
  EXPECT_EQ(mustAllocate(*pool, 512), d);
  void *small1 = mustAllocate(*pool, 256);
  void *small2 = mustAllocate(*pool, 256);
  EXPECT_EQ(std::set<void *>({small1, small2}), std::set<void *>({b, c}));
  EXPECT_EQ(pool->getStats().hits, 3u);
  EXPECT_EQ(pool->getStats().bytesHeld, 0u);

  for (void *ptr : {d, small1, small2})
    mustRelease(*pool, ptr);
  EXPECT_LE(pool->getStats().bytesHeld, 1024u);
}

TEST(BufferPool, BlockLargerThanBoundIsNotCached) {
  CountingAllocator backing;
  BufferPoolOptions options;
  options.maxCachedBytes = 1024;
  auto pool = makePool(backing, options);
  void *small = mustAllocate(*pool, 512);
  void *big = mustAllocate(*pool, 4096);
  mustRelease(*pool, small);
  mustRelease(*pool, big);
  BufferPoolStats stats = pool->getStats();
  // The big block went straight back; the small one stays cached.
  EXPECT_EQ(stats.bytesHeld, 512u);
  ASSERT_EQ(backing.freed.size(), 1u);
  EXPECT_EQ(backing.freed[0], big);
}

TEST(BufferPool, ZeroBoundDisablesCaching) {
  CountingAllocator backing;
  BufferPoolOptions options;
  options.maxCachedBytes = 0;
  auto pool = makePool(backing, options);
  for (int i = 0; i < 5; ++i)
    mustRelease(*pool, mustAllocate(*pool, 100));
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.misses, 5u);
  EXPECT_EQ(stats.bytesHeld, 0u);
  EXPECT_EQ(backing.outstandingBlocks.size(), 0u);
}

TEST(BufferPool, TrimEmptiesTheCache) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  std::vector<void *> blocks;
  for (size_t size : {10, 100, 1000, 10000, 3000000})
    blocks.push_back(mustAllocate(*pool, size));
  void *kept = mustAllocate(*pool, 100);
  for (void *ptr : blocks)
    mustRelease(*pool, ptr);
  EXPECT_GT(pool->getStats().bytesHeld, 0u);

  pool->trim();
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.bytesHeld, 0u);
  EXPECT_EQ(stats.idleBlocks, 0u);
  // Only the live block is still out of the backing allocator.
  EXPECT_EQ(backing.outstandingBlocks, std::set<void *>({kept}));
  EXPECT_EQ(stats.liveAllocations, 1u);

  // After a trim the next allocation is a miss again.
  uint64_t misses = stats.misses;
  void *again = mustAllocate(*pool, 10);
  EXPECT_EQ(pool->getStats().misses, misses + 1);
  mustRelease(*pool, again);
  mustRelease(*pool, kept);
}

TEST(BufferPool, LoweringTheBoundEvicts) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  std::vector<void *> blocks;
  for (int i = 0; i < 4; ++i)
    blocks.push_back(mustAllocate(*pool, 1024));
  for (void *ptr : blocks)
    mustRelease(*pool, ptr);
  EXPECT_EQ(pool->getStats().bytesHeld, 4096u);
  pool->setMaxCachedBytes(2048);
  EXPECT_EQ(pool->getStats().bytesHeld, 2048u);
  EXPECT_EQ(pool->getOptions().maxCachedBytes, 2048u);
  // The two released first are the two evicted.
  EXPECT_EQ(backing.freed, std::vector<void *>({blocks[0], blocks[1]}));
}

TEST(BufferPool, PeakTracking) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  void *a = mustAllocate(*pool, 1000); // 1024
  void *b = mustAllocate(*pool, 3000); // 4096
  EXPECT_EQ(pool->getStats().peakBytesInUse, 5120u);
  mustRelease(*pool, a);
  void *c = mustAllocate(*pool, 10); // 64
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.bytesInUse, 4096u + 64u);
  EXPECT_EQ(stats.peakBytesInUse, 5120u);
  mustRelease(*pool, b);
  mustRelease(*pool, c);
  stats = pool->getStats();
  EXPECT_EQ(stats.bytesInUse, 0u);
  EXPECT_EQ(stats.peakBytesInUse, 5120u);

  pool->resetPeakBytesInUse();
  EXPECT_EQ(pool->getStats().peakBytesInUse, 0u);
  void *d = mustAllocate(*pool, 200); // 256
  EXPECT_EQ(pool->getStats().peakBytesInUse, 256u);
  mustRelease(*pool, d);
}

TEST(BufferPool, ZeroSizeAllocations) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  void *a = mustAllocate(*pool, 0);
  void *b = mustAllocate(*pool, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(pool->getStats().bytesInUse, 128u);
  mustRelease(*pool, a);
  EXPECT_EQ(mustAllocate(*pool, 0), a);
  mustRelease(*pool, a);
  mustRelease(*pool, b);
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);

  StatusOr<Buffer> empty = Buffer::allocate(*pool, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->isNull());
  EXPECT_NE(empty->data(), nullptr);
  EXPECT_EQ(empty->size(), 0u);
}

TEST(BufferPool, EveryPointerIsAligned) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  std::vector<void *> live;
  for (size_t alignment : {1, 8, 16, 64, 128, 256, 4096}) {
    for (size_t size :
         {0, 1, 3, 63, 64, 65, 100, 1000, 4095, 70000, (1 << 20) + 3}) {
      void *ptr = mustAllocate(*pool, size, alignment);
      size_t required = std::max<size_t>(alignment, 64);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) % required, 0u)
          << "size " << size << " alignment " << alignment;
      live.push_back(ptr);
    }
  }
  // Cached blocks keep their alignment: a 4096-aligned request is not served
  // by a 64-aligned block of the same size.
  for (void *ptr : live)
    mustRelease(*pool, ptr);
  for (int round = 0; round < 2; ++round) {
    void *ptr = mustAllocate(*pool, 100, 4096);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) % 4096, 0u);
    mustRelease(*pool, ptr);
  }

  StatusOr<void *> bad = pool->allocate(100, 24);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.getStatus().getCode(), StatusCode::InvalidArgument);

  StatusOr<void *> host = HostAllocator::get().allocate(0, 64);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(*host) % 64, 0u);
  EXPECT_TRUE(HostAllocator::get().deallocate(*host, 0, 64).ok());
}

TEST(BufferPool, ReleasingForeignOrFreedPointersFails) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  void *ptr = mustAllocate(*pool, 100);
  EXPECT_TRUE(pool->owns(ptr));
  mustRelease(*pool, ptr);
  EXPECT_FALSE(pool->owns(ptr));

  BufferPoolStats before = pool->getStats();
  Status twice = pool->release(ptr);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.getCode(), StatusCode::FailedPrecondition);
  EXPECT_NE(twice.getMessage().find("is not a live allocation of "
                                    "pool(counting)"),
            std::string::npos)
      << twice.getMessage();
  EXPECT_NE(twice.getMessage().find("Release each pointer once"),
            std::string::npos);

  int onStack = 0;
  EXPECT_EQ(pool->release(&onStack).getCode(), StatusCode::FailedPrecondition);
  BufferPoolStats after = pool->getStats();
  EXPECT_EQ(after.bytesHeld, before.bytesHeld);
  EXPECT_EQ(after.idleBlocks, before.idleBlocks);
  EXPECT_TRUE(pool->release(nullptr).ok());
}

TEST(BufferPool, OutOfMemoryTrimsThenReports) {
  CountingAllocator backing(/*limitBytes=*/8192);
  auto pool = makePool(backing);
  // Cache 4 KiB, then ask for 8 KiB: the backing allocator refuses until the
  // pool gives the idle block back.
  mustRelease(*pool, mustAllocate(*pool, 4096));
  EXPECT_EQ(pool->getStats().bytesHeld, 4096u);
  void *big = mustAllocate(*pool, 8192);
  EXPECT_EQ(backing.refusals, 1u);
  EXPECT_EQ(pool->getStats().bytesHeld, 0u);

  StatusOr<void *> tooMuch = pool->allocate(64, kDefaultAlignment);
  ASSERT_FALSE(tooMuch.ok());
  EXPECT_EQ(tooMuch.getStatus().getCode(), StatusCode::OutOfMemory);
  EXPECT_EQ(tooMuch.getStatus().getMessage(),
            "counting allocator limit reached");
  EXPECT_EQ(pool->getStats().liveAllocations, 1u);
  mustRelease(*pool, big);
}

TEST(BufferPool, ReportsBackingMemorySpaceAndName) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  EXPECT_EQ(pool->getMemorySpace(), MemorySpace::Host);
  EXPECT_STREQ(pool->getName(), "pool(counting)");
  EXPECT_EQ(&pool->getBackingAllocator(), &backing);
}

TEST(Buffer, ReturnsMemoryToThePool) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  void *data;
  {
    StatusOr<Buffer> buffer = Buffer::allocate(*pool, 1000);
    ASSERT_TRUE(buffer.ok());
    data = buffer->data();
    EXPECT_EQ(buffer->size(), 1000u);
    EXPECT_EQ(buffer->getAllocator(), pool.get());
    std::memset(data, 0xab, buffer->size());
    EXPECT_EQ(pool->getStats().liveAllocations, 1u);
  }
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.liveAllocations, 0u);
  EXPECT_EQ(stats.bytesHeld, 1024u);

  StatusOr<Buffer> again = Buffer::allocate(*pool, 1000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->data(), data);
  EXPECT_EQ(pool->getStats().hits, 1u);
}

TEST(Buffer, MoveTransfersOwnership) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  StatusOr<Buffer> allocated = Buffer::allocate(*pool, 64);
  ASSERT_TRUE(allocated.ok());
  Buffer first = std::move(allocated).value();
  void *data = first.data();
  Buffer second = std::move(first);
  EXPECT_TRUE(first.isNull());
  EXPECT_EQ(first.data(), nullptr);
  EXPECT_EQ(second.data(), data);
  EXPECT_EQ(pool->getStats().liveAllocations, 1u);

  // Assigning over a live buffer releases the old memory first.
  StatusOr<Buffer> other = Buffer::allocate(*pool, 64);
  ASSERT_TRUE(other.ok());
  second = std::move(other).value();
  EXPECT_EQ(pool->getStats().liveAllocations, 1u);
  EXPECT_FALSE(pool->owns(data));

  EXPECT_TRUE(second.reset().ok());
  EXPECT_TRUE(second.isNull());
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);
  EXPECT_TRUE(second.reset().ok());
}

TEST(Buffer, ReleaseGivesUpOwnership) {
  CountingAllocator backing;
  auto pool = makePool(backing);
  StatusOr<Buffer> buffer = Buffer::allocate(*pool, 100);
  ASSERT_TRUE(buffer.ok());
  void *data = buffer->release();
  EXPECT_TRUE(buffer->isNull());
  EXPECT_TRUE(pool->owns(data));
  Buffer adopted = Buffer::adopt(*pool, data, 100, kDefaultAlignment);
  EXPECT_TRUE(adopted.reset().ok());
  EXPECT_FALSE(pool->owns(data));
}

TEST(Buffer, AllocationErrorsPropagate) {
  CountingAllocator backing(/*limitBytes=*/1024);
  auto pool = makePool(backing);
  StatusOr<Buffer> buffer = Buffer::allocate(*pool, 4096);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.getStatus().getCode(), StatusCode::OutOfMemory);
}

TEST(BufferPool, ConcurrentAllocateAndRelease) {
  CountingAllocator backing;
  BufferPoolOptions options;
  // Small enough that eviction runs concurrently with allocation too.
  options.maxCachedBytes = 64 * 1024;
  auto pool = makePool(backing, options);

  constexpr int kThreads = 8;
  constexpr int kIterations = 3000;
  const std::vector<size_t> sizes = {0, 16, 100, 1000, 4000, 20000};
  std::atomic<int> corrupted{0};

  auto work = [&](int threadId) {
    std::mt19937 random(threadId);
    std::vector<std::pair<unsigned char *, size_t>> live;
    auto releaseOne = [&] {
      auto [ptr, size] = live.back();
      live.pop_back();
      // Another thread writing to this block would have changed a byte.
      for (size_t i = 0; i < size; ++i)
        if (ptr[i] != static_cast<unsigned char>(threadId)) {
          ++corrupted;
          break;
        }
      EXPECT_TRUE(pool->release(ptr).ok());
    };
    for (int i = 0; i < kIterations; ++i) {
      size_t size = sizes[random() % sizes.size()];
      StatusOr<void *> ptr = pool->allocate(size, kDefaultAlignment);
      ASSERT_TRUE(ptr.ok());
      std::memset(*ptr, threadId, size);
      live.emplace_back(static_cast<unsigned char *>(*ptr), size);
      if (live.size() > 4 || random() % 2)
        releaseOne();
    }
    while (!live.empty())
      releaseOne();
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back(work, t + 1);
  for (std::thread &thread : threads)
    thread.join();

  EXPECT_EQ(corrupted.load(), 0);
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.hits + stats.misses, uint64_t(kThreads) * kIterations);
  EXPECT_EQ(stats.liveAllocations, 0u);
  EXPECT_EQ(stats.bytesInUse, 0u);
  EXPECT_LE(stats.bytesHeld, options.maxCachedBytes);
  EXPECT_GT(stats.hits, stats.misses);
  // Everything not cached went back to the backing allocator.
  EXPECT_EQ(backing.outstandingBlocks.size(), stats.idleBlocks);
  EXPECT_EQ(backing.outstandingBytes, stats.bytesHeld);
  EXPECT_EQ(backing.allocations, stats.misses);
  pool->trim();
  EXPECT_TRUE(backing.outstandingBlocks.empty());
}

} // namespace

TEST(BufferPool, ReleaseIfOwnedLeavesOtherPointersAlone) {
  auto pool = std::move(BufferPool::create(HostAllocator::get())).value();
  void *ptr = pool->allocate(256, 64).value();
  int other = 0;
  EXPECT_FALSE(pool->releaseIfOwned(&other));
  EXPECT_TRUE(pool->releaseIfOwned(ptr));
  EXPECT_FALSE(pool->releaseIfOwned(ptr)); // released already
}

TEST(BufferPool, TrimAllEmptiesEveryPool) {
  auto pool = std::move(BufferPool::create(HostAllocator::get())).value();
  ASSERT_TRUE(pool->release(pool->allocate(4096, 64).value()).ok());
  EXPECT_GT(pool->getStats().bytesHeld, 0u);
  BufferPool::trimAll();
  EXPECT_EQ(pool->getStats().bytesHeld, 0u);
}

TEST(SpinMutex, SerializesThreads) {
  SpinMutex mutex;
  int64_t counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        std::lock_guard<SpinMutex> lock(mutex);
        ++counter;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(counter, 80000);
}

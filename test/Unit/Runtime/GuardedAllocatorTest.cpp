//===- GuardedAllocatorTest.cpp - the guarded-memory test mode ------------===//
//
// VSLA_POOL_GUARD=1 makes host pools place every block against an
// inaccessible page; these tests turn the mode on explicitly with
// BufferPoolOptions::guardPages, so they do not depend on the environment.
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/BufferPool.h"
#include "vsla/runtime/GuardedAllocator.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

using namespace vsla::rt;

namespace {

/// Death tests re-run the binary instead of forking a process that may hold
/// LLVM's threads.
class GuardedMemory : public ::testing::Test {
protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

std::unique_ptr<BufferPool> makeGuardedPool() {
  BufferPoolOptions options;
  options.guardPages = true;
  StatusOr<std::unique_ptr<BufferPool>> pool =
      BufferPool::create(HostAllocator::get(), options);
  EXPECT_TRUE(pool.ok()) << pool.getStatus().toString();
  return std::move(pool).value();
}

void *mustAllocate(Allocator &allocator, size_t bytes,
                   size_t alignment = kDefaultAlignment) {
  StatusOr<void *> ptr = allocator.allocate(bytes, alignment);
  EXPECT_TRUE(ptr.ok()) << ptr.getStatus().toString();
  return ptr.ok() ? *ptr : nullptr;
}

uintptr_t address(const void *ptr) { return reinterpret_cast<uintptr_t>(ptr); }

size_t pageSize() { return size_t(sysconf(_SC_PAGESIZE)); }

/// Writes through a volatile pointer so the store is not optimized away.
void poke(void *ptr, ptrdiff_t offset) {
  static_cast<volatile char *>(ptr)[offset] = 1;
}
char peek(const void *ptr, ptrdiff_t offset) {
  return static_cast<const volatile char *>(ptr)[offset];
}

TEST_F(GuardedMemory, BlockEndsAtAnInaccessiblePage) {
  auto pool = makeGuardedPool();
  void *ptr = mustAllocate(*pool, 100);
  ASSERT_NE(ptr, nullptr);
  // 100 bytes round up to 128, the block is 64-byte aligned and its end is a
  // page boundary.
  EXPECT_EQ(address(ptr) % 64, 0u);
  EXPECT_EQ((address(ptr) + 128) % pageSize(), 0u);
  // The whole rounded block is usable.
  std::memset(ptr, 0x5a, 128);
  EXPECT_EQ(peek(ptr, 127), 0x5a);

  EXPECT_DEATH(poke(ptr, 128), "");
  EXPECT_DEATH(peek(ptr, 128), "");
  // In front: the part of the block's first page before it is slack, the
  // page before that is inaccessible.
  ptrdiff_t frontGuard =
      -ptrdiff_t(address(ptr) % pageSize()) - 1;
  EXPECT_DEATH(poke(ptr, frontGuard), "");
  ASSERT_TRUE(pool->release(ptr).ok());
}

TEST_F(GuardedMemory, UseAfterFreeFaults) {
  auto pool = makeGuardedPool();
  void *ptr = mustAllocate(*pool, 4096);
  poke(ptr, 0);
  ASSERT_TRUE(pool->release(ptr).ok());
  EXPECT_DEATH(poke(ptr, 0), "");
  EXPECT_DEATH(peek(ptr, 4095), "");
  // Freed blocks are not handed out again.
  void *next = mustAllocate(*pool, 4096);
  EXPECT_NE(next, ptr);
  ASSERT_TRUE(pool->release(next).ok());
}

TEST_F(GuardedMemory, ZeroByteBlocksAreDistinctAndInaccessible) {
  auto pool = makeGuardedPool();
  void *first = mustAllocate(*pool, 0);
  void *second = mustAllocate(*pool, 0);
  ASSERT_NE(first, nullptr);
  EXPECT_NE(first, second);
  EXPECT_EQ(address(first) % pageSize(), 0u);
  EXPECT_DEATH(poke(first, 0), "");
  ASSERT_TRUE(pool->release(first).ok());
  ASSERT_TRUE(pool->release(second).ok());
}

TEST_F(GuardedMemory, LargeAlignments) {
  auto pool = makeGuardedPool();
  for (size_t alignment : {size_t(128), size_t(4096), size_t(65536)}) {
    void *ptr = mustAllocate(*pool, 1000, alignment);
    ASSERT_NE(ptr, nullptr);
    size_t blockBytes = *pool->getBlockBytes(1000, alignment);
    EXPECT_EQ(blockBytes, (1000 + alignment - 1) / alignment * alignment);
    EXPECT_EQ(address(ptr) % alignment, 0u) << "alignment " << alignment;
    EXPECT_EQ((address(ptr) + blockBytes) % pageSize(), 0u);
    std::memset(ptr, 1, blockBytes);
    EXPECT_DEATH(poke(ptr, ptrdiff_t(blockBytes)), "");
    ASSERT_TRUE(pool->release(ptr).ok());
  }
}

TEST_F(GuardedMemory, BlockSizesAreExactNotSizeClasses) {
  auto pool = makeGuardedPool();
  auto blockBytes = [&](size_t bytes) { return *pool->getBlockBytes(bytes); };
  EXPECT_EQ(blockBytes(0), 0u);
  EXPECT_EQ(blockBytes(1), 64u);
  EXPECT_EQ(blockBytes(65), 128u);
  EXPECT_EQ(blockBytes(1000), 1024u);
  EXPECT_EQ(blockBytes(5000), 5056u);
  EXPECT_EQ(blockBytes((1 << 20) + 1), (size_t(1) << 20) + 64);

  StatusOr<size_t> huge = pool->getBlockBytes(SIZE_MAX - 10);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.getStatus().getCode(), StatusCode::OutOfMemory);
  StatusOr<void *> tooBig = pool->allocate(SIZE_MAX / 4, 64);
  ASSERT_FALSE(tooBig.ok());
  EXPECT_EQ(tooBig.getStatus().getCode(), StatusCode::OutOfMemory);
  StatusOr<size_t> badAlignment = pool->getBlockBytes(100, 48);
  ASSERT_FALSE(badAlignment.ok());
  EXPECT_EQ(badAlignment.getStatus().getCode(), StatusCode::InvalidArgument);
}

// More than the machine has, though the address space would hold it: the
// kernel refuses it as it refuses malloc, instead of mapping it lazily and
// killing the process when compiled code writes to it. (Unless the kernel
// is set to grant every request: vm.overcommit_memory = 1.)
TEST_F(GuardedMemory, MoreThanTheMachineHasIsOutOfMemory) {
  std::FILE *policy = std::fopen("/proc/sys/vm/overcommit_memory", "r");
  int mode = -1;
  if (policy) {
    if (std::fscanf(policy, "%d", &mode) != 1)
      mode = -1;
    std::fclose(policy);
  }
  if (mode == 1)
    GTEST_SKIP() << "vm.overcommit_memory = 1 grants any request";
  auto pool = makeGuardedPool();
  StatusOr<void *> moreThanMemory = pool->allocate(size_t(1) << 46, 64);
  ASSERT_FALSE(moreThanMemory.ok());
  EXPECT_EQ(moreThanMemory.getStatus().getCode(), StatusCode::OutOfMemory);
}

TEST_F(GuardedMemory, StatisticsAndNoCaching) {
  auto pool = makeGuardedPool();
  EXPECT_STREQ(pool->getName(), "pool(guarded host)");
  EXPECT_EQ(pool->getOptions().maxCachedBytes, 0u);
  pool->setMaxCachedBytes(size_t(1) << 20);
  EXPECT_EQ(pool->getOptions().maxCachedBytes, 0u);

  void *a = mustAllocate(*pool, 100);
  void *b = mustAllocate(*pool, 5000);
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.bytesInUse, 128u + 5056u);
  EXPECT_EQ(stats.peakBytesInUse, 128u + 5056u);
  EXPECT_EQ(stats.liveAllocations, 2u);
  EXPECT_TRUE(pool->owns(a));
  EXPECT_TRUE(GuardedAllocator::get().owns(a));

  ASSERT_TRUE(pool->release(a).ok());
  EXPECT_FALSE(pool->owns(a));
  EXPECT_FALSE(GuardedAllocator::get().owns(a));
  // Same size again: a miss, never the released block.
  void *c = mustAllocate(*pool, 100);
  EXPECT_NE(c, a);
  stats = pool->getStats();
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.bytesHeld, 0u);
  EXPECT_EQ(stats.idleBlocks, 0u);
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.bytesInUse, 128u + 5056u);

  // Released by pointer alone, through the registry the hooks use.
  ASSERT_TRUE(BufferPool::releaseToOwningPool(b).ok());
  ASSERT_TRUE(pool->release(c).ok());
  stats = pool->getStats();
  EXPECT_EQ(stats.bytesInUse, 0u);
  EXPECT_EQ(stats.liveAllocations, 0u);
  EXPECT_EQ(stats.peakBytesInUse, 128u + 5056u);
  pool->resetPeakBytesInUse();
  EXPECT_EQ(pool->getStats().peakBytesInUse, 0u);

  // A double release is an error, not a crash.
  Status twice = pool->release(a);
  EXPECT_EQ(twice.getCode(), StatusCode::FailedPrecondition);
  EXPECT_EQ(BufferPool::releaseToOwningPool(a).getCode(),
            StatusCode::FailedPrecondition);
  EXPECT_EQ(GuardedAllocator::get().deallocate(a, 128, 64).getCode(),
            StatusCode::FailedPrecondition);
}

TEST_F(GuardedMemory, BuffersOverAGuardedPool) {
  auto pool = makeGuardedPool();
  {
    StatusOr<Buffer> buffer = Buffer::allocate(*pool, 3 * 4 * sizeof(float));
    ASSERT_TRUE(buffer.ok()) << buffer.getStatus().toString();
    std::memset(buffer->data(), 0, buffer->size());
    EXPECT_EQ(pool->getStats().liveAllocations, 1u);
  }
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);
}

TEST_F(GuardedMemory, OnlyOverTheHostHeap) {
  struct OtherHost final : public Allocator {
    StatusOr<void *> allocate(size_t bytes, size_t alignment) override {
      return HostAllocator::get().allocate(bytes, alignment);
    }
    Status deallocate(void *ptr, size_t bytes, size_t alignment) override {
      return HostAllocator::get().deallocate(ptr, bytes, alignment);
    }
    MemorySpace getMemorySpace() const override { return MemorySpace::Host; }
    const char *getName() const override { return "other"; }
  } other;
  BufferPoolOptions options;
  options.guardPages = true;
  StatusOr<std::unique_ptr<BufferPool>> pool =
      BufferPool::create(other, options);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.getStatus().getCode(), StatusCode::InvalidArgument);
  EXPECT_NE(pool.getStatus().getMessage().find("host heap"),
            std::string::npos);
}

TEST_F(GuardedMemory, ManyBlocksAndThreads) {
  // More frees than the quarantine holds, from several threads at once.
  auto pool = makeGuardedPool();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&pool, t] {
      std::vector<void *> live;
      for (int i = 0; i < 5000; ++i) {
        size_t bytes = size_t((i * 37 + t * 11) % 3000);
        void *ptr = mustAllocate(*pool, bytes);
        if (bytes)
          poke(ptr, ptrdiff_t(bytes) - 1);
        live.push_back(ptr);
        if (live.size() > 8) {
          EXPECT_TRUE(pool->release(live.front()).ok());
          live.erase(live.begin());
        }
      }
      for (void *ptr : live)
        EXPECT_TRUE(pool->release(ptr).ok());
    });
  for (std::thread &thread : threads)
    thread.join();
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.misses, 20000u);
  EXPECT_EQ(stats.liveAllocations, 0u);
  EXPECT_EQ(stats.bytesInUse, 0u);
}

} // namespace

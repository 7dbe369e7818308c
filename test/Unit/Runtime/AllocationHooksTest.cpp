//===- AllocationHooksTest.cpp - the memref allocation hooks --------------===//

#include "vsla/runtime/AllocationHooks.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>

using namespace vsla::rt;

namespace {

std::unique_ptr<BufferPool> makeHostPool() {
  return BufferPool::create(HostAllocator::get()).value();
}

TEST(AllocationHooks, RoundTripThroughTheDefaultPool) {
  ASSERT_EQ(&getCurrentPool(), &getDefaultPool());
  BufferPool &pool = getDefaultPool();
  // Large enough for a size class no other test touches.
  constexpr size_t kSize = 3 * 1000 * 1000 + 17;

  void *first = _mlir_memref_to_llvm_alloc(kSize);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(pool.owns(first));
  std::memset(first, 1, kSize);
  _mlir_memref_to_llvm_free(first);
  EXPECT_FALSE(pool.owns(first));

  BufferPoolStats before = pool.getStats();
  void *second = _mlir_memref_to_llvm_alloc(kSize);
  BufferPoolStats after = pool.getStats();
  EXPECT_EQ(second, first);
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.misses, before.misses);
  _mlir_memref_to_llvm_free(second);
}

TEST(AllocationHooks, AlignedAlloc) {
  auto pool = makeHostPool();
  CurrentPoolScope scope(*pool);
  for (size_t alignment : {1, 16, 64, 128, 4096}) {
    void *ptr = _mlir_memref_to_llvm_aligned_alloc(alignment, 100);
    ASSERT_NE(ptr, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) %
                  std::max<size_t>(alignment, kDefaultAlignment),
              0u);
    _mlir_memref_to_llvm_free(ptr);
  }
  void *plain = _mlir_memref_to_llvm_alloc(7);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(plain) % kDefaultAlignment, 0u);
  _mlir_memref_to_llvm_free(plain);

  // A bad alignment gives null, as aligned_alloc does.
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(3, 100), nullptr);
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);
}

TEST(AllocationHooks, ZeroSizeAndNull) {
  auto pool = makeHostPool();
  CurrentPoolScope scope(*pool);
  void *a = _mlir_memref_to_llvm_alloc(0);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(nullptr);
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);
}

TEST(AllocationHooks, ScopesSelectAndRestoreThePool) {
  auto outer = makeHostPool();
  auto inner = makeHostPool();
  EXPECT_EQ(&getCurrentPool(), &getDefaultPool());
  {
    CurrentPoolScope outerScope(*outer);
    EXPECT_EQ(&getCurrentPool(), outer.get());
    void *fromOuter = _mlir_memref_to_llvm_alloc(100);
    EXPECT_TRUE(outer->owns(fromOuter));
    {
      CurrentPoolScope innerScope(*inner);
      EXPECT_EQ(&getCurrentPool(), inner.get());
      void *fromInner = _mlir_memref_to_llvm_alloc(100);
      EXPECT_TRUE(inner->owns(fromInner));
      EXPECT_FALSE(outer->owns(fromInner));
      EXPECT_FALSE(getDefaultPool().owns(fromInner));
      _mlir_memref_to_llvm_free(fromInner);
    }
    EXPECT_EQ(&getCurrentPool(), outer.get());
    _mlir_memref_to_llvm_free(fromOuter);
  }
  EXPECT_EQ(&getCurrentPool(), &getDefaultPool());
  EXPECT_EQ(outer->getStats().hits + outer->getStats().misses, 1u);
  EXPECT_EQ(inner->getStats().hits + inner->getStats().misses, 1u);
  EXPECT_EQ(outer->getStats().bytesHeld, 128u);
  EXPECT_EQ(inner->getStats().bytesHeld, 128u);
}

TEST(AllocationHooks, FreeAfterTheScopeEndsReturnsToTheOwner) {
  auto pool = makeHostPool();
  void *ptr;
  {
    CurrentPoolScope scope(*pool);
    ptr = _mlir_memref_to_llvm_alloc(1000);
  }
  // Freed under the default pool, but it goes back to the pool it came from.
  _mlir_memref_to_llvm_free(ptr);
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);
  EXPECT_EQ(pool->getStats().bytesHeld, 1024u);

  CurrentPoolScope scope(*pool);
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(1000), ptr);
  EXPECT_EQ(pool->getStats().hits, 1u);
  _mlir_memref_to_llvm_free(ptr);
}

TEST(AllocationHooks, ScopesArePerThread) {
  auto pool = makeHostPool();
  CurrentPoolScope scope(*pool);
  void *ptr = _mlir_memref_to_llvm_alloc(256);
  BufferPool *seenOnOtherThread = nullptr;
  std::thread other([&] {
    seenOnOtherThread = &getCurrentPool();
    // Freed on a thread with no scope: still back to `pool`.
    _mlir_memref_to_llvm_free(ptr);
  });
  other.join();
  EXPECT_EQ(seenOnOtherThread, &getDefaultPool());
  EXPECT_EQ(&getCurrentPool(), pool.get());
  EXPECT_EQ(pool->getStats().liveAllocations, 0u);
  EXPECT_EQ(pool->getStats().bytesHeld, 256u);
}

TEST(AllocationHooks, ConcurrentHooksOnOneScopedPool) {
  auto pool = makeHostPool();
  constexpr int kThreads = 4;
  constexpr int kIterations = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      CurrentPoolScope scope(*pool);
      for (int i = 0; i < kIterations; ++i) {
        size_t size = 64u << ((i + t) % 6);
        void *ptr = _mlir_memref_to_llvm_alloc(size);
        ASSERT_NE(ptr, nullptr);
        std::memset(ptr, t, size);
        _mlir_memref_to_llvm_free(ptr);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  BufferPoolStats stats = pool->getStats();
  EXPECT_EQ(stats.hits + stats.misses, uint64_t(kThreads) * kIterations);
  EXPECT_EQ(stats.liveAllocations, 0u);
  // At most one block per (thread, size class) is ever live at once.
  EXPECT_LE(stats.misses, uint64_t(kThreads) * 6);
}

TEST(AllocationHooksDeathTest, DoubleFreeAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto pool = makeHostPool();
  CurrentPoolScope scope(*pool);
  void *ptr = _mlir_memref_to_llvm_alloc(64);
  _mlir_memref_to_llvm_free(ptr);
  EXPECT_DEATH(_mlir_memref_to_llvm_free(ptr),
               "is not a live allocation of any buffer pool");
}

} // namespace

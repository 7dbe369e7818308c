//===- CompiledCallTest.cpp - failures inside compiled code ---------------===//
//
// Compiled code reports a failed run-time check or an allocation it cannot
// get by calling into the runtime, which unwinds to callCompiled. These
// stand-ins for compiled code do what generated code does: allocate through
// the memref hooks, then fail.
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/CompiledCall.h"

#include <gtest/gtest.h>

#include <memory>

using namespace vsla::rt;

namespace {

std::unique_ptr<BufferPool> makePool() {
  BufferPoolOptions options;
  options.maxCachedBytes = 0; // every release goes back to the heap
  return std::move(BufferPool::create(HostAllocator::get(), options)).value();
}

/// Compiled code that allocates two temporaries, frees one and fails check
/// `*arguments[0]`.
void allocateThenFail(void **arguments) {
  void *a = _mlir_memref_to_llvm_alloc(1000);
  void *b = _mlir_memref_to_llvm_alloc(2000);
  static_cast<char *>(a)[999] = 1;
  _mlir_memref_to_llvm_free(a);
  (void)b;
  __vsla_check_failed(*static_cast<int64_t *>(arguments[0]));
}

/// Compiled code that asks for more memory than any machine has.
void allocateTooMuch(void **) {
  void *kept = _mlir_memref_to_llvm_alloc(64);
  (void)kept;
  _mlir_memref_to_llvm_alloc(size_t(1) << 62);
  ADD_FAILURE() << "the allocation returned";
}

/// Compiled code that returns a result it allocated.
void allocateResult(void **arguments) {
  *static_cast<void **>(arguments[0]) = _mlir_memref_to_llvm_alloc(128);
}

std::string lookup(int64_t id) { return "check " + std::to_string(id) + " says no"; }

/// Compiled code of a vsla.map: checks items 0, 1 and 2 in turn and fails
/// check 5 on item `*arguments[0]` (or none when it is -1).
void checkItems(void **arguments) {
  int64_t bad = *static_cast<int64_t *>(arguments[0]);
  for (int64_t item = 0; item < 3; ++item) {
    __vsla_map_item(item);
    if (item == bad)
      __vsla_check_failed(5);
  }
  __vsla_map_item(-1);
  if (bad == -1)
    __vsla_check_failed(5);
}

TEST(CompiledCall, FailedCheckBecomesAStatusAndFreesTemporaries) {
  auto pool = makePool();
  CurrentPoolScope scope(*pool);
  int64_t id = 3;
  void *arguments[] = {&id};
  Status status = callCompiled(&allocateThenFail, arguments, &lookup);
  EXPECT_EQ(status.getCode(), StatusCode::InvalidArgument);
  EXPECT_EQ(status.getMessage(), "check 3 says no");
  EXPECT_EQ(pool->getStats().bytesInUse, 0u);
}

TEST(CompiledCall, AFailedCheckOfARaggedItemNamesTheItem) {
  int64_t bad = 1;
  void *arguments[] = {&bad};
  Status status = callCompiled(&checkItems, arguments, &lookup);
  EXPECT_EQ(status.getMessage(), "item 1 of the ragged batch: check 5 says no");
  // After the items, a failed check names none; nor does the next call.
  bad = -1;
  EXPECT_EQ(callCompiled(&checkItems, arguments, &lookup).getMessage(),
            "check 5 says no");
  bad = 7;
  EXPECT_TRUE(callCompiled(&checkItems, arguments, &lookup).ok());
}

TEST(CompiledCall, UnknownCheckStillNamesItsNumber) {
  auto pool = makePool();
  CurrentPoolScope scope(*pool);
  int64_t id = 9;
  void *arguments[] = {&id};
  Status status = callCompiled(&allocateThenFail, arguments, nullptr);
  EXPECT_EQ(status.getCode(), StatusCode::InvalidArgument);
  EXPECT_NE(status.getMessage().find("check 9"), std::string::npos);
}

TEST(CompiledCall, FailedAllocationBecomesAStatusNamingTheSize) {
  auto pool = makePool();
  CurrentPoolScope scope(*pool);
  Status status = callCompiled(&allocateTooMuch, nullptr, &lookup);
  EXPECT_EQ(status.getCode(), StatusCode::OutOfMemory);
  EXPECT_NE(status.getMessage().find(std::to_string(size_t(1) << 62)),
            std::string::npos)
      << status.toString();
  EXPECT_EQ(pool->getStats().bytesInUse, 0u);
}

TEST(CompiledCall, ResultsOfASuccessfulCallAreTheCallersToFree) {
  auto pool = makePool();
  CurrentPoolScope scope(*pool);
  void *result = nullptr;
  void *arguments[] = {&result};
  ASSERT_TRUE(callCompiled(&allocateResult, arguments, &lookup).ok());
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(pool->getStats().bytesInUse, 128u);
  _mlir_memref_to_llvm_free(result);
  EXPECT_EQ(pool->getStats().bytesInUse, 0u);
}

TEST(CompiledCall, CallsNestAndFailIndependently) {
  auto pool = makePool();
  CurrentPoolScope scope(*pool);
  int64_t id = 1;
  void *arguments[] = {&id};
  for (int i = 0; i < 1000; ++i)
    ASSERT_FALSE(callCompiled(&allocateThenFail, arguments, &lookup).ok());
  EXPECT_FALSE(detail::insideCompiledCall());
  EXPECT_EQ(pool->getStats().bytesInUse, 0u);
}

TEST(CompiledCallDeathTest, AFailedCheckOutsideACallAborts) {
  EXPECT_DEATH(__vsla_check_failed(2), "outside a guarded call");
}

} // namespace

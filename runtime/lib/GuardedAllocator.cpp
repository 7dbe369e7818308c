//===- GuardedAllocator.cpp - host memory fenced by inaccessible pages ----===//

#include "vsla/runtime/GuardedAllocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace vsla::rt {

namespace {

/// Freed mappings stay inaccessible until more than this many bytes of
/// address space, or this many mappings, are quarantined; then the oldest
/// are unmapped and their addresses may be handed out again. Address space
/// only: quarantined pages hold no memory.
constexpr size_t kMaxQuarantineBytes = size_t(16) << 30;
constexpr size_t kMaxQuarantineMappings = 16384;

size_t getPageSize() {
  static const size_t pageSize = [] {
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? size_t(size) : size_t(4096);
  }();
  return pageSize;
}

/// Rounds `value` up to a multiple of the power of two `unit`; 0 on overflow.
size_t roundUp(size_t value, size_t unit) {
  if (value > SIZE_MAX - (unit - 1))
    return 0;
  return (value + unit - 1) & ~(unit - 1);
}

std::string describePointer(const void *ptr) {
  char text[32];
  std::snprintf(text, sizeof(text), "%p", ptr);
  return text;
}

} // namespace

bool isPoolGuardRequested() {
  static const bool requested = [] {
    const char *value = std::getenv("VSLA_POOL_GUARD");
    return value && *value && std::strcmp(value, "0") != 0;
  }();
  return requested;
}

GuardedAllocator &GuardedAllocator::get() {
  // Leaked on purpose: blocks may be freed during static destruction.
  static GuardedAllocator *instance = new GuardedAllocator;
  return *instance;
}

size_t GuardedAllocator::getBlockBytes(size_t bytes, size_t alignment) {
  if (bytes == 0)
    return 0;
  return roundUp(bytes, alignment);
}

StatusOr<void *> GuardedAllocator::allocate(size_t bytes, size_t alignment) {
  if (!isPowerOfTwo(alignment))
    return invalidArgument("alignment " + std::to_string(alignment) +
                           " is not a power of two; pass 64 (the runtime "
                           "default) or another power of two");
  const size_t page = getPageSize();
  size_t blockBytes = getBlockBytes(bytes, alignment);
  size_t span = roundUp(blockBytes, page);
  // An alignment above the page size needs room to slide the guard page to
  // a multiple of it.
  size_t slack = alignment > page ? alignment : 0;
  if ((bytes != 0 && blockBytes == 0) || (blockBytes != 0 && span == 0) ||
      span > SIZE_MAX / 2 - slack - 2 * page)
    return outOfMemory("a request for " + std::to_string(bytes) +
                       " bytes cannot be satisfied by any allocator; check "
                       "the size computation for an overflow");
  size_t length = page + span + slack + page;
  // Mapped writable, so the kernel's overcommit policy judges the request
  // as it judges malloc's (a 64 TiB temporary fails here, not later in the
  // OOM killer); then everything but the block is made inaccessible.
  void *base = mmap(nullptr, length, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    return outOfMemory("the guarded host allocator could not map " +
                       std::to_string(length) + " bytes for a block of " +
                       std::to_string(bytes) + " bytes: " +
                       std::strerror(errno) +
                       "; unset VSLA_POOL_GUARD or free memory");
  auto baseAddress = reinterpret_cast<uintptr_t>(base);
  uintptr_t end = baseAddress + length;
  uintptr_t guard =
      roundUp(baseAddress + page + span, alignment > page ? alignment : page);
  uintptr_t start = guard - blockBytes;
  uintptr_t firstPage = start & ~uintptr_t(page - 1);
  if (mprotect(base, firstPage - baseAddress, PROT_NONE) != 0 ||
      mprotect(reinterpret_cast<void *>(guard), end - guard, PROT_NONE) != 0) {
    int error = errno;
    munmap(base, length);
    return outOfMemory("the guarded host allocator could not protect the "
                       "pages around a block of " +
                       std::to_string(bytes) + " bytes: " +
                       std::strerror(error) +
                       "; unset VSLA_POOL_GUARD or free memory");
  }
  void *ptr = reinterpret_cast<void *>(start);
  std::lock_guard<std::mutex> lock(mutex);
  live.emplace(ptr, Mapping{base, length});
  return ptr;
}

Status GuardedAllocator::deallocate(void *ptr, size_t /*bytes*/,
                                    size_t /*alignment*/) {
  if (!ptr)
    return okStatus();
  Mapping mapping;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = live.find(ptr);
    if (found == live.end())
      return failedPrecondition(
          describePointer(ptr) +
          " is not a live block of the guarded host allocator; it was "
          "freed already or came from another allocator");
    mapping = found->second;
    live.erase(found);
  }
  // A fresh inaccessible mapping over the old one: the pages' memory goes
  // back to the system, and a use after free faults.
  if (mmap(mapping.base, mapping.length, PROT_NONE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1,
           0) == MAP_FAILED)
    return internalError("the guarded host allocator could not protect a "
                         "freed block at " +
                         describePointer(ptr) + ": " + std::strerror(errno));

  std::deque<Mapping> toUnmap;
  {
    std::lock_guard<std::mutex> lock(mutex);
    quarantine.push_back(mapping);
    quarantineBytes += mapping.length;
    while (quarantineBytes > kMaxQuarantineBytes ||
           quarantine.size() > kMaxQuarantineMappings) {
      toUnmap.push_back(quarantine.front());
      quarantineBytes -= quarantine.front().length;
      quarantine.pop_front();
    }
  }
  for (const Mapping &old : toUnmap)
    munmap(old.base, old.length);
  return okStatus();
}

bool GuardedAllocator::owns(const void *ptr) const {
  std::lock_guard<std::mutex> lock(mutex);
  return live.count(ptr) != 0;
}

} // namespace vsla::rt

//===- CompiledCall.cpp - calling compiled code that may fail -------------===//

#include "vsla/runtime/CompiledCall.h"

#include "vsla/runtime/AllocationHooks.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vsla::rt {

namespace {

/// One active callCompiled on this thread.
struct CallFrame {
  std::jmp_buf resume;
  Status status;
  /// The run-time check that failed (numbered from 1), or 0.
  int64_t failedCheck = 0;
  /// The item of a ragged batch (vsla.map) being checked, or -1.
  int64_t mapItem = -1;
  /// Pool allocations made by the call and not yet freed: what a failed
  /// call releases. Compiled code frees in roughly reverse order, so the
  /// search starts at the back.
  std::vector<void *> live;
  CallFrame *previous = nullptr;
};

thread_local CallFrame *currentFrame = nullptr;

/// Returns every allocation of `frame` to its pool.
void releaseLive(CallFrame &frame) {
  for (void *ptr : frame.live)
    (void)BufferPool::releaseToOwningPool(ptr);
  frame.live.clear();
}

/// Kept out of line so the setjmp frame holds nothing but `frame`; a
/// longjmp back here skips only compiled frames and runtime hooks that hold
/// no objects with destructors.
__attribute__((noinline)) bool runGuarded(CallFrame &frame,
                                          PackedEntryPoint entry,
                                          void **arguments) {
  if (setjmp(frame.resume) != 0)
    return false;
  entry(arguments);
  return true;
}

} // namespace

Status callCompiled(PackedEntryPoint entry, void **arguments,
                    const CheckMessageLookup &messages) {
  CallFrame frame;
  frame.previous = currentFrame;
  currentFrame = &frame;
  bool returned = runGuarded(frame, entry, arguments);
  currentFrame = frame.previous;
  if (returned)
    return okStatus();
  releaseLive(frame);
  if (int64_t id = frame.failedCheck) {
    std::string text = messages ? messages(id) : std::string();
    if (text.empty())
      text = "a run-time check of compiled code failed (check " +
             std::to_string(id) + ")";
    if (frame.mapItem >= 0)
      text = "item " + std::to_string(frame.mapItem) +
             " of the ragged batch: " + text;
    return invalidArgument(text);
  }
  return frame.status;
}

namespace detail {

bool insideCompiledCall() { return currentFrame != nullptr; }

void noteAllocation(void *ptr) {
  if (currentFrame && ptr)
    currentFrame->live.push_back(ptr);
}

void noteRelease(void *ptr) {
  if (!currentFrame || !ptr)
    return;
  std::vector<void *> &live = currentFrame->live;
  for (size_t i = live.size(); i-- > 0;)
    if (live[i] == ptr) {
      live[i] = live.back();
      live.pop_back();
      return;
    }
}

void recordFailure(Status status) { currentFrame->status = std::move(status); }

void unwindCompiledCall() { std::longjmp(currentFrame->resume, 1); }

void failCheck(int64_t id) {
  currentFrame->failedCheck = id;
  unwindCompiledCall();
}

} // namespace detail

} // namespace vsla::rt

extern "C" void __vsla_map_item(int64_t item) {
  using namespace vsla::rt;
  if (currentFrame)
    currentFrame->mapItem = item;
}

extern "C" void __vsla_check_failed(int64_t id) {
  using namespace vsla::rt;
  if (!detail::insideCompiledCall()) {
    std::fprintf(stderr,
                 "vsla runtime: run-time check %lld of compiled code failed "
                 "outside a guarded call\n",
                 static_cast<long long>(id));
    std::abort();
  }
  detail::failCheck(id);
}

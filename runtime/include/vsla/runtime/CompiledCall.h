//===- CompiledCall.h - calling compiled code that may fail ------*- C++ -*-===//
//
// Compiled code has no way to return an error: it is straight-line loops over
// memrefs. Two things can still go wrong inside it: a run-time check fails (a
// fact about extents or values that the compiler could only check while the
// code runs, e.g. in a function whose result shapes depend on data, or labels
// out of range), or a temporary cannot be allocated. In both cases the code
// calls into the runtime, which unwinds back to the caller of callCompiled
// (setjmp/longjmp: compiled frames hold no destructors) and frees every
// temporary the call had allocated from the pool. The caller gets a Status.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_COMPILEDCALL_H
#define VSLA_RUNTIME_COMPILEDCALL_H

#include "vsla/runtime/Status.h"

#include <cstdint>
#include <functional>

extern "C" {
/// Called by compiled code when run-time check `id` fails. Inside
/// callCompiled it does not return; outside one it prints and aborts.
void __vsla_check_failed(int64_t id);
/// Called by compiled code before it checks item `item` of a ragged batch
/// (vsla.map), and with -1 after the last: a check that fails meanwhile
/// names the item.
void __vsla_map_item(int64_t item);
}

namespace vsla::rt {

/// Packed entry point of compiled code (MLIR's `_mlir_ciface`-free
/// `void(void **)` wrappers).
using PackedEntryPoint = void (*)(void **);

/// What a failed check says: the message of check `id` (numbered from 1).
using CheckMessageLookup = std::function<std::string(int64_t id)>;

/// Calls `entry(arguments)`. Returns ok when it returned normally; an
/// invalid_argument status with the check's message when a run-time check
/// failed; out_of_memory when a temporary could not be allocated. In the
/// two failure cases every pool allocation the call made and did not free is
/// released (results the code had started to build included).
Status callCompiled(PackedEntryPoint entry, void **arguments,
                    const CheckMessageLookup &messages);

namespace detail {
/// Whether the calling thread is inside callCompiled.
bool insideCompiledCall();
/// Inside callCompiled: records an allocation (so a failed call frees it)
/// and forgets a freed one. No-ops outside a call.
void noteAllocation(void *ptr);
void noteRelease(void *ptr);
/// Inside callCompiled only: the status the call fails with, then the
/// unwinding back to callCompiled (which skips destructors, so nothing with
/// one may be alive in the caller's frame).
void recordFailure(Status status);
[[noreturn]] void unwindCompiledCall();
/// Inside callCompiled only: fails the call with run-time check `id`.
[[noreturn]] void failCheck(int64_t id);
} // namespace detail

} // namespace vsla::rt

#endif // VSLA_RUNTIME_COMPILEDCALL_H

//===- StridedCopy.h - copies between strided memrefs -----------*- C++ -*-===//
//
// Element copies between memrefs of any strides: used to make a contiguous
// copy of a non-contiguous input, and as `memrefCopy`, the function that
// compiled code calls for memref.copy between non-contiguous memrefs.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_STRIDEDCOPY_H
#define VSLA_RUNTIME_STRIDEDCOPY_H

#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/Status.h"

#include <cstdint>

namespace vsla::rt {

/// Copies every element of `source` into `target`; both must have the same
/// element type and sizes.
Status copyElements(const MemRefDescriptor &source, MemRefDescriptor &target);

/// Copies `sizes` elements of `elementBytes` bytes from `source` to `target`,
/// each addressed by its own strides (in elements).
void copyStrided(int64_t rank, int64_t elementBytes, const int64_t *sizes,
                 const char *source, const int64_t *sourceStrides, char *target,
                 const int64_t *targetStrides);

} // namespace vsla::rt

extern "C" {
/// MLIR's unranked memref ABI: the rank and a pointer to the ranked
/// descriptor.
struct VslaUnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

/// memref.copy between memrefs that are not both contiguous (the name and
/// signature MLIR's memref-to-LLVM lowering calls).
void memrefCopy(int64_t elementBytes, VslaUnrankedMemRef *source,
                VslaUnrankedMemRef *target);
}

#endif // VSLA_RUNTIME_STRIDEDCOPY_H

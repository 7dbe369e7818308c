//===- StridedCopy.cpp - copies between strided memrefs -------------------===//

#include "vsla/runtime/StridedCopy.h"

#include <cstring>
#include <string>

namespace vsla::rt {

void copyStrided(int64_t rank, int64_t elementBytes, const int64_t *sizes,
                 const char *source, const int64_t *sourceStrides, char *target,
                 const int64_t *targetStrides) {
  if (rank == 0) {
    std::memcpy(target, source, elementBytes);
    return;
  }
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;
  // The innermost axis as a contiguous block when both sides allow it.
  bool innerContiguous = sourceStrides[rank - 1] == 1 &&
                         targetStrides[rank - 1] == 1;
  if (rank == 1) {
    if (innerContiguous) {
      std::memcpy(target, source, sizes[0] * elementBytes);
      return;
    }
    for (int64_t i = 0; i < sizes[0]; ++i)
      std::memcpy(target + i * targetStrides[0] * elementBytes,
                  source + i * sourceStrides[0] * elementBytes, elementBytes);
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i)
    copyStrided(rank - 1, elementBytes, sizes + 1,
                source + i * sourceStrides[0] * elementBytes, sourceStrides + 1,
                target + i * targetStrides[0] * elementBytes,
                targetStrides + 1);
}

Status copyElements(const MemRefDescriptor &source, MemRefDescriptor &target) {
  if (source.getElementType() != target.getElementType())
    return invalidArgument(std::string("cannot copy ") +
                           getElementTypeName(source.getElementType()) +
                           " elements into a " +
                           getElementTypeName(target.getElementType()) +
                           " memref; convert the element type first");
  if (source.getSizes() != target.getSizes())
    return invalidArgument("cannot copy between memrefs of different sizes");
  std::vector<int64_t> sizes = source.getSizes();
  std::vector<int64_t> sourceStrides = source.getStrides();
  std::vector<int64_t> targetStrides = target.getStrides();
  copyStrided(source.getRank(),
              static_cast<int64_t>(getElementByteSize(source.getElementType())),
              sizes.data(), static_cast<const char *>(source.getDataPtr()),
              sourceStrides.data(), static_cast<char *>(target.getDataPtr()),
              targetStrides.data());
  return okStatus();
}

} // namespace vsla::rt

extern "C" void memrefCopy(int64_t elementBytes, VslaUnrankedMemRef *source,
                           VslaUnrankedMemRef *target) {
  // Ranked descriptor: allocated, aligned, offset, sizes[rank], strides[rank].
  auto *src = static_cast<int64_t *>(source->descriptor);
  auto *dst = static_cast<int64_t *>(target->descriptor);
  int64_t rank = source->rank;
  char *srcData;
  char *dstData;
  std::memcpy(&srcData, &src[1], sizeof(char *));
  std::memcpy(&dstData, &dst[1], sizeof(char *));
  srcData += src[2] * elementBytes;
  dstData += dst[2] * elementBytes;
  vsla::rt::copyStrided(rank, elementBytes, src + 3, srcData, src + 3 + rank,
                        dstData, dst + 3 + rank);
}

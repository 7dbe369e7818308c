//===- MemRefDescriptor.cpp - strided memrefs of any rank -----------------===//

#include "vsla/runtime/MemRefDescriptor.h"

#include <cstring>
#include <limits>
#include <string>

namespace vsla::rt {

namespace {

std::string formatShape(const std::vector<int64_t> &sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(sizes[i]);
  }
  return text + "]";
}

/// The element count of `sizes`, or an error naming the bad extent.
StatusOr<int64_t> countElements(const std::vector<int64_t> &sizes) {
  int64_t count = 1;
  for (size_t dim = 0; dim < sizes.size(); ++dim) {
    if (sizes[dim] < 0)
      return invalidArgument("memref size " + std::to_string(sizes[dim]) +
                             " of dim " + std::to_string(dim) + " in shape " +
                             formatShape(sizes) +
                             " is negative; sizes must be >= 0");
    if (__builtin_mul_overflow(count, sizes[dim], &count))
      return invalidArgument("the element count of shape " +
                             formatShape(sizes) +
                             " overflows int64; check the sizes");
  }
  return count;
}

} // namespace

std::vector<int64_t> getRowMajorStrides(const std::vector<int64_t> &sizes) {
  std::vector<int64_t> strides(sizes.size());
  int64_t running = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = running;
    // An empty memref addresses no element, so any strides are valid; treat
    // size 0 as 1 to keep the outer strides nonzero and informative. The
    // product overflows only for shapes MemRefDescriptor::get rejects (too
    // many elements) or empty ones, so saturating is enough and avoids the
    // undefined behaviour of a signed overflow.
    if (__builtin_mul_overflow(running, sizes[i] > 0 ? sizes[i] : 1, &running))
      running = std::numeric_limits<int64_t>::max();
  }
  return strides;
}

StatusOr<MemRefDescriptor>
MemRefDescriptor::get(ElementType elementType, void *allocated, void *aligned,
                      int64_t offset, const std::vector<int64_t> &sizes,
                      const std::vector<int64_t> &strides) {
  if (sizes.size() != strides.size())
    return invalidArgument("memref shape " + formatShape(sizes) + " has rank " +
                           std::to_string(sizes.size()) + " but strides " +
                           formatShape(strides) + " have rank " +
                           std::to_string(strides.size()) +
                           "; pass one stride per dim");
  if (offset < 0)
    return invalidArgument("memref offset " + std::to_string(offset) +
                           " is negative; offsets count elements from the "
                           "aligned pointer and must be >= 0");
  StatusOr<int64_t> count = countElements(sizes);
  if (!count.ok())
    return count.getStatus();

  int64_t rank = static_cast<int64_t>(sizes.size());
  MemRefDescriptor descriptor(elementType, rank);
  descriptor.writePointer(kAllocatedSlot, allocated);
  descriptor.writePointer(kAlignedSlot, aligned);
  descriptor.words[kOffsetSlot] = offset;
  for (int64_t dim = 0; dim < rank; ++dim) {
    descriptor.words[kSizesSlot + dim] = sizes[dim];
    descriptor.words[kSizesSlot + rank + dim] = strides[dim];
  }
  return descriptor;
}

StatusOr<MemRefDescriptor>
MemRefDescriptor::getRowMajor(ElementType elementType, void *data,
                              const std::vector<int64_t> &sizes) {
  return get(elementType, data, data, /*offset=*/0, sizes,
             getRowMajorStrides(sizes));
}

StatusOr<MemRefDescriptor>
MemRefDescriptor::getRowMajor(ElementType elementType, const Buffer &buffer,
                              const std::vector<int64_t> &sizes) {
  if (buffer.isNull())
    return invalidArgument("cannot describe a null buffer; allocate it first");
  StatusOr<int64_t> count = countElements(sizes);
  if (!count.ok())
    return count.getStatus();
  int64_t elementBytes = static_cast<int64_t>(getElementByteSize(elementType));
  int64_t neededBytes;
  if (__builtin_mul_overflow(*count, elementBytes, &neededBytes) ||
      static_cast<uint64_t>(neededBytes) > buffer.size())
    return invalidArgument(
        "a " + std::string(getElementTypeName(elementType)) + " memref of " +
        "shape " + formatShape(sizes) + " needs " + std::to_string(*count) +
        " x " + std::to_string(elementBytes) + " bytes but the buffer holds " +
        std::to_string(buffer.size()) +
        "; allocate a larger buffer or pass a smaller shape");
  return getRowMajor(elementType, buffer.data(), sizes);
}

std::vector<int64_t> MemRefDescriptor::getSizes() const {
  return std::vector<int64_t>(words.begin() + kSizesSlot,
                              words.begin() + kSizesSlot + rank);
}

std::vector<int64_t> MemRefDescriptor::getStrides() const {
  return std::vector<int64_t>(words.begin() + kSizesSlot + rank, words.end());
}

void *MemRefDescriptor::getDataPtr() const {
  return static_cast<char *>(getAlignedPtr()) +
         getOffset() * static_cast<int64_t>(getElementByteSize(elementType));
}

int64_t MemRefDescriptor::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim = 0; dim < rank; ++dim)
    count *= getSize(dim);
  return count;
}

bool MemRefDescriptor::isContiguous() const {
  if (getNumElements() == 0)
    return true;
  int64_t expected = 1;
  for (int64_t dim = rank - 1; dim >= 0; --dim) {
    if (getSize(dim) == 1)
      continue;
    if (getStride(dim) != expected)
      return false;
    expected *= getSize(dim);
  }
  return true;
}

// Pointers are copied bit for bit into their 64-bit slots, which is what a
// StridedMemRefType reader sees at those offsets.
void *MemRefDescriptor::readPointer(size_t slot) const {
  void *ptr;
  std::memcpy(&ptr, &words[slot], sizeof(ptr));
  return ptr;
}

void MemRefDescriptor::writePointer(size_t slot, void *ptr) {
  std::memcpy(&words[slot], &ptr, sizeof(ptr));
}

} // namespace vsla::rt

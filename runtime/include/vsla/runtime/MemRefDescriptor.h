//===- MemRefDescriptor.h - strided memrefs of any rank ---------*- C++ -*-===//
//
// Compiled code takes a ranked memref argument as a pointer to MLIR's C ABI
// struct (StridedMemRefType<T, R> in mlir/ExecutionEngine/CRunnerUtils.h):
//
//   struct { T *allocated; T *aligned; int64_t offset;
//            int64_t sizes[R]; int64_t strides[R]; };
//
// The runtime does not know R at compile time, so MemRefDescriptor stores the
// same words in a heap array of 3 + 2R 64-bit slots, and getAbiPointer()
// hands that array to compiled code. Sizes, strides and the offset are in
// elements, as in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_MEMREFDESCRIPTOR_H
#define VSLA_RUNTIME_MEMREFDESCRIPTOR_H

#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/Status.h"

#include <cstdint>
#include <vector>

namespace vsla::rt {

// The descriptor's slots are 64-bit words; a pointer must fill one exactly.
static_assert(sizeof(void *) == sizeof(int64_t),
              "the memref descriptor layout assumes 64-bit pointers");

/// The row-major (C order, identity layout) strides of `sizes`.
std::vector<int64_t> getRowMajorStrides(const std::vector<int64_t> &sizes);

class MemRefDescriptor {
public:
  /// A memref over `aligned` + `offset` elements with the given sizes and
  /// strides. `allocated` is the pointer that owns the memory (what the
  /// memref's deallocation would free); pass `aligned` when nothing is owned.
  /// Fails with invalid_argument when sizes and strides differ in rank, a
  /// size or the offset is negative, or the element count overflows.
  static StatusOr<MemRefDescriptor>
  get(ElementType elementType, void *allocated, void *aligned, int64_t offset,
      const std::vector<int64_t> &sizes, const std::vector<int64_t> &strides);

  /// A contiguous row-major memref over `data`.
  static StatusOr<MemRefDescriptor>
  getRowMajor(ElementType elementType, void *data,
              const std::vector<int64_t> &sizes);

  /// A contiguous row-major memref over a buffer; fails with invalid_argument
  /// when the buffer is too small for the sizes.
  static StatusOr<MemRefDescriptor>
  getRowMajor(ElementType elementType, const Buffer &buffer,
              const std::vector<int64_t> &sizes);

  ElementType getElementType() const { return elementType; }
  int64_t getRank() const { return rank; }

  void *getAllocatedPtr() const { return readPointer(kAllocatedSlot); }
  void *getAlignedPtr() const { return readPointer(kAlignedSlot); }
  int64_t getOffset() const { return words[kOffsetSlot]; }
  int64_t getSize(int64_t dim) const { return words[kSizesSlot + dim]; }
  int64_t getStride(int64_t dim) const {
    return words[kSizesSlot + rank + dim];
  }
  std::vector<int64_t> getSizes() const;
  std::vector<int64_t> getStrides() const;

  /// The address of element (0, ..., 0): aligned + offset elements.
  void *getDataPtr() const;

  /// Product of the sizes (1 for rank 0, 0 when any size is 0).
  int64_t getNumElements() const;

  /// Whether the elements are dense in row-major order: every stride equals
  /// the row-major stride, ignoring dims of size 1 (whose stride never
  /// matters). Empty memrefs are contiguous.
  bool isContiguous() const;

  /// Storage laid out exactly as StridedMemRefType<T, getRank()>; pass it to
  /// compiled code that takes the memref by pointer. Valid until this
  /// descriptor is destroyed or assigned to.
  void *getAbiPointer() { return words.data(); }
  const void *getAbiPointer() const { return words.data(); }
  /// Bytes of the ABI struct: 8 * (3 + 2 * rank).
  size_t getAbiByteSize() const { return words.size() * sizeof(int64_t); }

private:
  static constexpr size_t kAllocatedSlot = 0;
  static constexpr size_t kAlignedSlot = 1;
  static constexpr size_t kOffsetSlot = 2;
  static constexpr size_t kSizesSlot = 3;

  MemRefDescriptor(ElementType elementType, int64_t rank)
      : elementType(elementType), rank(rank), words(3 + 2 * rank, 0) {}

  void *readPointer(size_t slot) const;
  void writePointer(size_t slot, void *ptr);

  ElementType elementType;
  int64_t rank;
  /// allocated, aligned, offset, sizes[rank], strides[rank].
  std::vector<int64_t> words;
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_MEMREFDESCRIPTOR_H

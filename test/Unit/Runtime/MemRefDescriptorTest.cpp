//===- MemRefDescriptorTest.cpp - strided memrefs and MLIR's C ABI --------===//

#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/BufferPool.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

using namespace vsla::rt;

namespace {

// Written out as in mlir/ExecutionEngine/CRunnerUtils.h, so the test checks
// the descriptor against MLIR's layout without depending on MLIR.
template <typename T, int N> struct StridedMemRefType {
  T *basePtr;
  T *data;
  int64_t offset;
  int64_t sizes[N];
  int64_t strides[N];
};
template <typename T> struct StridedMemRefType<T, 0> {
  T *basePtr;
  T *data;
  int64_t offset;
};

using MemRef2D = StridedMemRefType<float, 2>;
static_assert(offsetof(MemRef2D, basePtr) == 0);
static_assert(offsetof(MemRef2D, data) == 8);
static_assert(offsetof(MemRef2D, offset) == 16);
static_assert(offsetof(MemRef2D, sizes) == 24);
static_assert(offsetof(MemRef2D, strides) == 40);
static_assert(sizeof(MemRef2D) == 56);
static_assert(sizeof(StridedMemRefType<double, 3>) == 8 * (3 + 2 * 3));
static_assert(sizeof(StridedMemRefType<float, 0>) == 24);

TEST(MemRefDescriptor, MatchesStridedMemRefTypeLayout) {
  float storage[3][4];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      storage[i][j] = 10.0f * i + j;
  StatusOr<MemRefDescriptor> desc =
      MemRefDescriptor::getRowMajor(ElementType::F32, storage, {3, 4});
  ASSERT_TRUE(desc.ok()) << desc.getStatus().toString();
  ASSERT_EQ(desc->getAbiByteSize(), sizeof(MemRef2D));

  // What compiled code does with the pointer it is given.
  const auto *memref = static_cast<const MemRef2D *>(desc->getAbiPointer());
  EXPECT_EQ(memref->basePtr, &storage[0][0]);
  EXPECT_EQ(memref->data, &storage[0][0]);
  EXPECT_EQ(memref->offset, 0);
  EXPECT_EQ(memref->sizes[0], 3);
  EXPECT_EQ(memref->sizes[1], 4);
  EXPECT_EQ(memref->strides[0], 4);
  EXPECT_EQ(memref->strides[1], 1);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_EQ(memref->data[memref->offset + i * memref->strides[0] +
                             j * memref->strides[1]],
                10.0f * i + j);

  // The bytes are the same when copied, not just when aliased.
  MemRef2D copy;
  std::memcpy(&copy, desc->getAbiPointer(), sizeof(copy));
  EXPECT_EQ(copy.data, &storage[0][0]);
  EXPECT_EQ(copy.strides[0], 4);
}

TEST(MemRefDescriptor, RankZeroIsPointersAndOffset) {
  double scalar = 2.5;
  StatusOr<MemRefDescriptor> desc =
      MemRefDescriptor::getRowMajor(ElementType::F64, &scalar, {});
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->getRank(), 0);
  EXPECT_EQ(desc->getNumElements(), 1);
  ASSERT_EQ(desc->getAbiByteSize(), sizeof(StridedMemRefType<double, 0>));
  const auto *memref =
      static_cast<const StridedMemRefType<double, 0> *>(desc->getAbiPointer());
  EXPECT_EQ(*memref->data, 2.5);
  EXPECT_EQ(memref->offset, 0);
}

TEST(MemRefDescriptor, StridedViewWithOffset) {
  int32_t storage[24];
  for (int i = 0; i < 24; ++i)
    storage[i] = i;
  // A transposed 4x3 view of the 3x4 block that starts at element 12.
  StatusOr<MemRefDescriptor> desc = MemRefDescriptor::get(
      ElementType::I32, storage, storage, /*offset=*/12, {4, 3}, {1, 4});
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->getAllocatedPtr(), storage);
  EXPECT_EQ(desc->getAlignedPtr(), storage);
  EXPECT_EQ(desc->getOffset(), 12);
  EXPECT_EQ(desc->getDataPtr(), &storage[12]);
  EXPECT_EQ(desc->getSizes(), std::vector<int64_t>({4, 3}));
  EXPECT_EQ(desc->getStrides(), std::vector<int64_t>({1, 4}));
  EXPECT_EQ(desc->getNumElements(), 12);
  EXPECT_FALSE(desc->isContiguous());

  const auto *memref =
      static_cast<const StridedMemRefType<int32_t, 2> *>(desc->getAbiPointer());
  // Element (i, j) of the view is element (j, i) of the 3x4 block.
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(memref->data[memref->offset + i * memref->strides[0] +
                             j * memref->strides[1]],
                12 + j * 4 + i);
}

TEST(MemRefDescriptor, RowMajorStrides) {
  EXPECT_EQ(getRowMajorStrides({2, 3, 4}), std::vector<int64_t>({12, 4, 1}));
  EXPECT_EQ(getRowMajorStrides({5}), std::vector<int64_t>({1}));
  EXPECT_EQ(getRowMajorStrides({}), std::vector<int64_t>());
  EXPECT_EQ(getRowMajorStrides({2, 0, 3}), std::vector<int64_t>({3, 3, 1}));
}

TEST(MemRefDescriptor, ElementCountAndContiguity) {
  float storage[1];
  auto make = [&](std::vector<int64_t> sizes, std::vector<int64_t> strides) {
    return MemRefDescriptor::get(ElementType::F32, storage, storage, 0, sizes,
                                 strides)
        .value();
  };
  EXPECT_EQ(make({3, 0, 2}, {0, 2, 1}).getNumElements(), 0);
  // Empty memrefs have nothing to be out of order.
  EXPECT_TRUE(make({3, 0, 2}, {7, 9, 11}).isContiguous());
  EXPECT_TRUE(make({2, 3}, {3, 1}).isContiguous());
  // Padding between rows.
  EXPECT_FALSE(make({2, 3}, {4, 1}).isContiguous());
  // A broadcast (stride 0) dim is not dense.
  EXPECT_FALSE(make({2, 3}, {0, 1}).isContiguous());
  // The stride of a size-1 dim is never used.
  EXPECT_TRUE(make({1, 3}, {99, 1}).isContiguous());
  EXPECT_TRUE(make({3, 1}, {1, 42}).isContiguous());
}

TEST(MemRefDescriptor, InvalidDescriptorsExplainTheFix) {
  float storage[4];
  StatusOr<MemRefDescriptor> rankMismatch =
      MemRefDescriptor::get(ElementType::F32, storage, storage, 0, {2, 2}, {1});
  ASSERT_FALSE(rankMismatch.ok());
  EXPECT_EQ(rankMismatch.getStatus().getCode(), StatusCode::InvalidArgument);
  EXPECT_EQ(rankMismatch.getStatus().getMessage(),
            "memref shape [2, 2] has rank 2 but strides [1] have rank 1; pass "
            "one stride per dim");

  StatusOr<MemRefDescriptor> negativeSize =
      MemRefDescriptor::getRowMajor(ElementType::F32, storage, {2, -1});
  ASSERT_FALSE(negativeSize.ok());
  EXPECT_EQ(negativeSize.getStatus().getMessage(),
            "memref size -1 of dim 1 in shape [2, -1] is negative; sizes must "
            "be >= 0");

  StatusOr<MemRefDescriptor> negativeOffset =
      MemRefDescriptor::get(ElementType::F32, storage, storage, -1, {4}, {1});
  ASSERT_FALSE(negativeOffset.ok());
  EXPECT_NE(negativeOffset.getStatus().getMessage().find("offset -1"),
            std::string::npos);

  StatusOr<MemRefDescriptor> overflow = MemRefDescriptor::getRowMajor(
      ElementType::F32, storage, {int64_t(1) << 40, int64_t(1) << 40});
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.getStatus().getMessage().find("overflows int64"),
            std::string::npos);

  // Empty, so valid, although the strides of its nonzero extents overflow
  // (they saturate: any strides are valid for an empty memref).
  StatusOr<MemRefDescriptor> emptyHuge = MemRefDescriptor::getRowMajor(
      ElementType::F32, storage,
      {0, int64_t(1) << 40, int64_t(1) << 40});
  ASSERT_TRUE(emptyHuge.ok()) << emptyHuge.getStatus().toString();
  EXPECT_EQ(emptyHuge->getNumElements(), 0);
  EXPECT_TRUE(emptyHuge->isContiguous());
}

TEST(MemRefDescriptor, OverABuffer) {
  auto pool = BufferPool::create(HostAllocator::get()).value();
  StatusOr<Buffer> buffer = Buffer::allocate(*pool, 6 * sizeof(double));
  ASSERT_TRUE(buffer.ok());
  StatusOr<MemRefDescriptor> desc =
      MemRefDescriptor::getRowMajor(ElementType::F64, *buffer, {2, 3});
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->getDataPtr(), buffer->data());
  EXPECT_TRUE(desc->isContiguous());

  StatusOr<MemRefDescriptor> tooBig =
      MemRefDescriptor::getRowMajor(ElementType::F64, *buffer, {2, 4});
  ASSERT_FALSE(tooBig.ok());
  EXPECT_EQ(tooBig.getStatus().getMessage(),
            "a f64 memref of shape [2, 4] needs 8 x 8 bytes but the buffer "
            "holds 48; allocate a larger buffer or pass a smaller shape");

  StatusOr<MemRefDescriptor> null =
      MemRefDescriptor::getRowMajor(ElementType::F64, Buffer(), {0});
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.getStatus().getCode(), StatusCode::InvalidArgument);
}

TEST(MemRefDescriptor, DataPtrScalesOffsetByElementSize) {
  alignas(8) unsigned char bytes[64];
  for (auto [type, size] : {std::pair{ElementType::F16, 2},
                            {ElementType::BF16, 2},
                            {ElementType::F32, 4},
                            {ElementType::F64, 8},
                            {ElementType::I1, 1},
                            {ElementType::I32, 4},
                            {ElementType::I64, 8}}) {
    EXPECT_EQ(getElementByteSize(type), size_t(size));
    StatusOr<MemRefDescriptor> desc =
        MemRefDescriptor::get(type, bytes, bytes, /*offset=*/3, {2}, {1});
    ASSERT_TRUE(desc.ok());
    EXPECT_EQ(desc->getElementType(), type);
    EXPECT_EQ(desc->getDataPtr(), bytes + 3 * size) << getElementTypeName(type);
  }
  EXPECT_STREQ(getElementTypeName(ElementType::BF16), "bf16");
  EXPECT_STREQ(getElementTypeName(ElementType::I1), "i1");
  EXPECT_STREQ(getElementTypeName(ElementType::F32), "f32");
}

TEST(MemRefDescriptor, CopiesAreIndependent) {
  float a[4], b[4];
  MemRefDescriptor first =
      MemRefDescriptor::getRowMajor(ElementType::F32, a, {4}).value();
  MemRefDescriptor second = first;
  EXPECT_NE(second.getAbiPointer(), first.getAbiPointer());
  second = MemRefDescriptor::getRowMajor(ElementType::F32, b, {2, 2}).value();
  EXPECT_EQ(first.getAlignedPtr(), a);
  EXPECT_EQ(first.getRank(), 1);
  EXPECT_EQ(second.getAlignedPtr(), b);
  EXPECT_EQ(second.getRank(), 2);
}

} // namespace

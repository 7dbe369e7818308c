//===- GemmTest.cpp - BLAS-backed products on strided views ---------------===//

#include "vsla/runtime/Gemm.h"
#include "vsla/runtime/Threads.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using vsla::rt::StridedMemRef;

/// A rows x cols view into `storage` with the given strides.
StridedMemRef<float, 2> view(std::vector<float> &storage, int64_t rows,
                             int64_t cols, int64_t rowStride,
                             int64_t colStride, int64_t offset = 0) {
  return {storage.data(), storage.data(), offset, {rows, cols},
          {rowStride, colStride}};
}

float at(const StridedMemRef<float, 2> &m, int64_t i, int64_t j) {
  return m.aligned[m.offset + i * m.strides[0] + j * m.strides[1]];
}

/// c + a * b by the definition.
std::vector<float> reference(const StridedMemRef<float, 2> &a,
                             const StridedMemRef<float, 2> &b,
                             const StridedMemRef<float, 2> &c) {
  std::vector<float> out;
  for (int64_t i = 0; i < c.sizes[0]; ++i)
    for (int64_t j = 0; j < c.sizes[1]; ++j) {
      double sum = at(c, i, j);
      for (int64_t p = 0; p < a.sizes[1]; ++p)
        sum += double(at(a, i, p)) * at(b, p, j);
      out.push_back(static_cast<float>(sum));
    }
  return out;
}

void expectProduct(StridedMemRef<float, 2> a, StridedMemRef<float, 2> b,
                   StridedMemRef<float, 2> c) {
  std::vector<float> expected = reference(a, b, c);
  _mlir_ciface___vsla_gemm_f32(&a, &b, &c);
  size_t n = 0;
  for (int64_t i = 0; i < c.sizes[0]; ++i)
    for (int64_t j = 0; j < c.sizes[1]; ++j)
      EXPECT_NEAR(at(c, i, j), expected[n++], 1e-3) << i << ", " << j;
}

std::vector<float> iota(size_t n, float scale = 0.25f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = std::fmod(float(i) * scale, 7.0f) - 3.0f;
  return v;
}

TEST(GemmTest, RowMajorAccumulates) {
  auto a = iota(5 * 7), b = iota(7 * 3, 0.5f), c = iota(5 * 3, 1.0f);
  expectProduct(view(a, 5, 7, 7, 1), view(b, 7, 3, 3, 1), view(c, 5, 3, 3, 1));
}

TEST(GemmTest, TransposedAndOffsetViews) {
  // a is the transpose of a 7x5 buffer; b a window of a wider buffer; c
  // column major.
  auto a = iota(7 * 5), b = iota(10 * 9, 0.5f), c = iota(3 * 5, 1.0f);
  expectProduct(view(a, 5, 7, 1, 5), view(b, 7, 3, 9, 1, /*offset=*/11),
                view(c, 5, 3, 1, 5));
}

TEST(GemmTest, BroadcastViewsAreCopied) {
  // A row repeated (row stride 0) and a column repeated (column stride 0).
  auto a = iota(4), b = iota(4, 0.5f), c = iota(6 * 5, 1.0f);
  expectProduct(view(a, 6, 4, 0, 1), view(b, 4, 5, 1, 0), view(c, 6, 5, 5, 1));
}

TEST(GemmTest, EmptyExtentsLeaveTheResult) {
  auto a = iota(4), b = iota(4), c = iota(4, 1.0f);
  std::vector<float> before = c;
  auto av = view(a, 2, 0, 0, 1), bv = view(b, 0, 2, 2, 1),
       cv = view(c, 2, 2, 2, 1);
  _mlir_ciface___vsla_gemm_f32(&av, &bv, &cv);
  EXPECT_EQ(c, before);
}

TEST(GemmTest, BatchedF64) {
  std::vector<double> a(2 * 3 * 4), b(2 * 4 * 2), c(2 * 3 * 2, 1.0);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = double(i % 5) - 2;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = double(i % 3) - 1;
  StridedMemRef<double, 3> av{a.data(), a.data(), 0, {2, 3, 4}, {12, 4, 1}};
  StridedMemRef<double, 3> bv{b.data(), b.data(), 0, {2, 4, 2}, {8, 2, 1}};
  StridedMemRef<double, 3> cv{c.data(), c.data(), 0, {2, 3, 2}, {6, 2, 1}};
  _mlir_ciface___vsla_batch_gemm_f64(&av, &bv, &cv);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        double sum = 1;
        for (int64_t p = 0; p < 4; ++p)
          sum += a[n * 12 + i * 4 + p] * b[n * 8 + p * 2 + j];
        EXPECT_DOUBLE_EQ(c[n * 6 + i * 2 + j], sum);
      }
}

TEST(GemmTest, ResultsDoNotDependOnThreads) {
  auto a = iota(300 * 200), b = iota(200 * 250, 0.5f);
  std::vector<float> one(300 * 250, 0.0f), many(300 * 250, 0.0f);
  int saved = vsla::rt::getNumThreads();
  vsla::rt::setNumThreads(1);
  auto av = view(a, 300, 200, 200, 1), bv = view(b, 200, 250, 250, 1);
  auto c1 = view(one, 300, 250, 250, 1), c2 = view(many, 300, 250, 250, 1);
  _mlir_ciface___vsla_gemm_f32(&av, &bv, &c1);
  vsla::rt::setNumThreads(4);
  _mlir_ciface___vsla_gemm_f32(&av, &bv, &c2);
  vsla::rt::setNumThreads(saved);
  EXPECT_EQ(one, many);
}

} // namespace

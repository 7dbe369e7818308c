//===- OpsTest.cpp - every vsla op compiled and run against C++ -----------===//
//
// One compiled module holds a function per op; each test feeds it inputs
// (static and dynamic shapes, mismatched and empty) and compares with a
// plain C++ reference.
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/Compiler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <random>
#include <thread>

using namespace vsla;

namespace {

const char *kOps = R"mlir(
  func.func @sub(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.sub %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @maximum(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.maximum %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @minimum(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.minimum %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @unary(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>,
      tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
    %0 = vsla.neg %x : tensor<?xf32>
    %1 = vsla.abs %x : tensor<?xf32>
    %2 = vsla.exp %x : tensor<?xf32>
    %a = vsla.abs %x : tensor<?xf32>
    %3 = vsla.log %a : tensor<?xf32>
    %4 = vsla.sqrt %a : tensor<?xf32>
    %5 = vsla.tanh %x : tensor<?xf32>
    %6 = vsla.sigmoid %x : tensor<?xf32>
    %7 = vsla.relu %x : tensor<?xf32>
    %8 = vsla.gelu %x : tensor<?xf32>
    %9 = vsla.sin %x : tensor<?xf32>
    %10 = vsla.cos %x : tensor<?xf32>
    return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>,
        tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  }
  func.func @scalars(%x: tensor<?xf32>, %s: f32) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
    %0 = vsla.sub_scalar %x, %s : tensor<?xf32>, f32
    %1 = vsla.rdiv_scalar %x, %s : tensor<?xf32>, f32
    %2 = vsla.pow_scalar %x, %s : tensor<?xf32>, f32
    %3 = vsla.maximum_scalar %x, %s : tensor<?xf32>, f32
    return %0, %1, %2, %3 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  }
  func.func @reduce(%x: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
    %0 = vsla.sum %x axes = [1] : tensor<?x?xf32>
    %1 = vsla.mean %x axes = [0] : tensor<?x?xf32>
    %2 = vsla.max %x axes = [1] : tensor<?x?xf32>
    %3 = vsla.min %x axes = [0] : tensor<?x?xf32>
    %4 = vsla.softmax %x axis = 1 : tensor<?x?xf32>
    %5 = vsla.log_softmax %x axis = 0 : tensor<?x?xf32>
    return %0, %1, %2, %3, %4, %5 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
  }
  func.func @layout(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>) {
    %0 = vsla.transpose %x perm = [1, 0] : tensor<?x?xf32>
    %1 = vsla.concat %x, %y axis = 0 : tensor<?x?xf32>, tensor<?x?xf32>
    %2 = vsla.stack %x, %y : tensor<?x?xf32>, tensor<?x?xf32>
    %s = tensor.cast %2 : tensor<2x?x?xf32> to tensor<?x?x?xf32>
    return %0, %1, %s : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>
  }
  func.func @shapes(%x: tensor<?xf32>, %n: index) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
    %c0 = arith.constant 0 : index
    %d = tensor.dim %x, %c0 : tensor<?xf32>
    %0 = vsla.broadcast_to %x to [%n, %d] : tensor<?xf32>
    %1 = vsla.promote %x to [%n] : tensor<?xf32>
    %2 = vsla.shrink %x : tensor<?xf32>
    return %0, %1, %2 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  }
  func.func @cast(%x: tensor<?xf32>) -> (tensor<?xf64>, tensor<?xi32>, tensor<?xi1>) {
    %0 = vsla.cast %x : tensor<?xf32> to tensor<?xf64>
    %1 = vsla.cast %x : tensor<?xf32> to tensor<?xi32>
    %2 = vsla.cast %x : tensor<?xf32> to tensor<?xi1>
    return %0, %1, %2 : tensor<?xf64>, tensor<?xi32>, tensor<?xi1>
  }
  func.func @conv_modes(%a: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
    %0 = vsla.conv %a, %b mode = valid : tensor<?xf32>, tensor<?xf32>
    %1 = vsla.conv %a, %b mode = same : tensor<?xf32>, tensor<?xf32>
    return %0, %1 : tensor<?xf32>, tensor<?xf32>
  }
)mlir";

class OpsTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    static Compiler compiler;
    auto compiled = compiler.compileSource(kOps);
    ASSERT_TRUE(compiled.ok()) << compiled.getStatus().toString();
    executable = *compiled;
  }

  static rt::MemRefDescriptor view(std::vector<float> &data,
                                   std::vector<int64_t> shape) {
    return *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32,
                                              data.data(), shape);
  }

  static std::vector<HostTensor> run(const std::string &name,
                                     std::vector<Argument> arguments) {
    std::vector<HostTensor> results;
    rt::Status status = executable->invoke(name, arguments, results);
    EXPECT_TRUE(status.ok()) << status.toString();
    return results;
  }

  template <typename T = float>
  static std::vector<T> values(const HostTensor &t) {
    const T *data = t.data<T>();
    return std::vector<T>(data, data + t.getDescriptor().getNumElements());
  }

  static std::shared_ptr<Executable> executable;
};

std::shared_ptr<Executable> OpsTest::executable;

std::vector<float> randomVector(std::mt19937 &rng, size_t n) {
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

void expectNear(const std::vector<float> &actual,
                const std::vector<float> &expected, float tolerance = 1e-5f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "at " << i;
      continue;
    }
    if (std::isinf(expected[i])) {
      EXPECT_EQ(actual[i], expected[i]) << "at " << i;
      continue;
    }
    EXPECT_NEAR(actual[i], expected[i],
                tolerance * (1 + std::fabs(expected[i])))
        << "at " << i;
  }
}

TEST_F(OpsTest, AmbientBinaryOps) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 20; ++trial) {
    size_t m = rng() % 17, n = rng() % 17;
    std::vector<float> a = randomVector(rng, m), b = randomVector(rng, n);
    auto ref = [&](float (*fn)(float, float)) {
      std::vector<float> out(std::max(m, n));
      for (size_t i = 0; i < out.size(); ++i)
        out[i] = fn(i < m ? a[i] : 0.0f, i < n ? b[i] : 0.0f);
      return out;
    };
    rt::MemRefDescriptor va = view(a, {int64_t(m)}), vb = view(b, {int64_t(n)});
    std::vector<Argument> args{Argument::tensor(va), Argument::tensor(vb)};
    expectNear(values(run("sub", args)[0]),
               ref([](float x, float y) { return x - y; }));
    expectNear(values(run("maximum", args)[0]),
               ref([](float x, float y) { return std::max(x, y); }));
    expectNear(values(run("minimum", args)[0]),
               ref([](float x, float y) { return std::min(x, y); }));
  }
}

TEST_F(OpsTest, UnaryOps) {
  std::mt19937 rng(2);
  std::vector<float> x = randomVector(rng, 257);
  x[0] = 0.0f;
  x[1] = std::nanf("");
  rt::MemRefDescriptor vx = view(x, {257});
  auto results = run("unary", {Argument::tensor(vx)});
  ASSERT_EQ(results.size(), 11u);
  std::vector<std::function<float(float)>> refs = {
      [](float v) { return -v; },
      [](float v) { return std::fabs(v); },
      [](float v) { return std::exp(v); },
      [](float v) { return std::log(std::fabs(v)); },
      [](float v) { return std::sqrt(std::fabs(v)); },
      [](float v) { return std::tanh(v); },
      [](float v) { return 1.0f / (1.0f + std::exp(-v)); },
      [](float v) { return std::isnan(v) ? v : std::max(v, 0.0f); },
      [](float v) { return 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f))); },
      [](float v) { return std::sin(v); },
      [](float v) { return std::cos(v); },
  };
  for (size_t op = 0; op < refs.size(); ++op) {
    std::vector<float> expected;
    for (float v : x)
      expected.push_back(refs[op](v));
    SCOPED_TRACE("unary result " + std::to_string(op));
    // Polynomial approximations of exp, log, tanh, erf: a few ulp.
    expectNear(values(results[op]), expected, 2e-6f);
  }
}

TEST_F(OpsTest, ScalarOps) {
  std::vector<float> x{1.0f, -2.0f, 0.5f, 4.0f};
  rt::MemRefDescriptor vx = view(x, {4});
  auto results = run("scalars", {Argument::tensor(vx), Argument::scalar(2.0)});
  expectNear(values(results[0]), {-1, -4, -1.5f, 2});
  expectNear(values(results[1]), {2, -1, 4, 0.5f});
  expectNear(values(results[2]), {1, 4, 0.25f, 16});
  expectNear(values(results[3]), {2, 2, 2, 4});
}

TEST_F(OpsTest, ReductionsAndSoftmax) {
  std::mt19937 rng(3);
  const int64_t rows = 5, cols = 7;
  std::vector<float> x = randomVector(rng, rows * cols);
  rt::MemRefDescriptor vx = view(x, {rows, cols});
  auto r = run("reduce", {Argument::tensor(vx)});
  std::vector<float> rowSum(rows, 0), colMean(cols, 0), rowMax(rows, -INFINITY),
      colMin(cols, INFINITY);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float v = x[i * cols + j];
      rowSum[i] += v;
      colMean[j] += v / rows;
      rowMax[i] = std::max(rowMax[i], v);
      colMin[j] = std::min(colMin[j], v);
    }
  expectNear(values(r[0]), rowSum);
  expectNear(values(r[1]), colMean);
  expectNear(values(r[2]), rowMax);
  expectNear(values(r[3]), colMin);
  std::vector<float> softmax(rows * cols), logSoftmax(rows * cols);
  for (int64_t i = 0; i < rows; ++i) {
    float total = 0;
    for (int64_t j = 0; j < cols; ++j)
      total += std::exp(x[i * cols + j] - rowMax[i]);
    for (int64_t j = 0; j < cols; ++j)
      softmax[i * cols + j] = std::exp(x[i * cols + j] - rowMax[i]) / total;
  }
  for (int64_t j = 0; j < cols; ++j) {
    float colMax = -INFINITY, total = 0;
    for (int64_t i = 0; i < rows; ++i)
      colMax = std::max(colMax, x[i * cols + j]);
    for (int64_t i = 0; i < rows; ++i)
      total += std::exp(x[i * cols + j] - colMax);
    for (int64_t i = 0; i < rows; ++i)
      logSoftmax[i * cols + j] = x[i * cols + j] - colMax - std::log(total);
  }
  expectNear(values(r[4]), softmax);
  expectNear(values(r[5]), logSoftmax);
  // An empty extent reduces to the identity: 0, NaN (mean), -inf, +inf.
  std::vector<float> empty;
  rt::MemRefDescriptor ve = view(empty, {3, 0});
  auto e = run("reduce", {Argument::tensor(ve)});
  expectNear(values(e[0]), {0, 0, 0});
  EXPECT_EQ(values(e[1]).size(), 0u);
  expectNear(values(e[2]), {-INFINITY, -INFINITY, -INFINITY});
}

TEST_F(OpsTest, LayoutOps) {
  std::vector<float> x{1, 2, 3, 4, 5, 6}, y{7, 8, 9};
  rt::MemRefDescriptor vx = view(x, {2, 3}), vy = view(y, {1, 3});
  auto r = run("layout", {Argument::tensor(vx), Argument::tensor(vy)});
  EXPECT_EQ(values(r[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(values(r[1]), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // stack of [2, 3] and [1, 3]: the second is zero-extended to [2, 3].
  EXPECT_EQ(r[2].getShape(), (std::vector<int64_t>{2, 2, 3}));
  EXPECT_EQ(values(r[2]),
            (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0}));
}

TEST_F(OpsTest, ShapeOps) {
  std::vector<float> x{3, 2, 0};
  rt::MemRefDescriptor vx = view(x, {3});
  auto r = run("shapes", {Argument::tensor(vx), Argument::scalar(4)});
  EXPECT_EQ(r[0].getShape(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(values(r[0]),
            (std::vector<float>{3, 2, 0, 3, 2, 0, 3, 2, 0, 3, 2, 0}));
  EXPECT_EQ(values(r[1]), (std::vector<float>{3, 2, 0, 0}));
  EXPECT_EQ(values(r[2]), (std::vector<float>{3, 2}));
}

TEST_F(OpsTest, Casts) {
  std::vector<float> x{1.9f, -2.7f, 0.0f, std::nanf("")};
  rt::MemRefDescriptor vx = view(x, {4});
  auto r = run("cast", {Argument::tensor(vx)});
  std::vector<double> wide = values<double>(r[0]);
  EXPECT_DOUBLE_EQ(wide[0], double(1.9f));
  std::vector<int32_t> ints = values<int32_t>(r[1]);
  EXPECT_EQ(ints[0], 1);
  EXPECT_EQ(ints[1], -2);
  std::vector<uint8_t> bools = values<uint8_t>(r[2]);
  EXPECT_EQ(bools, (std::vector<uint8_t>{1, 1, 0, 1}));
}

TEST_F(OpsTest, ConvModesMatchNumpy) {
  // numpy.convolve([1,2,3,4,5], [1,0,-1], mode)
  std::vector<float> a{1, 2, 3, 4, 5}, b{1, 0, -1};
  rt::MemRefDescriptor va = view(a, {5}), vb = view(b, {3});
  auto r = run("conv_modes", {Argument::tensor(va), Argument::tensor(vb)});
  EXPECT_EQ(values(r[0]), (std::vector<float>{2, 2, 2}));
  EXPECT_EQ(values(r[1]), (std::vector<float>{2, 2, 2, 2, -4}));
}

TEST_F(OpsTest, ConcurrentCalls) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      for (int call = 0; call < 50; ++call) {
        size_t m = 1 + rng() % 64, n = 1 + rng() % 64;
        std::vector<float> a = randomVector(rng, m), b = randomVector(rng, n);
        rt::MemRefDescriptor va = view(a, {int64_t(m)}),
                             vb = view(b, {int64_t(n)});
        std::vector<HostTensor> results;
        if (!executable->invoke("sub", {Argument::tensor(va), Argument::tensor(vb)},
                                results)
                 .ok()) {
          ++failures;
          continue;
        }
        std::vector<float> out = values(results[0]);
        for (size_t i = 0; i < out.size(); ++i) {
          float expected = (i < m ? a[i] : 0.0f) - (i < n ? b[i] : 0.0f);
          if (out[i] != expected)
            ++failures;
        }
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(OpsTest, ObjectFile) {
  std::string path = ::testing::TempDir() + "/vsla-ops.o";
  ASSERT_TRUE(executable->writeObjectFile(path).ok());
  FILE *file = std::fopen(path.c_str(), "rb");
  ASSERT_NE(file, nullptr);
  char magic[4] = {};
  EXPECT_EQ(std::fread(magic, 1, 4, file), 4u);
  std::fclose(file);
  EXPECT_EQ(std::string(magic + 1, 3), "ELF");
}

} // namespace

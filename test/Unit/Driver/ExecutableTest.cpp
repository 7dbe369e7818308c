//===- ExecutableTest.cpp - compiled vsla functions against references ----===//
//
// Parses vsla functions from text, compiles them for the host CPU, runs
// them on host buffers and compares with plain C++ references: static,
// dynamic and mismatched shapes, empty tensors and NaN. Also checks that
// results and temporaries come from the buffer pool and that one compiled
// executable serves every length.
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/Compiler.h"
#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/BufferPool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

using namespace vsla;

namespace {

Compiler &getCompiler() {
  static Compiler compiler;
  return compiler;
}

std::shared_ptr<Executable> compileOrFail(const std::string &source) {
  auto executable = getCompiler().compileSource(source);
  EXPECT_TRUE(executable.ok()) << executable.getStatus().toString();
  return executable.ok() ? *executable : nullptr;
}

rt::MemRefDescriptor view(std::vector<float> &data,
                          std::vector<int64_t> shape) {
  return *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, data.data(),
                                            shape);
}

std::vector<float> values(const HostTensor &tensor) {
  const float *data = tensor.data<float>();
  return std::vector<float>(data,
                            data + tensor.getDescriptor().getNumElements());
}

/// Runs a one-result function on tensors.
std::vector<HostTensor> run(const Executable &executable,
                            const std::string &name,
                            std::vector<rt::MemRefDescriptor> inputs) {
  std::vector<Argument> arguments;
  for (const rt::MemRefDescriptor &input : inputs)
    arguments.push_back(Argument::tensor(input));
  std::vector<HostTensor> results;
  rt::Status status = executable.invoke(name, arguments, results);
  EXPECT_TRUE(status.ok()) << status.toString();
  return results;
}

const char *kBinary = R"mlir(
  func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @mul(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.mul %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @div(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.div %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @conv(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
  func.func @kron(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
    %r = vsla.kron %a, %b : tensor<?xf32>, tensor<?xf32>
    return %r : tensor<?xf32>
  }
)mlir";

/// Ambient promotion in plain C++: zeros beyond each operand.
std::vector<float> ambient(const std::vector<float> &a,
                           const std::vector<float> &b,
                           float (*fn)(float, float)) {
  std::vector<float> out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = fn(i < a.size() ? a[i] : 0.0f, i < b.size() ? b[i] : 0.0f);
  return out;
}

std::vector<float> convolve(const std::vector<float> &a,
                            const std::vector<float> &b) {
  if (a.empty() || b.empty())
    return {};
  std::vector<float> out(a.size() + b.size() - 1, 0.0f);
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j)
      out[i + j] += a[i] * b[j];
  return out;
}

void expectNear(const std::vector<float> &actual,
                const std::vector<float> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(actual[i])) << "at " << i;
    else
      EXPECT_NEAR(actual[i], expected[i], 1e-4f * (1 + std::fabs(expected[i])))
          << "at " << i;
  }
}

std::vector<float> randomVector(std::mt19937 &rng, size_t n) {
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

TEST(Executable, KnownGoodValues) {
  auto executable = compileOrFail(kBinary);
  ASSERT_TRUE(executable);
  std::vector<float> a{1, 2, 3}, b{4, 5};
  auto sum = run(*executable, "add", {view(a, {3}), view(b, {2})});
  EXPECT_EQ(values(sum[0]), (std::vector<float>{5, 7, 3}));
  std::vector<float> c{2, 3}, d{4, 5, 6};
  auto product = run(*executable, "mul", {view(c, {2}), view(d, {3})});
  EXPECT_EQ(values(product[0]), (std::vector<float>{8, 15, 0}));
  std::vector<float> e{1, 2}, f{3, 4};
  auto conv = run(*executable, "conv", {view(e, {2}), view(f, {2})});
  EXPECT_EQ(values(conv[0]), (std::vector<float>{3, 10, 8}));
  auto kron = run(*executable, "kron", {view(e, {2}), view(f, {2})});
  EXPECT_EQ(values(kron[0]), (std::vector<float>{3, 4, 6, 8}));
  auto reversed = run(*executable, "kron", {view(f, {2}), view(e, {2})});
  EXPECT_EQ(values(reversed[0]), (std::vector<float>{3, 6, 4, 8}));
}

TEST(Executable, RandomLengthsAgainstReference) {
  auto executable = compileOrFail(kBinary);
  ASSERT_TRUE(executable);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    size_t m = rng() % 40, n = rng() % 40;
    std::vector<float> a = randomVector(rng, m), b = randomVector(rng, n);
    auto sum = run(*executable, "add", {view(a, {int64_t(m)}), view(b, {int64_t(n)})});
    expectNear(values(sum[0]),
               ambient(a, b, [](float x, float y) { return x + y; }));
    auto product = run(*executable, "mul", {view(a, {int64_t(m)}), view(b, {int64_t(n)})});
    expectNear(values(product[0]),
               ambient(a, b, [](float x, float y) { return x * y; }));
    auto conv = run(*executable, "conv", {view(a, {int64_t(m)}), view(b, {int64_t(n)})});
    expectNear(values(conv[0]), convolve(a, b));
  }
}

TEST(Executable, EmptyAndNaN) {
  auto executable = compileOrFail(kBinary);
  ASSERT_TRUE(executable);
  std::vector<float> a{1, -1, 0}, empty;
  auto sum = run(*executable, "add", {view(a, {3}), view(empty, {0})});
  EXPECT_EQ(values(sum[0]), a);
  // Division by an ambient zero: +Inf, -Inf, NaN.
  auto quotient = run(*executable, "div", {view(a, {3}), view(empty, {0})});
  std::vector<float> q = values(quotient[0]);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_TRUE(std::isinf(q[0]) && q[0] > 0);
  EXPECT_TRUE(std::isinf(q[1]) && q[1] < 0);
  EXPECT_TRUE(std::isnan(q[2]));
  std::vector<float> nan{std::nanf(""), 1};
  auto withNan = run(*executable, "add", {view(nan, {2}), view(a, {3})});
  EXPECT_TRUE(std::isnan(values(withNan[0])[0]));
  EXPECT_EQ(values(withNan[0])[2], 0.0f);
  auto conv = run(*executable, "conv", {view(a, {3}), view(empty, {0})});
  EXPECT_EQ(conv[0].getShape(), (std::vector<int64_t>{0}));
}

TEST(Executable, StaticShapesAndMatrices) {
  auto executable = compileOrFail(R"mlir(
    func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x1xf32>) -> tensor<3x3xf32> {
      %r = vsla.add %a, %b : tensor<2x3xf32>, tensor<3x1xf32>
      return %r : tensor<3x3xf32>
    }
    func.func @mm(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
      %r = vsla.matmul %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
      return %r : tensor<?x?xf32>
    }
  )mlir");
  ASSERT_TRUE(executable);
  std::vector<float> a{1, 2, 3, 4, 5, 6}, b{10, 20, 30};
  auto sum = run(*executable, "f", {view(a, {2, 3}), view(b, {3, 1})});
  EXPECT_EQ(values(sum[0]),
            (std::vector<float>{11, 2, 3, 24, 5, 6, 30, 0, 0}));
  // Inner axes 3 and 2: only two terms contribute.
  std::vector<float> m{1, 0, 1, 1};
  auto product = run(*executable, "mm", {view(a, {2, 3}), view(m, {2, 2})});
  EXPECT_EQ(product[0].getShape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values(product[0]), (std::vector<float>{3, 2, 9, 5}));
}

TEST(Executable, NonContiguousInputIsCopied) {
  auto executable = compileOrFail(kBinary);
  ASSERT_TRUE(executable);
  std::vector<float> storage{1, 100, 2, 100, 3, 100};
  auto strided = rt::MemRefDescriptor::get(rt::ElementType::F32,
                                           storage.data(), storage.data(), 0,
                                           {3}, {2});
  ASSERT_TRUE(strided.ok());
  std::vector<float> b{1, 1, 1};
  auto sum = run(*executable, "add", {*strided, view(b, {3})});
  EXPECT_EQ(values(sum[0]), (std::vector<float>{2, 3, 4}));
}

TEST(Executable, BadArgumentsAreErrors) {
  auto executable = compileOrFail(kBinary);
  ASSERT_TRUE(executable);
  std::vector<float> a{1, 2};
  std::vector<HostTensor> results;
  rt::MemRefDescriptor x = view(a, {2});
  rt::Status status =
      executable->invoke("add", {Argument::tensor(x)}, results);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.getMessage().find("takes 2 arguments, got 1"),
            std::string::npos);
  rt::MemRefDescriptor matrix = view(a, {1, 2});
  status = executable->invoke(
      "add", {Argument::tensor(matrix), Argument::tensor(x)}, results);
  EXPECT_NE(status.getMessage().find("is a rank-1 tensor of f32, got a rank-2"),
            std::string::npos);
  status = executable->invoke("nope", {}, results);
  EXPECT_NE(status.getMessage().find("no function @nope"), std::string::npos);
}

TEST(Executable, CompileErrorsAreReported) {
  auto bad = getCompiler().compileSource("func.func @f(%a: tensor<3xf32>, "
                                         "%b: tensor<3x2xf32>) {\n"
                                         "  %r = vsla.add %a, %b : "
                                         "tensor<3xf32>, tensor<3x2xf32>\n"
                                         "  return\n}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.getStatus().getMessage().find("operand ranks differ"),
            std::string::npos);
  auto none = getCompiler().compileSource("func.func private @f()");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.getStatus().getMessage().find("no public function"),
            std::string::npos);
}

TEST(Executable, OneExecutableServesEveryLength) {
  std::string source = R"mlir(
    func.func @filter(%x: tensor<?xf32>, %k: tensor<?xf32>) -> tensor<?xf32> {
      %c = arith.constant 0.5 : f32
      %y = vsla.conv %x, %k : tensor<?xf32>, tensor<?xf32>
      %z = vsla.mul_scalar %y, %c : tensor<?xf32>, f32
      return %z : tensor<?xf32>
    }
  )mlir";
  size_t before = getCompiler().getCacheSize();
  std::vector<float> kernel{1, 2, 1};
  std::mt19937 rng(3);
  std::shared_ptr<Executable> first;
  for (int call = 0; call < 1000; ++call) {
    auto executable = getCompiler().compileSource(source);
    ASSERT_TRUE(executable.ok());
    if (!first)
      first = *executable;
    ASSERT_EQ(executable->get(), first.get());
    size_t n = 1 + call % 97;
    std::vector<float> x = randomVector(rng, n);
    auto out = run(**executable, "filter", {view(x, {int64_t(n)}), view(kernel, {3})});
    std::vector<float> expected = convolve(x, kernel);
    for (float &v : expected)
      v *= 0.5f;
    if (call % 100 == 0)
      expectNear(values(out[0]), expected);
  }
  EXPECT_EQ(getCompiler().getCacheSize(), before + 1);
}

TEST(Executable, WarmCallsAllocateNothingNew) {
  auto executable = compileOrFail(kBinary);
  ASSERT_TRUE(executable);
  auto backing = std::make_unique<rt::HostAllocator>();
  auto pool = rt::BufferPool::create(*backing);
  ASSERT_TRUE(pool.ok());
  rt::CurrentPoolScope scope(**pool);
  std::vector<float> a(1000, 1.0f), b(700, 2.0f);
  for (int warm = 0; warm < 3; ++warm)
    run(*executable, "add", {view(a, {1000}), view(b, {700})});
  uint64_t misses = (*pool)->getStats().misses;
  for (int call = 0; call < 100; ++call) {
    auto out = run(*executable, "conv", {view(a, {1000}), view(b, {700})});
    auto sum = run(*executable, "add", {view(a, {1000}), view(b, {700})});
  }
  // conv's first call warms its own sizes; after that nothing is new.
  uint64_t afterFirstConv = (*pool)->getStats().misses;
  for (int call = 0; call < 100; ++call) {
    auto out = run(*executable, "conv", {view(a, {1000}), view(b, {700})});
    auto sum = run(*executable, "add", {view(a, {1000}), view(b, {700})});
  }
  EXPECT_EQ((*pool)->getStats().misses, afterFirstConv);
  EXPECT_GE(afterFirstConv, misses);
  EXPECT_GT((*pool)->getStats().hits, 200u);
  EXPECT_EQ((*pool)->getStats().liveAllocations, 0u);
}

} // namespace

namespace {

TEST(Executable, OutputsArePassedInWhereShapesFollowFromInputs) {
  auto executable = compileOrFail(R"mlir(
    func.func @conv(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
      %r = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
      return %r : tensor<?xf32>
    }
    func.func @minimal(%a: tensor<?xf32>) -> tensor<?xf32> {
      %r = vsla.shrink %a : tensor<?xf32>
      return %r : tensor<?xf32>
    }
  )mlir");
  ASSERT_TRUE(executable);
  // conv's result length is m + n - 1: a shape function computes it and the
  // runtime passes the output in. shrink's depends on the data.
  EXPECT_TRUE(executable->lookup("conv")->destinationPassing);
  EXPECT_FALSE(executable->lookup("minimal")->destinationPassing);

  auto backing = std::make_unique<rt::HostAllocator>();
  auto pool = rt::BufferPool::create(*backing);
  ASSERT_TRUE(pool.ok());
  rt::CurrentPoolScope scope(**pool);
  std::vector<float> a{1, 2, 3}, b{0.5f, 1.5f}, c{4, 0, 0};
  {
    auto conv = run(*executable, "conv", {view(a, {3}), view(b, {2})});
    EXPECT_EQ(values(conv[0]), (std::vector<float>{0.5f, 2.5f, 4.5f, 4.5f}));
    auto minimal = run(*executable, "minimal", {view(c, {3})});
    EXPECT_EQ(values(minimal[0]), (std::vector<float>{4}));
    // Both results come from the current pool and are still held.
    EXPECT_GE((*pool)->getStats().liveAllocations, 2u);
  }
  EXPECT_EQ((*pool)->getStats().liveAllocations, 0u);
}

} // namespace

namespace {

TEST(Executable, DynamicShapeErrorsAreStatusesNotCrashes) {
  auto executable = compileOrFail(R"mlir(
    func.func @broadcast(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
      %r = vsla.broadcast_to %x to [%n] : tensor<?xf32>
      return %r : tensor<?xf32>
    }
    func.func @concat(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
      %r = vsla.concat %a, %b axis = 0 : tensor<?x?xf32>, tensor<?x?xf32>
      return %r : tensor<?x?xf32>
    }
    func.func @reshape(%x: tensor<?xf32>, %n: index) -> tensor<?x2xf32> {
      %r = vsla.reshape %x to [%n, 2] : tensor<?xf32>
      return %r : tensor<?x2xf32>
    }
    func.func @slice(%x: tensor<?xf32>) -> tensor<3xf32> {
      %r = vsla.slice %x [1] [3] [1] : tensor<?xf32>
      return %r : tensor<3xf32>
    }
    func.func @promote(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
      %r = vsla.promote %x to [%n] : tensor<?xf32>
      return %r : tensor<?xf32>
    }
  )mlir");
  ASSERT_TRUE(executable);
  std::vector<float> three{1, 2, 3}, two{1, 2, 3, 4};
  rt::MemRefDescriptor x = view(three, {3});
  auto call = [&](const char *name, std::vector<Argument> arguments) {
    std::vector<HostTensor> results;
    return executable->invoke(name, arguments, results);
  };
  // Valid calls.
  EXPECT_TRUE(call("broadcast", {Argument::tensor(x), Argument::scalar(3)}).ok());
  EXPECT_TRUE(call("promote", {Argument::tensor(x), Argument::scalar(5)}).ok());
  // broadcast 3 to 4: neither 1 nor the target.
  rt::Status status =
      call("broadcast", {Argument::tensor(x), Argument::scalar(4)});
  EXPECT_EQ(status.getCode(), rt::StatusCode::InvalidArgument);
  EXPECT_NE(status.getMessage().find("vsla.broadcast_to"), std::string::npos);
  EXPECT_NE(status.getMessage().find("neither 1 nor the target"),
            std::string::npos);
  // concat of [2, 2] and [1, 3]: the second axis differs.
  rt::MemRefDescriptor a = view(two, {2, 2}), b = view(three, {1, 3});
  status = call("concat", {Argument::tensor(a), Argument::tensor(b)});
  EXPECT_NE(status.getMessage().find("extents differ on axis 1"),
            std::string::npos);
  // reshape 3 elements into [2, 2].
  status = call("reshape", {Argument::tensor(x), Argument::scalar(2)});
  EXPECT_NE(status.getMessage().find("element counts"), std::string::npos);
  // x[1:4] of a 3-element tensor.
  status = call("slice", {Argument::tensor(x)});
  EXPECT_NE(status.getMessage().find("reads past"), std::string::npos);
  // promote 3 elements to 2.
  status = call("promote", {Argument::tensor(x), Argument::scalar(2)});
  EXPECT_NE(status.getMessage().find("smaller than the input"),
            std::string::npos);
}

} // namespace

namespace {

TEST(Executable, EqualAndUnequalShapesTakeTheirOwnPaths) {
  // Equal lengths run the branch-free, fused variant; unequal lengths the
  // general one. Both must agree with the reference.
  auto executable = compileOrFail(R"mlir(
    func.func @chain(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
      %s = arith.constant 1.5 : f32
      %x = vsla.mul_scalar %a, %s : tensor<?xf32>, f32
      %y = vsla.add %x, %b : tensor<?xf32>, tensor<?xf32>
      %t = vsla.tanh %y : tensor<?xf32>
      %r = vsla.mul %t, %a : tensor<?xf32>, tensor<?xf32>
      return %r : tensor<?xf32>
    }
  )mlir");
  ASSERT_TRUE(executable);
  std::mt19937 rng(9);
  for (auto [m, n] : {std::pair<int64_t, int64_t>{50, 50}, {50, 30}, {30, 50},
                      {0, 7}, {7, 0}}) {
    std::vector<float> a = randomVector(rng, m), b = randomVector(rng, n);
    auto out = run(*executable, "chain", {view(a, {m}), view(b, {n})});
    std::vector<float> expected(std::max(m, n));
    for (int64_t i = 0; i < std::max(m, n); ++i) {
      float x = i < m ? a[i] : 0.0f, y = i < n ? b[i] : 0.0f;
      expected[i] = std::tanh(x * 1.5f + y) * x;
    }
    expectNear(values(out[0]), expected);
  }
}

TEST(Executable, SeveralResultsOfUnequalShapesStayApart) {
  // Regression: two ambient results shared a fill after CSE; writing them in
  // place let the first result's copy-out clobber the second.
  auto executable = compileOrFail(R"mlir(
    func.func @both(%a: tensor<?xf32>, %b: tensor<?xf32>)
        -> (tensor<?xf32>, tensor<?xf32>) {
      %s = vsla.add %a, %b : tensor<?xf32>, tensor<?xf32>
      %d = vsla.sub %a, %b : tensor<?xf32>, tensor<?xf32>
      return %s, %d : tensor<?xf32>, tensor<?xf32>
    }
  )mlir");
  ASSERT_TRUE(executable);
  std::mt19937 rng(11);
  for (auto [m, n] : {std::pair<int64_t, int64_t>{5, 3}, {3, 5}, {4, 4}}) {
    std::vector<float> a = randomVector(rng, m), b = randomVector(rng, n);
    auto out = run(*executable, "both", {view(a, {m}), view(b, {n})});
    std::vector<float> sum(std::max(m, n)), difference(std::max(m, n));
    for (int64_t i = 0; i < std::max(m, n); ++i) {
      float x = i < m ? a[i] : 0.0f, y = i < n ? b[i] : 0.0f;
      sum[i] = x + y;
      difference[i] = x - y;
    }
    expectNear(values(out[0]), sum);
    expectNear(values(out[1]), difference);
  }
}

} // namespace

namespace {

/// Runs @double_it of `executable` on [1, 2] and returns the result.
std::vector<float> doubled(const Executable &executable) {
  std::vector<float> x = {1, 2};
  auto xs = view(x, {2});
  std::vector<HostTensor> results;
  rt::Status status =
      executable.invoke("double_it", {Argument::tensor(xs)}, results);
  EXPECT_TRUE(status.ok()) << status.toString();
  if (!status.ok())
    return {};
  return std::vector<float>(results[0].data<float>(),
                            results[0].data<float>() + 2);
}

} // namespace

TEST(Executable, ThePersistentCacheServesANewCompiler) {
  char pattern[] = "/tmp/vsla-cache-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const char *previous = std::getenv("VSLA_CACHE_DIR");
  std::string saved = previous ? previous : "";
  setenv("VSLA_CACHE_DIR", pattern, 1);
  const std::string source = R"mlir(
    func.func @double_it(%x: tensor<?xf32>) -> tensor<?xf32> {
      %two = arith.constant 2.0 : f32
      %r = vsla.mul_scalar %x, %two : tensor<?xf32>, f32
      return %r : tensor<?xf32>
    })mlir";
  {
    Compiler first;
    auto compiled = first.compileSource(source);
    ASSERT_TRUE(compiled.ok()) << compiled.getStatus().toString();
    EXPECT_FALSE((*compiled)->isFromCache());
    EXPECT_EQ(doubled(**compiled), (std::vector<float>{2, 4}));
  }
  std::string entry;
  {
    Compiler second;
    auto cached = second.compileSource(source);
    ASSERT_TRUE(cached.ok());
    EXPECT_TRUE((*cached)->isFromCache());
    EXPECT_EQ(doubled(**cached), (std::vector<float>{2, 4}));
    // The cache's code can be exported again.
    EXPECT_TRUE((*cached)->getArtifact().ok());
  }
  // An entry whose stored key differs (a hash collision, or a file put there
  // by hand) is a miss, compiled again and replaced.
  std::string command = std::string("ls ") + pattern + "/*.vsla";
  FILE *list = popen(command.c_str(), "r");
  ASSERT_NE(list, nullptr);
  char path[4096] = {};
  ASSERT_NE(fgets(path, sizeof(path), list), nullptr);
  pclose(list);
  entry = path;
  entry.erase(entry.find_last_not_of("\n") + 1);
  auto bytes = rt::readFile(entry);
  ASSERT_TRUE(bytes.ok());
  auto contents = rt::parseArtifact(bytes->data(), bytes->size());
  ASSERT_TRUE(contents.ok());
  contents->cacheKey += " (another module)";
  ASSERT_TRUE(
      rt::writeFileAtomically(entry, rt::serializeArtifact(*contents)).ok());
  {
    Compiler third;
    auto recompiled = third.compileSource(source);
    ASSERT_TRUE(recompiled.ok());
    EXPECT_FALSE((*recompiled)->isFromCache());
    EXPECT_EQ(doubled(**recompiled), (std::vector<float>{2, 4}));
  }
  {
    Compiler fourth;
    auto cached = fourth.compileSource(source);
    ASSERT_TRUE(cached.ok());
    EXPECT_TRUE((*cached)->isFromCache());
  }
  if (previous)
    setenv("VSLA_CACHE_DIR", saved.c_str(), 1);
  else
    unsetenv("VSLA_CACHE_DIR");
  (void)std::system((std::string("rm -rf ") + pattern).c_str());
}

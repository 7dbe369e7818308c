//===- FunctionBuilderTest.cpp - building vsla functions op by op ---------===//
//
// The front ends' path into the compiler: ops created by name get the result
// types their shape rules infer, bad operands come back as statuses that name
// the op and the source location, and a built function compiles and runs.
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/FunctionBuilder.h"

#include <gtest/gtest.h>

using namespace vsla;

namespace {

Compiler &getCompiler() {
  static Compiler compiler;
  return compiler;
}

TypeSpec tensorOf(std::vector<int64_t> shape,
                  rt::ElementType type = rt::ElementType::F32) {
  TypeSpec spec;
  spec.elementType = type;
  spec.shape = std::move(shape);
  return spec;
}

SourceLocation at(unsigned line) { return {"model.py", line, 1}; }

TEST(FunctionBuilder, InfersResultTypes) {
  FunctionBuilder b(getCompiler(), "f");
  auto x = *b.addArgument(tensorOf({3}));
  auto y = *b.addArgument(tensorOf({TypeSpec::kDynamic}));
  auto sum = b.create("vsla.add", {x, y}, {}, at(1));
  ASSERT_TRUE(sum.ok()) << sum.getStatus().toString();
  EXPECT_EQ(b.getType((*sum)[0])->shape,
            std::vector<int64_t>{TypeSpec::kDynamic});
  auto conv = b.create("vsla.conv", {x, x}, {{"mode", "#vsla<conv_mode full>"}},
                       at(2));
  ASSERT_TRUE(conv.ok()) << conv.getStatus().toString();
  EXPECT_EQ(b.getType((*conv)[0])->shape, std::vector<int64_t>{5});
  auto reduced =
      b.create("vsla.sum", {(*conv)[0]}, {{"axes", "array<i64: 0>"}}, at(3));
  ASSERT_TRUE(reduced.ok());
  EXPECT_TRUE(b.getType((*reduced)[0])->shape.empty());
  auto widened = b.createCast((*reduced)[0], rt::ElementType::F64, at(4));
  ASSERT_TRUE(widened.ok());
  EXPECT_EQ(b.getType(*widened)->elementType, rt::ElementType::F64);
}

TEST(FunctionBuilder, ErrorsNameTheOpAndTheLocation) {
  FunctionBuilder b(getCompiler(), "f");
  auto x = *b.addArgument(tensorOf({3}));
  auto m = *b.addArgument(tensorOf({2, 3}));
  auto bad = b.create("vsla.add", {x, m}, {}, at(7));
  ASSERT_FALSE(bad.ok());
  const std::string &message = bad.getStatus().getMessage();
  EXPECT_NE(message.find("model.py\":7"), std::string::npos) << message;
  EXPECT_NE(message.find("vsla.add"), std::string::npos) << message;
  EXPECT_NE(message.find("ranks differ"), std::string::npos) << message;

  EXPECT_FALSE(b.create("vsla.no_such_op", {x}, {}, at(8)).ok());
  EXPECT_FALSE(b.create("vsla.sum", {x}, {{"axes", "array<i64: 4>"}}, at(9)).ok());
  EXPECT_FALSE(b.create("vsla.sum", {x}, {{"axes", "not an attribute"}}, at(9)).ok());
  EXPECT_FALSE(b.create("vsla.neg", {42}, {}, at(10)).ok());
  // The builder is still usable after errors.
  EXPECT_TRUE(b.create("vsla.neg", {x}, {}, at(11)).ok());
}

TEST(FunctionBuilder, BuildsCompilesAndRuns) {
  FunctionBuilder b(getCompiler(), "scaled_conv");
  auto x = *b.addArgument(tensorOf({TypeSpec::kDynamic}));
  std::vector<float> taps = {0.5f, 1.5f};
  auto h = *b.createConstant(rt::ElementType::F32, {2}, taps.data(), at(1));
  auto conv = (*b.create("vsla.conv", {x, h}, {}, at(2)))[0];
  auto scale = *b.createScalarConstant(rt::ElementType::F32, 2.0, false);
  auto scaled = (*b.create("vsla.mul_scalar", {conv, scale}, {}, at(3)))[0];
  ASSERT_TRUE(b.finish({scaled}).ok());
  EXPECT_NE(b.print().find("vsla.conv"), std::string::npos);
  auto executable = b.compile();
  ASSERT_TRUE(executable.ok()) << executable.getStatus().toString();

  std::vector<float> input = {1, 2, 3};
  auto descriptor =
      *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, input.data(), {3});
  std::vector<HostTensor> results;
  ASSERT_TRUE(
      (*executable)->invoke("scaled_conv", {Argument::tensor(descriptor)}, results).ok());
  ASSERT_EQ(results.size(), 1u);
  std::vector<float> expected = {1, 5, 9, 9};  // 2 * conv([1,2,3], [0.5,1.5])
  ASSERT_EQ(results[0].getShape(), std::vector<int64_t>{4});
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_FLOAT_EQ(results[0].data<float>()[i], expected[i]);
}

TEST(FunctionBuilder, IndexArgumentsSizeShapes) {
  FunctionBuilder b(getCompiler(), "grow");
  auto x = *b.addArgument(tensorOf({TypeSpec::kDynamic}));
  TypeSpec index;
  index.isTensor = false;
  index.isIndex = true;
  auto n = *b.addArgument(index);
  auto grown = b.create("vsla.promote", {x, n},
                        {{"static_shape", "array<i64: -9223372036854775808>"}},
                        at(1));
  ASSERT_TRUE(grown.ok()) << grown.getStatus().toString();
  ASSERT_TRUE(b.finish(*grown).ok());
  auto executable = b.compile();
  ASSERT_TRUE(executable.ok()) << executable.getStatus().toString();
  std::vector<float> input = {1, 2};
  auto descriptor =
      *rt::MemRefDescriptor::getRowMajor(rt::ElementType::F32, input.data(), {2});
  std::vector<HostTensor> results;
  ASSERT_TRUE((*executable)
                  ->invoke("grow", {Argument::tensor(descriptor), Argument::scalar(4)},
                           results)
                  .ok());
  EXPECT_EQ(results[0].getShape(), std::vector<int64_t>{4});
  results.clear();
  // Promoting to a smaller extent fails the run-time shape check.
  EXPECT_FALSE((*executable)
                   ->invoke("grow", {Argument::tensor(descriptor), Argument::scalar(1)},
                            results)
                   .ok());
}

} // namespace

//===- ReifyTest.cpp - result dims computed from operand dims -------------===//
//
// Builds vsla ops on dynamic tensors and checks their reified result dims:
// static extents come back as attributes, dynamic ones as index values.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class ReifyTest : public ::testing::Test {
protected:
  ReifyTest() {
    context.loadDialect<vsla::VslaDialect, func::FuncDialect>();
  }

  /// Parses `body` as the only function of a module and returns the op
  /// that defines the returned value.
  Operation *parseResultOp(StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return nullptr;
    auto func = cast<func::FuncOp>(module->getBody()->front());
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    return ret.getOperand(0).getDefiningOp();
  }

  ReifiedRankedShapedTypeDims reify(Operation *op) {
    OpBuilder builder(op);
    ReifiedRankedShapedTypeDims dims;
    EXPECT_TRUE(succeeded(
        cast<ReifyRankedShapedTypeOpInterface>(op).reifyResultShapes(builder,
                                                                      dims)));
    return dims;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

std::optional<int64_t> constantOf(OpFoldResult ofr) {
  return getConstantIntValue(ofr);
}

TEST_F(ReifyTest, AmbientAddOfStaticAndEmpty) {
  Operation *op = parseResultOp(R"mlir(
    func.func @f(%a: tensor<?x3xf32>, %b: tensor<0x5xf32>) -> tensor<?x5xf32> {
      %r = vsla.add %a, %b : tensor<?x3xf32>, tensor<0x5xf32>
      return %r : tensor<?x5xf32>
    })mlir");
  ASSERT_TRUE(op);
  ReifiedRankedShapedTypeDims dims = reify(op);
  ASSERT_EQ(dims.size(), 1u);
  ASSERT_EQ(dims[0].size(), 2u);
  // max(?, 0) is the dynamic extent of %a itself: a tensor.dim, no max.
  auto dim = dyn_cast_if_present<Value>(dims[0][0]);
  ASSERT_TRUE(dim);
  EXPECT_TRUE(isa<tensor::DimOp>(dim.getDefiningOp()));
  EXPECT_EQ(constantOf(dims[0][1]), 5);
}

TEST_F(ReifyTest, ConvFullOfDynamicExtents) {
  Operation *op = parseResultOp(R"mlir(
    func.func @f(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
      %r = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
      return %r : tensor<?xf32>
    })mlir");
  ASSERT_TRUE(op);
  ReifiedRankedShapedTypeDims dims = reify(op);
  auto dim = dyn_cast_if_present<Value>(dims[0][0]);
  ASSERT_TRUE(dim);
  // The empty case is guarded: the extent is a select.
  EXPECT_TRUE(isa<arith::SelectOp>(dim.getDefiningOp()));
}

TEST_F(ReifyTest, KronAndMatmulStaticExtentsAreAttributes) {
  Operation *kron = parseResultOp(R"mlir(
    func.func @f(%a: tensor<2x?xf32>, %b: tensor<3x1xf32>) -> tensor<6x?xf32> {
      %r = vsla.kron %a, %b : tensor<2x?xf32>, tensor<3x1xf32>
      return %r : tensor<6x?xf32>
    })mlir");
  ASSERT_TRUE(kron);
  ReifiedRankedShapedTypeDims dims = reify(kron);
  EXPECT_EQ(constantOf(dims[0][0]), 6);
  // ? * 1 is the dynamic extent itself.
  EXPECT_TRUE(isa<tensor::DimOp>(
      cast<Value>(dims[0][1]).getDefiningOp()));

  Operation *matmul = parseResultOp(R"mlir(
    func.func @f(%a: tensor<?x4x8xf32>, %b: tensor<3x6x16xf32>) -> tensor<?x4x16xf32> {
      %r = vsla.matmul %a, %b : tensor<?x4x8xf32>, tensor<3x6x16xf32>
      return %r : tensor<?x4x16xf32>
    })mlir");
  ASSERT_TRUE(matmul);
  dims = reify(matmul);
  ASSERT_EQ(dims[0].size(), 3u);
  EXPECT_TRUE(isa<arith::MaxUIOp>(cast<Value>(dims[0][0]).getDefiningOp()));
  EXPECT_EQ(constantOf(dims[0][1]), 4);
  EXPECT_EQ(constantOf(dims[0][2]), 16);
}

TEST_F(ReifyTest, StackOfRaggedInputs) {
  Operation *op = parseResultOp(R"mlir(
    func.func @f(%a: tensor<2xf32>, %b: tensor<?xf32>, %c: tensor<1xf32>) -> tensor<3x?xf32> {
      %r = vsla.stack %a, %b, %c : tensor<2xf32>, tensor<?xf32>, tensor<1xf32>
      return %r : tensor<3x?xf32>
    })mlir");
  ASSERT_TRUE(op);
  ReifiedRankedShapedTypeDims dims = reify(op);
  EXPECT_EQ(constantOf(dims[0][0]), 3);
  EXPECT_TRUE(isa<Value>(dims[0][1]));
}

TEST_F(ReifyTest, ParserRejectsBadShapesWithoutCrashing) {
  // Type inference runs during parsing, before the verifier.
  context.getDiagEngine().registerHandler([](Diagnostic &) {});
  EXPECT_FALSE(parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
      %r = vsla.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
      return
    })mlir", &context));
  EXPECT_FALSE(parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%a: i32, %b: i32) {
      %r = vsla.add %a, %b : i32, i32
      return
    })mlir", &context));
}

} // namespace

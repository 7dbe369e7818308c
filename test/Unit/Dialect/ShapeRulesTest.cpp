//===- ShapeRulesTest.cpp - the shape rules on integer extents ------------===//

#include "vsla/Dialect/ShapeRules.h"
#include "vsla/Dialect/VslaEnums.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

#include <gtest/gtest.h>

using namespace mlir::vsla;
using namespace mlir::vsla::shape;

namespace {

constexpr int64_t Q = kDynamic;

TEST(ShapeRules, DynamicMatchesMlir) {
  EXPECT_EQ(kDynamic, mlir::ShapedType::kDynamic);
}

TEST(ShapeRules, AmbientExtent) {
  EXPECT_EQ(ambientExtent(3, 2), 3);
  EXPECT_EQ(ambientExtent(2, 5), 5);
  EXPECT_EQ(ambientExtent(3, Q), Q);
  EXPECT_EQ(ambientExtent(Q, Q), Q);
  // The empty extent is the identity, even against a dynamic one.
  EXPECT_EQ(ambientExtent(Q, 0), Q);
  EXPECT_EQ(ambientExtent(0, 7), 7);
  EXPECT_EQ(ambientExtent(0, 0), 0);
}

TEST(ShapeRules, ConvExtent) {
  EXPECT_EQ(convExtent(3, 2, ConvMode::full), 4);
  EXPECT_EQ(convExtent(2, 2, ConvMode::full), 3);
  EXPECT_EQ(convExtent(5, 3, ConvMode::valid), 3);
  EXPECT_EQ(convExtent(3, 5, ConvMode::valid), 3);
  EXPECT_EQ(convExtent(3, 5, ConvMode::same), 5);
  EXPECT_EQ(convExtent(1, 1, ConvMode::full), 1);
  for (ConvMode mode : {ConvMode::full, ConvMode::valid, ConvMode::same}) {
    EXPECT_EQ(convExtent(0, 4, mode), 0);
    EXPECT_EQ(convExtent(Q, 0, mode), 0);
    EXPECT_EQ(convExtent(Q, 4, mode), Q);
  }
}

TEST(ShapeRules, KronExtent) {
  EXPECT_EQ(kronExtent(2, 3), 6);
  EXPECT_EQ(kronExtent(Q, 3), Q);
  EXPECT_EQ(kronExtent(Q, 0), 0);
  EXPECT_EQ(kronExtent(int64_t(1) << 40, int64_t(1) << 40), std::nullopt);
}

TEST(ShapeRules, AmbientShape) {
  std::string error;
  EXPECT_EQ(*ambientShape({3}, {2}, error), (Shape{3}));
  EXPECT_EQ(*ambientShape({2, 3}, {3, 1}, error), (Shape{3, 3}));
  EXPECT_EQ(*ambientShape({Q, 4}, {0, 4}, error), (Shape{Q, 4}));
  EXPECT_EQ(*ambientShape({}, {}, error), (Shape{}));
  EXPECT_FALSE(ambientShape({2, 3}, {3}, error));
  EXPECT_NE(error.find("operand ranks differ (2 vs 1"), std::string::npos);
  EXPECT_NE(error.find("vsla.broadcast_to"), std::string::npos);
}

TEST(ShapeRules, ConvShape) {
  std::string error;
  EXPECT_EQ(*convShape({3}, {2}, ConvMode::full, error), (Shape{4}));
  EXPECT_EQ(*convShape({4, 3}, {2, 2}, ConvMode::full, error), (Shape{4, 4}));
  EXPECT_EQ(*convShape({Q, 8}, {1, 3}, ConvMode::valid, error),
            (Shape{Q, 6}));
  EXPECT_FALSE(convShape({}, {}, ConvMode::full, error));
  EXPECT_NE(error.find("rank >= 1"), std::string::npos);
}

TEST(ShapeRules, KronShape) {
  std::string error;
  EXPECT_EQ(*kronShape({2}, {2}, error), (Shape{4}));
  EXPECT_EQ(*kronShape({2, Q}, {3, 2}, error), (Shape{6, Q}));
  EXPECT_FALSE(kronShape({2}, {2, 2}, error));
}

TEST(ShapeRules, MatmulShape) {
  std::string error;
  EXPECT_EQ(*matmulShape({4, 8}, {6, 16}, error), (Shape{4, 16}));
  EXPECT_EQ(*matmulShape({Q, 4, 8}, {3, 8, 2}, error), (Shape{Q, 4, 2}));
  EXPECT_EQ(*matmulShape({2, 4, 8}, {3, 8, 2}, error), (Shape{3, 4, 2}));
  EXPECT_FALSE(matmulShape({4}, {4}, error));
  EXPECT_NE(error.find("rank >= 2"), std::string::npos);
}

TEST(ShapeRules, BroadcastShape) {
  std::string error;
  EXPECT_EQ(*broadcastShape({3}, {Q, 3}, error), (Shape{Q, 3}));
  EXPECT_EQ(*broadcastShape({1, 3}, {5, 3}, error), (Shape{5, 3}));
  EXPECT_EQ(*broadcastShape({Q}, {4, 7}, error), (Shape{4, 7}));
  EXPECT_FALSE(broadcastShape({2, 3}, {3}, error));
  EXPECT_FALSE(broadcastShape({2}, {4, 3}, error));
  EXPECT_NE(error.find("neither 1 nor 3"), std::string::npos);
  EXPECT_FALSE(broadcastShape({2}, {-2}, error));
}

TEST(ShapeRules, PromoteShape) {
  std::string error;
  EXPECT_EQ(*promoteShape({2, Q}, {4, Q}, error), (Shape{4, Q}));
  EXPECT_EQ(*promoteShape({2}, {2}, error), (Shape{2}));
  EXPECT_FALSE(promoteShape({5}, {3}, error));
  EXPECT_NE(error.find("would shrink from 5 to 3"), std::string::npos);
  EXPECT_FALSE(promoteShape({5}, {5, 1}, error));
}

TEST(ShapeRules, ReshapeShape) {
  std::string error;
  EXPECT_EQ(*reshapeShape({6}, {2, 3}, error), (Shape{2, 3}));
  EXPECT_EQ(*reshapeShape({Q}, {2, 3}, error), (Shape{2, 3}));
  EXPECT_EQ(*reshapeShape({6}, {Q, 3}, error), (Shape{Q, 3}));
  EXPECT_FALSE(reshapeShape({6}, {4}, error));
  EXPECT_NE(error.find("6 elements"), std::string::npos);
}

TEST(ShapeRules, ReductionShape) {
  std::string error;
  EXPECT_EQ(*reductionShape({2, Q, 4}, {1}, false, error), (Shape{2, 4}));
  EXPECT_EQ(*reductionShape({2, Q, 4}, {0, 2}, true, error),
            (Shape{1, Q, 1}));
  EXPECT_EQ(*reductionShape({2, 3}, {}, false, error), (Shape{2, 3}));
  EXPECT_EQ(*reductionShape({2, 3}, {0, 1}, false, error), (Shape{}));
  EXPECT_FALSE(reductionShape({2, 3}, {2}, false, error));
  EXPECT_NE(error.find("out of range for rank 2"), std::string::npos);
  EXPECT_FALSE(reductionShape({2, 3}, {1, 1}, false, error));
  EXPECT_NE(error.find("appears twice"), std::string::npos);
  EXPECT_FALSE(reductionShape({2, 3}, {-1}, false, error));
}

TEST(ShapeRules, TransposeShape) {
  std::string error;
  EXPECT_EQ(*transposeShape({2, Q, 4}, {2, 0, 1}, error), (Shape{4, 2, Q}));
  EXPECT_FALSE(transposeShape({2, 3}, {0}, error));
  EXPECT_FALSE(transposeShape({2, 3}, {0, 0}, error));
  EXPECT_FALSE(transposeShape({2, 3}, {0, 2}, error));
}

TEST(ShapeRules, SliceShape) {
  std::string error;
  EXPECT_EQ(*sliceShape({6, Q}, {1, 0}, {2, Q}, {2, 1}, error), (Shape{2, Q}));
  EXPECT_EQ(*sliceShape({6}, {6}, {0}, {1}, error), (Shape{0}));
  EXPECT_FALSE(sliceShape({6}, {1}, {3}, {3}, error));
  EXPECT_NE(error.find("reads past the extent 6"), std::string::npos);
  EXPECT_FALSE(sliceShape({6}, {0}, {1}, {0}, error));
  EXPECT_FALSE(sliceShape({6}, {-1}, {1}, {1}, error));
  EXPECT_FALSE(sliceShape({6}, {0, 0}, {1}, {1}, error));
}

TEST(ShapeRules, ConcatShape) {
  std::string error;
  EXPECT_EQ(*concatShape({{2, 3}, {Q, 3}}, 0, error), (Shape{Q, 3}));
  EXPECT_EQ(*concatShape({{2, 3}, {4, 3}}, 0, error), (Shape{6, 3}));
  EXPECT_EQ(*concatShape({{2, Q}, {4, 3}}, 0, error), (Shape{6, 3}));
  EXPECT_FALSE(concatShape({{2, 3}, {2, 4}}, 0, error));
  EXPECT_NE(error.find("vsla.promote"), std::string::npos);
  EXPECT_FALSE(concatShape({{2, 3}, {2}}, 0, error));
  EXPECT_FALSE(concatShape({}, 0, error));
  EXPECT_FALSE(concatShape({{2}}, 1, error));
}

TEST(ShapeRules, StackShape) {
  std::string error;
  EXPECT_EQ(*stackShape({{2}, {3}, {1}}, error), (Shape{3, 3}));
  EXPECT_EQ(*stackShape({{2, Q}, {3, 1}}, error), (Shape{2, 3, Q}));
  EXPECT_EQ(*stackShape({{}, {}}, error), (Shape{2}));
  EXPECT_FALSE(stackShape({{2}, {2, 2}}, error));
  EXPECT_FALSE(stackShape({}, error));
}

TEST(ShapeRules, WindowCount) {
  EXPECT_EQ(windowCount(4, 3, false), 1);
  EXPECT_EQ(windowCount(4, 3, true), 2);
  EXPECT_EQ(windowCount(6, 3, false), 2);
  EXPECT_EQ(windowCount(2, 3, false), 0);
  EXPECT_EQ(windowCount(0, 3, true), 0);
}

TEST(ShapeRules, FormatShape) {
  EXPECT_EQ(formatShape({3, Q, 0}), "[3, ?, 0]");
  EXPECT_EQ(formatShape({}), "[]");
}

} // namespace

//===- StatusTest.cpp - Status and StatusOr -------------------------------===//

#include "vsla/runtime/Status.h"

#include <gtest/gtest.h>

#include <memory>

using namespace vsla::rt;

namespace {

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.getCode(), StatusCode::Ok);
  EXPECT_EQ(status.toString(), "ok");
}

TEST(Status, CodeNamesAreSnakeCase) {
  EXPECT_STREQ(statusCodeName(StatusCode::Ok), "ok");
  EXPECT_STREQ(statusCodeName(StatusCode::InvalidArgument), "invalid_argument");
  EXPECT_STREQ(statusCodeName(StatusCode::OutOfMemory), "out_of_memory");
  EXPECT_STREQ(statusCodeName(StatusCode::FailedPrecondition),
               "failed_precondition");
  EXPECT_STREQ(statusCodeName(StatusCode::Unavailable), "unavailable");
  EXPECT_STREQ(statusCodeName(StatusCode::Internal), "internal");
}

TEST(Status, ConstructorsSetCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
  };
  Case cases[] = {
      {invalidArgument("m"), StatusCode::InvalidArgument},
      {outOfMemory("m"), StatusCode::OutOfMemory},
      {failedPrecondition("m"), StatusCode::FailedPrecondition},
      {unavailable("m"), StatusCode::Unavailable},
      {internalError("m"), StatusCode::Internal},
  };
  for (const Case &c : cases) {
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.getCode(), c.code);
    EXPECT_EQ(c.status.getMessage(), "m");
  }
  EXPECT_EQ(
      unavailable("libcuda.so.1 not found; install the driver").toString(),
      "unavailable: libcuda.so.1 not found; install the driver");
}

TEST(StatusOr, HoldsValue) {
  StatusOr<int> result = 42;
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.getStatus().ok());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(result.value(), 42);
}

TEST(StatusOr, HoldsError) {
  StatusOr<int> result = invalidArgument("size -1 is negative");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.getStatus().getCode(), StatusCode::InvalidArgument);
  EXPECT_EQ(result.getStatus().getMessage(), "size -1 is negative");
}

TEST(StatusOr, MovesMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> result = std::make_unique<int>(7);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result->get(), 7);
  std::unique_ptr<int> taken = std::move(result).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 7);
}

TEST(StatusOrDeathTest, ValueOfErrorAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  StatusOr<int> result = outOfMemory("no memory");
  EXPECT_DEATH((void)result.value(),
               "value\\(\\) of a failed StatusOr \\(out_of_memory: no "
               "memory\\); check ok\\(\\)");
}

TEST(StatusOrDeathTest, OkStatusWithoutValueAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(StatusOr<int> result(okStatus()),
               "StatusOr built from an ok Status");
}

} // namespace

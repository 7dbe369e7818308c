//===- CApiTest.cpp - the runtime's C interface over DLPack tensors -------===//

#include "vsla/runtime/CApi.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

/// Takes the C interface's error message (null: success) and frees it.
std::string takeMessage(char *message) {
  std::string text = message ? message : "";
  vsla_free_string(message);
  return text;
}

vsla_dl_tensor_t hostTensor(void *data, std::vector<int64_t> &shape,
                            vsla_dl_data_type_t dtype = {VSLA_DL_FLOAT, 32, 1}) {
  vsla_dl_tensor_t t{};
  t.data = data;
  t.device = {VSLA_DL_CPU, 0};
  t.ndim = static_cast<int32_t>(shape.size());
  t.dtype = dtype;
  t.shape = shape.data();
  return t;
}

struct Loaded {
  vsla_module_t *module = nullptr;
  Loaded() {
    EXPECT_EQ(takeMessage(vsla_module_load(VSLA_TEST_ARTIFACT, &module)), "");
  }
  ~Loaded() { vsla_module_release(module); }
};

TEST(CApi, ListsTheFunctionsAndCallsThemOnDLPackTensors) {
  Loaded loaded;
  ASSERT_NE(loaded.module, nullptr);
  size_t axpy = SIZE_MAX;
  for (size_t i = 0; i < vsla_module_function_count(loaded.module); ++i)
    if (std::string(vsla_module_function_name(loaded.module, i)) == "axpy")
      axpy = i;
  ASSERT_NE(axpy, SIZE_MAX);
  EXPECT_STREQ(vsla_module_function_device(loaded.module, axpy), "host");
  EXPECT_EQ(vsla_module_function_arguments(loaded.module, axpy), 3u);
  EXPECT_EQ(vsla_module_function_results(loaded.module, axpy), 1u);

  float a = 2;
  std::vector<float> x = {1, 2, 3, 4}, y = {10, 20};
  std::vector<int64_t> scalarShape, xShape = {4}, yShape = {2};
  vsla_dl_tensor_t ta = hostTensor(&a, scalarShape);
  vsla_dl_tensor_t tx = hostTensor(x.data(), xShape);
  vsla_dl_tensor_t ty = hostTensor(y.data(), yShape);
  const vsla_dl_tensor_t *arguments[] = {&ta, &tx, &ty};
  vsla_dl_managed_tensor_t *results[1] = {};
  size_t count = 0;
  ASSERT_EQ(takeMessage(vsla_module_call(loaded.module, "axpy", arguments, 3,
                                         results, 1, &count)),
            "");
  ASSERT_EQ(count, 1u);
  const vsla_dl_tensor_t &r = results[0]->dl_tensor;
  EXPECT_EQ(r.device.device_type, VSLA_DL_CPU);
  ASSERT_EQ(r.ndim, 1);
  EXPECT_EQ(r.shape[0], 4);
  EXPECT_EQ(r.dtype.code, VSLA_DL_FLOAT);
  EXPECT_EQ(r.dtype.bits, 32);
  const float *values = static_cast<const float *>(r.data);
  EXPECT_EQ(std::vector<float>(values, values + 4),
            (std::vector<float>{12, 24, 6, 8}));
  results[0]->deleter(results[0]);
}

TEST(CApi, BadCallsAreMessagesNotCrashes) {
  vsla_module_t *missing = nullptr;
  EXPECT_NE(takeMessage(vsla_module_load("/nonexistent.vsla", &missing)), "");
  EXPECT_EQ(missing, nullptr);
  EXPECT_NE(takeMessage(vsla_module_load(nullptr, &missing)), "");

  Loaded loaded;
  ASSERT_NE(loaded.module, nullptr);
  float a = 2;
  std::vector<float> x = {1, 2};
  std::vector<int64_t> scalarShape, xShape = {2};
  vsla_dl_tensor_t ta = hostTensor(&a, scalarShape);
  vsla_dl_tensor_t tx = hostTensor(x.data(), xShape);
  vsla_dl_managed_tensor_t *results[1] = {};
  size_t count = 0;
  const vsla_dl_tensor_t *two[] = {&ta, &tx};
  EXPECT_NE(takeMessage(vsla_module_call(loaded.module, "axpy", two, 2, results,
                                         1, &count))
                .find("takes 3 arguments, got 2"),
            std::string::npos);
  EXPECT_NE(takeMessage(vsla_module_call(loaded.module, "nope", two, 2, results,
                                         1, &count))
                .find("no function @nope"),
            std::string::npos);
  // Device memory for a host function, a vector dtype, a null argument.
  vsla_dl_tensor_t onGpu = tx;
  onGpu.device = {VSLA_DL_CUDA, 0};
  const vsla_dl_tensor_t *wrongDevice[] = {&ta, &onGpu, &tx};
  EXPECT_NE(takeMessage(vsla_module_call(loaded.module, "axpy", wrongDevice, 3,
                                         results, 1, &count))
                .find("CUDA device memory; the function runs on the host"),
            std::string::npos);
  vsla_dl_tensor_t vector = hostTensor(x.data(), xShape, {VSLA_DL_FLOAT, 32, 4});
  const vsla_dl_tensor_t *wrongType[] = {&ta, &vector, &tx};
  EXPECT_NE(takeMessage(vsla_module_call(loaded.module, "axpy", wrongType, 3,
                                         results, 1, &count))
                .find("DLPack dtype"),
            std::string::npos);
  const vsla_dl_tensor_t *null[] = {&ta, nullptr, &tx};
  EXPECT_NE(takeMessage(vsla_module_call(loaded.module, "axpy", null, 3, results,
                                         1, &count))
                .find("is null"),
            std::string::npos);
  EXPECT_NE(takeMessage(vsla_module_call(loaded.module, "axpy", wrongType, 3,
                                         results, 0, &count))
                .find("results array holds 0"),
            std::string::npos);
  EXPECT_EQ(count, 0u);
}

} // namespace

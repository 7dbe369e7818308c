//===- ArtifactTest.cpp - the runtime alone runs artifacts ----------------===//
//
// This binary links the VSLA runtime and nothing of LLVM or MLIR
// (test/tools/runtime-ldd.test checks it): it loads an artifact that
// vsla-compile wrote at build time, calls its functions, and feeds the
// loader truncated, corrupted and foreign files.
//
//===----------------------------------------------------------------------===//

#include "vsla/Runtime.h"
#include "vsla/runtime/ObjectLoader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <elf.h>
#include <cstring>
#include <numeric>
#include <thread>

using namespace vsla;

namespace {

const std::string &artifactBytes() {
  static const std::string bytes = [] {
    auto read = rt::readFile(VSLA_TEST_ARTIFACT);
    return read.ok() ? *read : std::string();
  }();
  return bytes;
}

std::shared_ptr<rt::Module> loadModule() {
  auto module = rt::loadArtifactFile(VSLA_TEST_ARTIFACT);
  EXPECT_TRUE(module.ok()) << module.getStatus().toString();
  return module.ok() ? *module : nullptr;
}

/// Calls @axpy(a, x, y) of `module`.
rt::Status axpy(const rt::Module &module, float a, const rt::MemRefDescriptor &x,
                const rt::MemRefDescriptor &y, std::vector<HostTensor> &results) {
  return module.invoke("axpy",
                       {rt::Argument::scalar(a), rt::Argument::tensor(x),
                        rt::Argument::tensor(y)},
                       results);
}

template <typename T>
rt::MemRefDescriptor describe(std::vector<T> &data, rt::ElementType type,
                              std::vector<int64_t> shape) {
  return *rt::MemRefDescriptor::getRowMajor(type, data.data(), shape);
}

TEST(Artifact, CallsTheCompiledFunctions) {
  auto module = loadModule();
  ASSERT_TRUE(module);
  std::vector<float> x = {1, 2, 3, 4}, y = {10, 20};
  auto dx = describe(x, rt::ElementType::F32, {4});
  auto dy = describe(y, rt::ElementType::F32, {2});
  std::vector<HostTensor> results;
  ASSERT_TRUE(axpy(*module, 2, dx, dy, results).ok());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].getShape(), std::vector<int64_t>{4});
  const float *r = results[0].data<float>();
  EXPECT_EQ(std::vector<float>(r, r + 4), (std::vector<float>{12, 24, 6, 8}));
}

TEST(Artifact, ParallelLoopsRunThroughTheOpenMpRuntime) {
  auto module = loadModule();
  ASSERT_TRUE(module);
  std::vector<float> x(1 << 20);
  std::iota(x.begin(), x.end(), 0.f);
  for (float &v : x)
    v = std::fmod(v, 7.f);
  double expected = 0;
  for (float v : x)
    expected += v;
  auto dx = describe(x, rt::ElementType::F32, {int64_t(x.size())});
  std::vector<HostTensor> results;
  ASSERT_TRUE(module->invoke("total", {rt::Argument::tensor(dx)}, results).ok());
  EXPECT_NEAR(*results[0].data<float>(), expected, expected * 1e-5);
}

TEST(Artifact, EmptyInputs) {
  auto module = loadModule();
  ASSERT_TRUE(module);
  std::vector<float> x, y;
  auto dx = describe(x, rt::ElementType::F32, {0});
  auto dy = describe(y, rt::ElementType::F32, {0});
  std::vector<HostTensor> results;
  ASSERT_TRUE(axpy(*module, 2, dx, dy, results).ok());
  EXPECT_EQ(results[0].getShape(), std::vector<int64_t>{0});
}

TEST(Artifact, BadArgumentsAreNamedErrors) {
  auto module = loadModule();
  ASSERT_TRUE(module);
  std::vector<double> a(6, 1.0), b(9, 1.0);
  std::vector<float> f(6, 1.f);
  auto da = describe(a, rt::ElementType::F64, {2, 3});
  auto db = describe(b, rt::ElementType::F64, {3, 3});
  auto df = describe(f, rt::ElementType::F32, {2, 3});
  std::vector<HostTensor> results;
  rt::Status status = module->invoke(
      "same", {rt::Argument::tensor(da), rt::Argument::tensor(db)}, results);
  EXPECT_EQ(status.getCode(), rt::StatusCode::InvalidArgument);
  EXPECT_NE(status.getMessage().find("equal shapes"), std::string::npos)
      << status.getMessage();
  status = module->invoke(
      "same", {rt::Argument::tensor(da), rt::Argument::tensor(df)}, results);
  EXPECT_NE(status.getMessage().find("f64"), std::string::npos)
      << status.getMessage();
  status = module->invoke("same", {rt::Argument::tensor(da)}, results);
  EXPECT_NE(status.getMessage().find("takes 2 arguments"), std::string::npos);
  auto wrongExtent = describe(b, rt::ElementType::F64, {1, 9});
  status = module->invoke("same",
                          {rt::Argument::tensor(wrongExtent),
                           rt::Argument::tensor(wrongExtent)},
                          results);
  EXPECT_NE(status.getMessage().find("extent 9 in dim 1"), std::string::npos)
      << status.getMessage();
  status = module->invoke("nope", {}, results);
  EXPECT_EQ(status.getCode(), rt::StatusCode::InvalidArgument);
  EXPECT_TRUE(results.empty());
}

TEST(Artifact, ConcurrentCalls) {
  auto module = loadModule();
  ASSERT_TRUE(module);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int n = 0; n < 200; ++n) {
        std::vector<float> x(n + t, 1.f), y(n, 2.f);
        auto dx = describe(x, rt::ElementType::F32, {int64_t(x.size())});
        auto dy = describe(y, rt::ElementType::F32, {int64_t(y.size())});
        std::vector<HostTensor> results;
        if (!axpy(*module, 3, dx, dy, results).ok() ||
            results[0].getShape()[0] != int64_t(x.size()) ||
            (n > 0 && results[0].data<float>()[0] != 5.f))
          ++failures;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Artifact, TheEmbeddingApi) {
  auto model = Model::load(VSLA_TEST_ARTIFACT);
  ASSERT_TRUE(model.ok());
  std::vector<float> x(5, 1.f);
  auto out = model->call({TensorRef::of(x.data(), {5})}, "total");
  ASSERT_TRUE(out.ok()) << out.getStatus().toString();
  EXPECT_EQ(*(*out)[0].data<float>(), 5.f);
  EXPECT_FALSE(model->call({TensorRef::of(x.data(), {5})}).ok());
  EXPECT_FALSE(Model::load("/nonexistent.vsla").ok());
}

TEST(Artifact, RoundTripsThroughTheFormat) {
  const std::string &bytes = artifactBytes();
  ASSERT_FALSE(bytes.empty());
  auto contents = rt::parseArtifact(bytes.data(), bytes.size());
  ASSERT_TRUE(contents.ok()) << contents.getStatus().toString();
  contents->constants.push_back(
      {"w", rt::ElementType::F32, {2, 2}, std::string(16, '\1')});
  contents->userMetadata = "{\"x\": 1}";
  std::string again = rt::serializeArtifact(*contents);
  auto reparsed = rt::parseArtifact(again.data(), again.size());
  ASSERT_TRUE(reparsed.ok()) << reparsed.getStatus().toString();
  EXPECT_EQ(reparsed->userMetadata, "{\"x\": 1}");
  ASSERT_EQ(reparsed->constants.size(), 1u);
  EXPECT_EQ(reparsed->constants[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(reparsed->functions.size(), contents->functions.size());
}

TEST(Artifact, TruncatedFilesAreErrors) {
  const std::string &bytes = artifactBytes();
  ASSERT_FALSE(bytes.empty());
  for (size_t size = 0; size < bytes.size(); size += 1 + size / 16) {
    auto contents = rt::parseArtifact(bytes.data(), size);
    EXPECT_FALSE(contents.ok()) << size;
  }
}

TEST(Artifact, CorruptedBytesAreCaughtByTheChecksum) {
  std::string bytes = artifactBytes();
  ASSERT_FALSE(bytes.empty());
  for (size_t at = 32; at < bytes.size(); at += 1 + at / 64) {
    bytes[at] ^= 0x5a;
    auto contents = rt::parseArtifact(bytes.data(), bytes.size());
    EXPECT_FALSE(contents.ok()) << at;
    if (!contents.ok())
      EXPECT_NE(contents.getStatus().getMessage().find("checksum"),
                std::string::npos);
    bytes[at] ^= 0x5a;
  }
}

TEST(Artifact, ForeignFilesAreNamedErrors) {
  std::string bytes = artifactBytes();
  ASSERT_FALSE(bytes.empty());
  auto contents = rt::parseArtifact("ELF", 3);
  EXPECT_NE(contents.getStatus().getMessage().find("not a VSLA artifact"),
            std::string::npos);
  std::string newer = bytes;
  newer[8] = 99;
  contents = rt::parseArtifact(newer.data(), newer.size());
  EXPECT_EQ(contents.getStatus().getCode(), rt::StatusCode::FailedPrecondition);
  EXPECT_NE(contents.getStatus().getMessage().find("format version 99"),
            std::string::npos);
  auto parsed = rt::parseArtifact(bytes.data(), bytes.size());
  ASSERT_TRUE(parsed.ok());
  parsed->target.triple = "aarch64-unknown-linux-gnu";
  auto module = rt::loadArtifact(*parsed);
  EXPECT_EQ(module.getStatus().getCode(), rt::StatusCode::FailedPrecondition);
  EXPECT_NE(module.getStatus().getMessage().find("aarch64"), std::string::npos);
}

TEST(Artifact, MalformedObjectCodeIsAnError) {
  auto parsed = rt::parseArtifact(artifactBytes().data(), artifactBytes().size());
  ASSERT_TRUE(parsed.ok());
  std::string object = parsed->objectCode;
  // Every truncation, and bytes flipped across the headers and tables,
  // fail cleanly or load (never crash); nothing loaded is run.
  for (size_t size = 0; size < object.size(); size += 1 + size / 8)
    (void)rt::LoadedObject::load(object.data(), size, rt::resolveRuntimeSymbol,
                                 /*runInitializers=*/false);
  for (size_t at = 0; at < object.size(); at += 1 + at / 32) {
    std::string corrupted = object;
    corrupted[at] ^= 0xff;
    (void)rt::LoadedObject::load(corrupted.data(), corrupted.size(),
                                 rt::resolveRuntimeSymbol, false);
  }
  auto garbage = rt::LoadedObject::load("\x7f" "ELF", 4, nullptr);
  EXPECT_FALSE(garbage.ok());
}

// Found by the fuzzer: a symbol table of no entries (not even the null
// symbol) made the loader copy from a null vector.
TEST(Artifact, AnEmptySymbolTableIsMalformed) {
  struct {
    Elf64_Ehdr header;
    Elf64_Shdr sections[3];
    char names[1];
  } object = {};
  std::memcpy(object.header.e_ident, ELFMAG, SELFMAG);
  object.header.e_ident[EI_CLASS] = ELFCLASS64;
  object.header.e_ident[EI_DATA] = ELFDATA2LSB;
  object.header.e_type = ET_REL;
  object.header.e_machine = EM_X86_64;
  object.header.e_shoff = offsetof(decltype(object), sections);
  object.header.e_shentsize = sizeof(Elf64_Shdr);
  object.header.e_shnum = 3;
  object.sections[1].sh_type = SHT_SYMTAB;
  object.sections[1].sh_entsize = sizeof(Elf64_Sym);
  object.sections[1].sh_link = 2;
  object.sections[1].sh_offset = offsetof(decltype(object), names);
  object.sections[2].sh_type = SHT_STRTAB;
  object.sections[2].sh_offset = offsetof(decltype(object), names);
  object.sections[2].sh_size = 1;
  auto loaded = rt::LoadedObject::load(&object, sizeof(object),
                                       rt::resolveRuntimeSymbol, false);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.getStatus().getMessage().find("symbol table"),
            std::string::npos);
}

TEST(Artifact, MissingEntryPointsAreErrors) {
  auto parsed = rt::parseArtifact(artifactBytes().data(), artifactBytes().size());
  ASSERT_TRUE(parsed.ok());
  for (rt::ArtifactFunction &function : parsed->functions) {
    function.callSymbol = "no_such_symbol";
    function.signature.destinationPassing = false;
  }
  auto module = rt::loadArtifact(*parsed);
  EXPECT_FALSE(module.ok());
  EXPECT_NE(module.getStatus().getMessage().find("no_such_symbol"),
            std::string::npos);
}

} // namespace

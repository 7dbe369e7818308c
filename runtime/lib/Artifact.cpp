//===- Artifact.cpp - reading, writing and loading artifacts --------------===//

#include "vsla/runtime/Artifact.h"

#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/ObjectLoader.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vsla::rt {

namespace {

constexpr char kMagic[8] = {'V', 'S', 'L', 'A', 'A', 'R', 'T', '\n'};
/// magic, version, section count, file size, checksum.
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 8;
constexpr size_t kChecksumOffset = 24;
constexpr size_t kSectionEntrySize = 4 + 4 + 8 + 8;
/// Where constants' data starts (their alignment in the file).
constexpr size_t kDataAlignment = 64;
/// Bounds on what a well-formed artifact holds: a corrupted count fails
/// here instead of asking for terabytes.
constexpr uint32_t kMaxRank = 64;
constexpr uint32_t kMaxSections = 64;

enum SectionKind : uint32_t {
  kTarget = 1,
  kCode = 2,
  kFunctions = 3,
  kChecks = 4,
  kConstants = 5,
  kUserMetadata = 6,
  kCacheKey = 7,
  kProducer = 8,
};

/// FNV-1a over 64-bit words (then the tail bytes): fast enough for
/// megabytes of weights, and any flipped bit changes it.
uint64_t checksum(const uint8_t *data, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash = (hash ^ word) * 0x100000001b3ull;
    hash ^= hash >> 29;
  }
  for (; i < size; ++i)
    hash = (hash ^ data[i]) * 0x100000001b3ull;
  return hash;
}

class Writer {
public:
  void u8(uint8_t v) { bytes.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void str(const std::string &s) {
    u64(s.size());
    bytes += s;
  }
  void raw(const void *data, size_t size) {
    bytes.append(static_cast<const char *>(data), size);
  }
  std::string bytes;
};

class Reader {
public:
  Reader(const uint8_t *data, size_t size, std::string what)
      : data(data), size(size), what(std::move(what)) {}
  bool u8(uint8_t &v) { return raw(&v, 1); }
  bool u32(uint32_t &v) { return raw(&v, 4); }
  bool u64(uint64_t &v) { return raw(&v, 8); }
  bool i64(int64_t &v) { return raw(&v, 8); }
  bool str(std::string &s) {
    uint64_t length;
    if (!u64(length) || length > size - offset)
      return false;
    s.assign(reinterpret_cast<const char *>(data + offset), length);
    offset += length;
    return true;
  }
  bool raw(void *out, size_t n) {
    if (n > size - offset)
      return false;
    std::memcpy(out, data + offset, n);
    offset += n;
    return true;
  }
  bool done() const { return offset == size; }
  Status error(const std::string &detail) const {
    return invalidArgument("the artifact is corrupted: its " + what +
                           " section " + detail);
  }

private:
  const uint8_t *data;
  size_t size;
  size_t offset = 0;
  std::string what;
};

void writeValue(Writer &w, const ValueSignature &value) {
  w.u8(value.isTensor);
  w.u8(static_cast<uint8_t>(value.elementType));
  w.i64(value.rank);
  w.u32(static_cast<uint32_t>(value.dims.size()));
  for (int64_t dim : value.dims)
    w.i64(dim);
}

bool readElementType(Reader &r, ElementType &type) {
  uint8_t code;
  if (!r.u8(code) || code > static_cast<uint8_t>(ElementType::I64))
    return false;
  type = static_cast<ElementType>(code);
  return true;
}

bool readValue(Reader &r, ValueSignature &value) {
  uint8_t isTensor;
  uint32_t dimCount;
  if (!r.u8(isTensor) || isTensor > 1 || !readElementType(r, value.elementType) ||
      !r.i64(value.rank) || !r.u32(dimCount))
    return false;
  value.isTensor = isTensor;
  if (value.rank < 0 || value.rank > kMaxRank || (!isTensor && value.rank) ||
      (dimCount != 0 && dimCount != value.rank))
    return false;
  value.dims.resize(dimCount);
  for (int64_t &dim : value.dims)
    if (!r.i64(dim) || dim < kDynamicExtent)
      return false;
  return true;
}

void writePairs(Writer &w, const std::vector<RaggedPair> &pairs) {
  w.u32(static_cast<uint32_t>(pairs.size()));
  for (const RaggedPair &pair : pairs) {
    w.i64(pair.values);
    w.i64(pair.shapes);
  }
}

bool readPairs(Reader &r, std::vector<RaggedPair> &pairs, size_t valueCount) {
  uint32_t count;
  if (!r.u32(count) || count > valueCount)
    return false;
  pairs.resize(count);
  for (RaggedPair &pair : pairs)
    if (!r.i64(pair.values) || !r.i64(pair.shapes) || pair.values < 0 ||
        pair.shapes < 0 || static_cast<size_t>(pair.values) >= valueCount ||
        static_cast<size_t>(pair.shapes) >= valueCount)
      return false;
  return true;
}

bool readValues(Reader &r, std::vector<ValueSignature> &values) {
  uint32_t count;
  if (!r.u32(count) || count > 1u << 16)
    return false;
  values.resize(count);
  for (ValueSignature &value : values)
    if (!readValue(r, value))
      return false;
  return true;
}

Status parseFunctions(Reader r, std::vector<ArtifactFunction> &functions,
                      size_t constantCount) {
  uint32_t count;
  if (!r.u32(count) || count > 1u << 16)
    return r.error("has a bad function count");
  functions.resize(count);
  for (ArtifactFunction &function : functions) {
    FunctionExport &signature = function.signature;
    uint8_t destinationPassing;
    uint32_t boundCount;
    if (!r.str(signature.name) || !r.str(signature.device) ||
        !r.u8(destinationPassing) || destinationPassing > 1 ||
        !r.str(function.callSymbol) || !r.str(function.shapesSymbol) ||
        !r.str(function.destinationSymbol) ||
        !r.str(function.equalShapesSymbol) ||
        !readValues(r, signature.arguments) ||
        !readValues(r, signature.results) ||
        !readPairs(r, signature.raggedArguments, signature.arguments.size()) ||
        !readPairs(r, signature.raggedResults, signature.results.size()) ||
        !r.u32(boundCount))
      return r.error("is truncated or holds an invalid signature");
    signature.destinationPassing = destinationPassing;
    for (const ValueSignature &result : signature.results)
      if (!result.isTensor)
        return r.error("declares a scalar result");
    if (boundCount != 0 && boundCount != signature.arguments.size())
      return r.error("binds a wrong number of arguments");
    signature.boundArguments.resize(boundCount);
    for (int64_t &bound : signature.boundArguments)
      if (!r.i64(bound) || bound < -1 ||
          (bound >= 0 && static_cast<size_t>(bound) >= constantCount))
        return r.error("binds an argument to a missing constant");
    if (signature.destinationPassing
            ? function.shapesSymbol.empty() || function.destinationSymbol.empty()
            : function.callSymbol.empty())
      return r.error("lacks an entry point of @" + signature.name);
  }
  if (!r.done())
    return r.error("has trailing bytes");
  return okStatus();
}

} // namespace

std::string serializeArtifact(const ArtifactContents &contents) {
  std::vector<std::pair<uint32_t, std::string>> sections;
  {
    Writer w;
    w.str(contents.target.triple);
    w.str(contents.target.cpu);
    w.str(contents.target.features);
    sections.emplace_back(kTarget, std::move(w.bytes));
  }
  sections.emplace_back(kProducer, contents.producer);
  sections.emplace_back(kCacheKey, contents.cacheKey);
  {
    Writer w;
    w.u32(static_cast<uint32_t>(contents.functions.size()));
    for (const ArtifactFunction &function : contents.functions) {
      const FunctionExport &signature = function.signature;
      w.str(signature.name);
      w.str(signature.device);
      w.u8(signature.destinationPassing);
      w.str(function.callSymbol);
      w.str(function.shapesSymbol);
      w.str(function.destinationSymbol);
      w.str(function.equalShapesSymbol);
      for (const auto *values : {&signature.arguments, &signature.results}) {
        w.u32(static_cast<uint32_t>(values->size()));
        for (const ValueSignature &value : *values)
          writeValue(w, value);
      }
      writePairs(w, signature.raggedArguments);
      writePairs(w, signature.raggedResults);
      w.u32(static_cast<uint32_t>(signature.boundArguments.size()));
      for (int64_t bound : signature.boundArguments)
        w.i64(bound);
    }
    sections.emplace_back(kFunctions, std::move(w.bytes));
  }
  {
    Writer w;
    w.u32(static_cast<uint32_t>(contents.checkMessages.size()));
    for (const std::string &message : contents.checkMessages)
      w.str(message);
    sections.emplace_back(kChecks, std::move(w.bytes));
  }
  sections.emplace_back(kUserMetadata, contents.userMetadata);
  sections.emplace_back(kCode, contents.objectCode);

  // The constants' table, with each one's data at an aligned file offset
  // after every other section.
  size_t tableSize = 4;
  for (const ArtifactConstant &constant : contents.constants)
    tableSize += 8 + constant.name.size() + 1 + 4 + 8 * constant.shape.size() +
                 8 + 8;
  size_t offset = kHeaderSize + (sections.size() + 1) * kSectionEntrySize;
  for (const auto &section : sections)
    offset += section.second.size();
  offset += tableSize;
  std::vector<size_t> dataOffsets;
  for (const ArtifactConstant &constant : contents.constants) {
    offset = (offset + kDataAlignment - 1) / kDataAlignment * kDataAlignment;
    dataOffsets.push_back(offset);
    offset += constant.data.size();
  }
  {
    Writer w;
    w.u32(static_cast<uint32_t>(contents.constants.size()));
    for (size_t i = 0; i < contents.constants.size(); ++i) {
      const ArtifactConstant &constant = contents.constants[i];
      w.str(constant.name);
      w.u8(static_cast<uint8_t>(constant.elementType));
      w.u32(static_cast<uint32_t>(constant.shape.size()));
      for (int64_t dim : constant.shape)
        w.i64(dim);
      w.u64(dataOffsets[i]);
      w.u64(constant.data.size());
    }
    sections.emplace_back(kConstants, std::move(w.bytes));
  }

  Writer out;
  out.raw(kMagic, sizeof(kMagic));
  out.u32(kArtifactFormatVersion);
  out.u32(static_cast<uint32_t>(sections.size()));
  out.u64(offset);
  out.u64(0); // the checksum, filled in last
  size_t sectionOffset = kHeaderSize + sections.size() * kSectionEntrySize;
  for (const auto &[kind, bytes] : sections) {
    out.u32(kind);
    out.u32(0);
    out.u64(sectionOffset);
    out.u64(bytes.size());
    sectionOffset += bytes.size();
  }
  for (const auto &section : sections)
    out.bytes += section.second;
  for (size_t i = 0; i < contents.constants.size(); ++i) {
    out.bytes.resize(dataOffsets[i], '\0');
    out.bytes += contents.constants[i].data;
  }
  out.bytes.resize(offset, '\0');
  uint64_t sum = checksum(reinterpret_cast<const uint8_t *>(out.bytes.data()) +
                              kHeaderSize,
                          out.bytes.size() - kHeaderSize);
  std::memcpy(&out.bytes[kChecksumOffset], &sum, 8);
  return std::move(out.bytes);
}

void resealArtifact(std::string &bytes) {
  if (bytes.size() < kHeaderSize)
    return;
  uint64_t size = bytes.size();
  std::memcpy(&bytes[16], &size, 8);
  uint64_t sum = checksum(reinterpret_cast<const uint8_t *>(bytes.data()) +
                              kHeaderSize,
                          bytes.size() - kHeaderSize);
  std::memcpy(&bytes[kChecksumOffset], &sum, 8);
}

StatusOr<ArtifactContents> parseArtifact(const void *data, size_t size) {
  const auto *bytes = static_cast<const uint8_t *>(data);
  if (size < sizeof(kMagic) || std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0)
    return invalidArgument("this is not a VSLA artifact (it does not start "
                           "with the artifact magic); write one with "
                           "vsla-compile or vsla.export");
  if (size < kHeaderSize)
    return invalidArgument("the artifact is truncated (" +
                           std::to_string(size) + " bytes)");
  uint32_t version, sectionCount;
  uint64_t fileSize, storedChecksum;
  std::memcpy(&version, bytes + 8, 4);
  std::memcpy(&sectionCount, bytes + 12, 4);
  std::memcpy(&fileSize, bytes + 16, 8);
  std::memcpy(&storedChecksum, bytes + kChecksumOffset, 8);
  if (version != kArtifactFormatVersion)
    return failedPrecondition(
        "the artifact has format version " + std::to_string(version) +
        ", this runtime reads version " +
        std::to_string(kArtifactFormatVersion) +
        "; export it again with this version of VSLA");
  if (fileSize != size)
    return invalidArgument("the artifact is truncated or has trailing bytes: "
                           "its header says " + std::to_string(fileSize) +
                           " bytes, the file has " + std::to_string(size));
  if (checksum(bytes + kHeaderSize, size - kHeaderSize) != storedChecksum)
    return invalidArgument("the artifact is corrupted: its checksum does not "
                           "match its contents");
  if (sectionCount > kMaxSections ||
      kHeaderSize + uint64_t(sectionCount) * kSectionEntrySize > size)
    return invalidArgument("the artifact is corrupted: its section table is "
                           "out of bounds");

  ArtifactContents contents;
  const uint8_t *sectionData[kProducer + 1] = {};
  uint64_t sectionSize[kProducer + 1] = {};
  bool seen[kProducer + 1] = {};
  for (uint32_t i = 0; i < sectionCount; ++i) {
    const uint8_t *entry = bytes + kHeaderSize + i * kSectionEntrySize;
    uint32_t kind;
    uint64_t offset, length;
    std::memcpy(&kind, entry, 4);
    std::memcpy(&offset, entry + 8, 8);
    std::memcpy(&length, entry + 16, 8);
    if (offset > size || length > size - offset)
      return invalidArgument("the artifact is corrupted: section " +
                             std::to_string(i) + " lies outside the file");
    if (kind == 0 || kind > kProducer)
      continue; // a section a later version added and this one ignores
    if (seen[kind])
      return invalidArgument("the artifact is corrupted: a section appears "
                             "twice");
    seen[kind] = true;
    sectionData[kind] = bytes + offset;
    sectionSize[kind] = length;
  }
  for (uint32_t kind : {kTarget, kCode, kFunctions, kChecks, kConstants})
    if (!seen[kind])
      return invalidArgument("the artifact is corrupted: section " +
                             std::to_string(kind) + " is missing");
  auto raw = [&](uint32_t kind) {
    return std::string(reinterpret_cast<const char *>(sectionData[kind]),
                       sectionSize[kind]);
  };
  contents.objectCode = raw(kCode);
  if (seen[kUserMetadata])
    contents.userMetadata = raw(kUserMetadata);
  if (seen[kCacheKey])
    contents.cacheKey = raw(kCacheKey);
  if (seen[kProducer])
    contents.producer = raw(kProducer);
  {
    Reader r(sectionData[kTarget], sectionSize[kTarget], "target");
    if (!r.str(contents.target.triple) || !r.str(contents.target.cpu) ||
        !r.str(contents.target.features) || !r.done())
      return r.error("is malformed");
  }
  {
    Reader r(sectionData[kChecks], sectionSize[kChecks], "checks");
    uint32_t count;
    if (!r.u32(count) || count > sectionSize[kChecks])
      return r.error("has a bad count");
    contents.checkMessages.resize(count);
    for (std::string &message : contents.checkMessages)
      if (!r.str(message))
        return r.error("is truncated");
  }
  {
    Reader r(sectionData[kConstants], sectionSize[kConstants], "constants");
    uint32_t count;
    if (!r.u32(count) || count > sectionSize[kConstants])
      return r.error("has a bad count");
    contents.constants.resize(count);
    for (ArtifactConstant &constant : contents.constants) {
      uint32_t rank;
      uint64_t offset, length;
      if (!r.str(constant.name) || !readElementType(r, constant.elementType) ||
          !r.u32(rank) || rank > kMaxRank)
        return r.error("is malformed");
      constant.shape.resize(rank);
      uint64_t expected = getElementByteSize(constant.elementType);
      for (int64_t &dim : constant.shape) {
        if (!r.i64(dim) || dim < 0 ||
            __builtin_mul_overflow(expected, static_cast<uint64_t>(dim),
                                   &expected))
          return r.error("holds an invalid shape");
      }
      if (!r.u64(offset) || !r.u64(length) || length != expected ||
          offset > size || length > size - offset)
        return r.error("holds data outside the file or of the wrong size");
      constant.data.assign(reinterpret_cast<const char *>(bytes + offset),
                           length);
    }
  }
  if (Status status =
          parseFunctions(Reader(sectionData[kFunctions], sectionSize[kFunctions],
                                "functions"),
                         contents.functions, contents.constants.size());
      !status.ok())
    return status;
  return contents;
}

namespace {

/// The architecture and OS this runtime was built for, as the first and
/// third parts of a target triple.
constexpr const char *kHostArch =
#if defined(__x86_64__)
    "x86_64";
#elif defined(__aarch64__)
    "aarch64";
#else
    "unknown";
#endif

bool hostHasFeature(const std::string &feature) {
#if defined(__x86_64__)
#define VSLA_FEATURE(name)                                                     \
  if (feature == name)                                                         \
    return __builtin_cpu_supports(name);
  VSLA_FEATURE("sse3")
  VSLA_FEATURE("ssse3")
  VSLA_FEATURE("sse4.1")
  VSLA_FEATURE("sse4.2")
  VSLA_FEATURE("popcnt")
  VSLA_FEATURE("avx")
  VSLA_FEATURE("avx2")
  VSLA_FEATURE("fma")
  VSLA_FEATURE("bmi")
  VSLA_FEATURE("bmi2")
  VSLA_FEATURE("avx512f")
  VSLA_FEATURE("avx512bw")
  VSLA_FEATURE("avx512dq")
  VSLA_FEATURE("avx512vl")
  VSLA_FEATURE("avx512cd")
  VSLA_FEATURE("avx512vnni")
  VSLA_FEATURE("avx512bf16")
#undef VSLA_FEATURE
#endif
  (void)feature;
  return true; // not one this check knows: the loader cannot tell
}

} // namespace

Status checkTargetRuns(const ArtifactTarget &target) {
  std::string arch = target.triple.substr(0, target.triple.find('-'));
  if (arch != kHostArch || target.triple.find("linux") == std::string::npos)
    return failedPrecondition("the artifact was built for " + target.triple +
                              ", this machine runs " + kHostArch +
                              " Linux code; compile it for this target");
  size_t begin = 0;
  while (begin < target.features.size()) {
    size_t end = target.features.find(',', begin);
    if (end == std::string::npos)
      end = target.features.size();
    std::string feature = target.features.substr(begin, end - begin);
    if (feature.size() > 1 && feature[0] == '+' &&
        !hostHasFeature(feature.substr(1)))
      return failedPrecondition(
          "the artifact's code uses the CPU feature " + feature.substr(1) +
          " (built for " + target.cpu +
          "), which this CPU lacks; compile it with --cpu for an older CPU");
    begin = end + 1;
  }
  return okStatus();
}

namespace {

/// A module whose code came from an artifact.
class LoadedModule : public Module {
public:
  static StatusOr<std::shared_ptr<Module>> create(ArtifactContents contents) {
    if (Status status = checkTargetRuns(contents.target); !status.ok())
      return status;
    // Code for a CUDA device loads its kernels in its initializers: only
    // where a device can take them. Elsewhere the module loads (to be
    // described) and its device functions are Unavailable.
    bool needsDevice = false;
    for (const ArtifactFunction &function : contents.functions)
      needsDevice |= function.signature.device != "host";
    std::string noDevice = needsDevice ? cuda::getNoDeviceReason() : "";
    StatusOr<std::unique_ptr<LoadedObject>> object =
        internalError("the object code was not loaded");
    // A kernel the device does not take (PTX for a newer chip) is reported
    // by the initializers; the module still loads, and says so when called.
    Status kernels = cuda::captureDeviceFailures([&] {
      object = LoadedObject::load(
          contents.objectCode.data(), contents.objectCode.size(),
          resolveRuntimeSymbol, /*runInitializers=*/noDevice.empty());
    });
    if (!object.ok())
      return object.getStatus();
    if (!kernels.ok() && noDevice.empty())
      noDevice = "its kernels did not load: " + kernels.getMessage();
    auto module = std::shared_ptr<LoadedModule>(new LoadedModule());
    if (!noDevice.empty())
      module->setDeviceUnavailable(noDevice);
    module->object = std::move(*object);
    module->checkMessages = std::move(contents.checkMessages);
    module->userMetadata = std::move(contents.userMetadata);
    for (ArtifactConstant &constant : contents.constants) {
      size_t bytes = std::max<size_t>(constant.data.size(), 1);
      void *storage = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      if (!storage)
        return outOfMemory("cannot allocate the artifact's constant " +
                           constant.name);
      module->storage.emplace_back(storage, &std::free);
      std::memcpy(storage, constant.data.data(), constant.data.size());
      auto descriptor = MemRefDescriptor::getRowMajor(constant.elementType,
                                                      storage, constant.shape);
      if (!descriptor.ok())
        return descriptor.getStatus();
      module->constants.push_back({constant.name, std::move(*descriptor)});
    }
    for (ArtifactFunction &function : contents.functions) {
      FunctionExport signature = std::move(function.signature);
      auto find = [&](const std::string &symbol,
                      PackedEntryPoint &entry) -> Status {
        if (symbol.empty())
          return okStatus();
        void *address = module->object->lookup(symbol);
        if (!address)
          return invalidArgument("the artifact's code lacks entry point " +
                                 symbol + " of @" + signature.name);
        entry = reinterpret_cast<PackedEntryPoint>(address);
        return okStatus();
      };
      for (auto [symbol, entry] :
           {std::pair{&function.callSymbol, &signature.call},
            {&function.shapesSymbol, &signature.shapes},
            {&function.destinationSymbol, &signature.destination},
            {&function.equalShapesSymbol, &signature.equalShapes}})
        if (Status status = find(*symbol, *entry); !status.ok())
          return status;
      for (size_t i = 0; i < signature.boundArguments.size(); ++i) {
        int64_t bound = signature.boundArguments[i];
        if (bound < 0)
          continue;
        const MemRefDescriptor &constant = module->constants[bound].descriptor;
        const ValueSignature &expected = signature.arguments[i];
        if (!expected.isTensor || constant.getRank() != expected.rank ||
            constant.getElementType() != expected.elementType)
          return invalidArgument("the artifact binds argument " +
                                 std::to_string(i) + " of @" + signature.name +
                                 " to a constant of another type");
      }
      module->functions.push_back(std::move(signature));
    }
    return std::shared_ptr<Module>(std::move(module));
  }

private:
  std::unique_ptr<LoadedObject> object;
  std::vector<std::unique_ptr<void, void (*)(void *)>> storage;
};

} // namespace

StatusOr<std::shared_ptr<Module>> loadArtifact(ArtifactContents contents) {
  return LoadedModule::create(std::move(contents));
}

StatusOr<std::string> readFile(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return invalidArgument("cannot open " + path + ": " + std::strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return invalidArgument(path + " is not a regular file");
  }
  std::string bytes(static_cast<size_t>(info.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = read(fd, &bytes[done], bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return invalidArgument("cannot read " + path + ": " +
                             (n < 0 ? std::strerror(errno) : "it shrank"));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return bytes;
}

Status writeFileAtomically(const std::string &path, const std::string &bytes) {
  std::string temporary = path + ".tmp." + std::to_string(getpid()) + "." +
                          std::to_string(reinterpret_cast<uintptr_t>(&bytes));
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                0644);
  if (fd < 0)
    return invalidArgument("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string reason = std::strerror(errno);
      close(fd);
      unlink(temporary.c_str());
      return invalidArgument("cannot write " + path + ": " + reason);
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0 || rename(temporary.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    unlink(temporary.c_str());
    return invalidArgument("cannot write " + path + ": " + reason);
  }
  return okStatus();
}

StatusOr<std::shared_ptr<Module>> loadArtifactFile(const std::string &path) {
  auto bytes = readFile(path);
  if (!bytes.ok())
    return bytes.getStatus();
  auto contents = parseArtifact(bytes->data(), bytes->size());
  if (!contents.ok())
    return Status(contents.getStatus().getCode(),
                  path + ": " + contents.getStatus().getMessage());
  auto module = loadArtifact(std::move(*contents));
  if (!module.ok())
    return Status(module.getStatus().getCode(),
                  path + ": " + module.getStatus().getMessage());
  return module;
}

} // namespace vsla::rt

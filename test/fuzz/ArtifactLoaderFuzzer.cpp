//===- ArtifactLoaderFuzzer.cpp - libFuzzer target of the artifact loader -===//
//
// Feeds arbitrary bytes to the artifact parser (as given, and again with the
// size and checksum fields fixed up so mutations reach the parsers behind
// the checksum) and to the object loader. Loaded code is never run.
// scripts/fuzz-loader.sh builds it with clang, ASan and UBSan and runs it.
//
//===----------------------------------------------------------------------===//

#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/ObjectLoader.h"

#include <cstdint>
#include <string>

using namespace vsla::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)parseArtifact(data, size);
  std::string bytes(reinterpret_cast<const char *>(data), size);
  resealArtifact(bytes);
  auto contents = parseArtifact(bytes.data(), bytes.size());
  if (contents.ok()) {
    (void)checkTargetRuns(contents->target);
    auto object = LoadedObject::load(contents->objectCode.data(),
                                     contents->objectCode.size(),
                                     resolveRuntimeSymbol,
                                     /*runInitializers=*/false);
    if (object.ok())
      for (const ArtifactFunction &function : contents->functions)
        (void)(*object)->lookup(function.callSymbol);
  }
  (void)LoadedObject::load(data, size, resolveRuntimeSymbol, false);
  return 0;
}

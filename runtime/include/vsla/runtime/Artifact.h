//===- Artifact.h - the VSLA artifact file ----------------------*- C++ -*-===//
//
// An artifact is one file holding compiled code and everything needed to
// call it with the runtime alone: the host object code, the export table
// (signatures and entry-point symbols), the run-time checks' messages, the
// constants bound to arguments (an exported model's parameters), the target
// it was built for, what produced it and a checksum. The same format is the
// persistent compile cache. The layout is in docs/artifact.md.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_ARTIFACT_H
#define VSLA_RUNTIME_ARTIFACT_H

#include "vsla/runtime/Module.h"
#include "vsla/runtime/Status.h"

#include <memory>
#include <string>
#include <vector>

namespace vsla::rt {

/// The format version this runtime reads and writes.
constexpr uint32_t kArtifactFormatVersion = 1;

/// What the code was compiled for: an LLVM target triple, a CPU name and
/// the CPU features the code may use ("+avx2,+fma,-avx512f,...").
struct ArtifactTarget {
  std::string triple;
  std::string cpu;
  std::string features;
};

/// One exported function: its signature and the symbols of its entry
/// points in the object code (empty when it has none).
struct ArtifactFunction {
  FunctionExport signature;
  std::string callSymbol;
  std::string shapesSymbol;
  std::string destinationSymbol;
  std::string equalShapesSymbol;
};

struct ArtifactConstant {
  std::string name;
  ElementType elementType = ElementType::F32;
  std::vector<int64_t> shape;
  /// Row-major contents.
  std::string data;
};

struct ArtifactContents {
  ArtifactTarget target;
  /// What wrote it ("vsla <version>, LLVM <version>").
  std::string producer;
  /// The compile cache's key (empty in an exported artifact).
  std::string cacheKey;
  /// An ELF relocatable object.
  std::string objectCode;
  std::vector<ArtifactFunction> functions;
  std::vector<std::string> checkMessages;
  std::vector<ArtifactConstant> constants;
  /// Opaque to the runtime (the Python front end's pytree structure).
  std::string userMetadata;
};

/// The bytes of an artifact file.
std::string serializeArtifact(const ArtifactContents &contents);

/// Reads an artifact's bytes, checking the magic, the format version, the
/// size, the checksum and every count, offset and index in it.
StatusOr<ArtifactContents> parseArtifact(const void *data, size_t size);

/// Rewrites the size and checksum fields of an artifact's bytes (at least
/// its header) to match them: for tools and fuzzers that edit artifacts.
void resealArtifact(std::string &bytes);

/// Whether code built for `target` runs on this machine: the same
/// architecture and operating system, and every CPU feature it uses.
Status checkTargetRuns(const ArtifactTarget &target);

/// A module from an artifact's contents: loads its object code with the
/// runtime's loader (after checkTargetRuns) and fills the export table.
/// GPU kernels load onto device 0 when there is one; otherwise (or when the
/// device does not take them) the device functions are Unavailable.
StatusOr<std::shared_ptr<Module>> loadArtifact(ArtifactContents contents);

/// Reads, checks and loads the artifact file at `path`.
StatusOr<std::shared_ptr<Module>> loadArtifactFile(const std::string &path);

/// Reads a whole file (an error names the path and the reason).
StatusOr<std::string> readFile(const std::string &path);

/// Writes `bytes` to `path` atomically: to a temporary file beside it, then
/// renamed over it, so a reader never sees a partly written file.
Status writeFileAtomically(const std::string &path, const std::string &bytes);

} // namespace vsla::rt

#endif // VSLA_RUNTIME_ARTIFACT_H

//===- Executable.cpp - modules compiled in this process ------------------===//

#include "vsla/Driver/Compiler.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"

#include "llvm/Support/FileSystem.h"

#include <atomic>

namespace vsla {

namespace detail {
std::atomic<bool> processExiting{false};
} // namespace detail

Executable::~Executable() {
  // Destroying an engine runs its deinitializers through the JIT, which
  // needs LLVM's code generator; during static destruction at exit parts of
  // it are already gone. The process is ending: leave the engine be. An
  // engine whose initializers never ran (CUDA code compiled on a machine
  // without a device) must not run its finalizers either.
  if (detail::processExiting.load() || !initialized)
    (void)engine.release();
}

rt::Status Executable::writeObjectFile(llvm::StringRef path) const {
  if (artifact.objectCode.empty())
    return rt::failedPrecondition("the executable holds no object code");
  return rt::writeFileAtomically(path.str(), artifact.objectCode);
}

rt::StatusOr<rt::ArtifactContents>
Executable::getArtifact(std::vector<rt::ArtifactConstant> constants,
                        std::string userMetadata) const {
  if (artifact.objectCode.empty())
    return rt::failedPrecondition("the executable holds no object code");
  rt::ArtifactContents contents = artifact;
  contents.constants = std::move(constants);
  contents.userMetadata = std::move(userMetadata);
  return contents;
}

} // namespace vsla

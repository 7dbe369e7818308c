//===- Executable.cpp - modules compiled in this process ------------------===//

#include "vsla/Driver/Compiler.h"
#include "vsla/runtime/Cuda.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <unistd.h>

#include <atomic>

namespace vsla {

namespace detail {
std::atomic<bool> processExiting{false};
} // namespace detail

Executable::~Executable() {
  // Destroying an engine runs its deinitializers through the JIT, which
  // needs LLVM's code generator; during static destruction at exit parts of
  // it are already gone. The process is ending: leave the engine be. An
  // engine whose initializers never ran (CUDA code never called here) must
  // not run its finalizers either.
  if (detail::processExiting.load() || !initialized)
    (void)engine.release();
}

rt::Status Executable::prepareDevice() const {
  if (!engine)
    return rt::okStatus(); // code from the cache: loaded with its kernels
  std::call_once(deviceOnce, [&] {
    if (std::string reason = rt::cuda::getNoDeviceReason(); !reason.empty()) {
      deviceStatus = rt::unavailable(reason);
      return;
    }
    rt::Status kernels =
        rt::cuda::captureDeviceFailures([&] { engine->initialize(); });
    initialized = true;
    if (!kernels.ok())
      deviceStatus = rt::Status(kernels.getCode(), "its kernels did not load: " +
                                                       kernels.getMessage());
  });
  return deviceStatus;
}

rt::StatusOr<std::string> Executable::getObjectCode() const {
  if (!artifact.objectCode.empty())
    return artifact.objectCode; // from the persistent cache
  if (!engine)
    return rt::failedPrecondition("the executable holds no object code");
  // ExecutionEngine writes its object to a file only.
  llvm::SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("vsla", "o", fd, path))
    return rt::internalError("cannot create a temporary object file");
  ::close(fd);
  engine->dumpToObjectFile(path);
  auto bytes = rt::readFile(path.str().str());
  llvm::sys::fs::remove(path);
  return bytes;
}

rt::Status Executable::writeObjectFile(llvm::StringRef path) const {
  auto object = getObjectCode();
  if (!object.ok())
    return object.getStatus();
  return rt::writeFileAtomically(path.str(), *object);
}

rt::StatusOr<rt::ArtifactContents>
Executable::getArtifact(std::vector<rt::ArtifactConstant> constants,
                        std::string userMetadata) const {
  auto object = getObjectCode();
  if (!object.ok())
    return object.getStatus();
  rt::ArtifactContents contents;
  contents.target = artifact.target;
  contents.producer = artifact.producer;
  contents.functions = artifact.functions;
  contents.checkMessages = artifact.checkMessages;
  contents.objectCode = std::move(*object);
  contents.constants = std::move(constants);
  contents.userMetadata = std::move(userMetadata);
  return contents;
}

} // namespace vsla

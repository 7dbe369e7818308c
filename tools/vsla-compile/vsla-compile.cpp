//===- vsla-compile.cpp - compile a vsla module to an artifact ------------===//
//
// vsla-compile MODEL.mlir -o MODEL.vsla [--target cpu|cuda] [--cpu NAME]
//              [--chip sm_90] [--features +ptx80] [-O N]
//              [--dump-phases-to DIR]
//
// Compiles every public function of a module (vsla, func, arith and tensor
// ops) and writes one artifact (docs/artifact.md) that vsla-run, the C++
// runtime API and vsla.load run without the compiler. --target cuda puts
// the kernels (PTX for --chip) beside host code that launches them through
// the runtime's CUDA device (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/Compiler.h"
#include "vsla/runtime/Artifact.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr const char *kUsage =
    "usage: vsla-compile MODEL.mlir -o MODEL.vsla [--target cpu|cuda] "
    "[--cpu host|x86-64-v3|NAME] [--chip sm_90] [--features +ptx80] [--dump-phases-to DIR] "
    "[-O 0-3]\n";

int fail(const vsla::rt::Status &status) {
  std::fprintf(stderr, "vsla-compile: %s: %s\n",
               vsla::rt::statusCodeName(status.getCode()),
               status.getMessage().c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  std::string input, output, target = "cpu";
  vsla::CompileOptions options;
  options.useDiskCache = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "vsla-compile: %s needs a value\n%s", arg.c_str(),
                     kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "-o")
      output = value();
    else if (arg == "--target")
      target = value();
    else if (arg == "--cpu")
      options.cpu = value();
    else if (arg == "--chip")
      options.gpuChip = value();
    else if (arg == "--features")
      options.gpuFeatures = value();
    else if (arg == "--dump-phases-to")
      options.dumpPhasesTo = value();
    else if (arg == "-O") {
      std::string level = value();
      if (level.size() != 1 || level[0] < '0' || level[0] > '3') {
        std::fprintf(stderr, "vsla-compile: -O takes 0 to 3, got %s\n%s",
                     level.c_str(), kUsage);
        return 2;
      }
      options.optLevel = static_cast<unsigned>(level[0] - '0');
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      std::fprintf(stderr, "vsla-compile: unknown option %s\n%s", arg.c_str(),
                   kUsage);
      return 2;
    } else if (input.empty())
      input = arg;
    else {
      std::fprintf(stderr, "vsla-compile: a second input %s\n%s", arg.c_str(),
                   kUsage);
      return 2;
    }
  }
  if (input.empty() || output.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  if (target != "cpu" && target != "cuda")
    return fail(vsla::rt::invalidArgument("unknown target " + target +
                                          "; use cpu or cuda"));
  options.target = target;

  auto source = llvm::MemoryBuffer::getFileOrSTDIN(input);
  if (!source)
    return fail(vsla::rt::invalidArgument("cannot read " + input + ": " +
                                          source.getError().message()));
  vsla::Compiler compiler;
  auto executable = compiler.compileSource((*source)->getBuffer(), options);
  if (!executable.ok())
    return fail(executable.getStatus());
  auto artifact = (*executable)->getArtifact();
  if (!artifact.ok())
    return fail(artifact.getStatus());
  if (vsla::rt::Status status = vsla::rt::writeFileAtomically(
          output, vsla::rt::serializeArtifact(*artifact));
      !status.ok())
    return fail(status);
  return 0;
}

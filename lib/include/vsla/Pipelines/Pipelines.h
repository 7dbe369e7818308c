//===- Pipelines.h - named compilation pipelines --------------*- C++ -*-===//
//
// `vsla-to-cpu` compiles a module of vsla functions to the LLVM dialect in
// named phases, each of which can be the last one run (`compile-to`) and
// can be written to a file (`dump-phases-to`):
//
//   vsla        canonicalized, CSE'd vsla IR
//   linalg      linalg/tensor/arith/math/scf on tensors, elementwise ops fused
//   bufferized  memrefs, with deallocation
//   llvm        the LLVM dialect, ready for translation to LLVM IR
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_PIPELINES_PIPELINES_H
#define VSLA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::vsla {

enum class CpuPhase { vsla, linalg, bufferized, llvm };

/// The phase's name, as compile-to spells it.
StringRef getCpuPhaseName(CpuPhase phase);

struct VslaToCpuOptions : PassPipelineOptions<VslaToCpuOptions> {
  Option<CpuPhase> compileTo{
      *this, "compile-to",
      llvm::cl::desc("The last phase to run"), llvm::cl::init(CpuPhase::llvm),
      llvm::cl::values(
          clEnumValN(CpuPhase::vsla, "vsla", "canonicalized vsla IR"),
          clEnumValN(CpuPhase::linalg, "linalg", "linalg on tensors, fused"),
          clEnumValN(CpuPhase::bufferized, "bufferized",
                     "memrefs with deallocation"),
          clEnumValN(CpuPhase::llvm, "llvm", "the LLVM dialect"))};
  Option<std::string> dumpPhasesTo{
      *this, "dump-phases-to",
      llvm::cl::desc("Write the IR after each phase to DIR/<n>-<phase>.mlir"),
      llvm::cl::init("")};
  Option<bool> useGenericAllocation{
      *this, "use-generic-allocation",
      llvm::cl::desc("Allocate through _mlir_memref_to_llvm_alloc/free (the "
                     "VSLA runtime's buffer pool) instead of malloc/free"),
      llvm::cl::init(false)};
};

/// Adds the passes of `vsla-to-cpu` up to `options.compileTo`.
void buildVslaToCpuPipeline(OpPassManager &pm, const VslaToCpuOptions &options);

/// `vsla-to-gpu`: the same front end, then NVIDIA GPU code in the phases
///
///   vsla        canonicalized, CSE'd vsla IR
///   linalg      linalg on tensors, elementwise ops fused
///   gpu         device buffers; parallel loops mapped to blocks and threads
///               (256 per block), outlined into gpu.module kernels; what is
///               not parallel runs in one-thread kernels
///   nvvm        kernels in the NVVM dialect for the target chip, host code in
///               the LLVM dialect calling the runtime's mgpu* functions
///   ptx         each gpu.module compiled by LLVM's NVPTX backend to PTX (or
///               a cubin through ptxas)
enum class GpuPhase { vsla, linalg, gpu, nvvm, ptx };

StringRef getGpuPhaseName(GpuPhase phase);

struct VslaToGpuOptions : PassPipelineOptions<VslaToGpuOptions> {
  Option<GpuPhase> compileTo{
      *this, "compile-to", llvm::cl::desc("The last phase to run"),
      llvm::cl::init(GpuPhase::ptx),
      llvm::cl::values(
          clEnumValN(GpuPhase::vsla, "vsla", "canonicalized vsla IR"),
          clEnumValN(GpuPhase::linalg, "linalg", "linalg on tensors, fused"),
          clEnumValN(GpuPhase::gpu, "gpu", "kernels outlined, device buffers"),
          clEnumValN(GpuPhase::nvvm, "nvvm", "NVVM kernels, LLVM host code"),
          clEnumValN(GpuPhase::ptx, "ptx", "kernels compiled to PTX"))};
  Option<std::string> dumpPhasesTo{
      *this, "dump-phases-to",
      llvm::cl::desc("Write the IR after each phase to DIR/<n>-<phase>.mlir"),
      llvm::cl::init("")};
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU architecture (sm_90, ...)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (+ptx80, ...)"),
      llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the ptx phase makes of each kernel module: isa "
                     "(PTX text, compiled by the driver when loaded) or bin "
                     "(a cubin, through the CUDA toolkit's ptxas)"),
      llvm::cl::init("isa")};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("The CUDA toolkit: libdevice (the math functions kernels "
                     "call) and, for format=bin, ptxas"),
      llvm::cl::init("/usr/local/cuda")};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block along the innermost parallel loop"),
      llvm::cl::init(256)};
  Option<bool> emulateOnHost{
      *this, "emulate-on-host",
      llvm::cl::desc("A test aid without a GPU: the gpu phase with blocks of "
                     "one thread, its launches as host loops and device "
                     "memory as host memory, then the CPU's LLVM lowering "
                     "(the kernels' logic runs on the CPU; no nvvm or ptx)"),
      llvm::cl::init(false)};
};

/// Adds the passes of `vsla-to-gpu` up to `options.compileTo`.
void buildVslaToGpuPipeline(OpPassManager &pm, const VslaToGpuOptions &options);

/// Registers `vsla-to-cpu` and `vsla-to-gpu` with the pass registry (for
/// vsla-opt).
void registerVslaPipelines();

} // namespace mlir::vsla

#endif // VSLA_PIPELINES_PIPELINES_H

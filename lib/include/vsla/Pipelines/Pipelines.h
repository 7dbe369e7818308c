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

/// Registers `vsla-to-cpu` with the pass registry (for vsla-opt).
void registerVslaPipelines();

} // namespace mlir::vsla

#endif // VSLA_PIPELINES_PIPELINES_H

//===- BufferizeModule.cpp - one-shot bufferization with VSLA's ABI -------===//
//
// One-shot bufferization across function boundaries. Functions take and
// return identity-layout memrefs (the runtime's calling convention), except
// the shared matmul kernels (vsla-cpu-outline-contractions): they take rows
// with any stride and offset but unit inner stride, so a kernel reads and
// writes slices of its caller's buffers in place, and its loads still
// vectorize.
//
// A buffer passed to a kernel whose layout the kernel cannot take (a
// fully dynamic one, say, from an scf.if) is copied to a new one; memref.alloc
// makes only identity layouts, so the copy is allocated row major and cast to
// the kernel's layout.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::vsla {
namespace {

/// A new buffer of `type`: allocated with the identity layout, which casts to
/// any strided layout whose static strides and offset are row major.
FailureOr<Value> allocateBuffer(OpBuilder &b, Location loc, MemRefType type,
                                ValueRange dynamicSizes, unsigned alignment) {
  auto rowMajor = MemRefType::get(type.getShape(), type.getElementType(),
                                  MemRefLayoutAttrInterface(),
                                  type.getMemorySpace());
  IntegerAttr alignmentAttr =
      alignment ? b.getI64IntegerAttr(alignment) : IntegerAttr();
  Value buffer =
      memref::AllocOp::create(b, loc, rowMajor, dynamicSizes, alignmentAttr);
  if (rowMajor == type)
    return buffer;
  if (!memref::CastOp::areCastCompatible(rowMajor, type))
    return emitError(loc) << "cannot allocate a buffer of type " << type
                          << ": its layout is not row major";
  return memref::CastOp::create(b, loc, type, buffer).getResult();
}

struct BufferizeModulePass
    : PassWrapper<BufferizeModulePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BufferizeModulePass)

  StringRef getArgument() const final { return "vsla-cpu-bufferize"; }
  StringRef getDescription() const final {
    return "One-shot bufferization with identity-layout function boundaries, "
           "and unit-inner-stride boundaries for the shared matmul kernels";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<bufferization::BufferizationDialect, memref::MemRefDialect>();
  }

  void runOnOperation() override {
    bufferization::OneShotBufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    options.inferFunctionResultLayout = false;
    options.allocationFn = allocateBuffer;
    options.functionArgTypeConverterFn =
        [](bufferization::TensorLikeType type, Attribute memorySpace,
           func::FuncOp func,
           const bufferization::BufferizationOptions &) -> bufferization::BufferLikeType {
      auto tensor = cast<TensorType>(type);
      if (!isOutlinedContraction(func))
        return cast<bufferization::BufferLikeType>(
            bufferization::getMemRefTypeWithStaticIdentityLayout(tensor,
                                                                 memorySpace));
      auto ranked = cast<RankedTensorType>(tensor);
      SmallVector<int64_t> strides(ranked.getRank(), ShapedType::kDynamic);
      if (!strides.empty())
        strides.back() = 1;
      auto layout = StridedLayoutAttr::get(type.getContext(),
                                           ShapedType::kDynamic, strides);
      return cast<bufferization::BufferLikeType>(
          MemRefType::get(ranked.getShape(), ranked.getElementType(), layout,
                          memorySpace));
    };
    bufferization::BufferizationState state;
    if (failed(bufferization::runOneShotModuleBufferize(getOperation(), options,
                                                        state)))
      return signalPassFailure();
    bufferization::removeBufferizationAttributesInModule(getOperation());
  }
};

} // namespace

bool isOutlinedContraction(func::FuncOp func) {
  return func && func->hasAttr(kContractionKernelAttrName);
}

std::unique_ptr<Pass> createBufferizeModulePass() {
  return std::make_unique<BufferizeModulePass>();
}

} // namespace mlir::vsla

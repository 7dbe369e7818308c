//===- CallBlas.cpp - f32 and f64 matmuls as calls to BLAS ----------------===//
//
// Generated register-tiled loops reach a third of a core's FMA peak and use
// one core; a well-kept BLAS packs and blocks for the cache and threads the
// product. After bufferization, each f32 or f64 linalg.matmul and
// batch_matmul on memrefs becomes a call to the runtime's
// __vsla_gemm_<type> / __vsla_batch_gemm_<type> (C += A * B on strided
// views, through MLIR's C interface). The views are the operands' overlap,
// as the vsla lowering built them, so ambient promotion stays exact.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::vsla {

std::optional<std::string> getBlasFunctionName(linalg::LinalgOp op) {
  bool batch = isa<linalg::BatchMatmulOp>(op);
  if (!batch && !isa<linalg::MatmulOp>(op))
    return std::nullopt;
  // Named ops with their default maps only (no transposes or broadcasts
  // written into indexing_maps).
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
      matmul && matmul.hasUserDefinedMaps())
    return std::nullopt;
  if (auto matmul = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      matmul && matmul.hasUserDefinedMaps())
    return std::nullopt;
  if (op->getNumOperands() != 3)
    return std::nullopt;
  Type element = getElementTypeOrSelf(op->getOperand(0).getType());
  if (!element.isF32() && !element.isF64())
    return std::nullopt;
  for (Value operand : op->getOperands())
    if (getElementTypeOrSelf(operand.getType()) != element)
      return std::nullopt;
  return std::string(batch ? "__vsla_batch_gemm_" : "__vsla_gemm_") +
         (element.isF32() ? "f32" : "f64");
}

namespace {

MemRefType getFullyDynamic(MemRefType type) {
  int64_t rank = type.getRank();
  auto layout = StridedLayoutAttr::get(
      type.getContext(), ShapedType::kDynamic,
      SmallVector<int64_t>(rank, ShapedType::kDynamic));
  return MemRefType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                         type.getElementType(), layout,
                         type.getMemorySpace());
}

struct CallBlasPass : PassWrapper<CallBlasPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CallBlasPass)

  CallBlasPass() = default;
  CallBlasPass(const CallBlasPass &other) : PassWrapper(other) {}
  explicit CallBlasPass(StringRef device) { this->device = device.str(); }

  StringRef getArgument() const final { return "vsla-cpu-call-blas"; }
  StringRef getDescription() const final {
    return "Replace f32/f64 linalg.matmul and batch_matmul on memrefs with "
           "calls to the runtime's BLAS-backed products (cuBLAS for "
           "device=cuda)";
  }

  Option<std::string> device{
      *this, "device",
      llvm::cl::desc("where the memrefs live: host (BLAS) or cuda (cuBLAS)"),
      llvm::cl::init("host")};
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, memref::MemRefDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (device != "host" && device != "cuda") {
      module.emitError("vsla-cpu-call-blas: device '")
          << device << "' is neither host nor cuda";
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, std::string>> products;
    module.walk([&](linalg::LinalgOp op) {
      if (!op.hasPureBufferSemantics())
        return;
      // Inside a ragged batch's item (a GPU thread block) a product is the
      // block's loops, not a host call.
      for (auto forall = op->getParentOfType<scf::ForallOp>(); forall;
           forall = forall->getParentOfType<scf::ForallOp>())
        if (forall.getMapping())
          return;
      if (std::optional<std::string> name = getBlasFunctionName(op))
        products.push_back(
            {op, device == "cuda" ? "__vsla_cuda_" + name->substr(7) : *name});
    });
    SymbolTable symbols(module);
    OpBuilder b(&getContext());
    for (auto &[op, name] : products) {
      SmallVector<Type> types;
      for (Value operand : op->getOperands())
        types.push_back(getFullyDynamic(cast<MemRefType>(operand.getType())));
      auto callee = symbols.lookup<func::FuncOp>(name);
      if (!callee) {
        b.setInsertionPointToEnd(module.getBody());
        callee = func::FuncOp::create(b, module.getLoc(), name,
                                      b.getFunctionType(types, {}));
        callee.setPrivate();
        // Memrefs cross as pointers to descriptors (_mlir_ciface_<name>).
        callee->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                        b.getUnitAttr());
        symbols.insert(callee);
      }
      b.setInsertionPoint(op);
      SmallVector<Value> operands;
      for (auto [operand, type] : llvm::zip_equal(op->getOperands(), types))
        operands.push_back(
            operand.getType() == type
                ? operand
                : memref::CastOp::create(b, op.getLoc(), type, operand)
                      .getResult());
      func::CallOp::create(b, op.getLoc(), callee, operands);
      op->erase();
    }
  }
};

} // namespace

std::unique_ptr<Pass> createCallBlasPass(StringRef device) {
  return std::make_unique<CallBlasPass>(device);
}

} // namespace mlir::vsla

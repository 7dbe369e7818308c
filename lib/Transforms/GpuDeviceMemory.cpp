//===- GpuDeviceMemory.cpp - host functions' buffers in device memory -----===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "LinearIndex.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUDEVICEMEMORY
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

bool hasIdentityLayout(Value memref) {
  return cast<MemRefType>(memref.getType()).getLayout().isIdentity();
}

/// A copy between views (offsets, strides) that gpu.memcpy cannot take: a
/// kernel of one thread per element.
void emitCopyKernel(OpBuilder &b, Location loc, Value source, Value target) {
  constexpr int64_t kThreads = 256;
  auto type = cast<MemRefType>(target.getType());
  SmallVector<Value> extents;
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t i = 0; i < type.getRank(); ++i) {
    extents.push_back(memref::DimOp::create(b, loc, target, i));
    count = arith::MulIOp::create(b, loc, count, extents.back());
  }
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value threads = arith::ConstantIndexOp::create(b, loc, kThreads);
  Value blocks = arith::CeilDivUIOp::create(b, loc, count, threads);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value linear = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads),
      launch.getThreadIds().x);
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                       linear, count);
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&guard.getThenRegion().front());
  SmallVector<Value> indices =
      vsla::delinearizeIndex(b, loc, linear, extents);
  Value value = memref::LoadOp::create(b, loc, source, indices);
  memref::StoreOp::create(b, loc, value, target, indices);
}

struct GpuDeviceMemoryPass
    : vsla::impl::VslaGpuDeviceMemoryBase<GpuDeviceMemoryPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      // Host code only: not kernels, not launch bodies.
      if (op->getParentOfType<gpu::GPUModuleOp>() ||
          op->getParentOfType<gpu::LaunchOp>())
        return;
      // Shape functions run on the host with host memory.
      if (auto func = op->getParentOfType<func::FuncOp>();
          func && func->hasAttr(vsla::kShapeFunctionAttrName))
        return;
      // Host copies of device buffers stay in host memory.
      if (op->hasAttr(vsla::kHostBufferAttrName))
        return;
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op);
          dealloc && dealloc.getMemref().getDefiningOp() &&
          dealloc.getMemref().getDefiningOp()->hasAttr(
              vsla::kHostBufferAttrName))
        return;
      if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder builder(op);
      Location loc = op->getLoc();
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto device = gpu::AllocOp::create(
            builder, loc, alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/UnitAttr());
        alloc.replaceAllUsesWith(device.getMemref());
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(builder, loc, /*asyncToken=*/Type(),
                               ValueRange(), dealloc.getMemref());
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        if (hasIdentityLayout(copy.getSource()) &&
            hasIdentityLayout(copy.getTarget()))
          gpu::MemcpyOp::create(builder, loc, /*asyncToken=*/Type(),
                                ValueRange(), copy.getTarget(),
                                copy.getSource());
        else
          emitCopyKernel(builder, loc, copy.getSource(), copy.getTarget());
      }
      op->erase();
    }
  }
};

} // namespace

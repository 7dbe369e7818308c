//===- GpuSerialKernels.cpp - host memory accesses into 1-thread kernels --===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUSERIALKERNELS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

/// Whether `op` reads or writes buffer contents (on the host this would be
/// device memory).
bool touchesBuffers(Operation *op) {
  WalkResult walk = op->walk([](Operation *inner) {
    if (isa<memref::LoadOp, memref::StoreOp, vector::TransferReadOp,
            vector::TransferWriteOp, vector::LoadOp, vector::StoreOp>(inner))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return walk.wasInterrupted();
}

struct GpuSerialKernelsPass
    : vsla::impl::VslaGpuSerialKernelsBase<GpuSerialKernelsPass> {
  void runOnOperation() override {
    // The outermost host ops that touch buffers and launch nothing; host
    // control flow around launches (shape branches) stays on the host.
    SmallVector<Operation *> serial;
    std::function<void(Region &)> visit = [&](Region &region) {
      for (Block &block : region)
        for (Operation &op : block) {
          if (isa<gpu::LaunchOp>(op))
            continue;
          bool launches =
              op.walk([](gpu::LaunchOp) { return WalkResult::interrupt(); })
                  .wasInterrupted();
          if (launches) {
            for (Region &inner : op.getRegions())
              visit(inner);
          } else if (touchesBuffers(&op)) {
            serial.push_back(&op);
          }
        }
    };
    getOperation().walk([&](func::FuncOp func) {
      // Shape functions run on the host and write host memory.
      if (!func->hasAttr(vsla::kShapeFunctionAttrName))
        visit(func.getBody());
    });
    for (Operation *op : serial) {
      if (op->getNumResults() != 0) {
        op->emitError("the GPU pipeline cannot run this on the device: the "
                      "host needs its results");
        return signalPassFailure();
      }
      OpBuilder builder(op);
      Location loc = op->getLoc();
      Value one = arith::ConstantIndexOp::create(builder, loc, 1);
      auto launch = gpu::LaunchOp::create(builder, loc, one, one, one, one,
                                          one, one);
      Block &body = launch.getBody().front();
      builder.setInsertionPointToEnd(&body);
      auto terminator = gpu::TerminatorOp::create(builder, loc);
      op->moveBefore(terminator);
    }
  }
};

} // namespace

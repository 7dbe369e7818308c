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

bool launchesKernels(Operation &op) {
  return isa<gpu::LaunchOp>(op) ||
         op.walk([](gpu::LaunchOp) { return WalkResult::interrupt(); })
             .wasInterrupted();
}

/// `first` and the ops of its block that use what it computes, directly or
/// through each other (a scalar loaded, negated and stored, say), with the
/// buffer accesses among them (the other operand's load): one kernel's body,
/// placed where the last of them is. Empty when a use lies in an op that
/// launches kernels or outside the block, or when an op in between launches
/// kernels (the run would move past it).
SmallVector<Operation *> collectRun(Operation *first) {
  Block *block = first->getBlock();
  llvm::SmallPtrSet<Operation *, 8> inRun = {first};
  Operation *last = first;
  for (Operation *op = first;; op = op->getNextNode()) {
    if (!inRun.contains(op) && touchesBuffers(op) && !launchesKernels(*op) &&
        !op->hasTrait<OpTrait::IsTerminator>())
      inRun.insert(op);
    if (inRun.contains(op))
      for (Value result : op->getResults())
        for (Operation *user : result.getUsers()) {
          Operation *ancestor = block->findAncestorOpInBlock(*user);
          if (!ancestor)
            return {};
          inRun.insert(ancestor);
          if (last->isBeforeInBlock(ancestor))
            last = ancestor;
        }
    if (op == last)
      break;
  }
  SmallVector<Operation *> run;
  for (Operation *op = first;; op = op->getNextNode()) {
    if (!inRun.contains(op)) {
      if (touchesBuffers(op) || launchesKernels(*op))
        return {};
    } else if (launchesKernels(*op) ||
               op->hasTrait<OpTrait::IsTerminator>()) {
      return {};
    } else {
      run.push_back(op);
    }
    if (op == last)
      return run;
  }
}

struct GpuSerialKernelsPass
    : vsla::impl::VslaGpuSerialKernelsBase<GpuSerialKernelsPass> {
  void runOnOperation() override {
    // Runs of host ops that touch buffers and launch nothing; host control
    // flow around launches (shape branches) stays on the host.
    SmallVector<SmallVector<Operation *>> runs;
    bool failed = false;
    std::function<void(Region &)> visit = [&](Region &region) {
      for (Block &block : region)
        for (Operation *op = block.empty() ? nullptr : &block.front(); op;) {
          if (isa<gpu::LaunchOp>(op)) {
            op = op->getNextNode();
            continue;
          }
          if (launchesKernels(*op)) {
            for (Region &inner : op->getRegions())
              visit(inner);
            op = op->getNextNode();
            continue;
          }
          if (!touchesBuffers(op)) {
            op = op->getNextNode();
            continue;
          }
          SmallVector<Operation *> run = collectRun(op);
          if (run.empty()) {
            op->emitError("the GPU pipeline cannot run this on the device: the "
                          "host needs its results");
            failed = true;
            return;
          }
          op = run.back()->getNextNode();
          runs.push_back(std::move(run));
        }
    };
    getOperation().walk([&](func::FuncOp func) {
      // Shape functions run on the host and write host memory.
      if (!func->hasAttr(vsla::kShapeFunctionAttrName))
        visit(func.getBody());
    });
    if (failed)
      return signalPassFailure();
    for (ArrayRef<Operation *> run : runs) {
      OpBuilder builder(run.back());
      Location loc = run.front()->getLoc();
      Value one = arith::ConstantIndexOp::create(builder, loc, 1);
      auto launch = gpu::LaunchOp::create(builder, loc, one, one, one, one,
                                          one, one);
      Block &body = launch.getBody().front();
      builder.setInsertionPointToEnd(&body);
      auto terminator = gpu::TerminatorOp::create(builder, loc);
      for (Operation *op : run)
        op->moveBefore(terminator);
    }
  }
};

} // namespace

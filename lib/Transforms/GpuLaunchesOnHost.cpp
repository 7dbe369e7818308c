//===- GpuLaunchesOnHost.cpp - the GPU pipeline's kernels as host loops ---===//
//
// A test aid for machines without a GPU: the `gpu` phase's launches become
// loops over their blocks and threads on the host, device memory becomes
// host memory, and the CPU backend compiles the rest (vsla-to-gpu with
// emulate-on-host). The kernels' index arithmetic, the placement of buffers
// between host and device, workspaces and copies then run on the CPU and can
// be checked against NumPy. Threads of a block run one after the other, so
// a kernel that synchronizes its threads (gpu.barrier, gpu.all_reduce) must
// have blocks of one thread (the pipeline's block-size=1); such a kernel
// with larger blocks is an error. What this cannot check is what only
// parallel threads do: races, barriers in the wrong place.
//
//===----------------------------------------------------------------------===//

#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPULAUNCHESONHOST
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

/// Replaces `launch` by loops over its grid and blocks running its body.
LogicalResult runOnHost(gpu::LaunchOp launch) {
  Location loc = launch.getLoc();
  bool synchronizes =
      launch.getBody()
          .walk([](Operation *op) {
            return isa<gpu::BarrierOp, gpu::AllReduceOp, gpu::ShuffleOp>(op)
                       ? WalkResult::interrupt()
                       : WalkResult::advance();
          })
          .wasInterrupted();
  gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
  if (synchronizes)
    for (Value size : {blockSize.x, blockSize.y, blockSize.z})
      if (getConstantIntValue(size) != 1)
        return launch.emitError(
            "vsla-gpu-launches-on-host: a kernel whose threads synchronize "
            "runs on the host with blocks of one thread only (block-size=1)");

  OpBuilder b(launch);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 gridSize = launch.getGridSizeOperandValues();
  SmallVector<Value> bounds{gridSize.x,  gridSize.y,  gridSize.z,
                            blockSize.x, blockSize.y, blockSize.z};
  SmallVector<Value> ivs;
  for (Value bound : bounds) {
    auto loop = scf::ForOp::create(b, loc, zero, bound, one);
    ivs.push_back(loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  IRMapping mapping;
  gpu::KernelDim3 blockIds = launch.getBlockIds();
  gpu::KernelDim3 threadIds = launch.getThreadIds();
  gpu::KernelDim3 grid = launch.getGridSize();
  gpu::KernelDim3 block = launch.getBlockSize();
  Value arguments[] = {blockIds.x, blockIds.y, blockIds.z, threadIds.x,
                       threadIds.y, threadIds.z, grid.x, grid.y,
                       grid.z, block.x, block.y, block.z};
  for (int i = 0; i < 6; ++i)
    mapping.map(arguments[i], ivs[i]);
  for (int i = 0; i < 6; ++i)
    mapping.map(arguments[6 + i], bounds[i]);
  Block &body = launch.getBody().front();
  if (launch.getBody().getBlocks().size() != 1)
    return launch.emitError(
        "vsla-gpu-launches-on-host: a launch body of one block is expected");
  for (Operation &op : body.without_terminator())
    b.clone(op, mapping);
  launch.erase();
  return success();
}

struct GpuLaunchesOnHostPass
    : vsla::impl::VslaGpuLaunchesOnHostBase<GpuLaunchesOnHostPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(runOnHost(launch)))
        return signalPassFailure();

    // Inside what were kernels: one thread per block needs no barrier and
    // reduces over itself. Device memory is host memory.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<gpu::BarrierOp, gpu::AllReduceOp, gpu::AllocOp, gpu::DeallocOp,
              gpu::MemcpyOp, gpu::MemsetOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      if (auto reduce = dyn_cast<gpu::AllReduceOp>(op)) {
        reduce.replaceAllUsesWith(reduce.getValue());
      } else if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
        if (alloc.getAsyncToken() || !alloc.getAsyncDependencies().empty()) {
          op->emitError("vsla-gpu-launches-on-host: expected a synchronous "
                        "gpu.alloc (before gpu-async-region)");
          return signalPassFailure();
        }
        auto host = memref::AllocOp::create(b, loc, alloc.getMemref().getType(),
                                            alloc.getDynamicSizes(),
                                            alloc.getSymbolOperands(),
                                            b.getI64IntegerAttr(256));
        alloc.getMemref().replaceAllUsesWith(host.getResult());
      } else if (auto dealloc = dyn_cast<gpu::DeallocOp>(op)) {
        memref::DeallocOp::create(b, loc, dealloc.getMemref());
      } else if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
        memref::CopyOp::create(b, loc, copy.getSrc(), copy.getDst());
      } else if (auto memset = dyn_cast<gpu::MemsetOp>(op)) {
        linalg::FillOp::create(b, loc, memset.getValue(), memset.getDst());
      }
      op->erase();
    }
  }
};

} // namespace

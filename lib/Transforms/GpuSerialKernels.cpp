//===- GpuSerialKernels.cpp - host memory accesses into 1-thread kernels --===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

#include <functional>

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUSERIALKERNELS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

/// The buffer `view` is a view of (an allocation or a function argument).
Value getRoot(Value view) {
  while (auto viewLike = view.getDefiningOp<ViewLikeOpInterface>())
    view = viewLike.getViewSource();
  return view;
}

bool isHostBuffer(Value view) {
  Operation *def = getRoot(view).getDefiningOp();
  return def && def->hasAttr(vsla::kHostBufferAttrName);
}

/// The buffer a load or store accesses, or null for other ops.
Value getAccessedBuffer(Operation *op) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return load.getMemRef();
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return store.getMemRef();
  if (isa<vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
          vector::StoreOp>(op))
    return op->getOperand(isa<vector::TransferReadOp, vector::LoadOp>(op) ? 0
                                                                          : 1);
  return {};
}

/// Whether `op` reads or writes the contents of device buffers.
bool touchesBuffers(Operation *op) {
  WalkResult walk = op->walk([](Operation *inner) {
    if (Value buffer = getAccessedBuffer(inner); buffer && !isHostBuffer(buffer))
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

/// Whether a run of host ops (collectRun; empty when the host needs its
/// results) must stay on the host: it also reads or writes host copies of
/// buffers, or calls the runtime (which map item is being checked).
bool needsHost(ArrayRef<Operation *> run) {
  if (run.empty())
    return true;
  for (Operation *op : run) {
    WalkResult walk = op->walk([](Operation *inner) {
      if (Value buffer = getAccessedBuffer(inner);
          buffer && isHostBuffer(buffer))
        return WalkResult::interrupt();
      if (auto call = dyn_cast<func::CallOp>(inner);
          call && call.getCallee() != vsla::kCheckFailedFunction)
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return true;
  }
  return false;
}

/// Gives `root` (a device buffer the host must read or write: a ragged
/// batch's shapes read by a sizing loop whose results size the outputs, the
/// offsets it writes) a copy in host memory for the host's loads and
/// stores, copied to and from the device buffer where the two sides hand
/// over: before a host access that follows device work on it, before
/// device work that follows a host write. Fails (names the op) where one op
/// holds both host accesses and device work on the buffer.
LogicalResult placeOnHost(Value root, func::FuncOp func) {
  Block *home = isa<BlockArgument>(root) ? &func.getBody().front()
                                         : root.getDefiningOp()->getBlock();
  auto type = cast<MemRefType>(root.getType());
  // Every use of the buffer's data, through views: host loads and stores
  // (outside kernels), and the rest (kernels, copies, calls, the return).
  SmallVector<Operation *> hostAccesses;
  llvm::DenseSet<Operation *> hostAncestors, deviceAncestors;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value view = worklist.pop_back_val();
    for (OpOperand &use : view.getUses()) {
      Operation *user = use.getOwner();
      if (auto viewLike = dyn_cast<ViewLikeOpInterface>(user);
          viewLike && viewLike.getViewSource() == view) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      if (isa<memref::DimOp, memref::DeallocOp,
              memref::ExtractStridedMetadataOp>(user))
        continue;
      Operation *ancestor = home->findAncestorOpInBlock(*user);
      if (!ancestor)
        return user->emitError("the GPU pipeline cannot place this buffer in "
                               "host memory: it is used outside its block");
      if (isa<memref::LoadOp, memref::StoreOp>(user) &&
          getAccessedBuffer(user) == view &&
          !user->getParentOfType<gpu::LaunchOp>()) {
        hostAccesses.push_back(user);
        hostAncestors.insert(ancestor);
      } else {
        deviceAncestors.insert(ancestor);
      }
    }
  }
  for (Operation *ancestor : hostAncestors)
    if (deviceAncestors.contains(ancestor))
      return ancestor->emitError(
          "the GPU pipeline cannot run this on the device: the host needs "
          "its results, and it also launches kernels on the buffers it reads");

  OpBuilder b(func.getContext());
  Location loc = root.getLoc();
  if (auto argument = dyn_cast<BlockArgument>(root))
    b.setInsertionPointToStart(home);
  else
    b.setInsertionPointAfter(root.getDefiningOp());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, root, d));
  auto hostType = MemRefType::get(type.getShape(), type.getElementType());
  auto host = memref::AllocOp::create(b, loc, hostType, sizes);
  host->setAttr(vsla::kHostBufferAttrName, b.getUnitAttr());
  Value hostView = host.getResult();
  if (hostType != type)
    hostView = memref::CastOp::create(b, loc, type, hostView);

  // Each host access goes to the copy, through the same views.
  for (Operation *access : hostAccesses) {
    Value view = getAccessedBuffer(access);
    SmallVector<Operation *> chain;
    for (Value v = view; v != root;
         v = cast<ViewLikeOpInterface>(v.getDefiningOp()).getViewSource())
      chain.push_back(v.getDefiningOp());
    OpBuilder at(access);
    IRMapping mapping;
    mapping.map(root, hostView);
    for (Operation *op : llvm::reverse(chain))
      at.clone(*op, mapping);
    access->replaceUsesOfWith(view, mapping.lookup(view));
  }

  // The copies where the two sides hand over, in the block's order.
  enum class Latest { device, host, both } latest =
      isa<BlockArgument>(root) ? Latest::device : Latest::both;
  for (Operation &op : *home) {
    if (hostAncestors.contains(&op)) {
      if (latest == Latest::device) {
        OpBuilder before(&op);
        gpu::MemcpyOp::create(before, loc, Type(), ValueRange(), hostView,
                              root);
        latest = Latest::both;
      }
      if (llvm::any_of(hostAccesses, [&](Operation *access) {
            return isa<memref::StoreOp>(access) &&
                   home->findAncestorOpInBlock(*access) == &op;
          }))
        latest = Latest::host;
    } else if (deviceAncestors.contains(&op)) {
      if (latest == Latest::host) {
        OpBuilder before(&op);
        gpu::MemcpyOp::create(before, loc, Type(), ValueRange(), root,
                              hostView);
      }
      // Kernels may write it.
      latest = Latest::device;
    }
  }
  // The caller reads an argument the host wrote (an output passed in) from
  // the device.
  if (isa<BlockArgument>(root) && latest == Latest::host) {
    OpBuilder atEnd(home->getTerminator());
    gpu::MemcpyOp::create(atEnd, loc, Type(), ValueRange(), root, hostView);
  }
  // Freed at the end of its block, where the host waits for the device
  // anyway (a dealloc is a host side effect: gpu-async-region would wait
  // for the stream before it).
  OpBuilder atEnd(home->getTerminator());
  memref::DeallocOp::create(atEnd, loc, host.getResult());
  return success();
}

struct GpuSerialKernelsPass
    : vsla::impl::VslaGpuSerialKernelsBase<GpuSerialKernelsPass> {
  void runOnOperation() override {
    // Ops whose results the host needs (a sizing loop over a ragged batch's
    // shapes) read and write host copies of their buffers.
    while (true) {
      Operation *needed = nullptr;
      std::function<void(Region &)> find = [&](Region &region) {
        for (Block &block : region)
          for (Operation &op : block) {
            if (needed || isa<gpu::LaunchOp>(op))
              continue;
            if (launchesKernels(op)) {
              for (Region &inner : op.getRegions())
                find(inner);
              continue;
            }
            if (touchesBuffers(&op) && needsHost(collectRun(&op)))
              needed = &op;
          }
      };
      getOperation().walk([&](func::FuncOp func) {
        if (!needed && !func->hasAttr(vsla::kShapeFunctionAttrName))
          find(func.getBody());
      });
      if (!needed)
        break;
      auto func = needed->getParentOfType<func::FuncOp>();
      llvm::SetVector<Value> roots;
      needed->walk([&](Operation *inner) {
        if (Value buffer = getAccessedBuffer(inner);
            buffer && !isHostBuffer(buffer) &&
            !inner->getParentOfType<gpu::LaunchOp>())
          roots.insert(getRoot(buffer));
      });
      for (Value root : roots)
        if (failed(placeOnHost(root, func)))
          return signalPassFailure();
    }

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

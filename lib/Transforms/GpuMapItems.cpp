//===- GpuMapItems.cpp - a ragged batch's items as GPU thread blocks ------===//
//
// vsla-lower-map with gpu-blocks leaves each vsla.map's parallel loop as an
// scf.forall over the items mapped to #gpu.block<x>. Here, on buffers, that
// loop becomes one gpu.launch with a block per item (no padding: each block
// runs its own item's extents) whose threads share the item's work:
//
//  - a reduction (matchBlockReduction) is folded by the block's threads and
//    combined with gpu.all_reduce (warp shuffles, shared memory);
//  - every other linalg op and copy becomes a loop over its iterations that
//    the threads stride over (thread t takes t, t + blockDim, ...);
//  - what is left that writes memory (a rank-0 store, a serial loop) runs on
//    thread 0;
//  - a gpu.barrier follows each of them, so the next reads what they wrote.
//
// Temporaries of an item (memref.alloc in the body, sized by its extents)
// come from one workspace per allocation, allocated before the launch: a
// host loop over the items evaluates each allocation's size for every item
// and sums them into a table of where each item's part starts.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "BlockReduction.h"
#include "LinearIndex.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUMAPITEMS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

namespace {

/// Each item's part of a workspace starts at a multiple of this (aligned
/// views).
constexpr int64_t kWorkspaceAlignment = 16;

Value constantIndex(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// Whether `op` holds work the threads share (linalg ops, copies, parallel
/// loops), so that it is entered rather than run as a whole.
bool holdsSharedWork(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        return isa<linalg::LinalgOp, memref::CopyOp, scf::ParallelOp>(inner)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

bool writesMemory(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
        if (effects && effects.hasEffect<MemoryEffects::Write>())
          return WalkResult::interrupt();
        if (!effects && !inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
            inner->getNumRegions() == 0 && !isPure(inner))
          return WalkResult::interrupt(); // unknown: assume it writes
        return WalkResult::advance();
      })
      .wasInterrupted();
}

/// Folds an scf.for of one iteration (from x to x + 1) into its body.
void inlineSingleIterationLoops(Region &region) {
  SmallVector<scf::ForOp> loops;
  region.walk([&](scf::ForOp loop) {
    auto add = loop.getUpperBound().getDefiningOp<arith::AddIOp>();
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!add || step != 1)
      return;
    Value lower = loop.getLowerBound();
    if ((add.getLhs() == lower && getConstantIntValue(add.getRhs()) == 1) ||
        (add.getRhs() == lower && getConstantIntValue(add.getLhs()) == 1))
      loops.push_back(loop);
  });
  IRRewriter rewriter(region.getContext());
  for (scf::ForOp loop : loops) {
    Block *body = loop.getBody();
    auto yield = cast<scf::YieldOp>(body->getTerminator());
    SmallVector<Value> results(yield.getOperands());
    SmallVector<Value> arguments{loop.getLowerBound()};
    llvm::append_range(arguments, loop.getInitArgs());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(body, loop, arguments);
    rewriter.replaceOp(loop, results);
  }
}

void sequentialize(scf::ParallelOp loop);

/// Builds the kernel of one item loop.
class ItemKernel {
public:
  ItemKernel(scf::ForallOp forall, int64_t blockSize)
      : forall(forall), blockSize(blockSize), rewriter(forall.getContext()) {}

  LogicalResult build();

private:
  LogicalResult placeTemporaries(Value count);
  LogicalResult shareBlock(Block &block);
  LogicalResult shareLinalg(linalg::LinalgOp op);
  /// `op` as loops: the threads share its parallel loops, a reduced loop
  /// runs within a thread.
  LogicalResult shareSerially(linalg::LinalgOp op);
  LogicalResult strideThreads(scf::ParallelOp loop);
  void onFirstThread(Operation *op);
  void barrierAfter(Operation *op) {
    OpBuilder b(op->getContext());
    b.setInsertionPointAfter(op);
    gpu::BarrierOp::create(b, op->getLoc());
  }
  /// Before a step that writes memory: every thread has done its reads of
  /// what came before (a value loaded by all threads that thread 0 then
  /// overwrites).
  void barrierBefore(Operation *op) {
    if (isa_and_nonnull<gpu::BarrierOp>(op->getPrevNode()))
      return;
    OpBuilder b(op);
    gpu::BarrierOp::create(b, op->getLoc());
  }

  scf::ForallOp forall;
  int64_t blockSize;
  IRRewriter rewriter;
  Value threadId, blockDim;
};

LogicalResult ItemKernel::build() {
  Location loc = forall.getLoc();
  if (forall.getRank() != 1 || !forall.getOutputs().empty() ||
      !forall.isNormalized())
    return forall.emitError("vsla-gpu-map-items: expected a normalized 1-D "
                            "scf.forall on buffers over the items");
  Region &body = forall.getRegion();
  inlineSingleIterationLoops(body);
  WalkResult calls = body.walk([](Operation *op) {
    if (isa<func::CallOp, scf::ForallOp, gpu::LaunchOp>(op))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (calls.wasInterrupted())
    return forall.emitError(
        "the GPU pipeline cannot run this map's items as thread blocks: an "
        "item calls a function or maps over a nested batch");

  OpBuilder b(forall);
  Value count = getValueOrCreateConstantIndexOp(
      b, loc, forall.getMixedUpperBound()[0]);
  if (failed(placeTemporaries(count)))
    return failure();

  // One block per item; none for an empty batch (a launch needs a block).
  Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, count,
                                    constantIndex(b, loc, 0));
  auto guard = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&guard.getThenRegion().front());
  Value one = constantIndex(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, count, one, one,
                                      constantIndex(b, loc, blockSize), one,
                                      one);
  Block &kernel = launch.getBody().front();
  b.setInsertionPointToEnd(&kernel);
  auto terminator = gpu::TerminatorOp::create(b, loc);
  Block &items = body.front();
  forall.getInductionVar(0).replaceAllUsesWith(launch.getBlockIds().x);
  // The loop's terminator (scf.forall.in_parallel, empty on buffers) stays.
  for (Operation &op : llvm::make_early_inc_range(items.without_terminator()))
    op.moveBefore(terminator);
  forall.erase();
  threadId = launch.getThreadIds().x;
  blockDim = launch.getBlockSize().x;
  if (failed(shareBlock(kernel)))
    return failure();
  // One barrier where steps put two side by side.
  SmallVector<gpu::BarrierOp> repeated;
  kernel.walk([&](gpu::BarrierOp barrier) {
    if (isa_and_nonnull<gpu::BarrierOp>(barrier->getPrevNode()))
      repeated.push_back(barrier);
  });
  for (gpu::BarrierOp barrier : repeated)
    barrier.erase();
  return success();
}

LogicalResult ItemKernel::placeTemporaries(Value count) {
  // An extent read off another temporary is that temporary's size operand
  // (so that sizes come from the item's extents alone).
  {
    RewritePatternSet patterns(forall.getContext());
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    memref::populateResolveShapedTypeResultDimsPatterns(patterns);
    memref::DimOp::getCanonicalizationPatterns(patterns, forall.getContext());
    (void)applyPatternsGreedily(forall.getOperation(), std::move(patterns));
  }
  // A shape written to a small buffer for a memref.reshape and read back
  // (the size of the reshaped copy) is the value written.
  SmallVector<memref::LoadOp> loads;
  forall.getRegion().walk([&](memref::LoadOp load) { loads.push_back(load); });
  for (memref::LoadOp load : loads) {
    auto alloc = load.getMemRef().getDefiningOp<memref::AllocOp>();
    if (!alloc || !forall->isProperAncestor(alloc))
      continue;
    memref::StoreOp store;
    bool onlyReads = true;
    for (Operation *user : alloc->getUsers()) {
      if (auto s = dyn_cast<memref::StoreOp>(user)) {
        onlyReads &= !store;
        store = s;
      } else {
        onlyReads &= isa<memref::LoadOp, memref::ReshapeOp, memref::DeallocOp>(user);
      }
    }
    if (!onlyReads || !store || store->getBlock() != load->getBlock() ||
        !store->isBeforeInBlock(load) ||
        store.getIndices() != load.getIndices())
      continue;
    load.replaceAllUsesWith(store.getValueToStore());
    load.erase();
  }
  SmallVector<memref::DimOp> dims;
  forall.getRegion().walk([&](memref::DimOp dim) { dims.push_back(dim); });
  for (memref::DimOp dim : dims) {
    auto alloc = dim.getSource().getDefiningOp<memref::AllocOp>();
    std::optional<int64_t> axis = dim.getConstantIndex();
    if (!alloc || !axis)
      continue;
    OpBuilder b(dim);
    dim.replaceAllUsesWith(getValueOrCreateConstantIndexOp(
        b, dim.getLoc(), alloc.getMixedSizes()[*axis]));
    dim.erase();
  }
  SmallVector<memref::AllocOp> allocs;
  forall.getRegion().walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
  if (allocs.empty())
    return success();
  Location loc = forall.getLoc();
  OpBuilder b(forall);
  Value zero = constantIndex(b, loc, 0), one = constantIndex(b, loc, 1);
  // Where each item's part of each allocation's workspace starts: a host
  // loop evaluating the sizes as the body computes them, summing them
  // (aligned) into a table of offsets per allocation (the item's part is
  // its own size: no item is given room for the largest).
  Value countPlusOne = arith::AddIOp::create(b, loc, count, one);
  auto tableType = MemRefType::get({ShapedType::kDynamic}, b.getIndexType());
  SmallVector<Value> tables;
  for (size_t k = 0; k < allocs.size(); ++k)
    tables.push_back(
        memref::AllocOp::create(b, loc, tableType, ValueRange{countPlusOne}));
  Value alignment = constantIndex(b, loc, kWorkspaceAlignment);
  SmallVector<Value> initial(allocs.size(), zero);
  auto sizing = scf::ForOp::create(b, loc, zero, count, one, initial);
  {
    OpBuilder::InsertionGuard inside(b);
    b.setInsertionPointToStart(sizing.getBody());
    IRMapping mapping;
    mapping.map(forall.getInductionVar(0), sizing.getInductionVar());
    SmallVector<Value> next;
    for (auto [k, alloc] : llvm::enumerate(allocs)) {
      SetVector<Operation *> slice;
      BackwardSliceOptions options;
      options.inclusive = true;
      options.omitBlockArguments = true;
      options.filter = [&](Operation *op) {
        return forall->isProperAncestor(op);
      };
      for (Value size : alloc.getDynamicSizes()) {
        Operation *def = size.getDefiningOp();
        if (!def || !forall->isProperAncestor(def))
          continue;
        if (failed(getBackwardSlice(def, &slice, options)))
          return alloc.emitError("the GPU pipeline cannot size this "
                                 "temporary of a ragged batch's item");
      }
      for (Operation *op : slice) {
        bool readsOnly = isa<memref::LoadOp>(op) || isPure(op) ||
                         isa<ViewLikeOpInterface, memref::DimOp>(op);
        if (!readsOnly || op->getNumRegions() != 0)
          return alloc.emitError("the GPU pipeline cannot size this "
                                 "temporary of a ragged batch's item: its "
                                 "size comes from ")
                 << op->getName();
        if (auto load = dyn_cast<memref::LoadOp>(op)) {
          Value buffer = load.getMemRef();
          while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
            buffer = view.getViewSource();
          if (Operation *def = buffer.getDefiningOp();
              def && forall->isProperAncestor(def))
            return alloc.emitError(
                "the GPU pipeline cannot size this temporary of a ragged "
                "batch's item: its size depends on the item's data");
        }
        for (Value operand : op->getOperands())
          if (auto argument = dyn_cast<BlockArgument>(operand);
              argument && forall->isProperAncestor(
                              argument.getOwner()->getParentOp()) &&
              !mapping.contains(argument))
            return alloc.emitError(
                "the GPU pipeline cannot size this temporary of a ragged "
                "batch's item: its size depends on an inner loop");
        if (!mapping.contains(op->getResult(0)))
          b.clone(*op, mapping);
      }
      auto type = alloc.getType();
      Value elements = one;
      unsigned dynamic = 0;
      for (int64_t extent : type.getShape())
        elements = arith::MulIOp::create(
            b, loc, elements,
            ShapedType::isDynamic(extent)
                ? mapping.lookupOrDefault(alloc.getDynamicSizes()[dynamic++])
                : constantIndex(b, loc, extent));
      Type element = type.getElementType();
      int64_t width = element.isIndex() ? 8
                                        : std::max<int64_t>(
                                              1, element.getIntOrFloatBitWidth() / 8);
      Value bytes =
          arith::MulIOp::create(b, loc, elements, constantIndex(b, loc, width));
      Value aligned = arith::MulIOp::create(
          b, loc, arith::CeilDivUIOp::create(b, loc, bytes, alignment),
          alignment);
      Value start = sizing.getRegionIterArgs()[k];
      memref::StoreOp::create(b, loc, start, tables[k],
                              ValueRange{sizing.getInductionVar()});
      next.push_back(arith::AddIOp::create(b, loc, start, aligned));
    }
    scf::YieldOp::create(b, loc, next);
  }

  // A workspace per allocation; each item's view of it at its offset.
  for (auto [k, alloc] : llvm::enumerate(allocs)) {
    memref::StoreOp::create(b, loc, sizing.getResult(k), tables[k],
                            ValueRange{count});
    // At least one byte: a workspace for an empty batch is still a buffer.
    Value total = arith::MaxUIOp::create(b, loc, sizing.getResult(k), one);
    auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
    Value workspace =
        memref::AllocOp::create(b, loc, bytesType, ValueRange{total},
                                b.getI64IntegerAttr(256));
    {
      OpBuilder::InsertionGuard after(b);
      b.setInsertionPointAfter(forall);
      memref::DeallocOp::create(b, loc, workspace);
      memref::DeallocOp::create(b, loc, tables[k]);
    }
    OpBuilder at(alloc);
    Value shift = memref::LoadOp::create(at, loc, tables[k],
                                         ValueRange{forall.getInductionVar(0)});
    auto view = memref::ViewOp::create(at, loc, alloc.getType(), workspace,
                                       shift, alloc.getDynamicSizes());
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    alloc.replaceAllUsesWith(view.getResult());
    alloc.erase();
  }
  return success();
}

LogicalResult ItemKernel::shareBlock(Block &block) {
  for (Operation &op : llvm::make_early_inc_range(block.without_terminator())) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (failed(shareLinalg(linalgOp)))
        return failure();
      continue;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      OpBuilder b(copy);
      auto asLinalg = linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                                             copy.getTarget());
      copy.erase();
      if (failed(shareLinalg(cast<linalg::LinalgOp>(asLinalg.getOperation()))))
        return failure();
      continue;
    }
    if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      if (failed(strideThreads(loop)))
        return failure();
      continue;
    }
    if (isa<memref::DeallocOp>(op)) {
      // A view of a workspace or an input: nothing to free inside.
      op.erase();
      continue;
    }
    if (op.getNumRegions() != 0 && holdsSharedWork(&op)) {
      // Uniform control flow (its bounds and conditions come from extents
      // every thread computes alike): the threads enter it together.
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          if (failed(shareBlock(inner)))
            return failure();
      continue;
    }
    if (writesMemory(&op))
      onFirstThread(&op);
  }
  return success();
}

LogicalResult ItemKernel::shareLinalg(linalg::LinalgOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  if (isa<linalg::ReduceOp>(op.getOperation())) {
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, op);
    if (succeeded(generic))
      return shareLinalg(cast<linalg::LinalgOp>(generic->getOperation()));
  }
  if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
    if (std::optional<Combiner> combiner = matchBlockReduction(generic)) {
      // Few outputs (a sum of the item, a mean over its long axis): the
      // block folds each in turn. Many (a convolution's taps): each thread
      // folds its own outputs.
      OpBuilder b(op);
      Value outputs = countBlockReductionOutputs(b, generic);
      Value few = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        outputs, blockDim);
      auto choice = scf::IfOp::create(b, loc, few, /*withElseRegion=*/true);
      barrierBefore(choice);
      b.setInsertionPointToStart(&choice.getThenRegion().front());
      auto byBlock = cast<linalg::GenericOp>(b.clone(*op));
      std::optional<Combiner> cloned = matchBlockReduction(byBlock);
      b.setInsertionPoint(byBlock);
      emitBlockReduction(b, byBlock, *cloned, constantIndex(b, loc, 0),
                         constantIndex(b, loc, 1), threadId, blockDim);
      byBlock.erase();
      b.setInsertionPointToStart(&choice.getElseRegion().front());
      auto byThreads = cast<linalg::LinalgOp>(b.clone(*op));
      op->erase();
      if (failed(shareSerially(byThreads)))
        return failure();
      barrierAfter(choice);
      return success();
    }
  return shareSerially(op);
}

LogicalResult ItemKernel::shareSerially(linalg::LinalgOp op) {
  Block *block = op->getBlock();
  Operation *before = op->getPrevNode();
  Operation *after = op->getNextNode();
  rewriter.setInsertionPoint(op);
  if (failed(linalg::linalgOpToParallelLoops(rewriter, op)))
    return op->emitError("the GPU pipeline cannot make loops of this op in a "
                         "ragged batch's item");
  rewriter.eraseOp(op);
  // What it became: a parallel loop nest (the threads share its outer
  // parallel loops), a serial loop (a reduction nobody shares) or scalar
  // code (a rank-0 op).
  Operation *first = before ? before->getNextNode() : &block->front();
  SmallVector<Operation *> made;
  for (Operation *it = first; it != after; it = it->getNextNode())
    made.push_back(it);
  for (Operation *it : made) {
    if (auto loop = dyn_cast<scf::ParallelOp>(it)) {
      if (failed(strideThreads(loop)))
        return failure();
    } else if (writesMemory(it)) {
      onFirstThread(it);
    }
  }
  return success();
}

/// Nested parallel loops inside one thread's share run in order.
void sequentialize(scf::ParallelOp loop) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  IRMapping mapping;
  for (auto [iv, lower, upper, step] :
       llvm::zip_equal(loop.getInductionVars(), loop.getLowerBound(),
                       loop.getUpperBound(), loop.getStep())) {
    auto inner = scf::ForOp::create(b, loc, lower, upper, step);
    mapping.map(iv, inner.getInductionVar());
    b.setInsertionPoint(inner.getBody()->getTerminator());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

LogicalResult ItemKernel::strideThreads(scf::ParallelOp loop) {
  if (loop.getNumReductions() != 0)
    return loop.emitError("the GPU pipeline cannot share a parallel loop "
                          "with reductions among an item's threads");
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<Value> counts;
  Value total = constantIndex(b, loc, 1);
  for (auto [lower, upper, step] : llvm::zip_equal(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(b, loc, upper, lower);
    counts.push_back(arith::CeilDivUIOp::create(b, loc, span, step));
    total = arith::MulIOp::create(b, loc, total, counts.back());
  }
  // Consecutive threads take consecutive iterations (the innermost loop
  // fastest): coalesced on row-major buffers.
  auto threads = scf::ForOp::create(b, loc, threadId, total, blockDim);
  barrierBefore(threads);
  b.setInsertionPoint(threads.getBody()->getTerminator());
  SmallVector<Value> coords =
      delinearizeIndex(b, loc, threads.getInductionVar(), counts);
  IRMapping mapping;
  for (auto [iv, coord, lower, step] :
       llvm::zip_equal(loop.getInductionVars(), coords, loop.getLowerBound(),
                       loop.getStep()))
    mapping.map(iv, arith::AddIOp::create(
                        b, loc, lower, arith::MulIOp::create(b, loc, coord, step)));
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
  SmallVector<scf::ParallelOp> nested;
  threads.walk([&](scf::ParallelOp inner) { nested.push_back(inner); });
  for (scf::ParallelOp inner : llvm::reverse(nested))
    sequentialize(inner);
  barrierAfter(threads);
  return success();
}

void ItemKernel::onFirstThread(Operation *op) {
  if (op->getNumResults() != 0) {
    SmallVector<scf::ParallelOp> nested;
    op->walk([&](scf::ParallelOp inner) { nested.push_back(inner); });
    for (scf::ParallelOp inner : llvm::reverse(nested))
      sequentialize(inner);
    // Its results are needed by every thread: all run it (writing the same
    // values), then wait for each other.
    barrierBefore(op);
    barrierAfter(op);
    return;
  }
  SmallVector<scf::ParallelOp> nested;
  op->walk([&](scf::ParallelOp inner) { nested.push_back(inner); });
  for (scf::ParallelOp inner : llvm::reverse(nested))
    sequentialize(inner);
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      threadId, constantIndex(b, loc, 0));
  auto guard = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  op->moveBefore(guard.getThenRegion().front().getTerminator());
  barrierBefore(guard);
  barrierAfter(guard);
}

struct GpuMapItemsPass : vsla::impl::VslaGpuMapItemsBase<GpuMapItemsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForallOp> loops;
    getOperation().walk([&](scf::ForallOp forall) {
      if (isGpuBlocksLoop(forall))
        loops.push_back(forall);
    });
    for (scf::ForallOp forall : loops)
      if (failed(ItemKernel(forall, blockSize).build()))
        return signalPassFailure();
  }
};

} // namespace

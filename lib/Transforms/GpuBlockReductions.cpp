//===- GpuBlockReductions.cpp - reductions as one thread block per output -===//
//
// Mapped as plain parallel loops, a reduction runs its whole reduced extent
// in one thread (one thread per output element, or one thread in all for a
// reduction to a scalar). Here each output element gets a thread block:
// its threads stride over the reduced elements (consecutive threads read
// consecutive elements), then combine their partial results with
// gpu.all_reduce, which the NVVM lowering turns into warp shuffles and a
// shared-memory exchange between warps.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "BlockReduction.h"
#include "LinearIndex.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUBLOCKREDUCTIONS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

namespace {

std::optional<Combiner> matchCombiner(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  BlockArgument accumulator = body.getArgument(body.getNumArguments() - 1);
  if (!accumulator.hasOneUse())
    return std::nullopt;
  Operation *combine = *accumulator.getUsers().begin();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (combine->getNumOperands() != 2 || combine->getNumResults() != 1 ||
      yield.getNumOperands() != 1 || yield.getOperand(0) != combine->getResult(0))
    return std::nullopt;
  Value element = combine->getOperand(0) == accumulator
                      ? combine->getOperand(1)
                      : combine->getOperand(0);
  if (element == accumulator)
    return std::nullopt;
  using K = arith::AtomicRMWKind;
  using G = gpu::AllReduceOperation;
  std::optional<std::pair<K, G>> kinds =
      llvm::TypeSwitch<Operation *, std::optional<std::pair<K, G>>>(combine)
          .Case([](arith::AddFOp) { return std::pair{K::addf, G::ADD}; })
          .Case([](arith::MulFOp) { return std::pair{K::mulf, G::MUL}; })
          .Case([](arith::MaximumFOp) {
            return std::pair{K::maximumf, G::MAXIMUMF};
          })
          .Case([](arith::MinimumFOp) {
            return std::pair{K::minimumf, G::MINIMUMF};
          })
          .Case([](arith::MaxNumFOp) { return std::pair{K::maxnumf, G::MAXNUMF}; })
          .Case([](arith::MinNumFOp) { return std::pair{K::minnumf, G::MINNUMF}; })
          .Case([](arith::AddIOp) { return std::pair{K::addi, G::ADD}; })
          .Case([](arith::MulIOp) { return std::pair{K::muli, G::MUL}; })
          .Case([](arith::AndIOp) { return std::pair{K::andi, G::AND}; })
          .Case([](arith::OrIOp) { return std::pair{K::ori, G::OR}; })
          .Case([](arith::MaxSIOp) { return std::pair{K::maxs, G::MAXSI}; })
          .Case([](arith::MinSIOp) { return std::pair{K::mins, G::MINSI}; })
          .Case([](arith::MaxUIOp) { return std::pair{K::maxu, G::MAXUI}; })
          .Case([](arith::MinUIOp) { return std::pair{K::minu, G::MINUI}; })
          .Default([](Operation *) { return std::nullopt; });
  if (!kinds)
    return std::nullopt;
  return Combiner{combine, element, kinds->first, kinds->second};
}

/// Whether `op` is a reduction this pass maps: buffers, one output indexed
/// by the parallel loops alone, a combining op of 32 or 64 bits (warp
/// shuffles move 32; convert-gpu-to-nvvm splits a 64-bit shuffle in two).
} // namespace

std::optional<Combiner> vsla::matchBlockReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0)
    return std::nullopt;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits != 32 && bits != 64)
    return std::nullopt;
  AffineMap outputMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (AffineExpr result : outputMap.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(result);
    if (!dim || iterators[dim.getPosition()] != utils::IteratorType::parallel)
      return std::nullopt;
  }
  return matchCombiner(op);
}

static Value product(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  Value result = arith::ConstantIndexOp::create(b, loc, 1);
  for (Value v : values)
    result = arith::MulIOp::create(b, loc, result, v);
  return result;
}

/// The operand's indices at iteration `coords`.
static SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map,
                             ArrayRef<Value> coords) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      indices.push_back(coords[dim.getPosition()]);
      continue;
    }
    indices.push_back(affine::AffineApplyOp::create(
        b, loc, AffineMap::get(map.getNumDims(), 0, expr), coords));
  }
  return indices;
}

namespace {

void mapToBlocks(linalg::GenericOp op, const Combiner &combiner,
                 int64_t blockSize, int64_t maxBlocks) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value outputs = countBlockReductionOutputs(b, op);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value blocks = arith::MinUIOp::create(
      b, loc, outputs, arith::ConstantIndexOp::create(b, loc, maxBlocks));
  Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&launch.getBody().front());
  emitBlockReduction(b, op, combiner, launch.getBlockIds().x,
                     launch.getGridSize().x, launch.getThreadIds().x,
                     launch.getBlockSize().x);
  op.erase();
}

} // namespace

Value vsla::countBlockReductionOutputs(OpBuilder &b, linalg::GenericOp op) {
  Location loc = op.getLoc();
  SmallVector<Value> parallelExtents;
  SmallVector<Range, 4> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
  for (auto [range, iterator] :
       llvm::zip_equal(ranges, op.getIteratorTypesArray()))
    if (iterator == utils::IteratorType::parallel)
      parallelExtents.push_back(
          getValueOrCreateConstantIndexOp(b, loc, range.size));
  return product(b, loc, parallelExtents);
}

void vsla::emitBlockReduction(OpBuilder &b, linalg::GenericOp op,
                              const Combiner &combiner, Value blockId,
                              Value gridSize, Value threadId, Value blockDim) {
  Location loc = op.getLoc();
  SmallVector<Value> parallelExtents, reducedExtents;
  SmallVector<Range, 4> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [range, iterator] : llvm::zip_equal(ranges, iterators)) {
    Value extent = getValueOrCreateConstantIndexOp(b, loc, range.size);
    (iterator == utils::IteratorType::parallel ? parallelExtents
                                               : reducedExtents)
        .push_back(extent);
  }
  Value outputs = product(b, loc, parallelExtents);
  Value reduced = product(b, loc, reducedExtents);

  // Blocks stride over the outputs (uniform within a block, so every thread
  // of it reaches the all_reduce).
  auto outputLoop = scf::ForOp::create(b, loc, blockId, outputs, gridSize);
  b.setInsertionPointToStart(outputLoop.getBody());
  SmallVector<Value> parallelCoords = vsla::delinearizeIndex(
      b, loc, outputLoop.getInductionVar(), parallelExtents);
  Type elementType = combiner.op->getResult(0).getType();
  Value identity =
      arith::getIdentityValue(combiner.kind, elementType, b, loc);
  auto reducedLoop = scf::ForOp::create(b, loc, threadId, reduced, blockDim,
                                        ValueRange{identity});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(reducedLoop.getBody());
    SmallVector<Value> reducedCoords = vsla::delinearizeIndex(
        b, loc, reducedLoop.getInductionVar(), reducedExtents);
    SmallVector<Value> coords;
    auto parallelIt = parallelCoords.begin(), reducedIt = reducedCoords.begin();
    for (utils::IteratorType iterator : iterators)
      coords.push_back(iterator == utils::IteratorType::parallel
                           ? *parallelIt++
                           : *reducedIt++);
    Block &body = op.getRegion().front();
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(input);
      if (arg.use_empty())
        continue;
      Value source = input->get();
      if (!isa<MemRefType>(source.getType())) {
        mapping.map(arg, source); // a scalar operand
        continue;
      }
      mapping.map(arg, memref::LoadOp::create(
                           b, loc, source,
                           indicesAt(b, loc, op.getMatchingIndexingMap(input),
                                     coords)));
    }
    for (Operation &inner : body.without_terminator()) {
      if (&inner == combiner.op)
        continue;
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        mapping.map(index.getResult(), coords[index.getDim()]);
        continue;
      }
      b.clone(inner, mapping);
    }
    Value partial = arith::getReductionOp(
        combiner.kind, b, loc, reducedLoop.getRegionIterArgs()[0],
        mapping.lookupOrDefault(combiner.element));
    scf::YieldOp::create(b, loc, partial);
  }
  Value total = gpu::AllReduceOp::create(
      b, loc, reducedLoop.getResult(0),
      gpu::AllReduceOperationAttr::get(b.getContext(), combiner.blockOp),
      /*uniform=*/true);
  Value first = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, threadId,
      arith::ConstantIndexOp::create(b, loc, 0));
  auto write = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&write.getThenRegion().front());
  OpOperand *init = op.getDpsInitOperand(0);
  SmallVector<Value> outputIndices;
  {
    SmallVector<Value> coords;
    auto parallelIt = parallelCoords.begin();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    for (utils::IteratorType iterator : iterators)
      coords.push_back(iterator == utils::IteratorType::parallel ? *parallelIt++
                                                                 : zero);
    outputIndices =
        indicesAt(b, loc, op.getMatchingIndexingMap(init), coords);
  }
  Value old = memref::LoadOp::create(b, loc, init->get(), outputIndices);
  Value updated = arith::getReductionOp(combiner.kind, b, loc, old, total);
  memref::StoreOp::create(b, loc, updated, init->get(), outputIndices);
  // Before the next output's all_reduce reuses its shared memory.
  b.setInsertionPoint(outputLoop.getBody()->getTerminator());
  gpu::BarrierOp::create(b, loc);
}

namespace {

struct GpuBlockReductionsPass
    : vsla::impl::VslaGpuBlockReductionsBase<GpuBlockReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Named reductions (linalg.reduce) as generics first.
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::ReduceOp> named;
    getOperation().walk([&](linalg::ReduceOp op) { named.push_back(op); });
    for (linalg::ReduceOp op : named) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
    SmallVector<std::pair<linalg::GenericOp, Combiner>> reductions;
    getOperation().walk([&](linalg::GenericOp op) {
      auto func = op->getParentOfType<func::FuncOp>();
      if (func && func->hasAttr(vsla::kShapeFunctionAttrName))
        return; // host code on host memory
      if (op->getParentOfType<gpu::LaunchOp>() || isInGpuBlocksLoop(op))
        return; // vsla-gpu-map-items reduces these in their item's block
      if (std::optional<Combiner> combiner = matchBlockReduction(op))
        reductions.push_back({op, *combiner});
    });
    for (auto &[op, combiner] : reductions)
      mapToBlocks(op, combiner, blockSize, maxBlocks);
  }
};

} // namespace

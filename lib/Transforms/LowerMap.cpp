//===- LowerMap.cpp - vsla.map as a serial sizing loop and a parallel loop -===//
//
// A vsla.map becomes two loops over the items:
//
//  1. a serial scf.for that reads each item's shape, checks the packed
//     layout (extents >= 0, the items inside their packed values), runs the
//     body's shape checks, and records each item's result extents, the
//     offsets of the packed results and the extents of the stacked ones.
//     The body is cloned here only for its extents: ops whose extents follow
//     from their operands' are resolved away, so this loop is integer work.
//  2. an scf.forall over chunks of items, each running the body on its
//     items in turn and writing its part of the packed and stacked outputs
//     (tensor.parallel_insert_slice); a stacked result that is only summed
//     over the items keeps one partial sum per chunk. Its body holds no
//     checks (the first loop ran them all), so an iteration cannot fail: it
//     runs on any thread, or on a GPU block.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLALOWERMAP
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;
using namespace mlir::vsla;

namespace {

/// Chunks of items per thread in the parallel loop: enough for threads that
/// finish early to take more, few enough that per-chunk partial sums stay
/// small.
constexpr int64_t kChunksPerThread = 4;

/// Builds the loops of one vsla.map.
class MapLowering {
public:
  MapLowering(MapOp op, bool gpuBlocks)
      : op(op), b(op), loc(op.getLoc()), gpuBlocks(gpuBlocks) {}

  void lower();

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value check(Value holds, const Twine &message) {
    CheckShapeOp::create(b, loc, holds, b.getStringAttr(message));
    return holds;
  }
  /// Extent `axis` of item `i` of ragged operand `j`, as an index.
  Value itemExtent(unsigned j, Value i, int64_t axis) {
    Value extent = tensor::ExtractOp::create(
        b, loc, op.getRaggedShapes()[j], ValueRange{i, index(axis)});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), extent);
  }
  /// Item `i` of ragged operand `j`: its `size` elements from `offset`,
  /// reshaped to `extents`.
  Value item(unsigned j, Value offset, Value size, ArrayRef<Value> extents) {
    Value flat = tensor::ExtractSliceOp::create(
        b, loc, op.getRaggedValues()[j], ArrayRef<OpFoldResult>{offset},
        ArrayRef<OpFoldResult>{size}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    return ReshapeOp::create(b, loc, flat, getAsOpFoldResult(extents));
  }
  Value product(ArrayRef<Value> extents) {
    Value size = index(1);
    for (Value extent : extents)
      size = arith::MulIOp::create(b, loc, size, extent);
    return size;
  }
  /// The body cloned at the insertion point for item `i` and `items`;
  /// returns what it yields.
  SmallVector<Value> cloneBody(Value i, ArrayRef<Value> items,
                               bool withChecks) {
    IRMapping mapping;
    mapping.map(op.getItemIndex(), i);
    for (auto [argument, item] : llvm::zip_equal(op.getItems(), items))
      mapping.map(argument, item);
    for (auto [argument, shared] :
         llvm::zip_equal(op.getSharedArguments(), op.getShared()))
      mapping.map(argument, shared);
    for (Operation &inner : op.getBodyBlock().without_terminator()) {
      Operation *copy = b.clone(inner, mapping);
      if (!withChecks) {
        // The sizing loop ran these checks for every item.
        SmallVector<Operation *> checks;
        copy->walk<WalkOrder::PreOrder>([&](Operation *nested) {
          if (isa<CheckShapeOp, CheckZeroOp>(nested))
            checks.push_back(nested);
        });
        for (Operation *c : checks)
          c->erase();
      }
    }
    return llvm::map_to_vector(op.getYield()->getOperands(), [&](Value v) {
      return mapping.lookupOrDefault(v);
    });
  }
  void noteItem(Value i) {
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
    func::CallOp::create(b, loc, kMapItemFunction, TypeRange{},
                         ValueRange{asInt});
  }

  MapOp op;
  OpBuilder b;
  Location loc;
  /// One iteration per item, each a GPU thread block.
  bool gpuBlocks;
};

void MapLowering::lower() {
  size_t ragged = op.getRaggedValues().size();
  size_t raggedResults = op.getValues().size();
  size_t stackedResults = op.getStacked().size();
  Value zero = index(0), one = index(1);
  Value count = tensor::DimOp::create(b, loc, op.getRaggedShapes()[0], 0);
  for (size_t j = 1; j < ragged; ++j)
    check(arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq,
              tensor::DimOp::create(b, loc, op.getRaggedShapes()[j], 0), count),
          "vsla.map: ragged batch " + Twine(j) +
              " has a different number of items than ragged batch 0; "
              "mapped arguments must have one item each per call");
  Value countPlusOne = arith::AddIOp::create(b, loc, count, one);
  auto offsetsType = RankedTensorType::get({ShapedType::kDynamic},
                                           b.getIndexType());

  // 1. The sizing loop. Carried: per ragged operand its item offsets and
  // running total; per ragged result its shapes, offsets and total; per
  // stacked result the running maximum of each extent.
  SmallVector<Value> initial;
  for (size_t j = 0; j < ragged; ++j) {
    initial.push_back(
        tensor::EmptyOp::create(b, loc, offsetsType, ValueRange{countPlusOne}));
    initial.push_back(zero);
  }
  for (Value shapes : op.getShapes()) {
    initial.push_back(tensor::EmptyOp::create(
        b, loc, cast<RankedTensorType>(shapes.getType()), ValueRange{count}));
    initial.push_back(
        tensor::EmptyOp::create(b, loc, offsetsType, ValueRange{countPlusOne}));
    initial.push_back(zero);
  }
  for (Value stacked : op.getStacked())
    for (int64_t d = 1; d < cast<RankedTensorType>(stacked.getType()).getRank();
         ++d)
      initial.push_back(zero);

  auto sizing = scf::ForOp::create(b, loc, zero, count, one, initial);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(sizing.getBody());
    Value i = sizing.getInductionVar();
    auto carried = llvm::to_vector(sizing.getRegionIterArgs());
    SmallVector<Value> next;
    noteItem(i);
    SmallVector<Value> items;
    for (size_t j = 0; j < ragged; ++j) {
      Value available =
          tensor::DimOp::create(b, loc, op.getRaggedValues()[j], 0);
      SmallVector<Value> extents;
      // The element count, checked factor by factor against what the packed
      // values hold (so that no product of huge extents can wrap around).
      Value size = one;
      for (int64_t d = 0; d < MapOp::getItemRank(op.getRaggedShapes()[j]); ++d) {
        Value extent = itemExtent(j, i, d);
        check(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, extent,
                                    zero),
              "vsla.map: an item of ragged batch " + Twine(j) +
                  " has a negative extent in its shapes tensor");
        Value divisor = arith::MaxSIOp::create(b, loc, extent, one);
        check(arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::ule, size,
                  arith::DivUIOp::create(b, loc, available, divisor)),
              "vsla.map: an item of ragged batch " + Twine(j) +
                  " has more elements than its packed values hold");
        size = arith::MulIOp::create(b, loc, size, extent);
        extents.push_back(extent);
      }
      Value offset = carried[2 * j + 1];
      Value end = arith::AddIOp::create(b, loc, offset, size);
      check(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, end,
                                  available),
            "vsla.map: the items of ragged batch " + Twine(j) +
                " need more elements than its packed values hold");
      next.push_back(tensor::InsertOp::create(b, loc, offset, carried[2 * j],
                                              ValueRange{i}));
      next.push_back(end);
      items.push_back(item(j, offset, size, extents));
    }
    SmallVector<Value> yielded = cloneBody(i, items, /*withChecks=*/true);
    size_t at = 2 * ragged;
    for (size_t k = 0; k < raggedResults; ++k, at += 3) {
      Value result = yielded[k];
      SmallVector<Value> extents;
      Value shapes = carried[at];
      for (int64_t d = 0; d < MapOp::getItemRank(op.getShapes()[k]); ++d) {
        Value extent = tensor::DimOp::create(b, loc, result, d);
        extents.push_back(extent);
        Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), extent);
        shapes = tensor::InsertOp::create(b, loc, asInt, shapes,
                                          ValueRange{i, index(d)});
      }
      next.push_back(shapes);
      next.push_back(tensor::InsertOp::create(b, loc, carried[at + 2],
                                              carried[at + 1], ValueRange{i}));
      next.push_back(
          arith::AddIOp::create(b, loc, carried[at + 2], product(extents)));
    }
    for (size_t k = 0; k < stackedResults; ++k) {
      Value result = yielded[raggedResults + k];
      for (int64_t d = 0; d < cast<RankedTensorType>(result.getType()).getRank();
           ++d, ++at)
        next.push_back(arith::MaxUIOp::create(
            b, loc, carried[at], tensor::DimOp::create(b, loc, result, d)));
    }
    scf::YieldOp::create(b, loc, next);
  }
  noteItem(index(-1));

  SmallVector<Value> inputOffsets;
  for (size_t j = 0; j < ragged; ++j) {
    Value total = sizing.getResult(2 * j + 1);
    check(arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, total,
              tensor::DimOp::create(b, loc, op.getRaggedValues()[j], 0)),
          "vsla.map: the packed values of ragged batch " + Twine(j) +
              " hold more elements than its items' shapes describe");
    inputOffsets.push_back(
        tensor::InsertOp::create(b, loc, total, sizing.getResult(2 * j),
                                 ValueRange{count}));
  }

  // 2. The parallel loop, writing into outputs sized by the first. Items go
  // in chunks (a few per thread, taken by the next free thread): a stacked
  // result that is only summed over the items (a shared operand's adjoint)
  // then needs one partial sum per chunk instead of one row per item.
  SmallVector<Value> outputs, resultOffsets;
  size_t at = 2 * ragged;
  for (Value values : op.getValues()) {
    Value total = sizing.getResult(at + 2);
    // Item i's results start at offsets[i]; offsets[n] is the total.
    resultOffsets.push_back(tensor::InsertOp::create(
        b, loc, total, sizing.getResult(at + 1), ValueRange{count}));
    outputs.push_back(tensor::EmptyOp::create(
        b, loc, cast<RankedTensorType>(values.getType()), ValueRange{total}));
    at += 3;
  }
  Value chunkSize = one, chunks = count;
  if (!gpuBlocks) {
    Value threads = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        func::CallOp::create(b, loc, kNumThreadsFunction,
                             TypeRange{b.getI64Type()}, ValueRange{})
            .getResult(0));
    Value wanted = arith::MinUIOp::create(
        b, loc, count,
        arith::MulIOp::create(b, loc, threads, index(kChunksPerThread)));
    chunkSize = arith::CeilDivUIOp::create(
        b, loc, count, arith::MaxUIOp::create(b, loc, wanted, one));
    // Every chunk holds at least one item (0 chunks for 0 items).
    chunks = arith::CeilDivUIOp::create(
        b, loc, count, arith::MaxUIOp::create(b, loc, chunkSize, one));
  }
  SmallVector<SmallVector<Value>> stackedExtents;
  SmallVector<SumOp> sums; // per stacked result: its only use, a sum over items
  for (Value stacked : op.getStacked()) {
    auto type = cast<RankedTensorType>(stacked.getType());
    auto sum = stacked.hasOneUse()
                   ? dyn_cast<SumOp>(*stacked.getUsers().begin())
                   : SumOp();
    if (sum && (sum.getAxes() != ArrayRef<int64_t>{0} || sum.getKeepdims()))
      sum = SumOp();
    sums.push_back(sum);
    SmallVector<Value> extents{sum ? chunks : count};
    for (int64_t d = 1; d < type.getRank(); ++d)
      extents.push_back(sizing.getResult(at++));
    Value empty = tensor::EmptyOp::create(b, loc, type, extents);
    Value zeroElement = arith::ConstantOp::create(
        b, loc, b.getZeroAttr(type.getElementType()));
    // Items smaller than the largest read as zeros beyond their extents.
    outputs.push_back(
        linalg::FillOp::create(b, loc, zeroElement, empty).getResult(0));
    stackedExtents.push_back(extents);
  }

  std::optional<ArrayAttr> mapping;
  if (gpuBlocks)
    mapping = b.getArrayAttr(
        {gpu::GPUBlockMappingAttr::get(b.getContext(), gpu::MappingId::DimX)});
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{chunks}, outputs, mapping);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value chunk = forall.getInductionVar(0);
    Value begin = arith::MulIOp::create(b, loc, chunk, chunkSize);
    Value end = gpuBlocks ? arith::AddIOp::create(b, loc, begin, one).getResult()
                          : arith::MinUIOp::create(
                                b, loc, count,
                                arith::AddIOp::create(b, loc, begin, chunkSize))
                                .getResult();
    Value length = arith::SubIOp::create(b, loc, end, begin);
    auto outs = forall.getRegionIterArgs();
    // This chunk's part of each output, updated item by item.
    SmallVector<Value> parts, partBases;
    SmallVector<std::pair<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>>>
        partBoxes;
    for (size_t k = 0; k < raggedResults; ++k) {
      Value low =
          tensor::ExtractOp::create(b, loc, resultOffsets[k], ValueRange{begin});
      Value high =
          tensor::ExtractOp::create(b, loc, resultOffsets[k], ValueRange{end});
      SmallVector<OpFoldResult> offsets{low},
          sizes{arith::SubIOp::create(b, loc, high, low).getResult()};
      parts.push_back(tensor::ExtractSliceOp::create(
          b, loc, outs[k], offsets, sizes,
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)}));
      partBases.push_back(low);
      partBoxes.push_back({offsets, sizes});
    }
    for (size_t k = 0; k < stackedResults; ++k) {
      SmallVector<OpFoldResult> offsets{sums[k] ? chunk : begin},
          sizes{sums[k] ? b.getIndexAttr(1) : OpFoldResult(length)};
      for (Value extent : ArrayRef<Value>(stackedExtents[k]).drop_front()) {
        offsets.push_back(b.getIndexAttr(0));
        sizes.push_back(extent);
      }
      SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
      Value part = tensor::ExtractSliceOp::create(
          b, loc, outs[raggedResults + k], offsets, sizes, strides);
      if (sums[k]) // the chunk's partial sum, without the chunk axis
        part = ReshapeOp::create(b, loc, part,
                                 ArrayRef<OpFoldResult>(sizes).drop_front());
      parts.push_back(part);
      partBases.push_back(begin);
      partBoxes.push_back({offsets, sizes});
    }

    auto items = scf::ForOp::create(b, loc, begin, end, one, parts);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(items.getBody());
      Value i = items.getInductionVar();
      Value next = arith::AddIOp::create(b, loc, i, one);
      SmallVector<Value> itemValues;
      for (size_t j = 0; j < ragged; ++j) {
        SmallVector<Value> extents;
        for (int64_t d = 0; d < MapOp::getItemRank(op.getRaggedShapes()[j]); ++d)
          extents.push_back(itemExtent(j, i, d));
        Value offset =
            tensor::ExtractOp::create(b, loc, inputOffsets[j], ValueRange{i});
        Value stop =
            tensor::ExtractOp::create(b, loc, inputOffsets[j], ValueRange{next});
        Value size = arith::SubIOp::create(b, loc, stop, offset);
        itemValues.push_back(item(j, offset, size, extents));
      }
      SmallVector<Value> yielded = cloneBody(i, itemValues, /*withChecks=*/false);
      auto carried = items.getRegionIterArgs();
      SmallVector<Value> updated;
      for (size_t k = 0; k < raggedResults; ++k) {
        Value result = yielded[k];
        SmallVector<Value> extents;
        for (int64_t d = 0;
             d < cast<RankedTensorType>(result.getType()).getRank(); ++d)
          extents.push_back(tensor::DimOp::create(b, loc, result, d));
        Value size = product(extents);
        Value flat =
            ReshapeOp::create(b, loc, result, ArrayRef<OpFoldResult>{size});
        Value offset = arith::SubIOp::create(
            b, loc,
            tensor::ExtractOp::create(b, loc, resultOffsets[k], ValueRange{i}),
            partBases[k]);
        updated.push_back(tensor::InsertSliceOp::create(
            b, loc, flat, carried[k], ArrayRef<OpFoldResult>{offset},
            ArrayRef<OpFoldResult>{size},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1)}));
      }
      for (size_t k = 0; k < stackedResults; ++k) {
        Value result = yielded[raggedResults + k];
        Value part = carried[raggedResults + k];
        if (sums[k]) {
          // The partial sum has the largest item's extents: the item adds
          // into its leading corner, in place.
          SmallVector<OpFoldResult> dims = tensor::getMixedSizes(b, loc, result);
          SmallVector<OpFoldResult> zeros(dims.size(), b.getIndexAttr(0));
          SmallVector<OpFoldResult> ones(dims.size(), b.getIndexAttr(1));
          // (A linalg op that writes its `outs`, so that the partial sum
          // stays one buffer through the loop.)
          Value corner = tensor::ExtractSliceOp::create(b, loc, part, zeros,
                                                        dims, ones);
          auto cornerType = cast<RankedTensorType>(corner.getType());
          int64_t rank = cornerType.getRank();
          AffineMap identity = b.getMultiDimIdentityMap(rank);
          bool isFloat = isa<FloatType>(cornerType.getElementType());
          auto add = linalg::GenericOp::create(
              b, loc, cornerType, ValueRange{castIfNeeded(b, loc, result, cornerType)},
              ValueRange{corner}, ArrayRef<AffineMap>{identity, identity},
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [isFloat](OpBuilder &nb, Location nloc, ValueRange args) {
                Value total =
                    isFloat ? Value(arith::AddFOp::create(nb, nloc, args[1],
                                                          args[0]))
                            : Value(arith::AddIOp::create(nb, nloc, args[1],
                                                          args[0]));
                linalg::YieldOp::create(nb, nloc, total);
              });
          updated.push_back(tensor::InsertSliceOp::create(
              b, loc, add.getResult(0), part, zeros, dims, ones));
          continue;
        }
        SmallVector<OpFoldResult> offsets{
            arith::SubIOp::create(b, loc, i, begin).getResult()},
            sizes{b.getIndexAttr(1)};
        for (OpFoldResult extent : tensor::getMixedSizes(b, loc, result)) {
          offsets.push_back(b.getIndexAttr(0));
          sizes.push_back(extent);
        }
        Value row = ReshapeOp::create(b, loc, result, sizes);
        SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
        updated.push_back(tensor::InsertSliceOp::create(b, loc, row, part,
                                                        offsets, sizes, strides));
      }
      scf::YieldOp::create(b, loc, updated);
    }

    SmallVector<Value> written(items.getResults());
    for (size_t k = 0; k < stackedResults; ++k)
      if (sums[k])
        written[raggedResults + k] = ReshapeOp::create(
            b, loc, written[raggedResults + k],
            partBoxes[raggedResults + k].second);
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [k, value] : llvm::enumerate(written)) {
      auto &[offsets, sizes] = partBoxes[k];
      SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
      tensor::ParallelInsertSliceOp::create(b, loc, value, outs[k], offsets,
                                            sizes, strides);
    }
  }

  // The chunks' partial sums, summed.
  for (auto [k, sum] : llvm::enumerate(sums)) {
    if (!sum)
      continue;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(sum);
    Value total = SumOp::create(b, sum.getLoc(),
                                forall.getResult(raggedResults + k),
                                sum.getAxesAttr(), sum.getKeepdimsAttr());
    sum.getResult().replaceAllUsesWith(
        castIfNeeded(b, loc, total, sum.getResult().getType()));
    sum.erase();
  }

  SmallVector<Value> replacements;
  for (auto [k, values] : llvm::enumerate(op.getValues()))
    replacements.push_back(castIfNeeded(b, loc, forall.getResult(k), values.getType()));
  at = 2 * ragged;
  for (Value shapes : op.getShapes()) {
    replacements.push_back(castIfNeeded(b, loc, sizing.getResult(at), shapes.getType()));
    at += 3;
  }
  for (auto [k, stacked] : llvm::enumerate(op.getStacked()))
    replacements.push_back(
        sums[k] ? Value() // its sum was rewired above
                : castIfNeeded(b, loc, forall.getResult(raggedResults + k),
                             stacked.getType()));
  for (auto [result, replacement] :
       llvm::zip_equal(op->getResults(), replacements))
    if (replacement)
      result.replaceAllUsesWith(replacement);
  op.erase();
}

} // namespace

namespace {

struct VslaLowerMapPass : mlir::vsla::impl::VslaLowerMapBase<VslaLowerMapPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module.walk([](MapOp) { return WalkResult::interrupt(); })
             .wasInterrupted())
      return;
    // Results nothing uses go first, with the body's work for them (a
    // gradient's map also yields adjoints of inputs nobody asked for).
    {
      RewritePatternSet unused(&getContext());
      MapOp::getCanonicalizationPatterns(unused, &getContext());
      if (failed(applyPatternsGreedily(module, std::move(unused))))
        return signalPassFailure();
    }
    SmallVector<MapOp> maps;
    // Inner maps first: an outer body is cloned with its inner loops.
    module.walk<WalkOrder::PostOrder>([&](MapOp op) { maps.push_back(op); });
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    if (!module.lookupSymbol(kMapItemFunction))
      func::FuncOp::create(b, module.getLoc(), kMapItemFunction,
                           b.getFunctionType({b.getI64Type()}, {}))
          .setPrivate();
    if (!module.lookupSymbol(kNumThreadsFunction))
      func::FuncOp::create(b, module.getLoc(), kNumThreadsFunction,
                           b.getFunctionType({}, {b.getI64Type()}))
          .setPrivate();
    for (MapOp op : maps)
      MapLowering(op, gpuBlocks && !op->getParentOfType<MapOp>()).lower();
    // The sizing loops need only extents: resolve the dims of the cloned
    // bodies' results so their data ops become dead.
    RewritePatternSet patterns(&getContext());
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    memref::populateResolveShapedTypeResultDimsPatterns(patterns);
    scf::ForOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::DimOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

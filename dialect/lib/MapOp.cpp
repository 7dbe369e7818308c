//===- MapOp.cpp - vsla.map: a region applied to every item of a batch ----===//
//
// The verifier ties the body's block arguments and yields to the ragged and
// stacked operands and results; the VJP rule differentiates the body inside a
// new vsla.map, so the backward pass runs item by item like the forward.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaInterfaces.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::vsla;

namespace {

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// An item of rank `rank`: every extent dynamic.
RankedTensorType itemType(int64_t rank, Type element) {
  return RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                               element);
}

RankedTensorType shapesType(MLIRContext *context, int64_t rank) {
  return RankedTensorType::get({ShapedType::kDynamic, rank},
                               IntegerType::get(context, 64));
}

RankedTensorType packedType(Type element) {
  return RankedTensorType::get({ShapedType::kDynamic}, element);
}

/// Row `row` of the stacked `g`, cut to the extents of `like` (the item's
/// result, which the stacked result zero-extended).
Value itemOfStacked(OpBuilder &b, Location loc, Value g, Value row,
                    Value like) {
  SmallVector<OpFoldResult> dims = tensor::getMixedSizes(b, loc, like);
  SmallVector<OpFoldResult> offsets(dims.size() + 1, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1)};
  sizes.append(dims);
  SmallVector<OpFoldResult> strides(dims.size() + 1, b.getIndexAttr(1));
  offsets[0] = row;
  SmallVector<int64_t> staticOffsets, staticSizes, staticStrides;
  SmallVector<Value> dynamicOffsets, dynamicSizes, dynamicStrides;
  dispatchIndexOpFoldResults(offsets, dynamicOffsets, staticOffsets);
  dispatchIndexOpFoldResults(sizes, dynamicSizes, staticSizes);
  dispatchIndexOpFoldResults(strides, dynamicStrides, staticStrides);
  Value slice = SliceOp::create(b, loc, g, dynamicOffsets, dynamicSizes,
                                dynamicStrides, staticOffsets, staticSizes,
                                staticStrides);
  return castIfNeeded(b, loc, ReshapeOp::create(b, loc, slice, dims), like.getType());
}

} // namespace

LogicalResult MapOp::verifyRegions() {
  size_t ragged = getRaggedValues().size();
  if (ragged == 0)
    return emitOpError("needs at least one ragged operand (the batch whose "
                       "items it maps over)");
  if (getRaggedShapes().size() != ragged)
    return emitOpError("has ")
           << ragged << " ragged value operand(s) but "
           << getRaggedShapes().size()
           << " shapes operand(s); give one shapes tensor per ragged batch";
  if (getValues().size() != getShapes().size())
    return emitOpError("has ")
           << getValues().size() << " ragged value result(s) but "
           << getShapes().size() << " shapes result(s)";
  for (Value shapes : llvm::concat<Value>(getRaggedShapes(), getShapes()))
    if (ShapedType::isDynamic(MapOp::getItemRank(shapes)))
      return emitOpError("needs a static item rank (dim 1 of every shapes "
                         "tensor), got ")
             << shapes.getType();

  Block &body = getBodyBlock();
  size_t expected = 1 + ragged + getShared().size();
  if (body.getNumArguments() != expected)
    return emitOpError("body has ")
           << body.getNumArguments() << " arguments; expected " << expected
           << " (the item index, one item per ragged operand, one per shared "
              "operand)";
  if (!body.getArgument(0).getType().isIndex())
    return emitOpError("body's first argument (the item index) must be an "
                       "index, got ")
           << body.getArgument(0).getType();
  for (auto [n, item, values, shapes] :
       llvm::enumerate(getItems(), getRaggedValues(), getRaggedShapes())) {
    Type want = itemType(MapOp::getItemRank(shapes), elementTypeOf(values));
    if (item.getType() != want)
      return emitOpError("body argument for ragged operand ")
             << n << " is " << item.getType() << "; expected " << want
             << " (the item: its batch's element type and item rank, every "
                "extent dynamic)";
  }
  for (auto [n, argument, shared] :
       llvm::enumerate(getSharedArguments(), getShared()))
    if (argument.getType() != shared.getType())
      return emitOpError("body argument for shared operand ")
             << n << " is " << argument.getType() << " but the operand is "
             << shared.getType();

  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end in vsla.yield");
  size_t results = getValues().size() + getStacked().size();
  if (yield.getResults().size() != results)
    return emitOpError("body yields ")
           << yield.getResults().size() << " value(s); the op has " << results
           << " per-item result(s) (ragged, then stacked)";
  for (auto [n, yielded, values, shapes] :
       llvm::enumerate(yield.getResults().take_front(getValues().size()),
                       getValues(), getShapes())) {
    auto type = cast<RankedTensorType>(yielded.getType());
    if (type.getElementType() != elementTypeOf(values) ||
        type.getRank() != MapOp::getItemRank(shapes))
      return emitOpError("ragged result ")
             << n << " holds items of rank " << MapOp::getItemRank(shapes) << " and "
             << elementTypeOf(values) << " but the body yields "
             << yielded.getType();
  }
  for (auto [n, yielded, stacked] :
       llvm::enumerate(yield.getResults().drop_front(getValues().size()),
                       getStacked())) {
    auto type = cast<RankedTensorType>(yielded.getType());
    auto stackedType = cast<RankedTensorType>(stacked.getType());
    if (stackedType.getElementType() != type.getElementType() ||
        stackedType.getRank() != type.getRank() + 1)
      return emitOpError("stacked result ")
             << n << " is " << stacked.getType()
             << "; the items it stacks are " << yielded.getType()
             << ", so it must have their element type and one more axis";
    if (!llvm::all_of(stackedType.getShape(), ShapedType::isDynamic))
      return emitOpError("stacked result ")
             << n << " must have dynamic extents (they depend on the number "
                "of items and their extents), got " << stacked.getType();
  }
  return success();
}

LogicalResult MapOp::emitVjp(OpBuilder &builder,
                             ArrayRef<Value> resultAdjoints,
                             SmallVectorImpl<Value> &operandAdjoints) {
  Location loc = getLoc();
  MLIRContext *context = getContext();
  size_t raggedResults = getValues().size();
  operandAdjoints.assign(getNumOperands(), Value());

  // The results whose adjoints reach the items (the others are zero).
  SmallVector<unsigned> raggedSeeds, stackedSeeds;
  for (unsigned k = 0; k < raggedResults; ++k)
    if (resultAdjoints[k] && isFloatTensor(getValues()[k]))
      raggedSeeds.push_back(k);
  for (unsigned k = 0; k < getStacked().size(); ++k)
    if (resultAdjoints[2 * raggedResults + k] && isFloatTensor(getStacked()[k]))
      stackedSeeds.push_back(k);
  SmallVector<unsigned> raggedWrt, sharedWrt;
  for (auto [j, values] : llvm::enumerate(getRaggedValues()))
    if (isFloatTensor(values))
      raggedWrt.push_back(j);
  for (auto [k, shared] : llvm::enumerate(getShared()))
    if (isFloatTensor(shared))
      sharedWrt.push_back(k);
  if ((raggedSeeds.empty() && stackedSeeds.empty()) ||
      (raggedWrt.empty() && sharedWrt.empty()))
    return success();

  // The adjoint map: the forward batches and the ragged cotangents (packed
  // like the forward results) are mapped; the shared values and the stacked
  // cotangents are shared.
  SmallVector<Value> values(getRaggedValues()), shapes(getRaggedShapes()),
      shared(getShared());
  for (unsigned k : raggedSeeds) {
    values.push_back(castIfNeeded(builder, loc, resultAdjoints[k],
                            getValues()[k].getType()));
    shapes.push_back(getShapes()[k]);
  }
  for (unsigned k : stackedSeeds)
    shared.push_back(castIfNeeded(builder, loc, resultAdjoints[2 * raggedResults + k],
                            getStacked()[k].getType()));
  SmallVector<Type> valueTypes, shapeTypes, stackedTypes;
  for (unsigned j : raggedWrt) {
    valueTypes.push_back(packedType(elementTypeOf(getRaggedValues()[j])));
    shapeTypes.push_back(
        shapesType(context, MapOp::getItemRank(getRaggedShapes()[j])));
  }
  for (unsigned k : sharedWrt) {
    auto type = cast<RankedTensorType>(getShared()[k].getType());
    stackedTypes.push_back(RankedTensorType::get(
        SmallVector<int64_t>(type.getRank() + 1, ShapedType::kDynamic),
        type.getElementType()));
  }
  auto adjoint = MapOp::create(builder, loc, valueTypes, shapeTypes,
                               stackedTypes, values, shapes, shared);

  // Its body: the forward body again, then the body's adjoint.
  Block *block = new Block();
  adjoint.getBody().push_back(block);
  IRMapping mapping;
  mapping.map(getItemIndex(), block->addArgument(builder.getIndexType(), loc));
  for (auto [item, values, shapes] :
       llvm::zip_equal(getItems(), getRaggedValues(), getRaggedShapes()))
    mapping.map(item, block->addArgument(item.getType(), loc));
  SmallVector<Value> raggedCotangents;
  for (unsigned k : raggedSeeds)
    raggedCotangents.push_back(block->addArgument(
        itemType(MapOp::getItemRank(getShapes()[k]), elementTypeOf(getValues()[k])),
        loc));
  for (BlockArgument argument : getSharedArguments())
    mapping.map(argument, block->addArgument(argument.getType(), loc));
  SmallVector<Value> stackedCotangents;
  for (unsigned k : stackedSeeds)
    stackedCotangents.push_back(
        block->addArgument(getStacked()[k].getType(), loc));

  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  for (Operation &op : getBodyBlock().without_terminator())
    builder.clone(op, mapping);
  auto yielded = llvm::map_to_vector(
      cast<YieldOp>(getYield()).getResults(),
      [&](Value v) { return mapping.lookupOrDefault(v); });
  SmallVector<Value> seeds, cotangents;
  for (auto [k, cotangent] : llvm::zip_equal(raggedSeeds, raggedCotangents)) {
    seeds.push_back(yielded[k]);
    cotangents.push_back(castIfNeeded(builder, loc, cotangent, yielded[k].getType()));
  }
  for (auto [k, cotangent] : llvm::zip_equal(stackedSeeds, stackedCotangents)) {
    Value result = yielded[raggedResults + k];
    seeds.push_back(result);
    cotangents.push_back(itemOfStacked(builder, loc, cotangent,
                                       block->getArgument(0), result));
  }
  SmallVector<Value> wrt;
  for (unsigned j : raggedWrt)
    wrt.push_back(mapping.lookup(getItems()[j]));
  for (unsigned k : sharedWrt)
    wrt.push_back(mapping.lookup(getSharedArguments()[k]));
  FailureOr<SmallVector<Value>> grads =
      buildAdjoints(builder, loc, seeds, cotangents, wrt);
  if (failed(grads))
    return failure();
  YieldOp::create(builder, loc, *grads);

  // A ragged operand's adjoint is packed like the operand (each item's
  // adjoint has the item's shape); a shared operand's is the sum over items,
  // at the operand's shape (also with no items).
  builder.setInsertionPointAfter(adjoint);
  for (auto [n, j] : llvm::enumerate(raggedWrt))
    operandAdjoints[j] = castIfNeeded(builder, loc, adjoint.getValues()[n],
                                getRaggedValues()[j].getType());
  size_t sharedBase = 2 * getRaggedValues().size();
  for (auto [n, k] : llvm::enumerate(sharedWrt)) {
    Value operand = getShared()[k];
    Value sum = SumOp::create(builder, loc, adjoint.getStacked()[n],
                              builder.getDenseI64ArrayAttr({0}), UnitAttr());
    Value fitted = PromoteOp::create(builder, loc, sum,
                                     tensor::getMixedSizes(builder, loc, operand));
    operandAdjoints[sharedBase + k] =
        castIfNeeded(builder, loc, fitted, operand.getType());
  }
  return success();
}

namespace {

/// Drops the results nothing uses (a ragged result when neither its values
/// nor its shapes are used) and the shared operands the body never reads.
/// The ragged operands stay: they define the items (and their checks).
struct DropUnusedMapParts : OpRewritePattern<MapOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MapOp op,
                                PatternRewriter &rewriter) const override {
    size_t raggedResults = op.getValues().size();
    SmallVector<unsigned> keptRagged, keptStacked, keptShared;
    for (unsigned k = 0; k < raggedResults; ++k)
      if (!op.getValues()[k].use_empty() || !op.getShapes()[k].use_empty())
        keptRagged.push_back(k);
    for (auto [k, stacked] : llvm::enumerate(op.getStacked()))
      if (!stacked.use_empty())
        keptStacked.push_back(k);
    for (auto [k, argument] : llvm::enumerate(op.getSharedArguments()))
      if (!argument.use_empty())
        keptShared.push_back(k);
    if (keptRagged.size() == raggedResults &&
        keptStacked.size() == op.getStacked().size() &&
        keptShared.size() == op.getShared().size())
      return failure();

    SmallVector<Type> valueTypes, shapeTypes, stackedTypes;
    for (unsigned k : keptRagged) {
      valueTypes.push_back(op.getValues()[k].getType());
      shapeTypes.push_back(op.getShapes()[k].getType());
    }
    for (unsigned k : keptStacked)
      stackedTypes.push_back(op.getStacked()[k].getType());
    SmallVector<Value> shared;
    for (unsigned k : keptShared)
      shared.push_back(op.getShared()[k]);
    auto smaller = MapOp::create(rewriter, op.getLoc(), valueTypes, shapeTypes,
                                 stackedTypes, op.getRaggedValues(),
                                 op.getRaggedShapes(), shared);
    smaller->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    rewriter.inlineRegionBefore(op.getBody(), smaller.getBody(),
                                smaller.getBody().end());
    Block &block = smaller.getBodyBlock();
    // The body's shared arguments that go (none has a use).
    size_t sharedBase = 1 + op.getRaggedValues().size();
    llvm::BitVector erased(block.getNumArguments());
    for (unsigned k = 0; k < op.getShared().size(); ++k)
      if (!llvm::is_contained(keptShared, k))
        erased.set(sharedBase + k);
    block.eraseArguments(erased);
    auto yield = cast<YieldOp>(block.getTerminator());
    SmallVector<Value> yielded;
    for (unsigned k : keptRagged)
      yielded.push_back(yield.getResults()[k]);
    for (unsigned k : keptStacked)
      yielded.push_back(yield.getResults()[raggedResults + k]);
    rewriter.setInsertionPoint(yield);
    rewriter.replaceOpWithNewOp<YieldOp>(yield, yielded);

    for (auto [n, k] : llvm::enumerate(keptRagged)) {
      rewriter.replaceAllUsesWith(op.getValues()[k], smaller.getValues()[n]);
      rewriter.replaceAllUsesWith(op.getShapes()[k], smaller.getShapes()[n]);
    }
    for (auto [n, k] : llvm::enumerate(keptStacked))
      rewriter.replaceAllUsesWith(op.getStacked()[k], smaller.getStacked()[n]);
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void MapOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<DropUnusedMapParts>(context);
}

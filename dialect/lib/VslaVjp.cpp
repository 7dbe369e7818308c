//===- VslaVjp.cpp - the adjoint of every differentiable vsla op ----------===//
//
// One VJP rule per op: given the adjoint g of the result, emit vsla IR for
// the adjoint of each operand. Shapes may be dynamic, so adjoints are fitted
// to their operands with ops that reify their dims at run time:
//  - ambient promotion pads with zeros, so its adjoint is restriction (a
//    slice back to the operand's shape);
//  - broadcast_to repeats, so its adjoint sums over the repeated axes;
//  - conv's adjoint is a correlation: conv with the reversed other operand,
//    sliced to the operand's length.
// The rules only build ops on operands whose shapes agree by construction:
// a rule never emits an op that could fail shape inference.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaInterfaces.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::vsla;

#include "vsla/Dialect/VslaInterfaces.cpp.inc"

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// Builds adjoint IR at one location.
struct Adjoints {
  OpBuilder &b;
  Location loc;

  static RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  static bool isFloatTensor(Value v) { return mlir::vsla::isFloatTensor(v); }

  SmallVector<OpFoldResult> dims(Value v) {
    return tensor::getMixedSizes(b, loc, v);
  }
  OpFoldResult dim(Value v, int64_t axis) { return dims(v)[axis]; }
  Value index(OpFoldResult ofr) {
    return getValueOrCreateConstantIndexOp(b, loc, ofr);
  }
  OpFoldResult constantIndex(int64_t value) { return b.getIndexAttr(value); }

  /// A scalar of `v`'s element type.
  Value scalar(Value v, double value) {
    Type type = typeOf(v).getElementType();
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
  }
  /// An index extent as a float scalar of `v`'s element type.
  Value extentAsScalar(Value v, Value extent) {
    Type type = typeOf(v).getElementType();
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), extent);
    return arith::SIToFPOp::create(b, loc, type, asInt);
  }

  /// The empty tensor of `type`'s rank: the additive zero. (A rank-0 tensor
  /// always holds one element: its zero is the constant 0.)
  Value empty(RankedTensorType type) {
    if (type.getRank() == 0)
      return ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
    auto emptyType = RankedTensorType::get(
        SmallVector<int64_t>(type.getRank(), 0), type.getElementType());
    return ConstantOp::create(
        b, loc, DenseElementsAttr::get(emptyType, ArrayRef<Attribute>{}));
  }
  Value zerosLike(Value v) { return promote(empty(typeOf(v)), dims(v)); }

  Value promote(Value v, ArrayRef<OpFoldResult> shape) {
    return PromoteOp::create(b, loc, v, shape);
  }
  Value broadcastTo(Value v, ArrayRef<OpFoldResult> shape) {
    return BroadcastToOp::create(b, loc, v, shape);
  }
  Value reshape(Value v, ArrayRef<OpFoldResult> shape) {
    return ReshapeOp::create(b, loc, v, shape);
  }
  Value slice(Value v, ArrayRef<OpFoldResult> offsets,
              ArrayRef<OpFoldResult> sizes, ArrayRef<OpFoldResult> strides) {
    SmallVector<int64_t> staticOffsets, staticSizes, staticStrides;
    SmallVector<Value> dynamicOffsets, dynamicSizes, dynamicStrides;
    dispatchIndexOpFoldResults(offsets, dynamicOffsets, staticOffsets);
    dispatchIndexOpFoldResults(sizes, dynamicSizes, staticSizes);
    dispatchIndexOpFoldResults(strides, dynamicStrides, staticStrides);
    return SliceOp::create(b, loc, v, dynamicOffsets, dynamicSizes,
                           dynamicStrides, staticOffsets, staticSizes,
                           staticStrides);
  }
  /// The leading corner of `v` of the given sizes.
  Value corner(Value v, ArrayRef<OpFoldResult> sizes) {
    SmallVector<OpFoldResult> zeros(sizes.size(), constantIndex(0));
    SmallVector<OpFoldResult> ones(sizes.size(), constantIndex(1));
    return slice(v, zeros, sizes, ones);
  }

  /// Restriction: `g` (at least `like`'s extents) sliced to `like`'s shape.
  Value restrict(Value g, Value like) {
    if (g.getType() == like.getType() && typeOf(g).hasStaticShape())
      return g;
    return corner(g, dims(like));
  }
  /// `v` zero-extended or cut to `like`'s shape, axis by axis.
  Value fitTo(Value v, Value like) {
    if (v.getType() == like.getType() && typeOf(v).hasStaticShape())
      return v;
    SmallVector<OpFoldResult> have = dims(v), want = dims(like), larger;
    for (auto [h, w] : llvm::zip_equal(have, want))
      larger.push_back(
          arith::MaxUIOp::create(b, loc, index(h), index(w)).getResult());
    return corner(promote(v, larger), want);
  }

  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value sign(Value x) { return SignOp::create(b, loc, x); }
  Value relu(Value x) { return ReluOp::create(b, loc, x); }
  Value exp(Value x) { return ExpOp::create(b, loc, x); }
  Value mulScalar(Value x, Value s) { return MulScalarOp::create(b, loc, x, s); }
  Value mulScalar(Value x, double s) { return mulScalar(x, scalar(x, s)); }
  Value addScalar(Value x, double s) {
    return AddScalarOp::create(b, loc, x, scalar(x, s));
  }
  Value rsubScalar(Value x, double s) {
    return RsubScalarOp::create(b, loc, x, scalar(x, s));
  }
  Value sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return SumOp::create(b, loc, x, b.getDenseI64ArrayAttr(axes),
                         keepdims ? b.getUnitAttr() : UnitAttr());
  }

  /// Marks the ambient binary op that defined `v` as seeing equal operand
  /// shapes (true by construction where a rule uses it): it lowers without
  /// a run-time shape branch.
  Value same(Value v) {
    v.getDefiningOp()->setAttr(kEqualShapesAttrName, b.getUnitAttr());
    return v;
  }
  Value mulSame(Value x, Value y) { return same(mul(x, y)); }
  Value addSame(Value x, Value y) { return same(add(x, y)); }
  Value subSame(Value x, Value y) { return same(sub(x, y)); }
  Value divSame(Value x, Value y) { return same(div(x, y)); }

  /// 1 where x > 0, else 0 (NaN stays NaN).
  Value positive(Value x) { return relu(sign(x)); }
  /// 1 where x >= 0, else 0.
  Value nonNegative(Value x) { return rsubScalar(relu(neg(sign(x))), 1.0); }

  /// `g` of a reduction over `axes` (keepdims or not) stretched back over
  /// the input `x`.
  Value unreduce(Value g, Value x, ArrayRef<int64_t> axes, bool keepdims) {
    SmallVector<OpFoldResult> shape = dims(x);
    if (!keepdims) {
      SmallVector<OpFoldResult> kept = shape;
      for (int64_t axis : axes)
        kept[axis] = constantIndex(1);
      g = reshape(g, kept);
    }
    return broadcastTo(g, shape);
  }

  /// The number of elements of `x` along `axes`, as a float scalar.
  Value countAlong(Value x, ArrayRef<int64_t> axes) {
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t axis : axes)
      count = arith::MulIOp::create(b, loc, count, index(dim(x, axis)));
    return extentAsScalar(x, count);
  }
};

/// Swaps the last two axes.
SmallVector<int64_t> swapLastTwo(int64_t rank) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return perm;
}

//===----------------------------------------------------------------------===//
// The rules
//===----------------------------------------------------------------------===//

using Grads = SmallVectorImpl<Value>;

// Ambient binary ops. When the forward op promises equal shapes, so does
// every op of its adjoint, and no restriction is needed.
bool promisesEqualShapes(Operation *op) {
  return op->hasAttr(kEqualShapesAttrName);
}
LogicalResult vjp(AddOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  if (promisesEqualShapes(op))
    dx.assign({g[0], g[0]});
  else
    dx.assign({a.restrict(g[0], op.getLhs()), a.restrict(g[0], op.getRhs())});
  return success();
}
LogicalResult vjp(SubOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  if (promisesEqualShapes(op))
    dx.assign({g[0], a.neg(g[0])});
  else
    dx.assign({a.restrict(g[0], op.getLhs()), a.neg(a.restrict(g[0], op.getRhs()))});
  return success();
}
LogicalResult vjp(MulOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  if (promisesEqualShapes(op))
    dx.assign({a.mulSame(g[0], op.getRhs()), a.mulSame(g[0], op.getLhs())});
  else
    dx.assign({a.restrict(a.mul(g[0], op.getRhs()), op.getLhs()),
               a.restrict(a.mul(g[0], op.getLhs()), op.getRhs())});
  return success();
}
LogicalResult vjp(DivOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // d(x/y)/dx = 1/y; d(x/y)/dy = -(x/y)/y.
  Value y = op.getRhs();
  if (promisesEqualShapes(op)) {
    dx.assign({a.divSame(g[0], y),
               a.neg(a.divSame(a.mulSame(g[0], op.getResult()), y))});
    return success();
  }
  dx.assign({a.restrict(a.div(g[0], y), op.getLhs()),
        a.restrict(a.neg(a.div(a.mulSame(g[0], op.getResult()), y)), y)});
  return success();
}
/// maximum/minimum send the adjoint to the operand that won; ties go to the
/// left operand.
template <typename OpTy>
LogicalResult chooserVjp(OpTy op, Adjoints &a, ArrayRef<Value> g, Grads &dx,
                         bool isMaximum) {
  Value difference = a.sub(op.getLhs(), op.getRhs());
  Value lhsWins =
      isMaximum ? a.nonNegative(difference) : a.nonNegative(a.neg(difference));
  Value rhsWins = a.rsubScalar(lhsWins, 1.0);
  dx.assign({a.restrict(a.mulSame(g[0], lhsWins), op.getLhs()),
        a.restrict(a.mulSame(g[0], rhsWins), op.getRhs())});
  return success();
}
LogicalResult vjp(MaximumOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  return chooserVjp(op, a, g, dx, /*isMaximum=*/true);
}
LogicalResult vjp(MinimumOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  return chooserVjp(op, a, g, dx, /*isMaximum=*/false);
}

// Tensor-scalar ops: the scalar is a constant of the program (no adjoint).
LogicalResult vjp(AddScalarOp, Adjoints &, ArrayRef<Value> g, Grads &dx) {
  dx.assign({g[0], Value()});
  return success();
}
LogicalResult vjp(SubScalarOp, Adjoints &, ArrayRef<Value> g, Grads &dx) {
  dx.assign({g[0], Value()});
  return success();
}
LogicalResult vjp(RsubScalarOp, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.neg(g[0]), Value()});
  return success();
}
LogicalResult vjp(MulScalarOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.mulScalar(g[0], op.getScalar()), Value()});
  return success();
}
LogicalResult vjp(DivScalarOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({DivScalarOp::create(a.b, a.loc, g[0], op.getScalar()), Value()});
  return success();
}
LogicalResult vjp(RdivScalarOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // d(s/x)/dx = -(s/x)/x.
  dx.assign({a.neg(a.divSame(a.mulSame(g[0], op.getResult()), op.getInput())), Value()});
  return success();
}
LogicalResult vjp(PowScalarOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // d(x^s)/dx = s * x^(s-1).
  Value s = op.getScalar();
  Value one = arith::ConstantOp::create(a.b, a.loc, s.getType(),
                                        a.b.getFloatAttr(s.getType(), 1.0));
  Value lower = PowScalarOp::create(a.b, a.loc, op.getInput(),
                                    arith::SubFOp::create(a.b, a.loc, s, one));
  dx.assign({a.mulScalar(a.mulSame(g[0], lower), s), Value()});
  return success();
}
LogicalResult vjp(MaximumScalarOp op, Adjoints &a, ArrayRef<Value> g,
                  Grads &dx) {
  Value over = SubScalarOp::create(a.b, a.loc, op.getInput(), op.getScalar());
  dx.assign({a.mulSame(g[0], a.nonNegative(over)), Value()});
  return success();
}
LogicalResult vjp(MinimumScalarOp op, Adjoints &a, ArrayRef<Value> g,
                  Grads &dx) {
  Value over = SubScalarOp::create(a.b, a.loc, op.getInput(), op.getScalar());
  dx.assign({a.mulSame(g[0], a.nonNegative(a.neg(over))), Value()});
  return success();
}

// Unary ops.
LogicalResult vjp(NegOp, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.neg(g[0])});
  return success();
}
LogicalResult vjp(AbsOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.mulSame(g[0], a.sign(op.getInput()))});
  return success();
}
LogicalResult vjp(ReluOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.mulSame(g[0], a.positive(op.getInput()))});
  return success();
}
LogicalResult vjp(ExpOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.mulSame(g[0], op.getResult())});
  return success();
}
LogicalResult vjp(LogOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.divSame(g[0], op.getInput())});
  return success();
}
LogicalResult vjp(SqrtOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.divSame(g[0], a.mulScalar(op.getResult(), 2.0))});
  return success();
}
LogicalResult vjp(TanhOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  Value y = op.getResult();
  dx.assign({a.mulSame(g[0], a.rsubScalar(a.mulSame(y, y), 1.0))});
  return success();
}
LogicalResult vjp(SigmoidOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  Value y = op.getResult();
  dx.assign({a.mulSame(g[0], a.mulSame(y, a.rsubScalar(y, 1.0)))});
  return success();
}
LogicalResult vjp(GeluOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // d(x Phi(x))/dx = Phi(x) + x phi(x)
  //               = 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi).
  Value x = op.getInput();
  Value phiCdf = a.mulScalar(
      a.addScalar(ErfOp::create(a.b, a.loc, a.mulScalar(x, M_SQRT1_2)), 1.0),
      0.5);
  Value density = a.mulScalar(a.exp(a.mulScalar(a.mulSame(x, x), -0.5)),
                              0.5 * M_2_SQRTPI * M_SQRT1_2);
  dx.assign({a.mulSame(g[0], a.addSame(phiCdf, a.mulSame(x, density)))});
  return success();
}
LogicalResult vjp(SinOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.mulSame(g[0], CosOp::create(a.b, a.loc, op.getInput()))});
  return success();
}
LogicalResult vjp(CosOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.neg(a.mulSame(g[0], SinOp::create(a.b, a.loc, op.getInput())))});
  return success();
}
LogicalResult vjp(SignOp op, Adjoints &a, ArrayRef<Value>, Grads &dx) {
  dx.assign({a.zerosLike(op.getInput())});
  return success();
}
LogicalResult vjp(ErfOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // d erf(x)/dx = 2 / sqrt(pi) exp(-x^2).
  Value x = op.getInput();
  dx.assign({a.mulSame(g[0], a.mulScalar(a.exp(a.neg(a.mulSame(x, x))), M_2_SQRTPI))});
  return success();
}

// Shape ops.
LogicalResult vjp(PromoteOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign(op->getNumOperands(), Value());
  dx[0] = a.restrict(g[0], op.getInput());
  return success();
}
LogicalResult vjp(ReshapeOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign(op->getNumOperands(), Value());
  dx[0] = a.reshape(g[0], a.dims(op.getInput()));
  return success();
}
LogicalResult vjp(BroadcastToOp op, Adjoints &a, ArrayRef<Value> g,
                  Grads &dx) {
  Value x = op.getInput();
  RankedTensorType inputType = Adjoints::typeOf(x);
  int64_t rank = inputType.getRank();
  int64_t added = Adjoints::typeOf(g[0]).getRank() - rank;
  Value grad = g[0];
  if (added > 0)
    grad = a.sum(grad, llvm::to_vector(llvm::seq<int64_t>(0, added)), false);
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (!inputType.isDynamicDim(axis)) {
      if (inputType.getDimSize(axis) == 1)
        grad = a.sum(grad, {axis}, /*keepdims=*/true);
      continue;
    }
    // Whether this axis was stretched is known only at run time: when the
    // input extent is 1, the rest of the axis (elements 1..) is summed into
    // element 0; otherwise that sum is scaled by 0.
    SmallVector<OpFoldResult> offsets(rank, a.constantIndex(0));
    SmallVector<OpFoldResult> sizes = a.dims(grad);
    SmallVector<OpFoldResult> strides(rank, a.constantIndex(1));
    Value extent = a.index(sizes[axis]);
    Value one = arith::ConstantIndexOp::create(a.b, a.loc, 1);
    Value zero = arith::ConstantIndexOp::create(a.b, a.loc, 0);
    offsets[axis] = a.b.getIndexAttr(1);
    sizes[axis] = arith::MaxSIOp::create(
                      a.b, a.loc, arith::SubIOp::create(a.b, a.loc, extent, one),
                      zero)
                      .getResult();
    Value rest = a.sum(a.slice(grad, offsets, sizes, strides), {axis}, true);
    Value stretched = arith::CmpIOp::create(
        a.b, a.loc, arith::CmpIPredicate::eq, a.index(a.dim(x, axis)), one);
    Value scale = arith::SelectOp::create(a.b, a.loc, stretched, a.scalar(g[0], 1.0),
                                          a.scalar(g[0], 0.0));
    SmallVector<OpFoldResult> kept = a.dims(grad);
    kept[axis] = a.dim(x, axis);
    Value head = a.corner(grad, kept);
    grad = a.addSame(head, a.fitTo(a.mulScalar(rest, scale), head));
  }
  dx.assign(op->getNumOperands(), Value());
  dx[0] = a.fitTo(grad, x);
  return success();
}
LogicalResult vjp(TransposeOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  dx.assign({TransposeOp::create(a.b, a.loc, g[0], inverse)});
  return success();
}
LogicalResult vjp(ReverseOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({ReverseOp::create(a.b, a.loc, g[0], op.getAxes())});
  return success();
}
LogicalResult vjp(SliceOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // Scatter g back: per axis, spread it by the stride (kron with a unit
  // vector [1, 0, ...]), shift it by the offset (concat after zeros), and
  // fit the result to the input.
  Value x = op.getInput();
  RankedTensorType type = Adjoints::typeOf(x);
  int64_t rank = type.getRank();
  Value grad = g[0];
  SmallVector<OpFoldResult> offsets = op.getMixedOffsets();
  SmallVector<OpFoldResult> strides = op.getMixedStrides();
  for (int64_t axis = 0; axis < rank; ++axis) {
    std::optional<int64_t> stride = getConstantIntValue(strides[axis]);
    if (!stride || *stride != 1) {
      // A unit vector of length `stride` along this axis, 1 elsewhere.
      SmallVector<OpFoldResult> unitShape(rank, a.constantIndex(1));
      unitShape[axis] = strides[axis];
      SmallVector<OpFoldResult> oneShape(rank, a.constantIndex(1));
      Value one = a.promote(
          a.broadcastTo(ConstantOp::create(
                            a.b, a.loc,
                            DenseElementsAttr::get(
                                RankedTensorType::get({}, type.getElementType()),
                                a.b.getFloatAttr(type.getElementType(), 1.0))),
                        oneShape),
          unitShape);
      grad = KronOp::create(a.b, a.loc, grad, one);
    }
    std::optional<int64_t> offset = getConstantIntValue(offsets[axis]);
    if (!offset || *offset != 0) {
      SmallVector<OpFoldResult> zerosShape = a.dims(grad);
      zerosShape[axis] = offsets[axis];
      Value zeros = a.promote(a.empty(Adjoints::typeOf(grad)), zerosShape);
      grad = ConcatOp::create(a.b, a.loc, ValueRange{zeros, grad}, axis);
    }
  }
  dx.assign(op->getNumOperands(), Value());
  dx[0] = a.fitTo(grad, x);
  return success();
}
LogicalResult vjp(ConcatOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  int64_t axis = op.getAxis();
  int64_t rank = Adjoints::typeOf(g[0]).getRank();
  OpFoldResult start = a.constantIndex(0);
  for (Value input : op.getInputs()) {
    SmallVector<OpFoldResult> offsets(rank, a.constantIndex(0));
    SmallVector<OpFoldResult> strides(rank, a.constantIndex(1));
    offsets[axis] = start;
    dx.push_back(a.slice(g[0], offsets, a.dims(input), strides));
    start = arith::AddIOp::create(a.b, a.loc, a.index(start),
                                  a.index(a.dim(input, axis)))
                .getResult();
  }
  return success();
}
/// Row `row` of a stack `g`, restricted to `input`'s shape.
LogicalResult vjp(UnfoldOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({FoldOp::create(a.b, a.loc, g[0], op.getTaps())});
  return success();
}

LogicalResult vjp(FoldOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({UnfoldOp::create(a.b, a.loc, g[0], op.getTaps())});
  return success();
}

Value unstackRow(Adjoints &a, Value g, int64_t row, Value input) {
  int64_t rank = Adjoints::typeOf(g).getRank();
  SmallVector<OpFoldResult> offsets(rank, a.constantIndex(0));
  SmallVector<OpFoldResult> strides(rank, a.constantIndex(1));
  SmallVector<OpFoldResult> sizes = a.dims(input);
  offsets[0] = a.constantIndex(row);
  sizes.insert(sizes.begin(), a.constantIndex(1));
  return a.reshape(a.slice(g, offsets, sizes, strides), a.dims(input));
}
LogicalResult vjp(StackOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  for (auto [i, input] : llvm::enumerate(op.getInputs()))
    dx.push_back(unstackRow(a, g[0], i, input));
  return success();
}
LogicalResult vjp(WindowStackOp op, Adjoints &a, ArrayRef<Value> g,
                  Grads &dx) {
  int64_t window = op.getWindow();
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    size_t stackIndex = i / window;
    if (stackIndex >= g.size() || !g[stackIndex]) {
      dx.push_back(stackIndex >= g.size() ? Value() : a.zerosLike(input));
      continue;
    }
    dx.push_back(unstackRow(a, g[stackIndex], i % window, input));
  }
  // Inputs past the last full window (dropped) get no adjoint: zero.
  for (auto [i, input] : llvm::enumerate(op.getInputs()))
    if (!dx[i])
      dx[i] = a.zerosLike(input);
  return success();
}
LogicalResult vjp(CastOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  if (!Adjoints::isFloatTensor(op.getInput())) {
    dx.assign({Value()});
    return success();
  }
  dx.assign({CastOp::create(a.b, a.loc, op.getInput().getType(), g[0])});
  return success();
}

// Reductions.
LogicalResult vjp(SumOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  dx.assign({a.unreduce(g[0], op.getInput(), op.getAxes(), op.getKeepdims())});
  return success();
}
LogicalResult vjp(MeanOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  Value x = op.getInput();
  Value spread = a.unreduce(g[0], x, op.getAxes(), op.getKeepdims());
  dx.assign({DivScalarOp::create(a.b, a.loc, spread, a.countAlong(x, op.getAxes()))});
  return success();
}
/// max/min: the adjoint goes to the elements equal to the extremum, split
/// evenly between ties (deterministic, as JAX does).
template <typename OpTy>
LogicalResult extremumVjp(OpTy op, Adjoints &a, ArrayRef<Value> g,
                          Grads &dx) {
  Value x = op.getInput();
  ArrayRef<int64_t> axes = op.getAxes();
  bool keepdims = op.getKeepdims();
  Value extremum = a.unreduce(op.getResult(), x, axes, keepdims);
  Value isExtremum =
      a.rsubScalar(AbsOp::create(a.b, a.loc, a.sign(a.subSame(x, extremum))), 1.0);
  Value ties = a.sum(isExtremum, axes, /*keepdims=*/true);
  SmallVector<OpFoldResult> kept = a.dims(x);
  for (int64_t axis : axes)
    kept[axis] = a.constantIndex(1);
  Value share = a.divSame(keepdims ? g[0] : a.reshape(g[0], kept), ties);
  dx.assign({a.mulSame(isExtremum, a.broadcastTo(share, a.dims(x)))});
  return success();
}
LogicalResult vjp(MaxOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  return extremumVjp(op, a, g, dx);
}
LogicalResult vjp(MinOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  return extremumVjp(op, a, g, dx);
}
LogicalResult vjp(SoftmaxOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // y (g - sum(g y)) along the axis.
  Value y = op.getResult();
  int64_t axis = op.getAxis();
  Value dot = a.broadcastTo(a.sum(a.mulSame(g[0], y), {axis}, true), a.dims(y));
  dx.assign({a.mulSame(y, a.subSame(g[0], dot))});
  return success();
}
LogicalResult vjp(LogSoftmaxOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // g - softmax(x) sum(g) along the axis.
  Value y = op.getResult();
  int64_t axis = op.getAxis();
  Value total = a.broadcastTo(a.sum(g[0], {axis}, true), a.dims(y));
  dx.assign({a.subSame(g[0], a.mulSame(a.exp(y), total))});
  return success();
}

// Contractions.
LogicalResult vjp(MatmulOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  SmallVector<int64_t> perm = swapLastTwo(Adjoints::typeOf(lhs).getRank());
  Value rhsT = TransposeOp::create(a.b, a.loc, rhs, perm);
  Value lhsT = TransposeOp::create(a.b, a.loc, lhs, perm);
  dx.assign({a.fitTo(MatmulOp::create(a.b, a.loc, g[0], rhsT), lhs),
        a.fitTo(MatmulOp::create(a.b, a.loc, lhsT, g[0]), rhs)});
  return success();
}
/// The adjoint of the full convolution: `other` reversed and convolved
/// with g, from offset len(other) - 1, fitted to `operand`.
Value convAdjoint(Adjoints &a, Value gFull, Value operand, Value other) {
  int64_t rank = Adjoints::typeOf(gFull).getRank();
  int64_t last = rank - 1;
  Value reversed = ReverseOp::create(a.b, a.loc, other, {last});
  Value correlation = ConvOp::create(a.b, a.loc, gFull, reversed);
  SmallVector<OpFoldResult> offsets(rank, a.constantIndex(0));
  SmallVector<OpFoldResult> strides(rank, a.constantIndex(1));
  SmallVector<OpFoldResult> sizes = a.dims(correlation);
  Value otherLength = a.index(a.dim(other, last));
  Value one = arith::ConstantIndexOp::create(a.b, a.loc, 1);
  Value zero = arith::ConstantIndexOp::create(a.b, a.loc, 0);
  Value start = arith::MaxSIOp::create(
      a.b, a.loc, arith::SubIOp::create(a.b, a.loc, otherLength, one), zero);
  // Empty when either operand is: clamp the window to the correlation.
  Value available = arith::MaxSIOp::create(
      a.b, a.loc, arith::SubIOp::create(a.b, a.loc, a.index(sizes[last]), start),
      zero);
  offsets[last] = start;
  sizes[last] = arith::MinSIOp::create(a.b, a.loc, available,
                                       a.index(a.dim(operand, last)))
                    .getResult();
  return a.fitTo(a.slice(correlation, offsets, sizes, strides), operand);
}
LogicalResult vjp(ConvOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  Value gFull = g[0];
  if (op.getMode() != ConvMode::full) {
    // valid and same are slices of the full convolution from offset
    // (min(m, n) - 1), halved for same: shift g back into place.
    int64_t last = Adjoints::typeOf(lhs).getRank() - 1;
    Value m = a.index(a.dim(lhs, last)), n = a.index(a.dim(rhs, last));
    Value one = arith::ConstantIndexOp::create(a.b, a.loc, 1);
    Value zero = arith::ConstantIndexOp::create(a.b, a.loc, 0);
    Value offset = arith::MaxSIOp::create(
        a.b, a.loc,
        arith::SubIOp::create(a.b, a.loc, arith::MinUIOp::create(a.b, a.loc, m, n),
                              one),
        zero);
    if (op.getMode() == ConvMode::same)
      offset = arith::DivUIOp::create(a.b, a.loc, offset,
                                      arith::ConstantIndexOp::create(a.b, a.loc, 2));
    SmallVector<OpFoldResult> zerosShape = a.dims(gFull);
    zerosShape[last] = offset;
    Value zeros = a.promote(a.empty(Adjoints::typeOf(gFull)), zerosShape);
    gFull = ConcatOp::create(a.b, a.loc, ValueRange{zeros, gFull}, last);
  }
  dx.assign({convAdjoint(a, gFull, lhs, rhs), convAdjoint(a, gFull, rhs, lhs)});
  return success();
}
LogicalResult vjp(KronOp op, Adjoints &a, ArrayRef<Value> g, Grads &dx) {
  // Per axis, result index i * nb + j pairs a[i] with b[j]: view g as
  // [ma0, nb0, ma1, nb1, ...], move the a axes first, and contract with the
  // other operand over its axes.
  Value lhs = op.getLhs(), rhs = op.getRhs();
  int64_t rank = Adjoints::typeOf(lhs).getRank();
  SmallVector<OpFoldResult> ma = a.dims(lhs), nb = a.dims(rhs), interleaved;
  for (int64_t i = 0; i < rank; ++i) {
    interleaved.push_back(ma[i]);
    interleaved.push_back(nb[i]);
  }
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(2 * i);
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(2 * i + 1);
  Value split = TransposeOp::create(a.b, a.loc, a.reshape(g[0], interleaved), perm);
  SmallVector<OpFoldResult> full = ma;
  full.append(nb.begin(), nb.end());
  SmallVector<int64_t> lhsAxes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  SmallVector<int64_t> rhsAxes =
      llvm::to_vector(llvm::seq<int64_t>(rank, 2 * rank));
  // b as [1, ..., 1, nb...] and a as [ma..., 1, ..., 1], stretched to full.
  SmallVector<OpFoldResult> lhsShape = ma;
  lhsShape.append(rank, a.constantIndex(1));
  Value rhsFull = a.broadcastTo(rhs, full);
  Value lhsFull = a.broadcastTo(a.reshape(lhs, lhsShape), full);
  dx.assign({a.sum(a.mul(split, rhsFull), rhsAxes, false),
        a.sum(a.mul(split, lhsFull), lhsAxes, false)});
  return success();
}

// Not differentiable.
LogicalResult vjp(ShrinkOp op, Adjoints &, ArrayRef<Value>, Grads &) {
  return op.emitOpError("is not differentiable: its result shape depends on "
                        "the data; differentiate before shrinking, or apply "
                        "shrink to the gradient instead");
}
LogicalResult vjp(PyramidStackOp op, Adjoints &, ArrayRef<Value>, Grads &) {
  return op.emitOpError("is not differentiable yet; express the pyramid as "
                        "nested vsla.window_stack ops to differentiate it");
}
LogicalResult vjp(ConstantOp, Adjoints &, ArrayRef<Value>, Grads &) {
  return success();
}
LogicalResult vjp(IotaOp, Adjoints &, ArrayRef<Value>, Grads &dx) {
  dx.assign({Value()});
  return success();
}

//===----------------------------------------------------------------------===//
// The interface models
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct VjpModel : VjpOpInterface::ExternalModel<VjpModel<OpTy>, OpTy> {
  LogicalResult emitVjp(Operation *op, OpBuilder &builder,
                        ArrayRef<Value> resultAdjoints,
                        SmallVectorImpl<Value> &operandAdjoints) const {
    auto typed = cast<OpTy>(op);
    Adjoints a{builder, op->getLoc()};
    // Integer results carry no adjoint; neither do their operands.
    bool anyFloat = llvm::any_of(op->getResults(), [](Value r) {
      return Adjoints::isFloatTensor(r);
    });
    if (!anyFloat && op->getNumResults() > 0) {
      operandAdjoints.assign(op->getNumOperands(), Value());
      return success();
    }
    // A missing result adjoint is zero.
    SmallVector<Value> adjoints(resultAdjoints);
    if (!isa<WindowStackOp>(op))
      for (auto [adjoint, result] : llvm::zip_equal(adjoints, op->getResults()))
        if (!adjoint)
          adjoint = a.zerosLike(result);
    operandAdjoints.clear();
    if (failed(vjp(typed, a, adjoints, operandAdjoints)))
      return failure();
    operandAdjoints.resize(op->getNumOperands());
    // Integer operands (and their adjoints) are not differentiated.
    for (auto [adjoint, operand] :
         llvm::zip_equal(operandAdjoints, op->getOperands()))
      if (!Adjoints::isFloatTensor(operand))
        adjoint = Value();
    return success();
  }
};

template <typename... OpTys> void attach(MLIRContext &context) {
  (OpTys::template attachInterface<VjpModel<OpTys>>(context), ...);
}

} // namespace

Value mlir::vsla::createZerosLike(OpBuilder &builder, Location loc,
                                  Value value) {
  Adjoints a{builder, loc};
  return a.zerosLike(value);
}

void mlir::vsla::attachVjpInterfaces(MLIRContext &context) {
  attach<AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp, AddScalarOp,
         SubScalarOp, RsubScalarOp, MulScalarOp, DivScalarOp, RdivScalarOp,
         PowScalarOp, MaximumScalarOp, MinimumScalarOp, NegOp, AbsOp, ReluOp,
         ExpOp, LogOp, SqrtOp, TanhOp, SigmoidOp, GeluOp, SinOp, CosOp, SignOp,
         ErfOp, PromoteOp, ReshapeOp, BroadcastToOp, TransposeOp, ReverseOp,
         SliceOp, ConcatOp, StackOp, WindowStackOp, CastOp, SumOp, MeanOp,
         MaxOp, MinOp, SoftmaxOp, LogSoftmaxOp, MatmulOp, ConvOp, KronOp,
         ShrinkOp, PyramidStackOp, ConstantOp, IotaOp, UnfoldOp, FoldOp>(
      context);
}

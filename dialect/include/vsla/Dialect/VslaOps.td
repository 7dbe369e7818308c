//===- VslaOps.td - the vsla operations --------------------*- tablegen -*-===//
//
// One def per op. Ops that share a shape rule share a base class whose
// extraClassDefinition forwards to the rule in ShapeInference.cpp, so the
// rule is written once and every op of the family uses it.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DIALECT_VSLAOPS_TD
#define VSLA_DIALECT_VSLAOPS_TD

include "vsla/Dialect/VslaBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "vsla/Dialect/VslaInterfaces.td"

class Vsla_Op<string mnemonic, list<Trait> traits = []>
    : Op<Vsla_Dialect, mnemonic, traits>;

// Ops whose result shape is a function of operand shapes and attributes.
class Vsla_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Vsla_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor,
          DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>],
          traits)>;

//===----------------------------------------------------------------------===//
// Binary elementwise ops with ambient promotion
//===----------------------------------------------------------------------===//

class Vsla_AmbientBinaryOp<string mnemonic, string meaning,
                           Type operandType = Vsla_NumericTensor,
                           list<Trait> traits = []>
    : Vsla_ShapedOp<mnemonic, traits> {
  let summary = "elementwise " # meaning # " with ambient promotion";
  let description = [{
    Elementwise }] # meaning # [{ of two tensors of equal rank. Each operand
    reads as zero outside its own shape ("ambient promotion"), and the result
    has the per-axis maximum extent: `max(da, db)`. No zero-padded copy of
    either operand is implied. Operand ranks and element types must match;
    use `vsla.broadcast_to`, `vsla.promote` or `vsla.reshape` to align ranks
    and `vsla.cast` to convert element types.

    Example:

    ```mlir
    // [1, 2, 3] and [4, 5] combine over shape [3].
    %r = vsla.}] # mnemonic # [{ %a, %b : tensor<3xf32>, tensor<2xf32>
    // max(?, 4) is dynamic; an empty operand leaves the other's extent.
    %s = vsla.}] # mnemonic # [{ %c, %d : tensor<?x4xf32>, tensor<0x4xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferAmbientBinaryType(getOperationName(), loc, adaptor.getLhs(),
                                    adaptor.getRhs(), types);
    }
    ::llvm::LogicalResult $cppClass::reifyResultShapes(
        ::mlir::OpBuilder &b, ::mlir::ReifiedRankedShapedTypeDims &shapes) {
      return reifyAmbientBinaryShape(b, getLoc(), getLhs(), getRhs(), shapes);
    }
  }];
}

def Vsla_AddOp : Vsla_AmbientBinaryOp<"add", "sum", Vsla_NumericTensor,
                                      [Commutative]> {
  let hasCanonicalizer = 1;
}
def Vsla_SubOp : Vsla_AmbientBinaryOp<"sub", "difference"> {
  let hasCanonicalizer = 1;
}
def Vsla_MulOp : Vsla_AmbientBinaryOp<"mul", "(Hadamard) product",
                                      Vsla_NumericTensor, [Commutative]>;
def Vsla_DivOp : Vsla_AmbientBinaryOp<"div", "quotient (IEEE: x / 0 is Inf or NaN)",
                                      Vsla_FloatTensor>;
def Vsla_MaximumOp : Vsla_AmbientBinaryOp<"maximum", "maximum (NaN propagates)",
                                          Vsla_NumericTensor, [Commutative]>;
def Vsla_MinimumOp : Vsla_AmbientBinaryOp<"minimum", "minimum (NaN propagates)",
                                          Vsla_NumericTensor, [Commutative]>;

//===----------------------------------------------------------------------===//
// Tensor-scalar ops
//===----------------------------------------------------------------------===//

class Vsla_ScalarOp<string mnemonic, string meaning,
                    Type tensorType = Vsla_NumericTensor,
                    Type scalarType = Vsla_NumericElement>
    : Vsla_ShapedOp<mnemonic> {
  let summary = "elementwise " # meaning # " of a tensor and a scalar";
  let description = [{
    Computes }] # meaning # [{ for every element `x` of `input` and the scalar
    `s`. The result has the shape of `input`: the scalar applies to the
    stored elements only, never to the ambient zeros beyond the shape. The
    scalar's type must be the tensor's element type.

    Example:

    ```mlir
    %c = arith.constant 2.0 : f32
    %r = vsla.}] # mnemonic # [{ %x, %c : tensor<?xf32>, f32
    ```
  }];
  let arguments = (ins tensorType:$input, scalarType:$scalar);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$input `,` $scalar attr-dict `:` type($input) `,` type($scalar)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferScalarOpType(getOperationName(), loc, adaptor.getInput(),
                               adaptor.getScalar(), types);
    }
    ::llvm::LogicalResult $cppClass::reifyResultShapes(
        ::mlir::OpBuilder &b, ::mlir::ReifiedRankedShapedTypeDims &shapes) {
      return reifySameShape(b, getLoc(), getInput(), shapes);
    }
  }];
}

def Vsla_AddScalarOp : Vsla_ScalarOp<"add_scalar", "`x + s`">;
def Vsla_SubScalarOp : Vsla_ScalarOp<"sub_scalar", "`x - s`">;
def Vsla_RsubScalarOp : Vsla_ScalarOp<"rsub_scalar", "`s - x`">;
def Vsla_MulScalarOp : Vsla_ScalarOp<"mul_scalar", "`x * s`">;
def Vsla_DivScalarOp : Vsla_ScalarOp<"div_scalar", "`x / s`",
                                     Vsla_FloatTensor, Vsla_FloatElement>;
def Vsla_RdivScalarOp : Vsla_ScalarOp<"rdiv_scalar", "`s / x`",
                                      Vsla_FloatTensor, Vsla_FloatElement>;
def Vsla_PowScalarOp : Vsla_ScalarOp<"pow_scalar", "`x ** s`",
                                     Vsla_FloatTensor, Vsla_FloatElement>;
def Vsla_MaximumScalarOp : Vsla_ScalarOp<"maximum_scalar", "`max(x, s)`">;
def Vsla_MinimumScalarOp : Vsla_ScalarOp<"minimum_scalar", "`min(x, s)`">;

//===----------------------------------------------------------------------===//
// Shape-changing ops with a target shape: broadcast_to, promote, reshape
//===----------------------------------------------------------------------===//

class Vsla_TargetShapeOp<string mnemonic> : Vsla_ShapedOp<mnemonic> {
  let arguments = (ins Vsla_Tensor:$input, Variadic<Index>:$shape,
                       DenseI64ArrayAttr:$static_shape);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = [{
    $input `to` custom<DynamicIndexList>($shape, $static_shape)
    attr-dict `:` type($input)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   "::llvm::ArrayRef<::mlir::OpFoldResult>":$targetShape), [{
      ::llvm::SmallVector<int64_t> staticShape;
      ::llvm::SmallVector<::mlir::Value> dynamicShape;
      ::mlir::dispatchIndexOpFoldResults(targetShape, dynamicShape,
                                         staticShape);
      build($_builder, $_state, input, dynamicShape, staticShape);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The target shape, static entries as attributes and dynamic ones as
    /// the index operands that give them.
    ::llvm::SmallVector<::mlir::OpFoldResult> getMixedShape() {
      return ::mlir::getMixedValues(getStaticShape(), getShape(),
                                    getContext());
    }
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::reifyResultShapes(
        ::mlir::OpBuilder &b, ::mlir::ReifiedRankedShapedTypeDims &shapes) {
      shapes.push_back(getMixedShape());
      return ::mlir::success();
    }
  }];
}

def Vsla_BroadcastToOp : Vsla_TargetShapeOp<"broadcast_to"> {
  let summary = "explicit NumPy broadcasting to a target shape";
  let description = [{
    Stretches `input` to the target shape as NumPy broadcasting does: leading
    axes are added, and axes of extent 1 are repeated. Every other axis must
    already have the target extent. This is the only way tensors broadcast in
    VSLA; binary ops never broadcast implicitly.

    Target extents are static integers or `index` values.

    Example:

    ```mlir
    // A bias of 3 features broadcast over a batch of %n rows.
    %r = vsla.broadcast_to %bias to [%n, 3] : tensor<3xf32>
    ```
  }];
  let hasFolder = 1;
}

def Vsla_PromoteOp : Vsla_TargetShapeOp<"promote"> {
  let summary = "explicit zero-extension to a larger shape";
  let description = [{
    Zero-extends `input` to the target shape, which has the same rank and, per
    axis, an extent at least the input's. The result is the same VSLA value as
    the input, stored with a larger shape.

    Example:

    ```mlir
    %r = vsla.promote %x to [4, %n] : tensor<2x?xf32>
    ```
  }];
  let hasFolder = 1;
}

def Vsla_ReshapeOp : Vsla_TargetShapeOp<"reshape"> {
  let summary = "row-major reshape, as NumPy";
  let description = [{
    Reinterprets the row-major elements of `input` with the target shape. The
    element counts must agree (checked here when both shapes are static, at
    run time otherwise). A target extent of `-1` is not accepted: the front end
    resolves it before emitting the op.

    Example:

    ```mlir
    %r = vsla.reshape %x to [2, 3] : tensor<6xf32>
    ```
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution, Kronecker product, matmul
//===----------------------------------------------------------------------===//

def Vsla_ConvOp : Vsla_ShapedOp<"conv"> {
  let summary = "full linear convolution along the last axis (Model A)";
  let description = [{
    Convolves the last axes of `lhs` and `rhs` (the polynomial product of
    their coefficient sequences); leading axes are batch axes combined by
    ambient promotion. With last extents `m` and `n` the `full` result has
    `m + n - 1` elements; `valid` keeps `max(m, n) - min(m, n) + 1` and `same`
    keeps the centred `max(m, n)`, as `numpy.convolve` does. If either last
    extent is 0 the result's last extent is 0 (the empty tensor).

    `mode` defaults to `full` and is printed only when it is not.

    Example:

    ```mlir
    // conv([1, 2, 3], [0.5, 1.5]) = [0.5, 2.5, 4.5, 4.5]
    %r = vsla.conv %a, %b : tensor<3xf32>, tensor<2xf32>
    %v = vsla.conv %a, %b mode = valid : tensor<?xf32>, tensor<5xf32>
    ```
  }];
  let arguments = (ins Vsla_NumericTensor:$lhs, Vsla_NumericTensor:$rhs,
                       DefaultValuedAttr<Vsla_ConvModeAttr,
                                         "::mlir::vsla::ConvMode::full">:$mode);
  let results = (outs Vsla_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`mode` `=` `` $mode^)? attr-dict `:` type($lhs) `,` type($rhs)
  }];
}

def Vsla_KronOp : Vsla_ShapedOp<"kron"> {
  let summary = "Kronecker product (Model B)";
  let description = [{
    The Kronecker product of two tensors of equal rank: per axis the result
    extent is `da * db`, and element `(i * db + j)` is `lhs[i] * rhs[j]`.
    The order of the operands matters.

    Example:

    ```mlir
    // kron([1, 2], [3, 4]) = [3, 4, 6, 8]
    %r = vsla.kron %a, %b : tensor<2xf32>, tensor<2xf32>
    ```
  }];
  let arguments = (ins Vsla_NumericTensor:$lhs, Vsla_NumericTensor:$rhs);
  let results = (outs Vsla_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

def Vsla_MatmulOp : Vsla_ShapedOp<"matmul"> {
  let summary = "batched matrix product with ambient inner and batch axes";
  let description = [{
    `[..., m, k] @ [..., k', n] -> [..., m, n]` for operands of equal rank of
    at least 2. The contraction axes may differ (`k != k'`): the shorter one
    reads as zeros beyond its extent, so only `min(k, k')` terms contribute.
    Leading batch axes combine by ambient promotion (per-axis maximum).

    Example:

    ```mlir
    %r = vsla.matmul %a, %b : tensor<?x4x8xf32>, tensor<?x6x16xf32>
    ```
  }];
  let arguments = (ins Vsla_NumericTensor:$lhs, Vsla_NumericTensor:$rhs);
  let results = (outs Vsla_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

//===----------------------------------------------------------------------===//
// Unary elementwise ops
//===----------------------------------------------------------------------===//

class Vsla_UnaryOp<string mnemonic, string meaning,
                   Type operandType = Vsla_FloatTensor>
    : Vsla_ShapedOp<mnemonic> {
  let summary = "elementwise " # meaning;
  let description = [{
    Applies }] # meaning # [{ to every element; the result has the shape of
    the input.

    Example:

    ```mlir
    %r = vsla.}] # mnemonic # [{ %x : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferSameType(getOperationName(), loc, adaptor.getInput(), types);
    }
    ::llvm::LogicalResult $cppClass::reifyResultShapes(
        ::mlir::OpBuilder &b, ::mlir::ReifiedRankedShapedTypeDims &shapes) {
      return reifySameShape(b, getLoc(), getInput(), shapes);
    }
  }];
}

def Vsla_NegOp : Vsla_UnaryOp<"neg", "negation `-x`", Vsla_NumericTensor>;
def Vsla_AbsOp : Vsla_UnaryOp<"abs", "absolute value `|x|`", Vsla_NumericTensor>;
def Vsla_ExpOp : Vsla_UnaryOp<"exp", "the exponential `e^x`">;
def Vsla_LogOp : Vsla_UnaryOp<"log", "the natural logarithm">;
def Vsla_SqrtOp : Vsla_UnaryOp<"sqrt", "the square root">;
def Vsla_TanhOp : Vsla_UnaryOp<"tanh", "the hyperbolic tangent">;
def Vsla_SigmoidOp : Vsla_UnaryOp<"sigmoid", "the logistic sigmoid `1 / (1 + e^-x)`">;
def Vsla_ReluOp : Vsla_UnaryOp<"relu", "the rectifier `max(x, 0)`", Vsla_NumericTensor>;
def Vsla_GeluOp : Vsla_UnaryOp<"gelu", "the GELU activation `x * Phi(x)` (exact, erf form)">;
def Vsla_SinOp : Vsla_UnaryOp<"sin", "the sine">;
def Vsla_CosOp : Vsla_UnaryOp<"cos", "the cosine">;
// The derivatives of abs, relu, maximum/minimum and max/min need the sign;
// gelu's needs erf.
def Vsla_SignOp : Vsla_UnaryOp<"sign",
    "the sign: -1, 0 or 1 (a NaN stays NaN; the sign of a zero is that zero)",
    Vsla_NumericTensor>;
def Vsla_ErfOp : Vsla_UnaryOp<"erf", "the error function">;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Vsla_ReductionOp<string mnemonic, string meaning,
                       Type operandType = Vsla_NumericTensor>
    : Vsla_ShapedOp<mnemonic> {
  let summary = meaning # " over the given axes";
  let description = [{
    Reduces `input` by }] # meaning # [{ over `axes`, a list of distinct axes
    in `[0, rank)`. The reduced axes are removed from the result, or kept with
    extent 1 when `keepdims` is present. An empty `axes` list reduces nothing.

    Example:

    ```mlir
    %r = vsla.}] # mnemonic # [{ %x axes = [1] : tensor<?x?xf32>
    %k = vsla.}] # mnemonic # [{ %x axes = [0, 1] keepdims : tensor<4x?xf32>
    ```
  }];
  let arguments = (ins operandType:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs operandType:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes (`keepdims` $keepdims^)? attr-dict `:` type($input)
  }];
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferReductionType(getOperationName(), loc, adaptor.getInput(),
                                adaptor.getAxesAttr(),
                                adaptor.getKeepdims(), types);
    }
    ::llvm::LogicalResult $cppClass::reifyResultShapes(
        ::mlir::OpBuilder &b, ::mlir::ReifiedRankedShapedTypeDims &shapes) {
      return reifyReductionShape(b, getLoc(), getInput(), getAxes(),
                                 getKeepdims(), shapes);
    }
  }];
}

def Vsla_SumOp : Vsla_ReductionOp<"sum", "the sum">;
def Vsla_MeanOp : Vsla_ReductionOp<"mean",
    "the mean (the sum divided by the logical extent)", Vsla_FloatTensor>;
def Vsla_MaxOp : Vsla_ReductionOp<"max", "the maximum">;
def Vsla_MinOp : Vsla_ReductionOp<"min", "the minimum">;

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

class Vsla_SoftmaxLikeOp<string mnemonic, string meaning>
    : Vsla_ShapedOp<mnemonic> {
  let summary = meaning # " along one axis";
  let description = [{
    Computes }] # meaning # [{ of `input` along `axis`, in the numerically
    stable max-subtracted form. The result has the input's shape.

    Example:

    ```mlir
    %r = vsla.}] # mnemonic # [{ %x axis = 1 : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Vsla_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Vsla_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferSoftmaxType(getOperationName(), loc, adaptor.getInput(),
                              adaptor.getAxisAttr(), types);
    }
    ::llvm::LogicalResult $cppClass::reifyResultShapes(
        ::mlir::OpBuilder &b, ::mlir::ReifiedRankedShapedTypeDims &shapes) {
      return reifySameShape(b, getLoc(), getInput(), shapes);
    }
  }];
}

def Vsla_SoftmaxOp : Vsla_SoftmaxLikeOp<"softmax", "the softmax">;
def Vsla_LogSoftmaxOp : Vsla_SoftmaxLikeOp<"log_softmax", "the log-softmax">;

//===----------------------------------------------------------------------===//
// Layout ops: transpose, slice, concat, stack
//===----------------------------------------------------------------------===//

def Vsla_TransposeOp : Vsla_ShapedOp<"transpose"> {
  let summary = "permutes the axes";
  let description = [{
    Result axis `i` is input axis `perm[i]`; `perm` is a permutation of
    `[0, rank)`.

    Example:

    ```mlir
    %r = vsla.transpose %x perm = [1, 0] : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins Vsla_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "$input `perm` `=` $perm attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Vsla_UnfoldOp : Vsla_ShapedOp<"unfold"> {
  let summary = "the shifted copies of a signal that a channelled convolution reads";
  let description = [{
    For `input` of shape `[..., C, L]` (rank at least 2) and `taps = k`, the
    result has shape `[..., k * C, L + k - 1]` and row `j * C + c` is channel
    `c` shifted right by `j` (zeros elsewhere):

    `result[..., j * C + c, t] = input[..., c, t - j]` for `0 <= t - j < L`.

    A multi-channel convolution is then one matrix product of the weights
    `[O, k * C]` with these columns ("im2col"). The op is one pass over the
    result; its adjoint is `vsla.fold`, one pass over the adjoint, so the
    gradient of a convolution layer never materializes the k shifted
    copies one by one.

    Example:

    ```mlir
    %cols = vsla.unfold %x taps = 7 : tensor<1x16x?xf32>
    // : tensor<1x112x?xf32>
    ```
  }];
  let arguments = (ins Vsla_NumericTensor:$input, I64Attr:$taps);
  let results = (outs Vsla_NumericTensor:$result);
  let assemblyFormat = "$input `taps` `=` $taps attr-dict `:` type($input)";
}

def Vsla_FoldOp : Vsla_ShapedOp<"fold"> {
  let summary = "sums the shifted copies of vsla.unfold back (its adjoint)";
  let description = [{
    For `input` of shape `[..., k * C, L + k - 1]` and `taps = k`, the
    result has shape `[..., C, L]` and

    `result[..., c, s] = sum over j < k of input[..., j * C + c, s + j]`.

    It is the adjoint of `vsla.unfold` (and `vsla.unfold` is its adjoint).
    The second-to-last extent must be a multiple of `taps` and the last at
    least `taps - 1`; `vsla-materialize-shape-checks` checks both when they
    are dynamic.

    Example:

    ```mlir
    %dx = vsla.fold %dcols taps = 7 : tensor<1x112x?xf32>
    // : tensor<1x16x?xf32>
    ```
  }];
  let arguments = (ins Vsla_NumericTensor:$input, I64Attr:$taps);
  let results = (outs Vsla_NumericTensor:$result);
  let assemblyFormat = "$input `taps` `=` $taps attr-dict `:` type($input)";
}

def Vsla_ReverseOp : Vsla_ShapedOp<"reverse"> {
  let summary = "reverses the order of the elements along axes";
  let description = [{
    Element `i` of each axis in `axes` comes from element `extent - 1 - i`
    of the input, as `numpy.flip`; the shape is unchanged. Slices with
    negative steps are a reverse and a slice; the adjoint of a convolution
    is a convolution with the reversed operand.

    Example:

    ```mlir
    %r = vsla.reverse %x axes = [1] : tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Vsla_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "$input `axes` `=` $axes attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Vsla_SliceOp : Vsla_ShapedOp<"slice", [AttrSizedOperandSegments]> {
  let summary = "strided slice, as NumPy basic slicing";
  let description = [{
    Extracts `sizes[i]` elements along each axis `i`, starting at
    `offsets[i]` and stepping by `strides[i]` (at least 1). Offsets, sizes
    and strides are static integers or `index` values. Static entries are
    checked against static extents; the front end clamps Python slices the
    way NumPy does before emitting the op.

    Example:

    ```mlir
    // x[1:5:2, :]
    %r = vsla.slice %x [1, 0] [2, %n] [2, 1] : tensor<6x?xf32>
    ```
  }];
  let arguments = (ins Vsla_Tensor:$input,
                       Variadic<Index>:$offsets, Variadic<Index>:$sizes,
                       Variadic<Index>:$strides,
                       DenseI64ArrayAttr:$static_offsets,
                       DenseI64ArrayAttr:$static_sizes,
                       DenseI64ArrayAttr:$static_strides);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = [{
    $input
    custom<DynamicIndexList>($offsets, $static_offsets)
    custom<DynamicIndexList>($sizes, $static_sizes)
    custom<DynamicIndexList>($strides, $static_strides)
    attr-dict `:` type($input)
  }];
  let extraClassDeclaration = [{
    ::llvm::SmallVector<::mlir::OpFoldResult> getMixedOffsets() {
      return ::mlir::getMixedValues(getStaticOffsets(), getOffsets(),
                                    getContext());
    }
    ::llvm::SmallVector<::mlir::OpFoldResult> getMixedSizes() {
      return ::mlir::getMixedValues(getStaticSizes(), getSizes(),
                                    getContext());
    }
    ::llvm::SmallVector<::mlir::OpFoldResult> getMixedStrides() {
      return ::mlir::getMixedValues(getStaticStrides(), getStrides(),
                                    getContext());
    }
  }];
  let hasFolder = 1;
}

def Vsla_ConcatOp : Vsla_ShapedOp<"concat"> {
  let summary = "joins tensors along an existing axis, as NumPy";
  let description = [{
    Concatenates one or more tensors of equal rank and element type along
    `axis`. As in NumPy, the other axes must have equal extents; use
    `vsla.promote` first to combine tensors whose other extents differ.

    Example:

    ```mlir
    %r = vsla.concat %a, %b axis = 0 : tensor<2x3xf32>, tensor<?x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Vsla_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "$inputs `axis` `=` $axis attr-dict `:` type($inputs)";
  let hasFolder = 1;
}

def Vsla_StackOp : Vsla_ShapedOp<"stack"> {
  let summary = "stacks ragged tensors along a new leading axis";
  let description = [{
    Stacks `k >= 1` tensors of equal rank and element type into a tensor of
    shape `(k, max shapes...)`: each input is zero-extended to the ambient
    (per-axis maximum) shape. No input needs the same shape as another.

    Example:

    ```mlir
    // stack([10, 20], [30, 40, 50], [60]) = [[10, 20, 0], [30, 40, 50], [60, 0, 0]]
    %r = vsla.stack %a, %b, %c : tensor<2xf32>, tensor<3xf32>, tensor<1xf32>
    ```
  }];
  let arguments = (ins Variadic<Vsla_Tensor>:$inputs);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
}

def Vsla_WindowStackOp : Vsla_Op<"window_stack", [Pure, InferTypeOpAdaptor]> {
  let summary = "stacks a sequence in non-overlapping windows";
  let description = [{
    Splits the operand sequence into consecutive windows of `window` tensors
    and stacks each window (as `vsla.stack`), producing one result per
    window. A trailing partial window is dropped unless `keep_partial` is
    present, in which case it is stacked as it is (fewer rows). This is the
    whole-sequence form of VSLA's streaming window stack; canonicalization
    expands it into `vsla.stack` ops.

    Example:

    ```mlir
    // w = 3 over four tensors: one stack of the first three.
    %s = vsla.window_stack %a, %b, %c, %d window = 3
        : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
    ```
  }];
  let arguments = (ins Variadic<Vsla_Tensor>:$inputs, I64Attr:$window,
                       UnitAttr:$keep_partial);
  let results = (outs Variadic<Vsla_Tensor>:$results);
  let assemblyFormat = [{
    $inputs `window` `=` $window (`keep_partial` $keep_partial^)? attr-dict
    `:` type($inputs)
  }];
  let hasCanonicalizer = 1;
}

def Vsla_PyramidStackOp : Vsla_Op<"pyramid_stack", [Pure, InferTypeOpAdaptor]> {
  let summary = "window stacks of window stacks, `levels` deep";
  let description = [{
    Applies `vsla.window_stack` with the same `window` `levels` times: level
    1 windows the inputs, level 2 windows level 1's stacks, and so on. The
    results are the stacks of the last level; each has rank `levels` higher
    than the inputs. `keep_partial` applies at every level. Canonicalization
    expands it into `vsla.window_stack` ops.

    Example:

    ```mlir
    // Four tensors, w = 2, two levels: one [2, 2, 3] stack.
    %s = vsla.pyramid_stack %a, %b, %c, %d window = 2 levels = 2
        : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
    ```
  }];
  let arguments = (ins Variadic<Vsla_Tensor>:$inputs, I64Attr:$window,
                       I64Attr:$levels, UnitAttr:$keep_partial);
  let results = (outs Variadic<Vsla_Tensor>:$results);
  let assemblyFormat = [{
    $inputs `window` `=` $window `levels` `=` $levels
    (`keep_partial` $keep_partial^)? attr-dict `:` type($inputs)
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// shrink, constant, cast
//===----------------------------------------------------------------------===//

def Vsla_ShrinkOp : Vsla_Op<"shrink", [Pure, InferTypeOpAdaptor]> {
  let summary = "the minimal representative: trailing zeros removed";
  let description = [{
    Returns the minimal representative of `input`'s VSLA value: trailing
    hyperplanes that are entirely zero are removed, the last axis first.
    An all-zero tensor shrinks to the empty tensor (every extent 0).

    The result extents depend on the data, so every result dim is dynamic
    (`?`), and the op has no shape reification: the runtime sizes the result
    after computing it.

    Example:

    ```mlir
    // shrink([3, 2, 0]) = [3, 2]
    %r = vsla.shrink %x : tensor<3xf32>
    ```
  }];
  let arguments = (ins Vsla_Tensor:$input);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Vsla_IotaOp : Vsla_Op<"iota", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "the integers 0, 1, ..., length - 1";
  let description = [{
    A rank-1 tensor of `length` elements counting from 0, in the result's
    element type, as `numpy.arange(length)`. The length is an `index` value,
    so it can come from a dynamic extent: one-hot encodings of labels and
    position indices are built from it.

    Example:

    ```mlir
    %n = tensor.dim %x, %c1 : tensor<?x?xf32>
    %r = vsla.iota %n : tensor<?xf32>
    ```
  }];
  let arguments = (ins Index:$length);
  let results = (outs 1DTensorOf<[F32, F64, I32, I64]>:$result);
  let assemblyFormat = "$length attr-dict `:` type($result)";
}

def Vsla_ConstantOp : Vsla_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a constant tensor";
  let description = [{
    A tensor literal. Its type is the type of the elements attribute.

    Example:

    ```mlir
    %c = vsla.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Vsla_CastOp : Vsla_Op<"cast", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "converts the element type";
  let description = [{
    Converts every element to the result's element type, as NumPy's `astype`
    does: floats round to nearest, float-to-int truncates toward zero,
    int-to-bool and float-to-bool test for non-zero. The shape is unchanged,
    so the result type must have the input's shape.

    Example:

    ```mlir
    %r = vsla.cast %x : tensor<?x3xf32> to tensor<?x3xf64>
    ```
  }];
  let arguments = (ins Vsla_Tensor:$input);
  let results = (outs Vsla_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}


//===----------------------------------------------------------------------===//
// Run-time checks
//===----------------------------------------------------------------------===//

def Vsla_CheckShapeOp : Vsla_Op<"check_shape",
    [InferTypeOpAdaptor, MemoryEffects<[MemWrite]>]> {
  let summary = "a fact about extents, checked when the function runs";
  let description = [{
    States that `holds` (an `i1` computed from extents: `tensor.dim`s,
    `index` arguments and arithmetic on them) is true. The compiler cannot
    check it because the extents are dynamic; the caller of the compiled
    function is told `message` (with this op's source location) as a shape
    error when it is false, before any data is read: the check is evaluated
    by the function's compiled shape function. In a function whose result
    shapes depend on data (`vsla.shrink`), where there is no such shape
    function, the check runs in place, before the ops after it.

    Library code states its promises with it (a layer's input feature
    count); `vsla-materialize-shape-checks` adds one for each precondition
    of an op that the verifier could not check statically (equal shapes
    promised by `vsla.equal_shapes`, `broadcast_to`, `promote`, `reshape`,
    `concat` and `slice` extents, non-negative target extents).

    Example:

    ```mlir
    %n = tensor.dim %x, %c1 : tensor<?x?xf32>
    %ok = arith.cmpi eq, %n, %c3 : index
    vsla.check_shape %ok, "Linear expects 3 input features"
    ```
  }];
  let arguments = (ins I1:$holds, StrAttr:$message);
  let assemblyFormat = "$holds `,` $message attr-dict";
}

def Vsla_CheckZeroOp : Vsla_Op<"check_zero",
    [InferTypeOpAdaptor, MemoryEffects<[MemWrite]>]> {
  let summary = "a fact about values, checked when the function runs";
  let description = [{
    States that the rank-0 tensor `value` is zero (NaN is not). Library code
    expresses a fact about the data as a sum that is zero exactly when the
    fact holds (labels in range: `sum(1 - sum(one_hot(labels), -1))`). When
    the compiled code finds it nonzero, the call stops before its results
    are returned and the caller is told `message` as a shape error.

    Example:

    ```mlir
    vsla.check_zero %bad, "a label is outside [0, classes)" : tensor<f32>
    ```
  }];
  let arguments = (ins 0DTensorOf<[F32, F64, I32, I64]>:$value, StrAttr:$message);
  let assemblyFormat = "$value `,` $message attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Ragged batches
//===----------------------------------------------------------------------===//

def Vsla_MapOp : Vsla_Op<"map", [IsolatedFromAbove, RecursiveMemoryEffects,
    AttrSizedOperandSegments, AttrSizedResultSegments,
    DeclareOpInterfaceMethods<Vsla_VjpOpInterface>]> {
  let summary = "applies a region to every item of ragged batches";
  let description = [{
    Runs `body` once per item of one or more ragged batches, and collects
    the per-item results into ragged or stacked batches.

    A ragged batch of `n` items of rank `r` is two tensors: `values`, the
    items' elements packed one item after the other, each item row-major
    (`tensor<?xT>`), and `shapes`, the items' extents (`tensor<?xrxi64>`,
    row `i` is item `i`'s shape). Item `i` starts where item `i - 1` ends:
    its offset is the sum of the element counts of the items before it, and
    `values` holds exactly the elements of all items. Every ragged operand
    must have the same number of items.

    The body's block arguments are the item index (`index`), one tensor per
    ragged operand (the item, of rank `r`, every extent dynamic), and one per
    `shared` operand (the same value for every item). The body is isolated
    from above: everything it uses comes through its arguments. It ends in
    `vsla.yield` with the per-item results: first one per ragged result
    (`values` and `shapes` results, packed like the operands), then one per
    stacked result: items stacked along a new leading axis, each zero-extended
    to the per-axis maximum of the items' extents (the ambient stack of
    `vsla.stack`; with no items every extent is 0).

    Canonicalization drops results nothing uses (with the body's work for
    them) and shared operands the body does not read.

    Items are independent, so the lowering (`vsla-lower-map`) runs them as a
    parallel loop (`scf.forall` over chunks of items) after a serial pass
    that computes every item's result extents, evaluates the body's shape
    checks and sizes the packed results. The adjoint is again a `vsla.map`, of the body's adjoint:
    ragged operands get ragged adjoints (packed like the operand), and shared
    operands the sum of the items' adjoints.

    Example:

    ```mlir
    // Per-item convolution with a shared filter, and each item's sum.
    %v, %s, %t = vsla.map ragged(%values : tensor<?xf32>)
        shapes(%shapes : tensor<?x1xi64>) shared(%h : tensor<?xf32>) {
    ^bb0(%i: index, %x: tensor<?xf32>, %w: tensor<?xf32>):
      %y = vsla.conv %x, %w {mode = #vsla<conv_mode full>}
          : tensor<?xf32>, tensor<?xf32>
      %l = vsla.sum %y axes = [0] : tensor<?xf32>
      vsla.yield %y, %l : tensor<?xf32>, tensor<f32>
    } -> ragged(tensor<?xf32>) shapes(tensor<?x1xi64>) stacked(tensor<?xf32>)
    ```
  }];
  let arguments = (ins Variadic<1DTensorOf<[F16, BF16, F32, F64, I1, I32, I64]>>:$ragged_values,
                       Variadic<2DTensorOf<[I64]>>:$ragged_shapes,
                       Variadic<Vsla_Tensor>:$shared);
  let results = (outs Variadic<1DTensorOf<[F16, BF16, F32, F64, I1, I32, I64]>>:$values,
                      Variadic<2DTensorOf<[I64]>>:$shapes,
                      Variadic<Vsla_Tensor>:$stacked);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `ragged` `(` $ragged_values `:` type($ragged_values) `)`
    `shapes` `(` $ragged_shapes `:` type($ragged_shapes) `)`
    (`shared` `(` $shared^ `:` type($shared) `)`)? $body attr-dict
    `->` (`ragged` `(` type($values)^ `)`)? (`shapes` `(` type($shapes)^ `)`)?
    (`stacked` `(` type($stacked)^ `)`)?
  }];
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The item index, the items and the shared values, inside the body.
    ::mlir::Value getItemIndex() { return getBody().getArgument(0); }
    ::mlir::Block::BlockArgListType getItems() {
      return getBody().getArguments().slice(1, getRaggedValues().size());
    }
    ::mlir::Block::BlockArgListType getSharedArguments() {
      return getBody().getArguments().drop_front(1 + getRaggedValues().size());
    }
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The item rank of the ragged batch whose shapes tensor is `shapes`.
    static int64_t getItemRank(::mlir::Value shapes) {
      return ::llvm::cast<::mlir::RankedTensorType>(shapes.getType())
          .getDimSize(1);
    }
    ::mlir::Operation *getYield() { return getBodyBlock().getTerminator(); }
  }];
}

def Vsla_YieldOp : Vsla_Op<"yield", [Pure, Terminator,
    HasParent<"MapOp">]> {
  let summary = "the per-item results of a vsla.map body";
  let description = [{
    Ends the body of `vsla.map`: the item's ragged results, then its stacked
    results, in the order of the map's results.
  }];
  let arguments = (ins Variadic<Vsla_Tensor>:$results);
  let assemblyFormat = "($results^ `:` type($results))? attr-dict";
}

#endif // VSLA_DIALECT_VSLAOPS_TD

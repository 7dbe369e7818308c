//===- VslaBase.td - the vsla dialect, its types and enums -*- tablegen -*-===//
//
// The dialect definition and the type constraints shared by every vsla op.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DIALECT_VSLABASE_TD
#define VSLA_DIALECT_VSLABASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Vsla_Dialect : Dialect {
  let name = "vsla";
  let cppNamespace = "::mlir::vsla";
  let summary = "Variable-shape linear algebra: tensors equal up to trailing zeros";
  let description = [{
    The `vsla` dialect models VSLA programs. A tensor is a (shape, data) pair
    anchored at the origin; two tensors that differ only by trailing zeros are
    the same value. Operands are builtin ranked tensors whose dims may be
    static or dynamic (`?`).

    Binary elementwise ops combine operands of different shapes by *ambient
    promotion*: each operand reads as zero outside its own shape and the
    result has the per-axis maximum extent. There is no implicit NumPy
    broadcasting between tensors: `vsla.broadcast_to` and `vsla.promote` make
    stretching and zero-extension explicit.

    Every op infers its result type from its operands and attributes, so the
    textual form spells operand types only. Ops whose result extents are
    computable from operand extents implement `ReifyRankedShapedTypeOpInterface`
    so lowering can compute dynamic result dims at run time; `vsla.shrink`,
    whose result extents depend on data, does not.

    Element types: `f16`, `bf16`, `f32`, `f64` for values; `i32`, `i64` for
    indices and labels; `i1` for masks. Binary ops require equal element types
    (insert `vsla.cast` to convert).
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Element and tensor type constraints
//===----------------------------------------------------------------------===//

def Vsla_FloatElement : AnyTypeOf<[F16, BF16, F32, F64]>;
def Vsla_NumericElement : AnyTypeOf<[F16, BF16, F32, F64, I32, I64]>;
def Vsla_AnyElement : AnyTypeOf<[F16, BF16, F32, F64, I1, I32, I64]>;

def Vsla_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Vsla_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I32, I64]>;
def Vsla_Tensor : RankedTensorOf<[F16, BF16, F32, F64, I1, I32, I64]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Vsla_ConvModeFull : I32EnumAttrCase<"full", 0>;
def Vsla_ConvModeValid : I32EnumAttrCase<"valid", 1>;
def Vsla_ConvModeSame : I32EnumAttrCase<"same", 2>;

def Vsla_ConvMode : I32EnumAttr<"ConvMode",
    "which part of the full linear convolution a vsla.conv returns",
    [Vsla_ConvModeFull, Vsla_ConvModeValid, Vsla_ConvModeSame]> {
  let cppNamespace = "::mlir::vsla";
  let genSpecializedAttr = 0;
}

def Vsla_ConvModeAttr : EnumAttr<Vsla_Dialect, Vsla_ConvMode, "conv_mode"> {
  let assemblyFormat = "$value";
}

#endif // VSLA_DIALECT_VSLABASE_TD

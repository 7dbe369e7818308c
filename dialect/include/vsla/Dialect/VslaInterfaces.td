//===- VslaInterfaces.td - the vsla op interfaces ----------*- tablegen -*-===//

#ifndef VSLA_DIALECT_VSLAINTERFACES_TD
#define VSLA_DIALECT_VSLAINTERFACES_TD

include "mlir/IR/OpBase.td"

def Vsla_VjpOpInterface : OpInterface<"VjpOpInterface"> {
  let cppNamespace = "::mlir::vsla";
  let description = [{
    A differentiable op: given the adjoints of its results (the gradient of
    a scalar loss with respect to each result), it emits `vsla` IR for the
    adjoints of its operands (vector-Jacobian products). Because adjoints are
    ordinary `vsla` IR, they can be differentiated again.

    The adjoint of ambient promotion is restriction (a slice back to the
    operand's shape); of `broadcast_to`, a sum over the stretched axes; of
    `conv`, a correlation sliced to the operand's length.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits the operand adjoints at the builder's insertion point.
        `resultAdjoints` has one entry per result, each of its result's
        type, or null where no adjoint reaches that result (it is then
        zero). `operandAdjoints` receives one entry per operand, of the
        operand's type, or null where the operand has no adjoint (index
        and scalar operands, integer tensors). Fails with a diagnostic at
        the op when it is not differentiable.
      }], "::llvm::LogicalResult", "emitVjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultAdjoints,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandAdjoints)>,
  ];
}

#endif // VSLA_DIALECT_VSLAINTERFACES_TD

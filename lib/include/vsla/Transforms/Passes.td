//===- Passes.td - passes over the vsla dialect ------------*- tablegen -*-===//

#ifndef VSLA_TRANSFORMS_PASSES_TD
#define VSLA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def VslaRefineShapes : Pass<"vsla-refine-shapes"> {
  let summary = "Propagate static extents through vsla ops";
  let description = [{
    Makes the result types of vsla ops as static as their operands allow.
    A `tensor.cast` that only erases static extents is looked through: the
    consuming vsla op takes the cast's source instead. Each vsla op's result
    type is then re-inferred in program order, so a static extent known at
    one op flows to every op after it. Where a refined value feeds an op
    outside the vsla dialect (`func.return`, `tensor` ops, ...), a
    `tensor.cast` back to the old type keeps that use unchanged, so function
    signatures never change.

    This is how a shape-polymorphic function is specialized: cast its
    arguments to static types, run this pass, then canonicalize. A shape
    error that only shows once extents are known (two concatenated tensors
    whose other extents disagree, a reshape that changes the element count)
    is reported at the op's location and fails the pass.

    Example:

    ```mlir
    %0 = tensor.cast %arg0 : tensor<3xf32> to tensor<?xf32>
    %1 = vsla.add %0, %arg1 : tensor<?xf32>, tensor<2xf32>
    // becomes
    %1 = vsla.add %arg0, %arg1 : tensor<3xf32>, tensor<2xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

#endif // VSLA_TRANSFORMS_PASSES_TD

//===- Passes.td - conversions out of the vsla dialect -----*- tablegen -*-===//

#ifndef VSLA_CONVERSION_PASSES_TD
#define VSLA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertVslaToLinalg : Pass<"convert-vsla-to-linalg"> {
  let summary = "Lower vsla ops to linalg, tensor, arith, math and scf on tensors";
  let description = [{
    Rewrites every vsla op into upstream ops on tensors, ready for fusion,
    tiling, vectorization and bufferization.

    Ambient promotion is compiled without padded copies: a binary op over
    operands of different shapes fills its result with `f(0, 0)`, applies
    `f(x, 0)` and `f(0, y)` to the regions only one operand covers and
    `f(x, y)` to the overlap, each as an elementwise `linalg.generic` on
    slices of the operands and of the result. When the shapes are dynamic a
    run-time check takes the plain elementwise path if they turn out equal.
    With `guarded-promotion` the promoted path is a single elementwise
    `linalg.generic` over the result that reads each operand (`tensor.extract`)
    where its shape covers the index and uses zero elsewhere.

    Contractions (`matmul`, `conv`) treat ambient zeros as structural: terms
    outside an operand's shape contribute exactly zero. Reductions of an
    empty extent give the identity of the reduction (`0` for `sum`, `-inf`
    for `max`, `+inf` for `min`, NaN for `mean`).
  }];
  let options = [
    Option<"useRuntimeFft", "use-runtime-fft", "bool", /*default=*/"true",
           "Convolve long 1-D f32/f64 signals through the runtime's FFT (a "
           "host function; off when the code runs on a GPU)">,
    Option<"guardedPromotion", "guarded-promotion", "bool", /*default=*/"false",
           "Promote mismatched shapes in one elementwise linalg.generic over "
           "the result whose body reads each operand where its shape covers "
           "the index and zero elsewhere, instead of one op per region (the "
           "GPU pipeline: one kernel per op)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // VSLA_CONVERSION_PASSES_TD

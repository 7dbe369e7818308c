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

def VslaAutodiff : Pass<"vsla-autodiff", "::mlir::ModuleOp"> {
  let summary = "Differentiate vsla functions: build their VJP and gradient functions";
  let description = [{
    For each public function `@f` (or those named by `functions`), adds

    - `@f_vjp(args..., cotangents...) -> (results..., adjoints...)`: the
      results of `@f` and the vector-Jacobian product for the given
      cotangents (one per result), with one adjoint per float tensor
      argument;
    - `@f_value_and_grad(args...) -> (value, gradients...)` when `@f` returns
      one rank-0 float tensor: its value and its gradient with respect to
      each float tensor argument.

    A private declaration of either function is replaced by its definition,
    so code in the same module can call it.

    The adjoints are vsla IR emitted in reverse program order by each op's
    `VjpOpInterface` rule; fan-out accumulates with `vsla.add`. Forward
    values the backward needs are used directly (the normal pipeline then
    fuses forward and backward and drops what is not needed). An op that is
    not differentiable (`vsla.shrink`, whose shape depends on the data) fails
    the pass with a diagnostic at the op.

    Example:

    ```mlir
    func.func @loss(%x: tensor<?xf32>) -> tensor<f32> {
      %0 = vsla.mul %x, %x : tensor<?xf32>, tensor<?xf32>
      %1 = vsla.sum %0 axes = [0] : tensor<?xf32>
      return %1 : tensor<f32>
    }
    // adds @loss_vjp and @loss_value_and_grad, returning (sum(x*x), 2x)
    ```
  }];
  let options = [
    ListOption<"functionNames", "functions", "std::string",
               "the functions to differentiate (default: every public one)">,
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def VslaMaterializeShapeChecks : Pass<"vsla-materialize-shape-checks",
                                      "::mlir::func::FuncOp"> {
  let summary = "Make every precondition on dynamic extents a vsla.check_shape";
  let description = [{
    The verifiers check what they can on static extents; what depends on
    dynamic extents becomes a `vsla.check_shape` in front of the op, so the
    compiled code checks it when it runs (in the function's shape function,
    before any data is read):

    - ops marked `vsla.equal_shapes` (lowered as one loop over the left
      operand): the operands' extents are equal;
    - `vsla.broadcast_to`: each input extent is 1 or the target extent;
    - `vsla.promote`: the target extents are at least the input's;
    - `vsla.reshape`: the element counts agree;
    - `vsla.concat`: the extents off the concat axis agree;
    - `vsla.slice`: offsets and sizes are non-negative and the slice stays
      inside the input;
    - every dynamic target extent (`broadcast_to`, `promote`, `reshape`,
      `vsla.iota`'s length) is non-negative.

    Each check's message names the op and the fact; its location is the
    op's. Run it once, before the shape function is derived.

    Example:

    ```mlir
    %r = vsla.promote %x to [%n] : tensor<?xf32> -> tensor<?xf32>
    // becomes
    %d = tensor.dim %x, %c0 : tensor<?xf32>
    %ok = arith.cmpi ule, %d, %n : index
    vsla.check_shape %ok, "vsla.promote: the target extent of axis 0 is smaller than the input's"
    %r = vsla.promote %x to [%n] : tensor<?xf32> -> tensor<?xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def VslaLowerMap : Pass<"vsla-lower-map", "::mlir::ModuleOp"> {
  let summary = "Lower vsla.map to a serial sizing loop and a parallel loop";
  let description = [{
    Each `vsla.map` first loses the results nothing uses (its
    canonicalization), then becomes

    1. an `scf.for` over the items that reads each item's shape from the
       shapes tensor, checks the packed layout (no negative extent, every
       item inside the packed values, no element left over), evaluates the
       body's run-time shape checks (a failure names the item, through the
       runtime's `__vsla_map_item`), and computes the extents of every
       per-item result, the offsets of the packed results and the per-axis
       maximum extents of the stacked ones. The body is cloned into this
       loop for its extents only: the dims of its results are resolved
       through `ReifyRankedShapedTypeOpInterface`, and its data ops die.
    2. an `scf.forall` over chunks of items (`min(n, 4 * threads)` of them,
       the runtime's `__vsla_num_threads()`): each chunk runs the body
       (without its checks) on its items in turn, each extracted from the
       packed values without a copy of the batch, writes its part of the
       packed outputs (sized by the first loop) and of the zero-filled
       stacked outputs, and hands them back with
       `tensor.parallel_insert_slice`. A stacked result whose only use is a
       `vsla.sum` over the items (a shared operand's adjoint) becomes one
       partial sum per chunk, added to in place, then summed: memory grows
       with the threads, not with the items.

    Inner maps are lowered before the maps whose bodies hold them.

    With `gpu-blocks`, the parallel loop has one iteration per item, marked
    `mapping = [#gpu.block<x>]` (`vsla-gpu-map-items` makes each item a
    thread block), and a stacked result summed over the items keeps one
    partial sum per item.
  }];
  let options = [
    Option<"gpuBlocks", "gpu-blocks", "bool", /*default=*/"false",
           "one parallel iteration per item, mapped to GPU thread blocks">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VslaNumberRunTimeChecks : Pass<"vsla-number-run-time-checks",
                                   "::mlir::ModuleOp"> {
  let summary = "Number the run-time checks and list their messages on the module";
  let description = [{
    Gives every `vsla.check_shape` and `vsla.check_zero` that has no number
    yet the next one (attribute `vsla.check_id`, from 1, following on from
    the checks numbered before) and appends what it says when it fails,
    prefixed with its source location (`file:line: `), to the module's
    `vsla.check_messages` array: check k says element k - 1. Compiled code
    reports a failed check by its number; the runtime's export table holds
    the messages. Run it after each pass that adds checks.

    Example:

    ```mlir
    vsla.check_shape %ok, "vsla.reshape: the element counts differ"
    // becomes (module attribute vsla.check_messages = ["...: vsla.reshape: ..."])
    vsla.check_shape %ok, "vsla.reshape: the element counts differ" {vsla.check_id = 1 : i64}
    ```
  }];
}

def VslaSynthesizeEntryPoints : Pass<"vsla-synthesize-entry-points",
                                     "::mlir::ModuleOp"> {
  let summary = "Add the entry points the runtime calls and describe them on the module";
  let description = [{
    For each public function `@f` whose result shapes follow from its
    argument shapes (no data-dependent extents: no `vsla.shrink`, no
    `vsla.map`), adds

    - `@__vsla_shapes_f(args..., %dims: memref<N x index>)`: writes every
      result dim (reified from the argument dims; the data is never read),
      then the number of the first failed `vsla.check_shape` (0 when all
      hold), then 1 when every ambient op sees operands of equal shapes;
    - `@__vsla_dps_f(args..., %out0: memref<...>, ...)`: computes the results
      into caller-provided buffers, its shape checks erased (the shape
      function ran them);
    - `@__vsla_dps_equal_f`: the same without shape branches, for calls
      whose ambient ops see equal shapes (only when some op could branch).

    `@f` itself is erased unless another function calls it. Functions with
    data-dependent result shapes keep the convention of returning buffers
    allocated from the pool.

    Shape functions carry `vsla.shape_function`: they read descriptors only
    and run on the host whatever the target.

    The module gets `vsla.exports`, an array with one dictionary per public
    function, in order: `name`, `function_type` (the original signature),
    `destination_passing`, the entry points' symbols (`call`, or
    `shapes`, `destination` and, when compiled, `equal_shapes`) and, when
    some arguments or results are ragged batches, `ragged_arguments` /
    `ragged_results`: (values, extents) index pairs, flattened. A ragged
    argument is marked on its packed values, `{vsla.ragged_shapes = k}`
    naming the argument k that holds its `[items, rank]` i64 extents (the
    same on results); a mark on anything else is an error. The runtime's
    export table (docs/runtime.md) is built from it. Number the
    checks (`vsla-number-run-time-checks`) first.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VslaGpuBlockReductions
    : Pass<"vsla-gpu-block-reductions", "::mlir::ModuleOp"> {
  let summary = "Map each output element of a reduction to a thread block";
  let description = [{
    A `linalg.generic` (or `linalg.reduce`) on buffers that reduces over
    some loops into one output indexed by the others, combining with an
    associative op of 32 or 64 bits (`addf`, `mulf`, `maximumf`, `minimumf`,
    `maxnumf`, `minnumf`, `addi`, `muli`, `andi`, `ori`, the integer
    min/max), becomes a `gpu.launch`: blocks stride over the output
    elements; in each, the threads stride over the reduced elements
    (consecutive threads read consecutive elements of the innermost
    reduced loop), each folding its share from the combiner's identity,
    then `gpu.all_reduce` combines the threads' results (warp shuffles and
    shared memory after `convert-gpu-to-nvvm`, a 64-bit value as two 32-bit
    shuffles) and thread 0 folds the total
    into the output. The body (what is reduced, e.g. `exp(x - m)`) is
    computed in place, so fused producers need no buffer. Other reductions
    are left to the parallel-loop mapping. Shape functions are left alone.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "threads per block">,
    Option<"maxBlocks", "max-blocks", "int64_t", /*default=*/"65535",
           "at most this many blocks; they stride over further outputs">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect"];
}

def VslaGpuMapItems : Pass<"vsla-gpu-map-items", "::mlir::ModuleOp"> {
  let summary = "Run a ragged batch's items as GPU thread blocks, one launch per map";
  let description = [{
    On buffers, each `scf.forall` over a map's items mapped to
    `#gpu.block<x>` (`vsla-lower-map` with `gpu-blocks`) becomes one
    `gpu.launch` with a block per item (none for an empty batch) whose
    threads share the item's work at its own extents, with no padding:
    a reduction with fewer outputs than threads is folded by the whole
    block (`gpu.all_reduce`), others and every other linalg op and copy
    become loops whose iterations the threads stride over (consecutive
    threads, consecutive elements); what else writes memory (a rank-0
    store) runs on thread 0; a `gpu.barrier` comes before and after each.
    Temporaries of the body come from one workspace per allocation: a host
    loop before the launch evaluates the allocation's size for every item
    and sums them into a table of where each item's part starts (each item
    gets its own size, not the largest's). An item that calls a function or
    holds a nested map is an error naming the op.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "threads per item">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect"];
}

def VslaGpuLaunchesOnHost : Pass<"vsla-gpu-launches-on-host", "::mlir::ModuleOp"> {
  let summary = "Run the gpu phase's kernels as host loops (a test aid without a GPU)";
  let description = [{
    `vsla-to-gpu` with `emulate-on-host` ends its `gpu` phase here instead
    of outlining kernels: each `gpu.launch` becomes loops over its grid and
    its blocks' threads, one after the other, running the body;
    `gpu.alloc`/`dealloc`/`memcpy`/`memset` become host memory operations,
    `gpu.all_reduce` and `gpu.barrier` the identity and nothing. The CPU
    backend then compiles the module, so that the GPU pipeline's kernels
    (their indexing, the buffers' placement between host and device,
    workspaces, copies, checks) run on the CPU against NumPy. Threads that
    synchronize cannot run one after the other: a launch holding a barrier,
    an all-reduce or a shuffle must have blocks of one thread (the
    pipeline's `block-size=1`), or it is an error. Races and misplaced
    barriers show only on a GPU.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def VslaGpuCollapseParallelLoops
    : Pass<"vsla-gpu-collapse-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Collapse each outermost multi-dimensional scf.parallel into one dimension";
  let description = [{
    Before parallel loops are tiled by the block size and mapped to the GPU,
    each outermost `scf.parallel` of several dimensions becomes one of a
    single dimension over their product (`collapseParallelLoops`; the
    body recovers the indices by division, the innermost fastest). Tiling
    then splits that dimension into blocks of consecutive threads touching
    consecutive elements of row-major buffers (coalesced), and the grid is
    one-dimensional, with room for any size (grid dimensions y and z stop
    at 65535). Shape functions are left alone.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def VslaGpuSerialKernels : Pass<"vsla-gpu-serial-kernels", "::mlir::ModuleOp"> {
  let summary = "Run host-side memory accesses left after GPU mapping in one-thread kernels";
  let description = [{
    After `convert-parallel-loops-to-gpu`, loops that were not parallel (a
    sequential scan) and single loads and stores (a rank-0 op) are still in
    the host function, where they would read device memory. Each such
    top-level op of a host function, with the ops of its block that use what
    it computes (a scalar loaded, negated and stored), becomes the body of a
    `gpu.launch` of one block of one thread placed where the last of them
    was, so every access to a buffer runs on the device. Correct first: the
    GPU pipeline maps what it can to blocks and threads before this pass
    runs. A value the host still needs afterwards (a loop bound read from a
    buffer) is an error naming the op. Shape functions
    (`vsla.shape_function`) run on the host and are left alone.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect"];
}

def VslaGpuDeviceChecks : Pass<"vsla-gpu-device-checks", "::mlir::ModuleOp"> {
  let summary = "Fail run-time checks inside kernels through a device word the host reads back";
  let description = [{
    A run-time check whose fact depends on data (a class label out of range)
    can end up inside a `gpu.launch`, where the runtime's
    `__vsla_check_failed` (a host function) cannot be called. In each host
    function with such launches, a device word (`gpu.alloc`, zeroed with
    `gpu.memset`) takes the failed check's id instead (`memref.store`), and
    right after each such launch the host copies the word back
    (`gpu.memcpy` into a `memref.alloca`) and calls `__vsla_check_failed`
    with it when it is not zero, before any later kernel reads memory on the
    strength of the fact. Runs after `vsla-gpu-device-memory` (the word read
    back is host memory) and before kernel outlining.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def VslaGpuDeviceMemory : Pass<"vsla-gpu-device-memory", "::mlir::ModuleOp"> {
  let summary = "Allocate the host functions' buffers in device memory";
  let description = [{
    In functions that run on the host and launch kernels, buffers are
    device memory: `memref.alloc` becomes `gpu.alloc`, `memref.dealloc`
    `gpu.dealloc` and `memref.copy` `gpu.memcpy` (between views with
    offsets or strides, which `gpu.memcpy` cannot take, a kernel of one
    thread per element). The runtime's `mgpuMemAlloc` serves `gpu.alloc`
    from its caching device pool. Arguments are device buffers the caller
    passes.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // VSLA_TRANSFORMS_PASSES_TD

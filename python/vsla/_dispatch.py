"""Where an op goes: recorded into the active trace, or run eagerly through a
compiled kernel cached by (op, attributes, operand ranks and dtypes). Eager
kernels have dynamic dims, so one kernel serves every shape of a rank."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading

import numpy as np

from . import _devices, _vsla
from ._errors import CompileError, RuntimeError, ShapeError, TracingError, from_status
from ._tensor import Tensor, Tracer
from ._trace import KDYNAMIC, Dim, current_trace, traced_value

#: Serializes tracing and compiling: they share one MLIR context. Compiled code
#: runs outside it, with the GIL released.
compile_lock = threading.RLock()
_kernels: dict = {}
_dump_counter = itertools.count()


def log_compiles() -> bool:
    return os.environ.get("VSLA_LOG_COMPILES", "") not in ("", "0")


def gpu_on_host() -> bool:
    """VSLA_GPU_ON_HOST=1: a test aid for machines without a GPU. Code for host
    tensors is compiled by the GPU pipeline with blocks of one thread, its kernels
    run as loops on the host (docs/gpu.md, "Checking the kernels without a GPU"),
    so their logic can be checked against NumPy."""
    return os.environ.get("VSLA_GPU_ON_HOST", "") not in ("", "0")


def opt_level() -> int:
    """LLVM's optimization level for compiled code: VSLA_OPT_LEVEL (0-3), default 2.
    Level 3 compiles large functions (training steps) much slower and ran no faster
    in our measurements."""
    value = os.environ.get("VSLA_OPT_LEVEL", "2")
    if value not in ("0", "1", "2", "3"):
        raise ValueError(f"VSLA_OPT_LEVEL={value!r}: use 0, 1, 2 or 3")
    return int(value)


def compile_builder(builder, name: str, what: str, reason: str, cpu: str = "host",
                    target: str = "cpu", chip: str = ""):
    """Compiles a finished FunctionBuilder, logging and dumping as asked."""
    if log_compiles():
        print(f"vsla: compiling {what}: {reason}", file=sys.stderr, flush=True)
    dump_dir = ""
    root = os.environ.get("VSLA_DUMP_IR", "")
    if root:
        dump_dir = os.path.join(root, f"{next(_dump_counter):04d}-{name}")
        os.makedirs(dump_dir, exist_ok=True)
        with open(os.path.join(dump_dir, "0-traced.mlir"), "w") as f:
            f.write(str(builder))
    if target == "cpu" and gpu_on_host():
        target = "gpu-on-host"
    try:
        return builder.compile(opt_level(), dump_dir, cpu, target, chip)
    except _vsla.StatusError as e:
        raise CompileError(f"compiling {what} failed:\n{from_status(str(e))}") from None


@contextlib.contextmanager
def status_errors():
    """Turns the runtime's StatusErrors into vsla's named errors."""
    try:
        yield
    except _vsla.StatusError as e:
        raise from_status(str(e)) from None


def run(executable, name: str, args: list) -> list:
    try:
        return executable(name, args)
    except _vsla.StatusError as e:
        raise from_status(str(e)) from None


def _array_attr(kind: str, values) -> str:
    if not values:
        return f"array<{kind}>"
    return f"array<{kind}: {', '.join(str(int(v)) for v in values)}>"


def bind(op: str, tensors: list, attrs: tuple = (), scalar=None, shape_lists: tuple = (),
         segment_sizes: bool = False) -> list:
    """Applies op `op` (e.g. "vsla.add") to tensors.

    attrs: (name, MLIR attribute text) pairs; scalar: (value, dtype) for
    tensor-scalar ops; shape_lists: (attr name, entries) for offsets, sizes
    and target shapes, whose entries are ints or Dims; segment_sizes: the op
    takes operandSegmentSizes (vsla.slice). Returns the results as Tensors
    (eager) or Tracers (while tracing).
    """
    trace = current_trace()
    if trace is not None:
        return _record(trace, op, tensors, attrs, scalar, shape_lists, segment_sizes)
    for t in tensors:
        if isinstance(t, Tracer):
            raise TracingError(
                f"{op} got a traced value outside the function that traced it; return "
                "values from the jitted function instead of storing them")
    return _eager(op, tensors, attrs, scalar, shape_lists, segment_sizes)


def _record(trace, op, tensors, attrs, scalar, shape_lists, segment_sizes):
    operands = [traced_value(trace, t) for t in tensors]
    if scalar is not None:
        operands.append(trace.scalar(scalar[0], scalar[1]))
    attrs = list(attrs)
    segments = [len(operands)]
    for name, entries in shape_lists:
        static, dynamic = [], []
        for e in entries:
            if isinstance(e, Dim):
                static.append(KDYNAMIC)
                dynamic.append(e.value_id(trace))
            else:
                static.append(int(e))
        attrs.append((name, _array_attr("i64", static)))
        operands += dynamic
        segments.append(len(dynamic))
    if segment_sizes:
        attrs.append(("operandSegmentSizes", _array_attr("i32", segments)))
    return [trace._tracer(i) for i in trace.create(op, operands, attrs)]


def _eager(op, tensors, attrs, scalar, shape_lists, segment_sizes):
    arrays = [t._array for t in tensors]
    device = None
    if _devices.gpu_tensors_exist:  # else every operand is host memory: no check
        for a in arrays:
            if type(a) is not np.ndarray:
                arrays, device = place_arrays(arrays, f"vsla.{op[5:]}")
                break
    key = (op, attrs, tuple([(a.dtype, a.ndim) for a in arrays]),
           None if scalar is None else scalar[1], tuple(len(e) for _, e in shape_lists),
           segment_sizes, device)
    kernel = _kernels.get(key)
    if kernel is None:
        kernel = _build_kernel(key, op, arrays, attrs, scalar, shape_lists, segment_sizes,
                               device)
    args = arrays
    if scalar is not None:
        args = args + [scalar[0]]
    for _, entries in shape_lists:
        args.extend(int(e) for e in entries)
    return [Tensor(a) for a in run(kernel, "kernel", args)]


def place_arrays(arrays: list, what: str):
    """Arrays of one call, some on a GPU: all on that GPU, and its name. A rank-0
    host array joins them there (a number, as PyTorch lets CPU scalars mix with GPU
    tensors); a larger one, or a second GPU, is a named error."""
    devices = {_devices.device_of(a) for a in arrays if _devices.on_device(a)}
    if len(devices) > 1:
        raise RuntimeError(f"{what} got tensors on {' and '.join(sorted(devices))}; move them "
                           "to one device with .to()")
    device = devices.pop()
    placed = []
    for n, a in enumerate(arrays):
        if not _devices.on_device(a):
            if a.ndim != 0:
                raise RuntimeError(
                    f"{what} got tensors on {device} and in host memory (operand {n} has "
                    f"shape {a.shape} on the cpu); move them to one device with "
                    f".to('{device}')")
            a = _devices.move(a, device)
        placed.append(a)
    return placed, device


def _build_kernel(key, op, arrays, attrs, scalar, shape_lists, segment_sizes, device):
    with compile_lock:
        kernel = _kernels.get(key)
        if kernel is not None:
            return kernel
        b = _vsla.FunctionBuilder("kernel")
        operands = [b.add_argument(a.dtype.name, [-1] * a.ndim) for a in arrays]
        if scalar is not None:
            operands.append(b.add_argument(scalar[1].name, None))
        attrs = list(attrs)
        segments = [len(operands)]
        for name, entries in shape_lists:
            attrs.append((name, _array_attr("i64", [KDYNAMIC] * len(entries))))
            operands += [b.add_argument("index", None) for _ in entries]
            segments.append(len(entries))
        if segment_sizes:
            attrs.append(("operandSegmentSizes", _array_attr("i32", segments)))
        try:
            results = b.create(op, operands, attrs, ())
        except _vsla.StatusError as e:
            raise from_status(str(e), ShapeError) from None
        b.finish(results)
        signature = ", ".join(f"{a.dtype.name}[{','.join('?' * a.ndim)}]" for a in arrays)
        where = "" if device is None else f" on {device}"
        kernel = compile_builder(b, op.replace(".", "_"), f"eager {op}({signature}){where}",
                                 "first eager call with these ranks, dtypes and attributes",
                                 target="cpu" if device is None else "cuda")
        _kernels[key] = kernel
        return kernel


def kernel_count() -> int:
    """How many eager kernels this process has compiled."""
    return len(_kernels)

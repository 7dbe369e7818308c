"""VSLA: variable-shape tensor programs, compiled with MLIR.

Tensors that differ by trailing zeros are equal, mismatched shapes combine by
zero-extension, and @vsla.jit compiles a function once for every shape of the
same ranks. See docs/python.md.
"""

from ._autodiff import grad, value_and_grad, vjp
from ._creation import (arange, asarray, from_dlpack, full, manual_seed, ones, rand, randn,
                        tensor, zeros)
from ._devices import cuda_device_info, cuda_memory_stats, devices
from ._dispatch import kernel_count
from ._dtypes import bool_, float32, float64, int32, int64
from ._export import Exported, export, load
from ._errors import CompileError, DTypeError, RuntimeError, ShapeError, TracingError, VslaError
from ._jit import JitFunction, jit
from ._ops import (abs, add, broadcast_to, cast, concat, conv, cos, div, erf, exp, gelu, kron,
                   log, log_softmax, matmul, max, maximum, mean, min, minimum, mul, neg, power,
                   promote, pyramid_stack, relu, reshape, reverse, shrink, sigmoid, sign, sin,
                   softmax, sqrt, stack, sub, sum, tanh, transpose, window_stack, unfold, fold)
from ._ragged import Ragged, RaggedTracer, ragged, vmap
from ._streaming import Pyramid, Window
from ._tensor import Tensor, Tracer
from ._threads import get_num_threads, set_num_threads
from . import nn, optim  # noqa: E402  (they use the names above)
from ._trace import Dim

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Tracer", "Dim", "JitFunction", "Ragged", "RaggedTracer", "ragged", "vmap",
    "Window", "Pyramid",
    "tensor", "asarray", "from_dlpack", "zeros", "ones", "full", "arange", "rand", "randn",
    "manual_seed", "get_num_threads", "set_num_threads", "devices", "cuda_device_info",
    "cuda_memory_stats",
    "float32", "float64", "int32", "int64", "bool_",
    "ShapeError", "DTypeError", "CompileError", "RuntimeError", "TracingError", "VslaError",
    "jit", "export", "load", "Exported", "kernel_count", "grad", "value_and_grad", "vjp",
    "nn", "optim",
    "add", "sub", "mul", "div", "maximum", "minimum", "power", "neg", "abs", "exp", "log",
    "sqrt", "tanh", "sigmoid", "relu", "gelu", "sin", "cos", "erf", "sign", "broadcast_to",
    "promote", "reshape", "conv", "kron", "matmul", "sum", "mean", "max", "min", "softmax",
    "log_softmax", "transpose", "reverse", "concat", "stack", "window_stack",
    "pyramid_stack", "shrink", "cast", "unfold", "fold",
]

"""vsla_runtime: run VSLA artifacts from Python with the runtime alone.

No compiler, no LLVM, no compiled Python extension: this module drives the runtime's
C interface (libvsla_runtime.so, `vsla/runtime/CApi.h`) through ctypes, so it works with
any Python 3 and on machines where the `vsla` package cannot be installed. Tensors cross
as DLPack: arguments are any DLPack producer (NumPy arrays, PyTorch tensors, CuPy and JAX
arrays) and results are `Array`s that NumPy, PyTorch, CuPy and JAX take without copying.
A function compiled for the GPU (`--target cuda`) takes and returns CUDA device memory:
pass `torch.cuda` or CuPy tensors and hand the results back to them.

    >>> import numpy as np, vsla_runtime
    >>> f = vsla_runtime.load("filter.vsla")                     # doctest: +SKIP
    >>> y = f.filter(np.ones(8, np.float32), np.ones(3, np.float32))[0]  # doctest: +SKIP
    >>> np.from_dlpack(y)                                        # doctest: +SKIP

The library is found through $VSLA_RUNTIME_LIBRARY, then beside this file, then in the
build tree. See docs/runtime.md.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["Array", "Function", "Module", "RuntimeError", "describe", "load"]

_CPU, _CUDA = 1, 2
_CAPSULE = b"dltensor"


class RuntimeError(Exception):  # noqa: A001 (the runtime's errors, as vsla.RuntimeError)
    """A call the runtime refused or that failed: the message says what and why."""


class _Device(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _Device), ("ndim", ctypes.c_int32),
                ("dtype", _DataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class _Managed(ctypes.Structure):
    pass


_Deleter = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Managed))
_Managed._fields_ = [("dl_tensor", _Tensor), ("manager_ctx", ctypes.c_void_p),
                     ("deleter", _Deleter)]

_DTYPES = {(0, 32): "int32", (0, 64): "int64", (2, 16): "float16", (2, 32): "float32",
           (2, 64): "float64", (4, 16): "bfloat16", (6, 8): "bool"}


def _find_library() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("VSLA_RUNTIME_LIBRARY", ""),
                  os.path.join(here, "libvsla_runtime.so"),
                  os.path.join(here, "..", "..", "build", "lib", "libvsla_runtime.so")]
    for path in candidates:
        if path and os.path.exists(path):
            return os.path.abspath(path)
    raise ImportError("vsla_runtime: libvsla_runtime.so not found; set VSLA_RUNTIME_LIBRARY "
                      "to it (build/lib/libvsla_runtime.so after scripts/build.sh)")


_lib = ctypes.CDLL(_find_library())
_lib.vsla_module_load.restype = ctypes.c_void_p
_lib.vsla_module_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
_lib.vsla_module_release.argtypes = [ctypes.c_void_p]
_lib.vsla_module_function_count.restype = ctypes.c_size_t
_lib.vsla_module_function_count.argtypes = [ctypes.c_void_p]
for _name in ("vsla_module_function_name", "vsla_module_function_device"):
    getattr(_lib, _name).restype = ctypes.c_char_p
    getattr(_lib, _name).argtypes = [ctypes.c_void_p, ctypes.c_size_t]
for _name in ("vsla_module_function_arguments", "vsla_module_function_results"):
    getattr(_lib, _name).restype = ctypes.c_size_t
    getattr(_lib, _name).argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_lib.vsla_module_user_metadata.restype = ctypes.c_void_p
_lib.vsla_module_user_metadata.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
_lib.vsla_module_call.restype = ctypes.c_void_p
_lib.vsla_module_call.argtypes = [
    ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(_Tensor)), ctypes.c_size_t,
    ctypes.POINTER(ctypes.POINTER(_Managed)), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
_lib.vsla_free_string.argtypes = [ctypes.c_void_p]

_api = ctypes.pythonapi
_api.PyCapsule_New.restype = ctypes.py_object
_api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_api.PyCapsule_GetPointer.restype = ctypes.c_void_p
_api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_IsValid.restype = ctypes.c_int
_api.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_SetName.restype = ctypes.c_int
_api.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
# The same, on a capsule being destroyed (a py_object would resurrect it).
_capsule_is_valid = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_IsValid", _api))
_capsule_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", _api))


def _check(message) -> None:
    if message:
        text = ctypes.string_at(message).decode(errors="replace")
        _lib.vsla_free_string(message)
        raise RuntimeError(text)


# --- results out: Array, a DLPack producer over a result the runtime owns -----

# Each exported capsule's struct and the Array it keeps alive, until the consumer
# (or the capsule's destructor) calls the deleter.
_exported: dict[int, tuple] = {}


@_Deleter
def _release_export(managed):
    _exported.pop(ctypes.addressof(managed.contents), None)


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _capsule_destructor(capsule_address):
    # An export no consumer took: release it as the consumer would have.
    if _capsule_is_valid(capsule_address, _CAPSULE):
        _exported.pop(_capsule_pointer(capsule_address, _CAPSULE), None)


class Array:
    """A result of a call: memory the runtime allocated (host, or CUDA device 0 for
    functions compiled for the GPU), shared with any DLPack consumer without a copy:
    `np.from_dlpack(a)`, `torch.from_dlpack(a)`, `cupy.from_dlpack(a)`. The memory lives
    while this Array or anything made from it does."""

    def __init__(self, managed):
        self._managed = managed  # POINTER(_Managed), ours to release
        tensor = managed.contents.dl_tensor
        self.shape = tuple(tensor.shape[i] for i in range(tensor.ndim))
        self.dtype = _DTYPES.get((tensor.dtype.code, tensor.dtype.bits), "unknown")
        self.device = "cuda:0" if tensor.device.device_type == _CUDA else "cpu"

    def __del__(self):
        managed = getattr(self, "_managed", None)
        if managed:
            managed.contents.deleter(managed)
            self._managed = None

    def __dlpack_device__(self):
        tensor = self._managed.contents.dl_tensor
        return (tensor.device.device_type, tensor.device.device_id)

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        if copy:
            raise BufferError("vsla_runtime.Array exports its memory; it does not copy")
        if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
            raise BufferError(f"the array is on {self.device}, not on {dl_device}")
        # The results are complete when the call returns: no stream to wait on.
        view = _Managed()
        view.dl_tensor = self._managed.contents.dl_tensor
        view.manager_ctx = None
        view.deleter = _release_export
        _exported[ctypes.addressof(view)] = (view, self)
        return _api.PyCapsule_New(ctypes.addressof(view), _CAPSULE,
                                  ctypes.cast(_capsule_destructor, ctypes.c_void_p))

    def __repr__(self) -> str:
        return f"vsla_runtime.Array(shape={self.shape}, dtype={self.dtype}, device={self.device})"


# --- arguments in: any DLPack producer ------------------------------------------

class _Borrowed:
    """A DLPack tensor taken from a producer for one call, released after it."""

    def __init__(self, value, what: str):
        self.keep = value
        if isinstance(value, (bool, int, float)):
            import numpy as np

            value = np.array(value, dtype=np.float64 if isinstance(value, float) else np.int64)
            self.keep = value
        if not hasattr(value, "__dlpack__"):
            raise TypeError(f"{what} is a {type(value).__name__}; pass a tensor that "
                            "supports DLPack (NumPy, PyTorch, CuPy, JAX) or a number")
        try:
            device = value.__dlpack_device__()
            # A CUDA producer makes its work visible to the legacy default stream,
            # which the runtime synchronizes before it launches.
            capsule = value.__dlpack__(stream=1) if device[0] == _CUDA else value.__dlpack__()
        except (BufferError, TypeError, ValueError) as e:
            raise TypeError(f"{what} cannot be shared through DLPack: {e}") from None
        self.capsule = capsule
        pointer = _api.PyCapsule_GetPointer(capsule, _CAPSULE)
        self.managed = ctypes.cast(pointer, ctypes.POINTER(_Managed))
        _api.PyCapsule_SetName(capsule, b"used_dltensor")
        self.tensor = ctypes.pointer(self.managed.contents.dl_tensor)

    def release(self):
        if self.managed and self.managed.contents.deleter:
            self.managed.contents.deleter(self.managed)
        self.managed = None


def describe(value) -> tuple:
    """(shape, dtype name, device) of any DLPack producer, read from its DLPack tensor
    without touching the data: `describe(torch.ones(2, 3, device="cuda"))` is
    `((2, 3), "float32", "cuda:0")`."""
    borrowed = _Borrowed(value, "the tensor")
    try:
        tensor = borrowed.managed.contents.dl_tensor
        shape = tuple(tensor.shape[i] for i in range(tensor.ndim))
        dtype = _DTYPES.get((tensor.dtype.code, tensor.dtype.bits))
        if dtype is None or tensor.dtype.lanes != 1:
            raise TypeError(f"a DLPack tensor of type code {tensor.dtype.code}, "
                            f"{tensor.dtype.bits} bits, {tensor.dtype.lanes} lanes has no "
                            "VSLA dtype")
        kind = tensor.device.device_type
        device = f"cuda:{tensor.device.device_id}" if kind == _CUDA else \
            "cpu" if kind == _CPU else f"dlpack device {kind}"
        return shape, dtype, device
    finally:
        borrowed.release()


class Function:
    """One function of a module: call it with its arguments; returns a tuple of Arrays."""

    def __init__(self, module: "Module", name: str, device: str, arguments: int, results: int):
        self._module, self.name, self.device = module, name, device
        self.arguments, self.results = arguments, results

    def __call__(self, *args) -> tuple:
        if len(args) != self.arguments:
            raise TypeError(f"@{self.name} takes {self.arguments} arguments, got {len(args)}")
        borrowed = []
        try:
            for i, value in enumerate(args):
                borrowed.append(_Borrowed(value, f"argument {i} of @{self.name}"))
            tensors = (ctypes.POINTER(_Tensor) * max(len(borrowed), 1))(
                *[b.tensor for b in borrowed])
            results = (ctypes.POINTER(_Managed) * max(self.results, 1))()
            count = ctypes.c_size_t(0)
            _check(_lib.vsla_module_call(self._module._handle, self.name.encode(), tensors,
                                         len(borrowed), results, self.results,
                                         ctypes.byref(count)))
            return tuple(Array(results[i]) for i in range(count.value))
        finally:
            for b in borrowed:
                b.release()

    def __repr__(self) -> str:
        return (f"<vsla_runtime.Function @{self.name} on {self.device}: "
                f"{self.arguments} arguments, {self.results} results>")


class Module:
    """A loaded artifact: its functions by name (`m.functions`, `m.name(...)`,
    `m("name", ...)`)."""

    def __init__(self, path: str):
        handle = ctypes.c_void_p()
        _check(_lib.vsla_module_load(os.fsencode(path), ctypes.byref(handle)))
        self._handle = handle
        self.functions = {}
        for i in range(_lib.vsla_module_function_count(handle)):
            name = _lib.vsla_module_function_name(handle, i).decode()
            self.functions[name] = Function(
                self, name, _lib.vsla_module_function_device(handle, i).decode(),
                _lib.vsla_module_function_arguments(handle, i),
                _lib.vsla_module_function_results(handle, i))

    @property
    def user_metadata(self) -> bytes:
        size = ctypes.c_size_t(0)
        data = _lib.vsla_module_user_metadata(self._handle, ctypes.byref(size))
        return ctypes.string_at(data, size.value) if size.value else b""

    def __getattr__(self, name: str) -> Function:
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the module has no function @{name} (it has "
                             f"{', '.join(functions) or 'none'})")

    def __call__(self, name: str, *args) -> tuple:
        return getattr(self, name)(*args)

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            _lib.vsla_module_release(handle)
            self._handle = None


def load(path: str | os.PathLike) -> Module:
    """Loads an artifact written by vsla-compile or vsla.export."""
    return Module(os.fspath(path))

"""@vsla.jit: trace a Python function into a `vsla` function, compile it once per
(pytree structure, ranks, dtypes, static values), and call the compiled code."""

from __future__ import annotations

import functools
import inspect
import re
import struct

import numpy as np

from . import _dtypes, _pytree
from ._dispatch import compile_builder, compile_lock, log_compiles, place_arrays, run
from ._errors import DTypeError, TracingError, VslaError
from ._ragged import Ragged, RaggedTracer
from ._tensor import Tensor, Tracer
from ._trace import _PACKAGE_DIR, Dim, Trace, current_trace

_NUMBER_TYPES = (bool, int, float, np.bool_, np.integer, np.floating)
_NDARRAY = np.ndarray


class _Compiled:
    """One specialization: the executable and how to turn its results into outputs."""

    __slots__ = ("executable", "name", "out_treedef", "out_slots", "captured", "single_result",
                 "device")

    def __init__(self, executable, name, out_treedef, out_slots, captured, device):
        self.single_result = out_treedef == ("leaf",) and out_slots == [("result", 0)]
        self.executable = executable
        self.name = name
        self.out_treedef = out_treedef
        self.out_slots = out_slots
        self.captured = captured
        self.device = device

    def __call__(self, arrays: list):
        args = arrays
        if self.captured:
            args = arrays + [t._array for t in self.captured]
            if self.device is not None:
                # Tensors the function captured (a model's parameters) are where the
                # call runs, or rank-0 values that follow it there.
                args, _ = place_arrays(args, self.name)
        results = run(self.executable, self.name, args) if self.executable else []
        if self.single_result:
            return Tensor(results[0])
        outs = []
        for kind, value in self.out_slots:
            if kind == "result":
                outs.append(Tensor(results[value]))
            elif kind == "argument":
                outs.append(Tensor(args[value]))
            elif kind == "ragged":
                outs.append(Ragged(*(results[v] if k == "result" else args[v]
                                     for k, v in value)))
            else:
                outs.append(value)
        return _pytree.unflatten(self.out_treedef, outs)


def _describe(entry) -> str:
    if entry[0] == "ragged":
        return f"ragged {np.dtype(entry[1]).name} items of rank {entry[2]}"
    if entry[0] == "tensor":
        dims = entry[2] if isinstance(entry[2], tuple) else ("?",) * entry[2]
        return f"{np.dtype(entry[1]).name}[{','.join(map(str, dims))}]"
    return repr(entry[2])


class JitFunction:
    """A function compiled by @vsla.jit. Call it like the original."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), static_shapes=False):
        # Name and docs only: fun's attributes must not shadow this class's methods.
        functools.update_wrapper(self, fun, updated=())
        self._fun = fun
        self._static_shapes = bool(static_shapes)
        self._cache: dict = {}
        self._symbol = re.sub(r"\W", "_", getattr(fun, "__name__", "f")) or "f"
        if self._symbol[0].isdigit() or self._symbol.startswith("__vsla"):
            self._symbol = "f_" + self._symbol
        code = getattr(fun, "__code__", None)
        self._where = f"{code.co_filename}:{code.co_firstlineno}" if code else "?"
        try:
            self._signature = inspect.signature(fun)
        except (TypeError, ValueError):
            self._signature = None
        nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        names = (static_argnames,) if isinstance(static_argnames, str) else \
            tuple(static_argnames)
        positional = [p for p, v in (self._signature.parameters.items() if self._signature
                                     else []) if v.kind in (v.POSITIONAL_ONLY,
                                                            v.POSITIONAL_OR_KEYWORD)]
        params = self._signature.parameters.values() if self._signature else []
        takes_varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
        for n in nums:
            if not isinstance(n, int) or isinstance(n, bool):
                raise TypeError(f"static_argnums must be ints, got {n!r}")
            # As JAX does: an index no call can reach is a mistake, not a no-op.
            if self._signature is not None and not takes_varargs and \
                    not -len(positional) <= n < len(positional):
                name = getattr(fun, "__name__", "the function")
                raise ValueError(f"static_argnums {n} is out of range: {name} takes "
                                 f"{len(positional)} positional argument(s)")
        self._static_argnums = {n % len(positional) if n < 0 and positional else n
                                for n in nums}
        self._static_argnames = set(names)
        for name in names:
            if name in positional:
                self._static_argnums.add(positional.index(name))
        for n in list(self._static_argnums):
            if n < len(positional):
                self._static_argnames.add(positional[n])
        self._positional = positional
        self._fast_path = not self._static_argnums and not self._static_argnames
        self._array_treedefs: dict = {}

    def cache_size(self) -> int:
        """How many compiled versions this function has (one per argument signature)."""
        return len(self._cache)

    def clear_cache(self) -> None:
        self._cache.clear()

    # -- calls ------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if current_trace() is not None:
            return self._fun(*args, **kwargs)  # inlined into the enclosing trace
        key = arrays = None
        if not kwargs and self._fast_path:
            key, arrays = self._array_key(args)
        if key is None:
            key, arrays = self._key(args, kwargs)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._compile(key, args, kwargs)
        return compiled(arrays)

    def _array_key(self, args):
        """The key of a call whose arguments are all tensors or arrays (the common
        case), without walking pytrees; (None, None) for any other call."""
        entries, arrays = [], []
        on_gpu = False
        for a in args:
            cls = type(a)
            if cls is Tensor:
                array = a._array
                if type(array) is not _NDARRAY:
                    on_gpu = True
            elif cls is _NDARRAY:
                array = a
                if array.dtype not in _dtypes.SUPPORTED_SET:
                    return None, None
            else:
                return None, None
            arrays.append(array)
            entries.append(("tensor", array.dtype, array.shape if self._static_shapes
                            else array.ndim))
        treedef = self._array_treedefs.get(len(args))
        if treedef is None:
            treedef = _pytree.flatten((tuple(args), {}))[1]
            self._array_treedefs[len(args)] = treedef
        device = None
        if on_gpu:
            arrays, device = place_arrays(arrays, self.__name__)
        return (treedef, tuple(entries), (), device), arrays

    def _key(self, args, kwargs):
        statics = []
        dynamic_args = []
        for i, a in enumerate(args):
            if i in self._static_argnums:
                statics.append((i, _StaticKey(a, f"static argument {i}")))
            else:
                dynamic_args.append(a)
        dynamic_kwargs = {}
        for k in sorted(kwargs):
            if k in self._static_argnames:
                statics.append((k, _StaticKey(kwargs[k], f"static argument {k!r}")))
            else:
                dynamic_kwargs[k] = kwargs[k]
        leaves, treedef = _pytree.flatten((tuple(dynamic_args), dynamic_kwargs))
        entries, arrays = [], []
        for n, leaf in enumerate(leaves):
            if isinstance(leaf, Tensor):
                array = leaf._array
            elif isinstance(leaf, np.ndarray):
                array = _dtypes.check_array(leaf, f"argument leaf {n} of {self.__name__}")
            elif isinstance(leaf, _NUMBER_TYPES):
                entries.append(("static", type(leaf).__name__, _StaticKey(leaf, "")))
                continue
            elif isinstance(leaf, Ragged):
                arrays += leaf._call_arguments()
                entries.append(("ragged", leaf.dtype, leaf.ndim))
                continue
            elif isinstance(leaf, (list, tuple)) is False and hasattr(leaf, "__dlpack__"):
                from ._creation import from_dlpack

                array = from_dlpack(leaf)._array  # on the CPU or a GPU, without a copy
            else:
                raise DTypeError(
                    f"argument leaf {n} of {self.__name__} is a {type(leaf).__name__}; jitted "
                    "functions take tensors, NumPy arrays, Python numbers and tuples, lists "
                    "and dicts of them. Mark other arguments static with static_argnums")
            arrays.append(array)
            entries.append(("tensor", array.dtype,
                            array.shape if self._static_shapes else array.ndim))
        device = None
        for array in arrays:
            if type(array) is not np.ndarray:
                arrays, device = place_arrays(arrays, self.__name__)
                break
        return (treedef, tuple(entries), tuple(statics), device), arrays

    def _compile(self, key, args, kwargs) -> _Compiled:
        with compile_lock:
            compiled = self._cache.get(key)
            if compiled is not None:
                return compiled
            reason = self._miss_reason(key) if log_compiles() else ""
            trace, out_treedef, out_slots, result_ids = self._trace(key, args, kwargs)
            executable = None
            device = key[3]
            if result_ids:
                signature = ", ".join(_describe(e) for e in key[1])
                where = "" if device is None else f" on {device}"
                executable = compile_builder(
                    trace.builder, self._symbol,
                    f"{self.__name__} ({self._where}) for ({signature}){where}", reason,
                    target="cpu" if device is None else "cuda")
            compiled = _Compiled(executable, self._symbol, out_treedef, out_slots,
                                 trace.captured, device)
            self._cache[key] = compiled
            return compiled

    def _trace(self, key, args, kwargs):
        treedef, entries, *_ = key
        trace = Trace(self._symbol)
        with trace:
            leaves, _ = _pytree.flatten((tuple(a for i, a in enumerate(args)
                                               if i not in self._static_argnums),
                                         {k: v for k, v in sorted(kwargs.items())
                                          if k not in self._static_argnames}))
            traced_leaves = []
            argument_ids = {}
            for leaf, entry in zip(leaves, entries):
                if entry[0] == "tensor":
                    dims = entry[2] if self._static_shapes else [None] * entry[2]
                    tracer = trace.argument(entry[1], dims)
                    argument_ids[tracer._id] = len(argument_ids)
                    traced_leaves.append(tracer)
                elif entry[0] == "ragged":
                    values = trace.argument(entry[1], [None])
                    shapes = trace.argument(np.dtype(np.int64), [None, entry[2]])
                    argument_ids[values._id] = len(argument_ids)
                    argument_ids[shapes._id] = len(argument_ids)
                    trace.builder.mark_ragged_argument(values._id, shapes._id)
                    traced_leaves.append(RaggedTracer(values, shapes))
                else:
                    traced_leaves.append(leaf)
            dyn_args, dyn_kwargs = _pytree.unflatten(treedef, traced_leaves)
            dyn_iter = iter(dyn_args)
            full_args = [a if i in self._static_argnums else next(dyn_iter)
                         for i, a in enumerate(args)]
            full_kwargs = {k: (kwargs[k] if k in self._static_argnames else dyn_kwargs[k])
                           for k in kwargs}
            try:
                out = self._fun(*full_args, **full_kwargs)
            except VslaError as e:
                raise _with_user_location(e) from None
            out_leaves, out_treedef = _pytree.flatten(out)
            result_ids, out_slots, seen = [], [], {}

            def slot(leaf):
                if leaf._id in argument_ids:
                    return ("argument", argument_ids[leaf._id])
                if trace._captured_ids and leaf._id in trace._captured_ids.values():
                    index = list(trace._captured_ids.values()).index(leaf._id)
                    return ("argument", len(argument_ids) + index)
                if leaf._id not in seen:
                    seen[leaf._id] = len(result_ids)
                    result_ids.append(leaf._id)
                return ("result", seen[leaf._id])

            for leaf in out_leaves:
                if isinstance(leaf, Tracer) and leaf._trace is trace:
                    out_slots.append(slot(leaf))
                elif isinstance(leaf, RaggedTracer) and leaf.values._trace is trace:
                    out_slots.append(("ragged", (slot(leaf.values), slot(leaf.shapes))))
                elif isinstance(leaf, (Tracer, RaggedTracer)):
                    raise TracingError(f"{self.__name__} returned a value traced by another "
                                       "function")
                elif isinstance(leaf, Dim):
                    raise TracingError(
                        f"{self.__name__} returned a traced dim (x.shape[i]), which exists "
                        "only while the compiled code runs; return a tensor and read its "
                        "shape outside (result.shape), or use static_shapes=True")
                else:
                    out_slots.append(("constant", leaf))
            trace.builder.finish(result_ids)
            for kind, value in out_slots:
                if kind == "ragged" and value[0][0] == value[1][0] == "result":
                    trace.builder.mark_ragged_result(value[0][1], value[1][1])
        return trace, out_treedef, out_slots, result_ids

    def _miss_reason(self, key) -> str:
        if not self._cache:
            return "first call"
        treedef, entries, statics, device = key
        for old in self._cache:
            if old[0] != treedef:
                continue
            if old[3] != device:
                return f"the arguments moved from {old[3] or 'cpu'} to {device or 'cpu'}"
            if old[2] != statics:
                changed = [f"{a[0]}: {a[1]!r} -> {b[1]!r}" for a, b in zip(old[2], statics)
                           if a != b]
                return "static argument changed (" + ", ".join(changed) + ")"
            diffs = [f"leaf {i}: {_describe(a)} -> {_describe(b)}"
                     for i, (a, b) in enumerate(zip(old[1], entries)) if a != b]
            return "argument types changed (" + "; ".join(diffs) + ")"
        return "the structure of the arguments (pytree) is new"

    def lower(self, *args, **kwargs) -> str:
        """The traced `vsla` module for these arguments, as MLIR text (nothing is compiled).

        >>> print(vsla.jit(lambda x: x * 2.0).lower(np.ones(3, np.float32)))  # doctest: +SKIP
        """
        with compile_lock:
            key, _ = self._key(args, kwargs)
            trace, *_ = self._trace(key, args, kwargs)
            return str(trace.builder)


def _with_user_location(error: Exception) -> Exception:
    """The error with "file:line: " of the user's innermost frame in front, so a
    shape error found while tracing names the line that caused it."""
    tb = error.__traceback__
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    message = str(error)
    if where is None or message.startswith(where.rsplit(":", 1)[0]):
        return error
    return type(error)(f"{where}: {message}")


class _StaticKey:
    """A static value as part of the cache key. Numbers compare by type and, for
    floats, by bits: 0.0 and -0.0 are different constants (1 / x differs), and a
    NaN matches the same NaN (== would make every NaN a new compile). Tuples and
    frozensets compare element by element the same way."""

    __slots__ = ("value", "_key", "_hash")

    def __init__(self, value, what: str):
        self.value = value
        self._key = _canonical(value, what)
        self._hash = hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _StaticKey) and self._key == other._key

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return repr(self.value)


def _canonical(value, what: str):
    """A hashable stand-in for `value` whose == is bitwise on floats."""
    cls = type(value)
    if isinstance(value, (float, np.floating)):
        if isinstance(value, np.floating):
            return ("float", cls.__name__, value.tobytes())
        return ("float", cls.__name__, struct.pack("<d", value))
    if isinstance(value, (complex, np.complexfloating)):
        return ("complex", cls.__name__, _canonical(float(value.real), what),
                _canonical(float(value.imag), what))
    if isinstance(value, (bool, int, np.bool_, np.integer)):
        return ("int", cls.__name__, int(value))
    if isinstance(value, tuple):  # namedtuples too: the class is part of the key
        return (cls,) + tuple(_canonical(v, what) for v in value)
    if cls is frozenset:
        return (cls, frozenset(_canonical(v, what) for v in value))
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"{what} is a {cls.__name__}, which is not hashable; static "
                        "arguments are part of the compile cache key") from None
    return ("object", value)


def jit(fun=None, *, static_argnums=(), static_argnames=(), static_shapes: bool = False):
    """Compiles `fun` on first call and reuses the compiled code.

    The compile cache is keyed by the pytree structure of the arguments, their ranks
    and dtypes, and the values of static arguments (Python numbers and those named by
    static_argnums/static_argnames), not by their dims: calls with 100 different
    lengths compile once. static_shapes=True compiles one version per shape.

    >>> @vsla.jit
    ... def f(x, h):
    ...     return vsla.conv(x, h) * 0.5
    >>> f(np.ones(4, np.float32), np.ones(2, np.float32)).shape
    (5,)
    """
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, static_shapes=static_shapes)
    return JitFunction(fun, static_argnums, static_argnames, static_shapes)

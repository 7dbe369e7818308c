"""Ragged batches and vmap.

A ragged batch holds items of one rank and dtype whose shapes differ. Its
elements live in one packed buffer, item after item, each item row-major, with
a table of the items' shapes (the values-plus-row-splits layout of TensorFlow's
RaggedTensor and PyTorch's jagged nested tensors, with any number of ragged
axes). ``vsla.vmap(f)`` traces ``f`` on one item and compiles one `vsla.map`:
a parallel loop over the items of the packed buffer, forward and backward.
See docs/ragged.md.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

from . import _devices, _dtypes, _pytree, _vsla
from ._errors import DTypeError, RuntimeError, ShapeError, TracingError, from_status
from ._tensor import Tensor, Tracer
from ._trace import Dim, Trace, current_trace, traced_value, user_location

_OUT_MODES = ("auto", "ragged", "stack")


def _as_shapes(shapes, what: str) -> np.ndarray:
    """`shapes` as a read-only int64 [n, rank] array of extents >= 0."""
    table = np.asarray(shapes)
    if table.ndim != 2:
        raise ShapeError(f"{what}: the shapes table must be 2-D (one row of extents per "
                         f"item), got shape {table.shape}")
    if table.size and table.dtype.kind not in "iu":
        raise DTypeError(f"{what}: the shapes table must hold integers, got {table.dtype}")
    table = np.ascontiguousarray(table, dtype=np.int64)
    if table.size and table.min() < 0:
        item = int(np.argwhere(table < 0)[0][0])
        raise ShapeError(f"{what}: item {item} has a negative extent {table[item].tolist()}")
    table.flags.writeable = False
    return table


def _item_sizes(shapes: np.ndarray) -> np.ndarray:
    if shapes.shape[1] == 0:
        return np.ones(shapes.shape[0], np.int64)
    return np.prod(shapes, axis=1, dtype=np.int64)


class Ragged:
    """A batch of tensors of one rank and dtype but different shapes, packed.

    Build one with ``vsla.ragged([t0, t1, ...])`` (copies the items into one
    buffer) or, without a copy, ``Ragged.from_packed(values, shapes)`` and
    ``Ragged.from_lengths(values, lengths)``. Indexing gives zero-copy tensor
    views of the items; ``stack()`` gives the dense, zero-extended batch.

    >>> r = vsla.ragged([[1.0, 2.0, 3.0], [4.0]])
    >>> len(r), r.shapes.tolist(), r[1].numpy().tolist()
    (2, [[3], [1]], [4.0])
    >>> r.stack().numpy().tolist()
    [[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]]
    """

    __slots__ = ("_values", "_shapes", "_offsets", "_device_shapes")
    __array_ufunc__ = None

    def __init__(self, values: np.ndarray, shapes: np.ndarray, offsets=None):
        # The parts as they are (compiled code's results; from_packed checks the
        # layout). Their kinds are checked here: compiled code trusts them. On a
        # GPU the values are device memory and the shapes stay on the host (as
        # PyTorch's nested tensors keep their sizes), with a device copy for
        # compiled code made once.
        device_shapes = None
        if _devices.on_device(shapes):
            device_shapes, shapes = shapes, _devices.host_copy(shapes)
        if not ((isinstance(values, np.ndarray) or _devices.on_device(values)) and
                values.ndim == 1 and isinstance(shapes, np.ndarray) and shapes.ndim == 2 and
                shapes.dtype == np.int64):
            raise DTypeError("vsla.Ragged takes a 1-D values array and an int64 [n, rank] "
                             "shapes array; build ragged batches with vsla.ragged(...), "
                             "Ragged.from_packed(values, shapes) or Ragged.from_lengths")
        self._values = values
        self._shapes = shapes
        self._offsets = offsets
        self._device_shapes = device_shapes

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_packed(cls, values, shapes) -> "Ragged":
        """The batch whose items' elements are `values` (1-D, item after item, each
        row-major) and whose item shapes are the rows of `shapes` ([n, rank]
        integers). No copy is made of `values` when it is a contiguous array of a
        supported dtype.

        >>> r = vsla.Ragged.from_packed(np.arange(5.0), [[2], [3]])
        >>> r[1].numpy().tolist()
        [2.0, 3.0, 4.0]
        """
        if isinstance(values, Tensor) and _devices.on_device(values._array):
            array = values._array  # GPU values stay where they are; the layout is checked here
        else:
            if isinstance(values, Tensor):
                values = values.numpy()
            array = _dtypes.check_array(np.asarray(values), "Ragged.from_packed values")
        if array.ndim != 1:
            raise ShapeError(f"Ragged.from_packed: values must be 1-D (the items' elements "
                             f"one after the other), got shape {array.shape}; use "
                             "Ragged.from_lengths for rows of a 2-D array")
        table = _as_shapes(shapes, "Ragged.from_packed")
        if table.size and (np.prod(table.astype(np.float64), axis=1) > 2.0**62).any():
            item = int(np.argmax(np.prod(table.astype(np.float64), axis=1) > 2.0**62))
            raise ShapeError(f"Ragged.from_packed: item {item} of shape {table[item].tolist()} "
                             "has more elements than any buffer can hold")
        offsets = np.zeros(table.shape[0] + 1, np.int64)
        np.cumsum(_item_sizes(table), out=offsets[1:])
        if offsets[-1] != array.shape[0]:
            raise ShapeError(f"Ragged.from_packed: the shapes describe {int(offsets[-1])} "
                             f"elements but values holds {array.shape[0]}")
        if isinstance(array, np.ndarray):
            array = np.ascontiguousarray(array)
        return cls(array, table, offsets)

    @classmethod
    def from_lengths(cls, values, lengths) -> "Ragged":
        """Splits the leading axis of `values` ([total, ...]) into items of
        `lengths[i]` rows each ([lengths[i], ...]), as TensorFlow's
        RaggedTensor.from_row_lengths; no copy of a contiguous `values`.

        >>> r = vsla.Ragged.from_lengths(np.arange(6.0).reshape(3, 2), [1, 2])
        >>> r[1].shape
        (2, 2)
        """
        if isinstance(values, Tensor):
            values = values.numpy()
        array = _dtypes.check_array(np.asarray(values), "Ragged.from_lengths values")
        if array.ndim == 0:
            raise ShapeError("Ragged.from_lengths: values must have a leading axis to split")
        counts = np.asarray(lengths)
        if counts.ndim != 1:
            raise ShapeError(f"Ragged.from_lengths: lengths must be 1-D, got shape "
                             f"{counts.shape}")
        table = np.empty((counts.shape[0], array.ndim), np.int64)
        table[:, 0] = counts
        table[:, 1:] = array.shape[1:]
        table = _as_shapes(table, "Ragged.from_lengths")
        if int(table[:, 0].sum()) != array.shape[0]:
            raise ShapeError(f"Ragged.from_lengths: the lengths sum to {int(table[:, 0].sum())} "
                             f"but values has {array.shape[0]} rows")
        return cls.from_packed(np.ascontiguousarray(array).reshape(-1), table)

    # -- what it is ---------------------------------------------------------------

    @property
    def dtype(self) -> np.dtype:
        return self._values.dtype

    @property
    def ndim(self) -> int:
        """The rank of every item."""
        return self._shapes.shape[1]

    @property
    def shapes(self) -> np.ndarray:
        """The items' shapes, one row each (read-only int64 [n, ndim])."""
        return self._shapes

    @property
    def offsets(self) -> np.ndarray:
        """Where each item starts in the packed values, then the total (int64 [n + 1])."""
        if self._offsets is None:
            offsets = np.zeros(self._shapes.shape[0] + 1, np.int64)
            np.cumsum(_item_sizes(self._shapes), out=offsets[1:])
            self._offsets = offsets
        return self._offsets

    @property
    def values(self) -> Tensor:
        """The packed elements of every item (1-D, no copy); NumPy and DLPack read it."""
        return Tensor(self._values)

    @property
    def device(self) -> str:
        """Where the packed values are: "cpu" or "cuda:N" (the shapes stay on the host)."""
        return _devices.device_of(self._values)

    def to(self, device) -> "Ragged":
        """The batch with its values on `device` ("cpu", "cuda", "cuda:N"): itself when
        they are there already, else a copy; the shapes table stays on the host.

        >>> vsla.ragged([[1.0, 2.0], [3.0]]).to("cpu").device
        'cpu'
        """
        values = _devices.move(self._values, device)
        if values is self._values:
            return self
        return Ragged(values, self._shapes, self._offsets)

    def cuda(self, device: int = 0) -> "Ragged":
        return self.to(f"cuda:{device}")

    def cpu(self) -> "Ragged":
        return self.to("cpu")

    def device_shapes(self):
        """The shapes table in the values' GPU memory, copied there once (compiled GPU
        code reads each item's extents on the device)."""
        if self._device_shapes is None:
            self._device_shapes = _devices.from_host(self._shapes, self._values.ordinal)
        return self._device_shapes

    def _call_arguments(self) -> list:
        """The two arguments compiled code takes for the batch: its values and its
        shapes table, on the values' device."""
        if _devices.on_device(self._values):
            return [self._values, self.device_shapes()]
        return [self._values, self._shapes]

    def __len__(self) -> int:
        return self._shapes.shape[0]

    def item_shape(self, i: int) -> tuple:
        return tuple(int(d) for d in self._shapes[i])

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step != 1:
                return ragged(self.to_list()[index], dtype=self.dtype)
            stop = max(start, stop)
            offsets = self.offsets
            return Ragged(self._slice(offsets[start], offsets[stop]),
                          self._shapes[start:stop], offsets[start:stop + 1] - offsets[start])
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"a ragged batch is indexed by an int or a slice, got "
                            f"{type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"item {index} is out of range for a batch of {n} items")
        index = int(index) % n
        offsets = self.offsets
        view = self._slice(offsets[index], offsets[index + 1])
        return Tensor(view.reshape(self.item_shape(index)))

    def _slice(self, begin, end):
        """Packed elements [begin, end), without a copy."""
        if _devices.on_device(self._values):
            return self._values.range(int(begin), int(end - begin))
        return self._values[begin:end]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def to_list(self) -> list:
        """The items, as tensors viewing the packed values."""
        return list(self)

    def stack(self) -> Tensor:
        """The dense batch [n, max extents...]: each item zero-extended to the per-axis
        maximum (vsla.stack)."""
        if _devices.on_device(self._values):
            return self.cpu().stack().to(self.device)
        n = len(self)
        extents = self._shapes.max(axis=0) if n else np.zeros(self.ndim, np.int64)
        out = np.zeros((n, *(int(e) for e in extents)), self.dtype)
        for i, item in enumerate(self):
            out[(i, *(slice(0, d) for d in item.shape))] = item.numpy()
        return Tensor(out)

    def is_uniform(self) -> bool:
        """Whether every item has the same shape (the batch is dense)."""
        return len(self) > 0 and bool((self._shapes == self._shapes[0]).all())

    def __repr__(self) -> str:
        shapes = ", ".join(str(self.item_shape(i)) for i in range(min(len(self), 6)))
        more = ", ..." if len(self) > 6 else ""
        where = "" if self.device == "cpu" else f", device={self.device!r}"
        return f"vsla.Ragged({len(self)} items of {self.dtype}: {shapes}{more}{where})"


class RaggedTracer:
    """A ragged batch inside a traced function: its packed values and shapes table as
    traced tensors. vmap maps over it; jit returns it as a Ragged."""

    __slots__ = ("values", "shapes")

    def __init__(self, values: Tracer, shapes: Tracer):
        self.values = values
        self.shapes = shapes

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def ndim(self) -> int:
        return self.shapes.shape[1]

    def __len__(self):
        raise TracingError("the number of items of a traced ragged batch is not known while "
                           "tracing; use len() outside the jitted function")

    def stack(self) -> Tracer:
        """The dense, zero-extended batch (see Ragged.stack)."""
        return vmap(lambda x: x, out="stack")(self)

    def __repr__(self) -> str:
        return f"RaggedTracer({self.dtype}, item rank {self.ndim})"


def ragged(items, dtype=None) -> Ragged:
    """Packs tensors of one rank (and dtype) but any shapes into a ragged batch.

    >>> r = vsla.ragged([np.ones((2, 3)), np.ones((2, 5))])
    >>> r.shapes.tolist(), r.values.shape
    ([[2, 3], [2, 5]], (16,))
    """
    if isinstance(items, Ragged):
        return items
    try:
        items = list(items)
    except TypeError:
        raise DTypeError(f"vsla.ragged takes a sequence of tensors, got "
                         f"{type(items).__name__}") from None
    arrays = []
    device = None
    for n, item in enumerate(items):
        if isinstance(item, Tracer):
            raise TracingError("vsla.ragged packs concrete tensors; inside a jitted function "
                               "take the ragged batch as an argument")
        if isinstance(item, Tensor) and _devices.on_device(item._array):
            where = _devices.device_of(item._array)
            if device not in (None, where):
                raise RuntimeError(f"vsla.ragged: the items are on {device} and {where}; "
                                   "move them to one device")
            device = where
            item = item.cpu()
        array = item.numpy() if isinstance(item, Tensor) else np.asarray(item)
        if dtype is None and array.dtype == np.float64 and not isinstance(
                item, (np.ndarray, Tensor)):
            array = array.astype(np.float32)  # Python lists default to float32, as vsla.tensor
        arrays.append(array)
    if dtype is not None:
        dtype = _dtypes.canonicalize(dtype)
    elif arrays:
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) > 1:
            raise DTypeError(f"vsla.ragged: the items have different dtypes "
                             f"({', '.join(sorted(d.name for d in dtypes))}); cast them to one "
                             "or pass dtype=")
        dtype = arrays[0].dtype
    else:
        dtype = np.dtype(np.float32)
    ranks = {a.ndim for a in arrays}
    if len(ranks) > 1:
        first = next(n for n, a in enumerate(arrays) if a.ndim != arrays[0].ndim)
        raise ShapeError(f"vsla.ragged: the items must have one rank; item 0 has rank "
                         f"{arrays[0].ndim} but item {first} has rank {arrays[first].ndim}. "
                         "Reshape them to one rank")
    rank = arrays[0].ndim if arrays else 1
    shapes = np.array([a.shape for a in arrays], np.int64).reshape(len(arrays), rank)
    packed = (np.concatenate([a.reshape(-1) for a in arrays]).astype(dtype, copy=False)
              if arrays else np.zeros(0, dtype))
    _dtypes.check_array(packed, "vsla.ragged")
    batch = Ragged.from_packed(packed, shapes)
    return batch if device is None else batch.to(device)


# -- vmap ---------------------------------------------------------------------------


def _normalize_in_axes(in_axes, count: int, name: str) -> tuple:
    if in_axes is None or isinstance(in_axes, (int, np.integer)):
        axes = (in_axes,) * count
    else:
        axes = tuple(in_axes)
        if len(axes) != count:
            raise ValueError(f"{name}: in_axes has {len(axes)} entries but the function got "
                             f"{count} arguments; give one per positional argument")
    for a in axes:
        if a is not None and (isinstance(a, bool) or a != 0):
            raise ValueError(f"{name}: in_axes entries are 0 (mapped over the leading axis, "
                             f"or the items of a ragged batch) or None (shared), got {a!r}")
    return axes


def _mapped_operands(trace: Trace, leaf, what: str):
    """(values id, shapes id, dtype, item rank) of a mapped leaf in `trace`."""
    if isinstance(leaf, Ragged):
        return (traced_value(trace, Tensor(leaf._values)),
                traced_value(trace, Tensor(leaf._shapes)), leaf.dtype, leaf.ndim)
    if isinstance(leaf, RaggedTracer):
        return (traced_value(trace, leaf.values), traced_value(trace, leaf.shapes),
                leaf.dtype, leaf.ndim)
    if isinstance(leaf, np.ndarray):
        leaf = Tensor(_dtypes.check_array(leaf, what))
    if not isinstance(leaf, Tensor):
        raise DTypeError(f"{what} is a {type(leaf).__name__}; mapped arguments are ragged "
                         "batches or tensors (mapped over their leading axis). Mark it "
                         "shared with in_axes=None")
    if leaf.ndim == 0:
        raise ShapeError(f"{what} is a rank-0 tensor, which has no leading axis to map over; "
                         "mark it shared with in_axes=None")
    from . import _ops

    count = leaf.shape[0]
    size = 1
    for d in leaf.shape:
        size = size * d
    values = _ops.reshape(leaf, (size,))
    dims = [trace.index(d) for d in leaf.shape[1:]]
    try:
        shapes = trace.builder.uniform_shapes(trace.index(count), dims, user_location())
    except _vsla.StatusError as e:
        raise from_status(str(e), ShapeError) from None
    return traced_value(trace, values), shapes, leaf.dtype, leaf.ndim - 1


def _trace_map(fun, args, axes, out: str, name: str):
    """Records vsla.map of `fun` over `args` into the current trace; returns the
    output pytree of RaggedTracers and stacked Tracers."""
    trace = current_trace()
    values_ids, shapes_ids, items = [], [], []
    plan = []  # per argument: (treedef, [("item", k) | ("shared", leaf) | ("static", leaf)])
    for i, (arg, axis) in enumerate(zip(args, axes)):
        leaves, treedef = _pytree.flatten(arg)
        kinds = []
        for n, leaf in enumerate(leaves):
            what = f"{name}: argument {i}" + (f" (leaf {n})" if len(leaves) > 1 else "")
            if axis is None:
                if isinstance(leaf, (Ragged, RaggedTracer)):
                    raise ShapeError(f"{what} is a ragged batch marked shared (in_axes None); "
                                     "ragged batches are mapped: use in_axes 0")
                if isinstance(leaf, np.ndarray):
                    leaf = Tensor(_dtypes.check_array(leaf, what))
                kinds.append(("shared", leaf) if isinstance(leaf, Tensor) else ("static", leaf))
                continue
            v, s, dtype, rank = _mapped_operands(trace, leaf, what)
            values_ids.append(v)
            shapes_ids.append(s)
            items.append((dtype, rank))
            kinds.append(("item", len(items) - 1))
        plan.append((treedef, kinds))
    if not items:
        raise ShapeError(f"{name}: no argument is mapped; give at least one ragged batch or "
                         "tensor with in_axes 0")

    body = Trace(f"{trace.name}_item", parent=trace)
    with body:
        body.builder.add_argument("index", None)
        item_tracers = [body.argument(dtype, [None] * rank) for dtype, rank in items]
        body_args = []
        for treedef, kinds in plan:
            leaves = []
            for kind, value in kinds:
                if kind == "item":
                    leaves.append(item_tracers[value])
                elif kind == "shared":
                    leaves.append(body._tracer(body.capture(value)))  # shared
                else:
                    leaves.append(value)
            body_args.append(_pytree.unflatten(treedef, leaves))
        result = fun(*body_args)
        out_leaves, out_treedef = _pytree.flatten(result)
        ragged_ids, stacked_ids, slots = [], [], []
        for n, leaf in enumerate(out_leaves):
            if isinstance(leaf, np.ndarray) or (isinstance(leaf, Tensor) and
                                                not isinstance(leaf, Tracer)):
                leaf = body._tracer(body.capture(Tensor(np.asarray(leaf))))
            if not isinstance(leaf, Tracer):
                raise TracingError(f"{name}: the mapped function must return tensors (or "
                                   f"pytrees of them); output {n} is a "
                                   f"{type(leaf).__name__}")
            value = traced_value(body, leaf)
            stacked = out == "stack" or (out == "auto" and leaf.ndim == 0)
            if stacked:
                slots.append(("stacked", len(stacked_ids)))
                stacked_ids.append(value)
            else:
                slots.append(("ragged", len(ragged_ids)))
                ragged_ids.append(value)
        body.builder.finish(ragged_ids + stacked_ids)
    try:
        ids = trace.builder.map(body.builder, values_ids, shapes_ids, body._shared_outer,
                                len(ragged_ids), user_location())
    except _vsla.StatusError as e:
        raise from_status(str(e), ShapeError) from None
    r = len(ragged_ids)
    outs = []
    for kind, k in slots:
        if kind == "ragged":
            outs.append(RaggedTracer(trace._tracer(ids[k]), trace._tracer(ids[r + k])))
        else:
            outs.append(trace._tracer(ids[2 * r + k]))
    return _pytree.unflatten(out_treedef, outs)


def _count_items(args, axes, name: str) -> None:
    """Before a call: every mapped argument has the same number of items."""
    counts = []
    for i, (arg, axis) in enumerate(zip(args, axes)):
        if axis is None:
            continue
        for leaf in _pytree.flatten(arg)[0]:
            if isinstance(leaf, Ragged):
                counts.append((i, len(leaf)))
            elif isinstance(leaf, (Tensor, np.ndarray)) and np.ndim(leaf) > 0:
                counts.append((i, np.shape(leaf)[0]))
    if len({c for _, c in counts}) > 1:
        described = ", ".join(f"argument {i}: {c}" for i, c in counts)
        raise ShapeError(f"{name}: mapped arguments have different numbers of items "
                         f"({described}); every mapped argument needs one item per call")


def _densify(value):
    """A ragged result whose items all have one shape, as the dense [n, ...] tensor
    (a view of the packed values)."""
    if isinstance(value, Ragged) and value.is_uniform():
        return Tensor(value._values.reshape([len(value), *value.item_shape(0)]))
    return value


_compiled_maps: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _axes_key(in_axes):
    return in_axes if in_axes is None or isinstance(in_axes, (int, np.integer)) \
        else tuple(in_axes)


def vmap(fun, in_axes=0, *, out: str = "auto"):
    """Maps `fun`, written for one item, over batches: ragged batches (vsla.ragged) and
    tensors mapped over their leading axis (in_axes 0), with other arguments shared
    by every item (in_axes None), as JAX's vmap.

    `fun` is traced once on one item's rank and dtype and compiled into one parallel
    loop over the items (vsla.map): any number of items, of any shapes of that rank,
    run through the same compiled code, on every core. Results are ragged batches,
    except rank-0 results (per-item losses), which come stacked into a [n] tensor;
    out="stack" stacks every result (zero-extended to the largest item), out="ragged"
    none. Called outside a trace, a ragged result whose items all have one shape comes
    back dense when out="auto". vmap composes with jit, grad and train steps: the
    gradient of a shared argument is summed over the items, that of a ragged one is
    ragged.

    >>> xs = vsla.ragged([[1.0, 2.0, 3.0], [4.0, 5.0]])
    >>> vsla.vmap(lambda x, h: vsla.sum(vsla.conv(x, h)), in_axes=(0, None))(
    ...     xs, np.array([1.0, 1.0], np.float32)).numpy().tolist()
    [12.0, 18.0]
    """
    from ._jit import jit

    if out not in _OUT_MODES:
        raise ValueError(f"vmap: out must be one of {_OUT_MODES}, got {out!r}")
    name = f"vmap({getattr(fun, '__name__', 'f')})"

    def staged(*args):
        return _trace_map(fun, args, _normalize_in_axes(in_axes, len(args), name), out, name)

    staged.__name__ = "vmap_" + "".join(c if c.isalnum() else "_"
                                        for c in getattr(fun, "__name__", "f"))
    # vmap(f)(xs) written in a loop makes a new wrapper each time: they share
    # f's compiled versions (while f lives).
    key = (_axes_key(in_axes), out)
    try:
        compiled = _compiled_maps.setdefault(fun, {}).setdefault(key, jit(staged))
    except TypeError:  # not weakly referenceable
        compiled = jit(staged)

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        if kwargs:
            raise TypeError(f"{name}: pass the arguments of a mapped function positionally")
        if current_trace() is not None:
            return staged(*args)
        _count_items(args, _normalize_in_axes(in_axes, len(args), name), name)
        result = compiled(*args)
        if out != "auto":
            return result
        leaves, treedef = _pytree.flatten(result)
        return _pytree.unflatten(treedef, [_densify(leaf) for leaf in leaves])

    return wrapper


__all__ = ["Ragged", "RaggedTracer", "ragged", "vmap", "Dim"]

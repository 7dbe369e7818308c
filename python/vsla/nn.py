"""vsla.nn: layers, losses and modules with registered parameters.

Layers are built from vsla ops (biases use explicit broadcast_to, per VSLA's
semantics), so a whole model differentiates with vsla.grad and compiles with
@vsla.jit. `module.apply(params, x)` runs the module with other parameter
values (tracers inside a compiled training step, see vsla.optim.train_step).

>>> model = vsla.nn.Sequential(vsla.nn.Linear(4, 8), vsla.nn.ReLU(), vsla.nn.Linear(8, 2))
>>> model(np.ones((3, 4), np.float32)).shape
(3, 2)
"""

from __future__ import annotations

import contextlib
import math
import threading

import numpy as np

from . import _creation, _ops
from ._checks import expect_extent, expect_zero
from ._errors import DTypeError, ShapeError, TracingError
from ._tensor import Tensor, Tracer
from ._trace import Dim, current_trace

__all__ = [
    "Parameter", "Module", "Sequential", "Linear", "Conv1d", "ReLU", "GELU", "Tanh", "Sigmoid",
    "Dropout", "LayerNorm", "Embedding", "mse_loss", "cross_entropy", "binary_cross_entropy",
    "one_hot", "random_seed",
]


class Parameter(Tensor):
    """A tensor a Module trains. Its values are replaced in place by optimizers."""

    __slots__ = ()

    def __init__(self, data):
        device = data.device if isinstance(data, Tensor) else "cpu"
        array = np.array(data.cpu()._array if isinstance(data, Tensor) else data, copy=True)
        if array.dtype not in (np.float32, np.float64):
            array = array.astype(np.float32)
        super().__init__(array)
        if device != "cpu":
            self._array = self.to(device)._array

    def __repr__(self) -> str:
        return "Parameter(" + super().__repr__() + ")"


class Module:
    """Base class of layers and models, as in PyTorch: assigning a Parameter or a
    Module to an attribute registers it."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"call Module.__init__() in {type(self).__name__}.__init__ "
                                 "before assigning attributes")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # -- parameters ---------------------------------------------------------------

    def named_parameters(self, prefix: str = ""):
        """(dotted name, Parameter) pairs, this module's own first."""
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            yield from m.named_parameters(prefix + name + ".")

    def parameters(self) -> list:
        return [p for _, p in self.named_parameters()]

    def named_modules(self, prefix: str = ""):
        yield prefix.rstrip("."), self
        for name, m in self._modules.items():
            yield from m.named_modules(prefix + name + ".")

    def state_dict(self) -> dict:
        """{name: a NumPy copy of the parameter} (copied to the host from a GPU)."""
        return {name: np.array(p.cpu()._array, copy=True)
                for name, p in self.named_parameters()}

    def to(self, device) -> "Module":
        """Moves every parameter to `device` ("cpu", "cuda", "cuda:N") in place and
        returns the module, as PyTorch's Module.to: a model on the GPU trains there
        (vsla.optim.train_step runs its compiled step on the GPU)."""
        for p in self.parameters():
            p._array = p.to(device)._array
        return self

    def cuda(self, device: int = 0) -> "Module":
        return self.to(f"cuda:{int(device)}")

    def cpu(self) -> "Module":
        return self.to("cpu")

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Copies values into the parameters; shapes must match."""
        params = dict(self.named_parameters())
        missing = sorted(set(params) - set(state))
        unexpected = sorted(set(state) - set(params))
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing {missing}, unexpected {unexpected}")
        for name, value in state.items():
            if name not in params:
                continue
            value = value.cpu().numpy() if isinstance(value, Tensor) else np.asarray(value)
            if value.shape != params[name].shape:
                raise ShapeError(f"load_state_dict: {name} has shape {value.shape}, the "
                                 f"module's has {params[name].shape}")
            p = params[name]
            # The parameter stays where it is (on a GPU: a copy there).
            p._array = Tensor(np.array(value, dtype=p.dtype, copy=True)).to(p.device)._array

    def train(self, mode: bool = True) -> "Module":
        for _, m in self.named_modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    # -- running with other parameter values ------------------------------------

    def apply(self, params: dict, *args, **kwargs):
        """Runs the module with `params` ({name: tensor}) in place of its parameters."""
        owners = {}
        for name, _ in self.named_parameters():
            path = name.split(".")
            owner = self
            for part in path[:-1]:
                owner = owner._modules[part]
            owners[name] = (owner, path[-1])
        saved = []
        try:
            for name, value in params.items():
                if name not in owners:
                    raise KeyError(f"apply: {name!r} is not a parameter of this module")
                owner, attr = owners[name]
                saved.append((owner, attr, owner.__dict__[attr]))
                object.__setattr__(owner, attr, value)
            return self(*args, **kwargs)
        finally:
            for owner, attr, value in reversed(saved):
                object.__setattr__(owner, attr, value)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._modules.items())
        return f"{type(self).__name__}({inner})"


class Sequential(Module):
    """Applies its modules in order."""

    def __init__(self, *layers: Module):
        super().__init__()
        for i, layer in enumerate(layers):
            setattr(self, str(i), layer)

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)


def _extent(d) -> str:
    """An extent for a message: the number eagerly, "?" for a traced dim."""
    return "?" if isinstance(d, Dim) else str(d)


def _or(d, name: str) -> str:
    """The extent for a message, or `name` when it is a traced dim."""
    return name if isinstance(d, Dim) else str(d)


def _shape(x) -> str:
    return "(" + ", ".join(_extent(d) for d in x.shape) + ("," if x.ndim == 1 else "") + ")"


def _got(d, what: str) -> str:
    """"got 5" eagerly; under @vsla.jit the extent is known only when the compiled
    code runs, so the message names the difference instead."""
    return f"got {d}" if not isinstance(d, Dim) else f"got another {what}"


def _check_not_scalar(layer: str, x, what: str) -> None:
    if x.ndim == 0:
        raise ShapeError(f"{layer} takes {what}, got a rank-0 tensor; reshape it to (1,)")


def _check_labels(name: str, labels, what: str) -> None:
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"{name} takes integer {what} (int32 or int64), got {labels.dtype}; "
                         "convert them with .astype(numpy.int64)")


def _check_in_range(onehot, message: str) -> None:
    """A row of one_hot(values, count) holds its 1 exactly when the value is in
    [0, count): a value out of range would silently give a zero row."""
    expect_zero(1.0 - _ops.sum(onehot, axis=-1), message)


def _size(layer: str, name: str, value) -> int:
    """A layer's size argument (in_features, ...) as a non-negative int."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise DTypeError(f"{layer}: {name} must be an int, got {value!r}")
    if value < 0:
        raise ShapeError(f"{layer}: {name} must be >= 0, got {value}")
    return int(value)


def _init_bound(fan_in: int) -> float:
    return 1.0 / math.sqrt(fan_in) if fan_in else 0.0


def _uniform(shape, bound: float) -> np.ndarray:
    return (_creation._generator.random(shape) * 2 - 1).astype(np.float32) * bound


class Linear(Module):
    """y = x @ weight + bias, with weight of shape (in_features, out_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        in_features = _size("Linear", "in_features", in_features)
        out_features = _size("Linear", "out_features", out_features)
        bound = _init_bound(in_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(_uniform((in_features, out_features), bound))
        self.bias = Parameter(_uniform((out_features,), bound)) if bias else None

    def forward(self, x):
        # matmul zero-extends a short inner axis (VSLA's semantics), so a wrong
        # feature count would otherwise compute quietly with the wrong features.
        x = _ops.as_tensor(x, "Linear's input")
        _check_not_scalar("Linear", x, "(..., in_features) inputs")
        n = self.in_features
        expect_extent(x.shape[-1], n,
                      f"Linear expects {n} input features (its in_features), "
                      f"{_got(x.shape[-1], 'count')} in an input of shape {_shape(x)}; pass "
                      f"(..., {n}) inputs or build nn.Linear({_or(x.shape[-1], 'n')}, "
                      f"{self.out_features})")
        y = _ops.matmul(x, self.weight)
        if self.bias is not None:
            y = _ops.same_shape("add", y, _ops.broadcast_to(self.bias, y.shape))
        return y


class Conv1d(Module):
    """A 1-D convolution layer over VSLA's conv: x of shape (batch, in_channels, length)
    of any length gives (batch, out_channels, length') with length' by `mode`
    ("full": length + kernel_size - 1, "same": length, "valid"). Lengths may differ
    from call to call: a jitted model compiles once."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 mode: str = "same", bias: bool = True):
        super().__init__()
        in_channels = _size("Conv1d", "in_channels", in_channels)
        out_channels = _size("Conv1d", "out_channels", out_channels)
        kernel_size = _size("Conv1d", "kernel_size", kernel_size)
        if mode not in ("full", "same", "valid"):
            raise ShapeError(f"Conv1d: mode {mode!r} is not one of full, same, valid")
        bound = _init_bound(in_channels * kernel_size)
        self.weight = Parameter(_uniform((out_channels, in_channels, kernel_size), bound))
        self.bias = Parameter(_uniform((out_channels,), bound)) if bias else None
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = int(kernel_size)
        self.mode = mode

    def forward(self, x):
        x = _ops.as_tensor(x, "Conv1d's input")
        if x.ndim != 3:
            raise ShapeError(f"Conv1d takes (batch, channels, length) inputs, got rank "
                             f"{x.ndim} (shape {_shape(x)}); add a batch axis with "
                             "x.reshape(1, channels, length)")
        batch, cin, length = x.shape
        n = self.in_channels
        expect_extent(cin, n, f"Conv1d expects {n} input channels (its in_channels), "
                              f"{_got(cin, 'count')} in an input of shape {_shape(x)}; pass "
                              f"(batch, {n}, length) inputs or build nn.Conv1d("
                              f"{_or(cin, 'n')}, {self.out_channels}, ...)")
        y = _channel_conv(x, self.weight, self.kernel_size, self.mode)
        if self.bias is not None:
            b = _ops.reshape(self.bias, (1, self.out_channels, 1))
            y = _ops.same_shape("add", y, _ops.broadcast_to(b, y.shape))
        return y


def _channel_conv(x, weight, k: int, mode: str):
    """sum over c of conv(x[b, c], weight[o, c]) for (batch, cin, length) inputs and
    (cout, cin, k) weights (k static; under jit the weight's extents are traced), as
    one matmul: vsla.unfold writes the k shifted copies of the input in one pass, so
    (batch, k * cin, length + k - 1) columns meet (cout, k * cin) weights in BLAS, and
    its adjoint (vsla.fold) sums them back in one pass. The input is copied k times,
    never once per output channel."""
    batch, cin, length = x.shape
    cout = weight.shape[0]
    expect_extent(weight.shape[2], k, f"Conv1d: the weight has {_got(weight.shape[2], 'taps')}"
                                      f", the layer {k}")
    columns = _ops.unfold(x, k)  # (batch, k * cin, length + k - 1): tap j is x shifted by j
    weights = _ops.reshape(_ops.transpose(weight, (0, 2, 1)), (1, cout, k * cin))
    full = _ops.matmul(_ops.broadcast_to(weights, (batch, cout, k * cin)), columns)
    # An empty signal convolves to an empty result (the taps above give k - 1 zeros).
    full = full[:, :, :length + _ops._dmin(length, 1) * (k - 1)] if k > 1 else full
    if mode == "full":
        return full
    # numpy.convolve's "same" and "valid" windows of the full result.
    short, long = _ops._dmin(length, k), _ops._dmax(length, k)
    if mode == "same":
        start, size = _ops._dceildiv(short, 2) - 1, long  # (short - 1) // 2
    else:
        start, size = short - 1, long - short + 1
    return full[:, :, start:start + size]


class ReLU(Module):
    def forward(self, x):
        return _ops.relu(x)


class GELU(Module):
    def forward(self, x):
        return _ops.gelu(x)


class Tanh(Module):
    def forward(self, x):
        return _ops.tanh(x)


class Sigmoid(Module):
    def forward(self, x):
        return _ops.sigmoid(x)


_seed_state = threading.local()


@contextlib.contextmanager
def random_seed(seed):
    """Seeds Dropout inside the block: an int, or a rank-0 float tensor (what a
    compiled training step passes, so each step draws new masks without recompiling)."""
    previous = getattr(_seed_state, "seed", None), getattr(_seed_state, "count", 0)
    _seed_state.seed, _seed_state.count = seed, 0
    try:
        yield
    finally:
        _seed_state.seed, _seed_state.count = previous


def _uniform_like(x, seed) -> Tensor:
    """Pseudo-random values in [0, 1) of x's shape, from a hash of the element index
    and the seed, computed with vsla ops (so it runs inside compiled code)."""
    index = _ops.reshape(_creation.arange(0, x.size, dtype=x.dtype), x.shape)
    phase = index * 12.9898 + _ops.broadcast_to(seed * 78.233, x.shape)
    h = _ops.abs(_ops.sin(phase)) * 43758.5453
    return h - h.astype("int64").astype(x.dtype)  # the fraction: h >= 0


class Dropout(Module):
    """Zeroes each element with probability p while training and scales the rest by
    1 / (1 - p); the identity in eval mode. Masks are seeded: by vsla.manual_seed when
    eager, by the training step's seed inside compiled code."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout probability {p} is not in [0, 1)")
        self.p = float(p)

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        seed = getattr(_seed_state, "seed", None)
        if seed is None:
            if current_trace() is not None or isinstance(x, Tracer):
                raise TracingError("Dropout inside @vsla.jit needs a seed: run the model in "
                                   "`with vsla.nn.random_seed(seed):` (vsla.optim.train_step "
                                   "does this)")
            keep = _creation._generator.random(x.shape) >= self.p
            return x * Tensor(keep.astype(x.dtype)) / (1.0 - self.p)
        # Each Dropout of one forward pass draws from its own seed.
        _seed_state.count += 1
        if not isinstance(seed, Tensor):
            seed = Tensor(np.asarray(seed, x.dtype))
        u = _uniform_like(x, _ops.cast(seed, x.dtype) + 0.618 * _seed_state.count)
        keep = _ops.relu(_ops.sign(u - self.p))
        return x * keep * (1.0 / (1.0 - self.p))


class LayerNorm(Module):
    """Normalizes the last axis to zero mean and unit variance, then scales and shifts."""

    def __init__(self, normalized_shape: int, eps: float = 1e-5):
        super().__init__()
        normalized_shape = _size("LayerNorm", "normalized_shape", normalized_shape)
        self.weight = Parameter(np.ones(normalized_shape, np.float32))
        self.bias = Parameter(np.zeros(normalized_shape, np.float32))
        self.normalized_shape = int(normalized_shape)
        self.eps = float(eps)

    def forward(self, x):
        x = _ops.as_tensor(x, "LayerNorm's input")
        _check_not_scalar("LayerNorm", x, "(..., normalized_shape) inputs")
        n = self.normalized_shape
        expect_extent(x.shape[-1], n,
                      f"LayerNorm expects a last axis of {n} (its normalized_shape), "
                      f"{_got(x.shape[-1], 'extent')} in an input of shape {_shape(x)}; pass "
                      f"(..., {n}) inputs or build nn.LayerNorm({_or(x.shape[-1], 'n')})")
        shape = x.shape
        same = _ops.same_shape
        mean = _ops.broadcast_to(_ops.mean(x, axis=-1, keepdims=True), shape)
        centered = same("sub", x, mean)
        var = _ops.broadcast_to(_ops.mean(same("mul", centered, centered), axis=-1,
                                          keepdims=True), shape)
        y = same("div", centered, _ops.sqrt(var + self.eps))
        return same("add", same("mul", y, _ops.broadcast_to(self.weight, shape)),
                    _ops.broadcast_to(self.bias, shape))


def one_hot(labels, num_classes, dtype="float32") -> Tensor:
    """(..., num_classes) indicators of integer labels, built from vsla.iota (works
    inside @vsla.jit with a traced number of classes)."""
    labels = _ops.as_tensor(labels, "one_hot's labels")
    _check_labels("one_hot", labels, "labels")
    values = labels.astype(dtype)
    shape = tuple(labels.shape) + (num_classes,)
    classes = _ops.broadcast_to(_creation.arange(0, num_classes, dtype=dtype), shape)
    spread = _ops.broadcast_to(_ops.reshape(values, tuple(labels.shape) + (1,)), shape)
    return 1.0 - _ops.abs(_ops.sign(_ops.same_shape("sub", spread, classes)))


class Embedding(Module):
    """Rows of a (num_embeddings, dim) table selected by integer indices (a one-hot
    matmul, so the gradient reaches the table)."""

    def __init__(self, num_embeddings: int, embedding_dim: int):
        super().__init__()
        num_embeddings = _size("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = _size("Embedding", "embedding_dim", embedding_dim)
        self.weight = Parameter(_creation._generator.standard_normal(
            (num_embeddings, embedding_dim)).astype(np.float32))
        self.num_embeddings = num_embeddings

    def forward(self, indices):
        indices = _ops.as_tensor(indices, "Embedding's indices")
        _check_labels("Embedding", indices, "indices")
        flat = _ops.reshape(indices, (-1,))
        rows_of = one_hot(flat, self.num_embeddings, self.weight.dtype)
        n = self.num_embeddings
        _check_in_range(rows_of, f"Embedding: an index is out of range; indices must be in "
                                 f"[0, {n}) (its num_embeddings is {n}): check the indices or "
                                 "build a larger Embedding")
        rows = _ops.matmul(rows_of, self.weight)
        return _ops.reshape(rows, tuple(indices.shape) + (self.weight.shape[1],))


def _check_same_shape(name: str, a, b, a_name: str, b_name: str) -> None:
    """Losses compare element by element: a zero-extended operand would silently
    count missing elements as zeros (PyTorch refuses mismatched sizes too)."""
    fix = f"pass {b_name} of the same shape as {a_name}"
    if a.ndim != b.ndim:
        raise ShapeError(f"{name}: the shapes of {a_name} {_shape(a)} and {b_name} "
                         f"{_shape(b)} differ in rank; {fix}")
    for axis, (p, q) in enumerate(zip(a.shape, b.shape)):
        expect_extent(q, p, f"{name}: the shapes of {a_name} {_shape(a)} and {b_name} "
                            f"{_shape(b)} differ on axis {axis}; {fix}")


def mse_loss(prediction, target) -> Tensor:
    """The mean squared error of prediction and target (equal shapes)."""
    prediction = _ops.as_tensor(prediction, "mse_loss's prediction")
    target = _ops.as_tensor(target, "mse_loss's target")
    _check_same_shape("mse_loss", prediction, target, "the prediction", "the target")
    d = prediction - target
    return _ops.mean(d * d)


def cross_entropy(logits, labels) -> Tensor:
    """Mean cross-entropy of (batch, classes) logits against integer labels, through
    log_softmax (numerically stable)."""
    logits = _ops.as_tensor(logits, "cross_entropy's logits")
    labels = _ops.as_tensor(labels, "cross_entropy's labels")
    if logits.ndim != 2:
        raise ShapeError(f"cross_entropy takes (batch, classes) logits, got rank {logits.ndim} "
                         f"(shape {_shape(logits)})")
    _check_labels("cross_entropy", labels, "class labels")
    if labels.ndim != 1:
        raise ShapeError(f"cross_entropy takes (batch,) integer labels, got rank {labels.ndim} "
                         f"(shape {_shape(labels)}); flatten them with labels.reshape(-1)")
    batch, classes = logits.shape
    count = labels.shape[0]
    got = f"{count} labels for {batch} rows of logits" if not isinstance(count, Dim) and \
        not isinstance(batch, Dim) else "a number of labels other than the logits' rows"
    expect_extent(count, batch, f"cross_entropy got {got} (logits of shape {_shape(logits)}, "
                                f"labels of shape {_shape(labels)}); pass one label per row")
    log_probs = _ops.log_softmax(logits, axis=-1)
    targets = one_hot(labels, classes, logits.dtype)
    bound = classes if not isinstance(classes, Dim) else "classes"
    _check_in_range(targets, f"cross_entropy: a class label is out of range; labels must be in "
                             f"[0, {bound}) for logits of shape {_shape(logits)} (one column "
                             "per class): check the labels or give the model more outputs")
    return -_ops.mean(_ops.sum(_ops.same_shape("mul", targets, log_probs), axis=1))


def binary_cross_entropy(probabilities, targets, eps: float = 1e-7) -> Tensor:
    """Mean binary cross-entropy of probabilities in (0, 1) against 0/1 targets."""
    probabilities = _ops.as_tensor(probabilities, "binary_cross_entropy's probabilities")
    targets = _ops.as_tensor(targets, "binary_cross_entropy's targets")
    _check_same_shape("binary_cross_entropy", probabilities, targets, "the probabilities",
                      "the targets")
    p = _ops.minimum(_ops.maximum(probabilities, eps), 1.0 - eps)
    t = targets.astype(p.dtype)
    return -_ops.mean(t * _ops.log(p) + (1.0 - t) * _ops.log(1.0 - p))

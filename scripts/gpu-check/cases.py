"""The GPU check's corpus: each case is a VSLA function, the same computation in
PyTorch (the reference on the GPU) and, for benchmark rows, in JAX, with seeded
inputs that both machines make alike.

The build machine (scripts/gpu-check.sh build) imports vsla and exports each
case's `vsla` function for the cuda target; the GPU machine (run.py) imports
torch and jax, never vsla. So the framework modules are imported inside the
functions, and this file imports nothing else beyond NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass
class Case:
    name: str
    # Each input: (dtype, shape) of seeded normals, or a function of an
    # np.random.Generator returning the array.
    inputs: list
    # What build.py exports: a function, or an nn.Module when `module` is set
    # (then `vsla()` builds it; its parameters become the artifact's constants).
    vsla: Callable
    # The same computation in PyTorch (None for cases that must fail).
    torch: Callable | None
    jax: Callable | None = None
    # A benchmark row of benchmarks/results/cuda.md (its label), else "".
    bench: str = ""
    # Largest |gpu - reference| / max(|reference|, 1) accepted.
    tolerance: float = 1e-4
    # The build machine also runs the function on the CPU and ships the
    # results (cases small enough to travel).
    cpu_reference: bool = True
    # The call must fail with a message holding this (a run-time check on the
    # device), and leave the GPU usable for the cases after it.
    expect_error: str = ""
    module: bool = False
    # Positions of ragged batches among the inputs: input i holds the packed
    # values and input i + 1 the shapes table (int64 [n, rank]); build.py
    # passes the pair as one vsla.Ragged, vsla-run as two inputs.
    ragged: tuple = ()
    # Whether the benchmark row times torch.compile too (not for references
    # whose shapes depend on data: a padded batch sized by its longest item
    # recompiles for every batch).
    torch_compile: bool = True
    notes: dict = field(default_factory=dict)


def make_inputs(case: Case) -> list:
    """The case's inputs, the same on every machine (NumPy's PCG64 streams)."""
    rng = np.random.default_rng(sum(map(ord, case.name)))
    values = []
    for spec in case.inputs:
        if callable(spec):
            values.append(spec(rng))
        else:
            dtype, shape = spec
            values.append(rng.standard_normal(shape).astype(dtype))
    return values


# --- the elementwise chain (benchmarks/workloads.py's chain) -----------------

def _chain_vsla(a, b):
    import vsla

    return vsla.tanh(a * 1.5 + b) * vsla.sigmoid(a)


def _chain_torch(a, b):
    import torch

    return torch.tanh(a * 1.5 + b) * torch.sigmoid(a)


def _chain_jax(a, b):
    import jax.numpy as jnp
    from jax.nn import sigmoid

    return jnp.tanh(a * 1.5 + b) * sigmoid(a)


# --- ambient promotion: operands of different lengths ------------------------

def _ambient_vsla(a, b):
    return (a + b) * b


def _pad_torch(x, n):
    import torch

    return torch.nn.functional.pad(x, (0, n - x.shape[-1]))


def _ambient_torch(a, b):
    n = max(a.shape[0], b.shape[0])
    a, b = _pad_torch(a, n), _pad_torch(b, n)
    return (a + b) * b


def _ambient2d_vsla(a, b):
    import vsla

    return vsla.exp(a) - b


def _ambient2d_torch(a, b):
    import torch

    rows, cols = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pad = torch.nn.functional.pad
    # exp is applied to a before promotion: exp(0) is not 0, zeros are added after.
    ea = pad(torch.exp(a), (0, cols - a.shape[1], 0, rows - a.shape[0]))
    return ea - pad(b, (0, cols - b.shape[1], 0, rows - b.shape[0]))


# --- reductions and softmax ---------------------------------------------------

def _reductions_vsla(x):
    import vsla

    return vsla.sum(x, axis=1), vsla.max(x, axis=0), vsla.sum(x), vsla.mean(x, axis=1)


def _reductions_torch(x):

    return x.sum(1), x.amax(0), x.sum(), x.mean(1)


def _softmax_vsla(x):
    import vsla

    return vsla.softmax(x, axis=-1), vsla.log_softmax(x, axis=0)


def _softmax_torch(x):
    import torch

    return torch.softmax(x, -1), torch.log_softmax(x, 0)


def _rowsum_big_vsla(x):
    import vsla

    return vsla.sum(x, axis=1)


def _rowsum_big_torch(x):
    return x.sum(1)


def _rowsum_big_jax(x):
    return x.sum(1)


# --- products -----------------------------------------------------------------

def _matmul_vsla(a, b):
    import vsla

    return vsla.matmul(a, b)


def _matmul_torch(a, b):
    import torch

    # The inner axis is ambient-promoted: zeros beyond the shorter one.
    k = min(a.shape[1], b.shape[0])
    return torch.matmul(a[:, :k], b[:k, :])


def _matmul_jax(a, b):
    import jax.numpy as jnp

    return jnp.matmul(a, b, precision="highest")


def _batch_matmul_vsla(a, b):
    import vsla

    return vsla.matmul(a, b) * 2.0


def _batch_matmul_torch(a, b):
    import torch

    return torch.matmul(a, b) * 2.0


def _conv_vsla(x, h):
    import vsla

    return vsla.conv(x, h)


def _conv_torch(x, h):
    import torch

    # Full convolution: correlate with the reversed kernel over a padded signal.
    k = h.shape[-1]
    out = torch.nn.functional.conv1d(x.reshape(1, 1, -1), h.flip(-1).reshape(1, 1, -1),
                                     padding=k - 1)
    return out.reshape(-1)


def _kron_vsla(a, b):
    import vsla

    return vsla.kron(a, b)


def _kron_torch(a, b):
    import torch

    return torch.kron(a, b)


# --- gradients and a training step -------------------------------------------

def _conv_grad_vsla(x, h):
    import vsla

    return vsla.grad(lambda x, h: vsla.sum(vsla.conv(x, h) ** 2), argnums=(0, 1))(x, h)


def _conv_grad_torch(x, h):

    x, h = x.clone().requires_grad_(), h.clone().requires_grad_()
    (_conv_torch(x, h) ** 2).sum().backward()
    return x.grad, h.grad


MLP = (784, 1024, 1024, 10)
BATCH = 512
LR = 0.01


def _mlp_inputs():
    def weight(n_in, n_out):
        return lambda rng: (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(
            np.float32)

    def bias(n_out):
        return lambda rng: (0.1 * rng.standard_normal(n_out)).astype(np.float32)

    specs = []
    for n_in, n_out in zip(MLP[:-1], MLP[1:]):
        specs += [weight(n_in, n_out), bias(n_out)]
    specs.append((np.float32, (BATCH, MLP[0])))
    specs.append(lambda rng: np.eye(MLP[-1], dtype=np.float32)[
        rng.integers(0, MLP[-1], BATCH)])
    return specs


def _mlp_loss_vsla(w1, b1, w2, b2, w3, b3, x, y):
    import vsla

    def linear(h, w, b):
        z = vsla.matmul(h, w)
        return z + vsla.broadcast_to(b, z.shape)

    h = vsla.relu(linear(x, w1, b1))
    h = vsla.relu(linear(h, w2, b2))
    logits = linear(h, w3, b3)
    return -vsla.mean(vsla.sum(vsla.log_softmax(logits, axis=1) * y, axis=1))


def _sgd_step_vsla(loss, lr, params, data):
    """One SGD step of `loss(*params, *data)`: the new parameters, then the loss."""
    import vsla

    value, grads = vsla.value_and_grad(loss, argnums=tuple(range(len(params))))(
        *params, *data)
    return tuple(p - lr * g for p, g in zip(params, grads)) + (value,)


def _sgd_step_torch(loss, lr, params, data):
    """The same step in PyTorch."""
    import torch

    params = [p.detach().clone().requires_grad_() for p in params]
    value = loss(*params, *data)
    grads = torch.autograd.grad(value, params)
    with torch.no_grad():
        return tuple(p - lr * g for p, g in zip(params, grads)) + (value.detach(),)


def _mlp_step_vsla(w1, b1, w2, b2, w3, b3, x, y):
    return _sgd_step_vsla(_mlp_loss_vsla, LR, (w1, b1, w2, b2, w3, b3), (x, y))


def _mlp_loss_torch(w1, b1, w2, b2, w3, b3, x, y):
    import torch

    h = torch.relu(x @ w1 + b1)
    h = torch.relu(h @ w2 + b2)
    logits = h @ w3 + b3
    return -(torch.log_softmax(logits, 1) * y).sum(1).mean()


def _mlp_step_torch(*args):
    return _sgd_step_torch(_mlp_loss_torch, LR, args[:6], args[6:])


def _mlp_step_jax(*args):
    import jax
    import jax.numpy as jnp

    def loss_fn(params, x, y):
        w1, b1, w2, b2, w3, b3 = params
        hp = "highest"
        h = jax.nn.relu(jnp.matmul(x, w1, precision=hp) + b1)
        h = jax.nn.relu(jnp.matmul(h, w2, precision=hp) + b2)
        logits = jnp.matmul(h, w3, precision=hp) + b3
        return -(jax.nn.log_softmax(logits, 1) * y).sum(1).mean()

    params = args[:6]
    loss, grads = jax.value_and_grad(loss_fn)(params, *args[6:])
    return tuple(p - LR * g for p, g in zip(params, grads)) + (loss,)


# --- layout, math, more gradients, other element types ------------------------

def _layout_vsla(a, b, c):
    import vsla

    joined = vsla.concat([vsla.transpose(a), vsla.reshape(a, (7, 5))], axis=0)
    return joined * 2.0, vsla.stack([vsla.reverse(b, axis=0), c])


def _layout_torch(a, b, c):
    import torch

    joined = torch.cat([a.T, a.reshape(7, 5)], 0)
    n = max(b.shape[0], c.shape[0])
    return joined * 2.0, torch.stack([_pad_torch(b.flip(0), n), _pad_torch(c, n)])


def _math_vsla(x, y):
    import vsla

    z = vsla.gelu(x) + vsla.erf(y) + vsla.sin(x) * vsla.cos(y) + vsla.sigmoid(x)
    w = vsla.log(vsla.abs(x) + 1.0) - vsla.sqrt(vsla.abs(y)) + vsla.power(vsla.abs(x), 1.5)
    return z, vsla.maximum(w, z) - vsla.minimum(x, y) + vsla.exp(-vsla.abs(x))


def _math_torch(x, y):
    import torch

    z = (torch.nn.functional.gelu(x) + torch.erf(y) + torch.sin(x) * torch.cos(y)
         + torch.sigmoid(x))
    w = torch.log(x.abs() + 1.0) - torch.sqrt(y.abs()) + x.abs() ** 1.5
    return z, torch.maximum(w, z) - torch.minimum(x, y) + torch.exp(-x.abs())


def _softmax_grad_vsla(x):
    import vsla

    return vsla.grad(lambda x: vsla.sum(vsla.softmax(x, axis=1) ** 2))(x)


def _softmax_grad_torch(x):
    import torch

    x = x.clone().requires_grad_()
    (torch.softmax(x, 1) ** 2).sum().backward()
    return x.grad


def _matmul_grad_vsla(a, b):
    import vsla

    return vsla.grad(lambda a, b: vsla.sum(vsla.tanh(vsla.matmul(a, b))),
                     argnums=(0, 1))(a, b)


def _matmul_grad_torch(a, b):
    import torch

    a, b = a.clone().requires_grad_(), b.clone().requires_grad_()
    torch.tanh(a @ b).sum().backward()
    return a.grad, b.grad


def _wide_types_vsla(i, d):
    import vsla

    return (vsla.sum(i), vsla.max(i, axis=0), vsla.sum(d, axis=1),
            vsla.cast(vsla.sum(i, axis=1), "float64") * vsla.sum(d, axis=0))


def _wide_types_torch(i, d):
    return i.sum(), i.amax(0), d.sum(1), _pad_torch(i.sum(1).double(), d.shape[1]) * d.sum(0)


def _cross_entropy_vsla(logits, labels):
    from vsla import nn

    return nn.cross_entropy(logits, labels)


def _cross_entropy_torch(logits, labels):
    import torch

    return torch.nn.functional.cross_entropy(logits, labels)


def _labels(n, classes, bad=False):
    def make(rng):
        labels = rng.integers(0, classes, n)
        if bad:
            labels[n // 2] = classes  # out of range: the check must fail the call
        return labels
    return make


def _classifier_params():
    rng = np.random.default_rng(7)
    return [(rng.standard_normal(shape) * 0.3).astype(np.float32)
            for shape in ((64, 128), (128,), (128, 10), (10,))]


def _classifier_vsla():
    from vsla import nn

    model = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 10))
    for (_, parameter), value in zip(model.named_parameters(), _classifier_params()):
        parameter._array[...] = value
    model.eval()
    return model


def _classifier_torch(x):
    import torch

    w1, b1, w2, b2 = (torch.from_numpy(p).to(x.device) for p in _classifier_params())
    return torch.nn.functional.gelu(x @ w1 + b1) @ w2 + b2


N16M = 1 << 24


# --- ragged batches: a thread block per item --------------------------------
# A ragged batch crosses as two inputs: its packed values and its shapes table
# (int64 [n, rank]); `ragged` names the position of each such pair.

def _lengths(count, low, high, seed):
    return np.random.default_rng(seed).integers(low, high + 1, count)


def _packed(lengths, item=lambda n: (n,)):
    """The pair of input specs of a ragged batch of items of shapes item(n)."""
    shapes = np.array([item(int(n)) for n in lengths], np.int64)
    total = int(np.prod(shapes, axis=1).sum())
    return [lambda rng: rng.standard_normal(total).astype(np.float32), lambda rng: shapes]


def _pool_vsla(x):
    import vsla

    return vsla.sum(vsla.softmax(x, axis=0) * vsla.tanh(x))


def _ragged_pool_vsla(r):
    import vsla

    return vsla.vmap(_pool_vsla)(r)


def _padded(values, lengths):
    """PyTorch's way: the items zero-padded to the longest, and the mask of real
    positions (row-major packing is the mask's order)."""
    import torch

    width = int(lengths.max())
    mask = torch.arange(width, device=values.device)[None, :] < lengths[:, None]
    padded = values.new_zeros((lengths.numel(), width))
    padded[mask] = values
    return padded, mask


def _ragged_pool_torch(values, shapes):
    import torch

    x, mask = _padded(values, shapes[:, 0])
    p = torch.softmax(x.masked_fill(~mask, float("-inf")), dim=1)
    return (p * torch.tanh(x)).sum(dim=1)


def _ragged_pool_grad_vsla(r):
    import vsla

    # The gradient's items have the batch's shapes: its packed values.
    return vsla.grad(lambda r: vsla.sum(_ragged_pool_vsla(r)))(r).values


def _ragged_pool_grad_torch(values, shapes):
    values = values.clone().requires_grad_()
    _ragged_pool_torch(values, shapes).sum().backward()
    return values.grad


def _ragged_conv_grad_vsla(r, w):
    import vsla

    def loss(w, r):
        item = lambda x, w: vsla.sum(vsla.tanh(vsla.conv(x, w)))  # noqa: E731
        return vsla.sum(vsla.vmap(item, in_axes=(0, None))(r, w))
    w_grad, r_grad = vsla.grad(loss, argnums=(0, 1))(w, r)
    return w_grad, r_grad.values


def _ragged_conv_grad_torch(values, shapes, w):
    import torch

    values, w = values.clone().requires_grad_(), w.clone().requires_grad_()
    total, start = 0, 0
    for n in shapes[:, 0].tolist():  # item by item: a full convolution each
        x = values[start:start + n]
        start += n
        full = torch.nn.functional.conv1d(x[None, None], w.flip(0)[None, None],
                                          padding=w.numel() - 1)
        total = total + torch.tanh(full).sum()
    total.backward()
    return w.grad, values.grad


# PLAID-shaped training (benchmarks/plaid.py's model): per series conv(1->16, 7),
# relu, conv(16->16, 7), relu, mean over time, linear to 11 classes; cross
# entropy over a ragged mini-batch, one SGD step. VSLA maps the model over the
# series at their own lengths; PyTorch pads the batch and masks.
PLAID_BATCH, PLAID_C, PLAID_K, PLAID_CLASSES, PLAID_LR = 32, 16, 7, 11, 0.05


def _plaid_inputs():
    def param(shape, scale):
        return lambda rng: (scale * rng.standard_normal(shape)).astype(np.float32)

    c, k = PLAID_C, PLAID_K
    specs = [param((c, 1, k), 1 / np.sqrt(k)), param((c,), 0.1),
             param((c, c, k), 1 / np.sqrt(c * k)), param((c,), 0.1),
             param((c, PLAID_CLASSES), 1 / np.sqrt(c)), param((PLAID_CLASSES,), 0.1)]
    specs += _packed(_lengths(PLAID_BATCH, 100, 1344, 11), lambda n: (1, 1, n))
    specs.append(lambda rng: rng.integers(0, PLAID_CLASSES, PLAID_BATCH).astype(np.int32))
    return specs


def _plaid_loss_vsla(w1, b1, w2, b2, wh, bh, series, labels):
    import vsla
    from vsla.nn import _channel_conv, cross_entropy

    def layer(x, w, b):
        y = _channel_conv(x, w, PLAID_K, "same")
        return vsla.relu(y + vsla.broadcast_to(vsla.reshape(b, (1, PLAID_C, 1)), y.shape))

    def one(x):
        h = layer(layer(x, w1, b1), w2, b2)
        z = vsla.matmul(vsla.mean(h, axis=2), wh)
        return z + vsla.broadcast_to(bh, z.shape)
    logits = vsla.reshape(vsla.vmap(one, out="stack")(series), (-1, PLAID_CLASSES))
    return cross_entropy(logits, labels)


def _plaid_step_vsla(w1, b1, w2, b2, wh, bh, series, labels):
    return _sgd_step_vsla(_plaid_loss_vsla, PLAID_LR, (w1, b1, w2, b2, wh, bh),
                          (series, labels))


def _plaid_loss_torch(w1, b1, w2, b2, wh, bh, values, shapes, labels):
    import torch
    import torch.nn.functional as F

    lengths = shapes[:, 2]
    x, mask = _padded(values, lengths)
    m = mask[:, None, :].to(values.dtype)
    # vsla.conv is a convolution (the taps flipped), "same" as numpy.convolve.
    h = torch.relu(F.conv1d(x[:, None, :], w1.flip(-1), b1, padding=PLAID_K // 2)) * m
    h = torch.relu(F.conv1d(h, w2.flip(-1), b2, padding=PLAID_K // 2)) * m
    logits = (h.sum(2) / lengths[:, None].to(values.dtype)) @ wh + bh
    return F.cross_entropy(logits, labels.long())


def _plaid_step_torch(*args):
    return _sgd_step_torch(_plaid_loss_torch, PLAID_LR, args[:6], args[6:])


RAGGED_CASES = [
    Case("ragged_pool_grad", _packed(_lengths(64, 1, 300, 5)), _ragged_pool_grad_vsla,
         _ragged_pool_grad_torch, ragged=(0,)),
    Case("ragged_conv_grad", _packed(_lengths(40, 1, 200, 6)) + [(np.float32, (7,))],
         _ragged_conv_grad_vsla, _ragged_conv_grad_torch, ragged=(0,), tolerance=1e-3),
    Case("ragged_pool", _packed(_lengths(512, 16, 2048, 3)), _ragged_pool_vsla,
         _ragged_pool_torch, ragged=(0,),
         bench="ragged pool sum(softmax(x) * tanh(x)), 512 series of 16-2048 "
               "(VSLA: a block per item; PyTorch: pad + mask per call)",
         torch_compile=False),
    Case("plaid_step", _plaid_inputs(), _plaid_step_vsla, _plaid_step_torch, ragged=(6,),
         bench=f"PLAID-shaped SGD train step, ragged batch of {PLAID_BATCH} series of "
               "100-1344 (VSLA: a block per series; PyTorch: padded + masked)",
         tolerance=1e-3, torch_compile=False),
]

CASES = [
    Case("chain", [(np.float32, (65537,))] * 2, _chain_vsla, _chain_torch),
    Case("ambient", [(np.float32, (1000,)), (np.float32, (37,))], _ambient_vsla,
         _ambient_torch),
    Case("ambient2d", [(np.float32, (300, 17)), (np.float32, (129, 400))], _ambient2d_vsla,
         _ambient2d_torch),
    Case("reductions", [(np.float32, (513, 301))], _reductions_vsla, _reductions_torch),
    Case("softmax", [(np.float32, (257, 1000))], _softmax_vsla, _softmax_torch),
    Case("matmul", [(np.float32, (129, 65)), (np.float32, (60, 33))], _matmul_vsla,
         _matmul_torch),
    Case("batch_matmul", [(np.float32, (3, 40, 50)), (np.float32, (3, 50, 20))],
         _batch_matmul_vsla, _batch_matmul_torch),
    Case("conv", [(np.float32, (4099,)), (np.float32, (17,))], _conv_vsla, _conv_torch),
    Case("kron", [(np.float32, (37,)), (np.float32, (19,))], _kron_vsla, _kron_torch),
    Case("layout", [(np.float32, (5, 7)), (np.float32, (6,)), (np.float32, (9,))],
         _layout_vsla, _layout_torch),
    Case("math", [(np.float32, (3001,))] * 2, _math_vsla, _math_torch, tolerance=1e-4),
    Case("softmax_grad", [(np.float32, (65, 130))], _softmax_grad_vsla, _softmax_grad_torch,
         tolerance=1e-3),
    Case("matmul_grad", [(np.float32, (66, 70)), (np.float32, (70, 31))], _matmul_grad_vsla,
         _matmul_grad_torch, tolerance=1e-3),
    Case("wide_types", [lambda rng: rng.integers(-50, 50, (40, 3)),
                        (np.float64, (5, 300))], _wide_types_vsla, _wide_types_torch),
    Case("cross_entropy", [(np.float32, (64, 10)), _labels(64, 10)], _cross_entropy_vsla,
         _cross_entropy_torch),
    Case("bad_labels", [(np.float32, (64, 10)), _labels(64, 10, bad=True)],
         _cross_entropy_vsla, None, expect_error="a class label is out of range"),
    # An exported nn.Module: its parameters are the artifact's constants, bound in
    # on every call (copied to the device once).
    Case("classifier", [(np.float32, (33, 64))], _classifier_vsla, _classifier_torch,
         module=True),
    Case("conv_grad", [(np.float32, (999,)), (np.float32, (13,))], _conv_grad_vsla,
         _conv_grad_torch, tolerance=1e-3),
    Case("mlp_step", _mlp_inputs(), _mlp_step_vsla, _mlp_step_torch, _mlp_step_jax,
         bench=f"MLP {'-'.join(map(str, MLP))} SGD train step, batch {BATCH}",
         tolerance=1e-3, cpu_reference=False),
    # Benchmark rows: too large to ship a CPU reference.
    Case("chain_16m", [(np.float32, (N16M,))] * 2, _chain_vsla, _chain_torch, _chain_jax,
         bench="fused chain tanh(1.5a + b) * sigmoid(a), 16M f32", cpu_reference=False),
    Case("rowsum_4k", [(np.float32, (4096, 4096))], _rowsum_big_vsla, _rowsum_big_torch,
         _rowsum_big_jax, bench="row sums of 4096x4096 f32", tolerance=1e-3,
         cpu_reference=False),
    Case("matmul_4096", [(np.float32, (4096, 4096))] * 2, _matmul_vsla, _matmul_torch,
         _matmul_jax, bench="f32 matmul 4096x4096x4096 (no TF32)", tolerance=1e-3,
         cpu_reference=False),
] + RAGGED_CASES

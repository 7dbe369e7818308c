"""vsla.nn and vsla.optim: layers and losses against NumPy, parameter handling,
optimizer updates against their formulas, and compiled training steps."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import vsla
from conftest import assert_close
from vsla import nn, optim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_parameters_are_registered_in_order():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2, bias=False))
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight"]
    assert all(isinstance(p, nn.Parameter) for p in model.parameters())
    assert model[0].weight.shape == (3, 4)


def test_state_dict_round_trip_and_errors():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    assert_close(b.weight, a.weight)
    state = a.state_dict()
    state["weight"] += 1.0  # a copy: the module is unchanged
    assert not np.allclose(state["weight"], a.weight.numpy())
    with pytest.raises(KeyError, match="missing"):
        b.load_state_dict({"weight": state["weight"]})
    with pytest.raises(vsla.ShapeError):
        b.load_state_dict({"weight": np.ones((2, 2)), "bias": state["bias"]})


def test_train_and_eval_modes():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    assert model.training and model[1].training
    model.eval()
    assert not model[1].training
    x = np.ones((3, 2), np.float32)
    assert_close(model(x), model[0](x))


def test_linear_layernorm_embedding_against_numpy():
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    lin = nn.Linear(3, 4)
    assert_close(lin(x), x @ lin.weight.numpy() + lin.bias.numpy())
    ln = nn.LayerNorm(3)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    assert_close(ln(x), ref)
    emb = nn.Embedding(6, 2)
    idx = np.array([[0, 5], [3, 3]])
    assert_close(emb(idx), emb.weight.numpy()[idx])


def test_conv1d_on_variable_lengths():
    layer = nn.Conv1d(2, 3, kernel_size=3, mode="same")
    w, b = layer.weight.numpy(), layer.bias.numpy()
    f = vsla.jit(lambda x: layer(x))
    for length in (4, 9):
        x = np.random.default_rng(length).standard_normal((2, 2, length)).astype(np.float32)
        ref = np.zeros((2, 3, length), np.float32)
        for n in range(2):
            for o in range(3):
                ref[n, o] = sum(np.convolve(x[n, i], w[o, i], "same") for i in range(2)) + b[o]
        assert_close(f(x), ref)
    assert f.cache_size() == 1


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shape", [(0, 2, 9), (2, 2, 0), (1, 2, 1), (3, 2, 7), (1, 2, 30)])
def test_conv1d_matches_numpy_on_edge_shapes(mode, shape):
    # Empty batches, empty and short signals (shorter than the kernel), under jit.
    layer = nn.Conv1d(2, 3, kernel_size=5, mode=mode)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    got = np.asarray(vsla.jit(lambda x: layer(x))(x))
    batch, _, length = shape
    if length == 0:
        assert got.shape == (batch, 3, 0)
        return
    ref = np.stack([np.stack([sum(np.convolve(x[n, i], w[o, i], mode) for i in range(2)) + b[o]
                              for o in range(3)]) for n in range(batch)]) if batch else None
    if ref is None:
        assert got.shape[:2] == (0, 3)
        return
    assert_close(got, ref.astype(np.float32))


def test_activations_and_losses():
    x = np.array([[-1.0, 0.5, 2.0]], np.float32)
    assert_close(nn.ReLU()(x), np.maximum(x, 0))
    assert_close(nn.Sigmoid()(x), 1 / (1 + np.exp(-x)))
    assert_close(nn.Tanh()(x), np.tanh(x))
    assert_close(nn.mse_loss(x, np.zeros_like(x)), np.mean(x * x))
    logits = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]], np.float32)
    labels = np.array([0, 2])
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    assert_close(nn.cross_entropy(logits, labels), -logp[[0, 1], labels].mean())
    p = np.array([0.2, 0.9], np.float32)
    t = np.array([0.0, 1.0], np.float32)
    assert_close(nn.binary_cross_entropy(p, t),
                 -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))


def test_dropout_is_seeded_and_scaled():
    layer = nn.Dropout(0.25)
    x = np.ones((200, 50), np.float32)
    with nn.random_seed(3):
        a = layer(x).numpy()
    with nn.random_seed(3):
        b = layer(x).numpy()
    assert_close(a, b)
    kept = a != 0
    assert 0.7 < kept.mean() < 0.8
    assert_close(a[kept], np.full(kept.sum(), 1 / 0.75))


def _dropout(layer, x, seed):
    with nn.random_seed(seed):
        return layer(x)


def test_dropout_inside_jit_needs_a_seed():
    layer = nn.Dropout(0.5)
    with pytest.raises(vsla.TracingError, match="random_seed"):
        vsla.jit(lambda x: layer(x))(np.ones(3, np.float32))
    f = vsla.jit(lambda x, s: _dropout(layer, x, s))
    one = f(np.ones((50, 40), np.float32), np.array(1.0, np.float32)).numpy()
    two = f(np.ones((50, 40), np.float32), np.array(2.0, np.float32)).numpy()
    assert 0.4 < (one != 0).mean() < 0.6
    assert not np.array_equal(one, two)
    assert f.cache_size() == 1


def _numpy_params(model):
    return [p.numpy().copy() for p in model.parameters()]


def test_sgd_momentum_weight_decay_matches_formula():
    model = nn.Linear(2, 1)
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    y = np.array([[1.0], [0.0]], np.float32)
    opt = optim.SGD(model, lr=0.1, momentum=0.9, weight_decay=0.01)
    grad = vsla.grad(lambda p: nn.mse_loss(model.apply(dict(zip(opt.names, p)), x), y))
    w, b = _numpy_params(model)
    velocity = [np.zeros_like(w), np.zeros_like(b)]
    for _ in range(2):
        gw, gb = (np.asarray(g) for g in grad(model.parameters()))
        for i, (p, g) in enumerate(((w, gw), (b, gb))):
            g = g + 0.01 * p
            velocity[i] = 0.9 * velocity[i] + g
            p -= 0.1 * velocity[i]
        opt.step(grad(model.parameters()))
        assert_close(model.weight, w, np.float32)
        assert_close(model.bias, b, np.float32)


@pytest.mark.parametrize("cls,decoupled", [(optim.Adam, False), (optim.AdamW, True)])
def test_adam_matches_formula(cls, decoupled):
    model = nn.Linear(2, 1)
    x = np.array([[1.0, 2.0]], np.float32)
    y = np.array([[3.0]], np.float32)
    opt = cls(model, lr=0.01, weight_decay=0.1)
    grad = vsla.grad(lambda p: nn.mse_loss(model.apply(dict(zip(opt.names, p)), x), y))
    params = _numpy_params(model)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, 4):
        grads = [np.asarray(g) for g in grad(model.parameters())]
        for i, (p, g) in enumerate(zip(params, grads)):
            if not decoupled:
                g = g + 0.1 * p
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            step = (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
            if decoupled:
                step = step + 0.1 * p
            p -= 0.01 * step
        opt.step(grad(model.parameters()))
        for p, ref in zip(model.parameters(), params):
            np.testing.assert_allclose(p.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_schedules():
    lr = optim.cosine_schedule(1.0, 10, warmup_steps=2)
    assert lr(0) == 0.5 and lr(1) == 1.0
    assert math.isclose(lr(10), 0.0, abs_tol=1e-12)
    assert optim.step_schedule(1.0, 3, 0.5)(7) == 0.25


def test_train_step_compiles_once_and_learns():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    vsla.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = optim.Adam(model, lr=optim.step_schedule(0.05, 150, 0.5))
    step = optim.train_step(model, nn.cross_entropy, opt)
    first = float(step(x, y))
    for i in range(300):
        batch = slice((i * 37) % 150, (i * 37) % 150 + 20 + i % 30)  # batch sizes vary
        step(x[batch], y[batch])
    assert float(nn.cross_entropy(model(x), y)) < first * 0.5
    assert step.cache_size() == 1


def test_train_digits_example_shortened():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "train_digits.py"),
                             "--epochs", "8"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.split("test accuracy:")[1])
    assert accuracy >= 0.9, result.stdout

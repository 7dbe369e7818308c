"""Ragged batches and vmap: the packed layout, vmap against per-item results for
every op family, gradients against finite differences, jit/grad/train-step
composition, and bad input (named errors, eager and under jit)."""

import numpy as np
import pytest
from conftest import assert_close

import vsla
from vsla import nn, optim

RNG = np.random.default_rng(7)


def series(lengths, dtype=np.float32, leading=()):
    return [RNG.standard_normal((*leading, n)).astype(dtype) for n in lengths]


# -- the ragged batch ------------------------------------------------------------------


def test_pack_and_views():
    items = series([3, 0, 5])
    r = vsla.ragged(items)
    assert len(r) == 3 and r.ndim == 1 and r.dtype == np.float32
    assert r.shapes.tolist() == [[3], [0], [5]]
    assert r.offsets.tolist() == [0, 3, 3, 8]
    assert r.values.shape == (8,)
    for got, want in zip(r, items):
        assert_close(got, want)
    # Items are views of the packed values.
    assert np.shares_memory(r[2].numpy(), r.values.numpy())
    assert_close(r[-1], items[-1])
    sub = r[1:]
    assert len(sub) == 2 and sub.shapes.tolist() == [[0], [5]]
    assert_close(sub[1], items[2])
    assert [t.shape for t in r[::2]] == [(3,), (5,)]


def test_stack_is_ambient():
    r = vsla.ragged([[10.0, 20.0], [30.0, 40.0, 50.0], [60.0]])
    assert r.stack().numpy().tolist() == [[10, 20, 0], [30, 40, 50], [60, 0, 0]]
    m = vsla.ragged([np.ones((2, 1)), np.ones((1, 3))])
    assert m.stack().shape == (2, 2, 3)


def test_from_packed_and_lengths_do_not_copy():
    values = np.arange(10.0, dtype=np.float32)
    r = vsla.Ragged.from_packed(values, [[2, 2], [3, 2]])
    assert np.shares_memory(r.values.numpy(), values)
    assert_close(r[1], values[4:].reshape(3, 2))
    rows = np.arange(12.0, dtype=np.float32).reshape(6, 2)
    q = vsla.Ragged.from_lengths(rows, [1, 0, 5])
    assert np.shares_memory(q.values.numpy(), rows)
    assert [t.shape for t in q] == [(1, 2), (0, 2), (5, 2)]
    assert_close(q[2], rows[1:])


def test_empty_batch_and_empty_items():
    e = vsla.ragged([], dtype=np.float32)
    assert len(e) == 0 and e.values.shape == (0,) and e.stack().shape == (0, 0)
    assert vsla.vmap(lambda x: vsla.sum(x))(e).shape == (0,)
    out = vsla.vmap(lambda x: x * 2.0)(e)
    assert len(out) == 0
    z = vsla.ragged([np.zeros(0, np.float32), np.ones(2, np.float32)])
    assert vsla.vmap(lambda x: vsla.sum(x))(z).numpy().tolist() == [0.0, 2.0]


@pytest.mark.parametrize("make, error", [
    (lambda: vsla.ragged([np.ones(3), np.ones((1, 3))]), vsla.ShapeError),
    (lambda: vsla.ragged([np.ones(3, np.float32), np.ones(3)]), vsla.DTypeError),
    (lambda: vsla.ragged([np.array(["a"])]), vsla.DTypeError),
    (lambda: vsla.Ragged.from_packed(np.ones(5, np.float32), [[2], [2]]), vsla.ShapeError),
    (lambda: vsla.Ragged.from_packed(np.ones(5, np.float32), [[-1], [6]]), vsla.ShapeError),
    (lambda: vsla.Ragged.from_packed(np.ones((5, 1), np.float32), [[5]]), vsla.ShapeError),
    (lambda: vsla.Ragged.from_lengths(np.ones((4, 2), np.float32), [1, 2]), vsla.ShapeError),
])
def test_bad_batches_are_named_errors(make, error):
    with pytest.raises(error):
        make()


def test_huge_and_inconsistent_layouts_are_checked_eager_and_jit():
    with pytest.raises(vsla.ShapeError, match="more elements than any buffer"):
        vsla.Ragged.from_packed(np.ones(4, np.float32), [[2**40, 2**40], [1, 0]])
    f = vsla.jit(lambda xs: vsla.vmap(lambda x: vsla.sum(x))(xs))
    values = np.ones(4, np.float32)
    # Layouts that bypass the constructor's checks meet the compiled ones.
    bad = [np.array([[2**40, 2**40]], np.int64), np.array([[-1, 4]], np.int64),
           np.array([[2, 3]], np.int64), np.array([[1, 2]], np.int64)]
    for shapes in bad:
        with pytest.raises(vsla.ShapeError, match="vsla.map: "):
            f(vsla.Ragged(values, shapes))


def test_the_raw_constructor_checks_the_kinds_of_its_parts():
    for values, shapes in [(np.ones(4, np.float32), np.array([[2], [2]], np.int32)),
                           (np.ones(4, np.float32), np.array([2, 2])),
                           (np.ones(4, np.float32), [[2], [2]]),
                           (np.ones((2, 2), np.float32), np.array([[2], [2]]))]:
        with pytest.raises(vsla.DTypeError, match="vsla.Ragged takes"):
            vsla.Ragged(values, shapes)


def test_index_errors():
    r = vsla.ragged([[1.0], [2.0]])
    with pytest.raises(IndexError):
        r[2]
    with pytest.raises(TypeError):
        r[0.5]


# -- vmap against per-item results -------------------------------------------------


H = RNG.standard_normal(3).astype(np.float32)
W = RNG.standard_normal((4, 3)).astype(np.float32)

CASES = {
    # elementwise with ambient promotion against a shared operand
    "add_promote": (lambda x: x + H, lambda x: _pad_add(x, H)),
    "scalar_chain": (lambda x: vsla.tanh(x * 2.0 + 1.0), lambda x: np.tanh(x * 2 + 1)),
    "conv": (lambda x: vsla.conv(x, H), lambda x: np.convolve(x, H) if len(x) else x),
    "sum": (lambda x: vsla.sum(x * x), lambda x: np.sum(x * x)),
    "mean_max": (lambda x: vsla.max(x) + vsla.mean(x),
                 lambda x: np.max(x) + np.mean(x)),
    "softmax": (lambda x: vsla.softmax(x), lambda x: np.exp(x) / np.exp(x).sum()),
}


def _pad_add(x, h):
    n = max(len(x), len(h))
    out = np.zeros(n, np.float32)
    out[:len(x)] += x
    out[:len(h)] += h
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_equals_per_item(name):
    f, ref = CASES[name]
    items = series([4, 1, 7, 2]) if name in ("mean_max", "softmax") else series([4, 0, 7, 2])
    out = vsla.vmap(f)(vsla.ragged(items))
    outs = list(out) if isinstance(out, (vsla.Ragged, vsla.Tensor)) else out
    for got, x in zip(outs, items):
        assert_close(got, np.asarray(ref(x), np.float32))


def test_vmap_matmul_and_layers():
    items = series([3, 5, 1], leading=(3,))            # items [3, n]
    got = vsla.vmap(lambda x, w: vsla.matmul(w, x), in_axes=(0, None))(vsla.ragged(items), W)
    for g, x in zip(got, items):
        assert_close(g, W @ x)
    vsla.manual_seed(0)
    conv = nn.Conv1d(3, 2, 3, mode="same")
    lin = nn.Linear(2, 5)
    net = lambda x: lin(vsla.mean(vsla.relu(conv(x)), axis=2))  # noqa: E731
    batch = vsla.ragged([x.reshape(1, 3, -1) for x in items])
    out = vsla.vmap(net)(batch)
    for g, x in zip(out, items):
        assert_close(g, net(x.reshape(1, 3, -1)), np.float32)


def test_outputs_stack_or_ragged():
    items = series([2, 4])
    r = vsla.ragged(items)
    stacked = vsla.vmap(lambda x: x * 1.0, out="stack")(r)
    assert_close(stacked, r.stack())
    kept = vsla.vmap(lambda x: vsla.sum(x), out="ragged")(r)
    assert isinstance(kept, vsla.Ragged) and kept.shapes.tolist() == [[], []]
    # "auto": a uniform ragged result comes back dense, a view of the packed values.
    same = vsla.vmap(lambda x: vsla.sum(x, axis=1))(vsla.ragged(series([3, 5], leading=(2,))))
    assert isinstance(same, vsla.Tensor) and same.shape == (2, 2)
    # Several results, as a pytree.
    a, (b,) = vsla.vmap(lambda x: (vsla.sum(x), [x + 1.0]))(r)
    assert a.shape == (2,) and isinstance(b, vsla.Ragged)


def test_dense_mapped_and_shared():
    x = RNG.standard_normal((5, 3)).astype(np.float32)
    y = RNG.standard_normal((5, 3)).astype(np.float32)
    out = vsla.vmap(lambda a, b, s: vsla.sum(a * b) * s, in_axes=(0, 0, None))(x, y, 2.0)
    assert_close(out, (x * y).sum(1) * 2)
    mixed = vsla.vmap(lambda a, b: vsla.sum(a) + vsla.sum(b))(vsla.ragged(series([1, 2, 3, 4, 5])), x)
    assert mixed.shape == (5,)


def test_int_items():
    r = vsla.ragged([np.arange(3), np.arange(5)])
    assert vsla.vmap(lambda x: vsla.sum(x))(r).numpy().tolist() == [3, 10]


def test_nested_vmap_and_closures():
    outer = vsla.ragged([np.ones((2, 3), np.float32), np.ones((4, 1), np.float32)])
    inner = vsla.vmap(lambda x: vsla.vmap(lambda row: vsla.sum(row))(x))(outer)
    assert [t.numpy().tolist() for t in inner] == [[3, 3], [1, 1, 1, 1]]

    @vsla.jit
    def f(xs, h):
        s = h * 2.0  # a value of the enclosing function, used by every item
        # s.shape[0] is an extent of the enclosing function's value
        return vsla.vmap(lambda x: vsla.sum(vsla.conv(x, vsla.reshape(s, (s.shape[0],)))))(xs)

    items = series([3, 6])
    got = f(vsla.ragged(items), H)
    assert_close(got, [np.convolve(x, 2 * H).sum() for x in items])


# -- jit: one compile for any batch ---------------------------------------------------


def test_one_compile_for_any_lengths_and_counts():
    f = vsla.jit(lambda xs, h: vsla.vmap(lambda x: vsla.conv(x, h))(xs))
    for lengths in ([3], [5, 1, 8], [2] * 40, []):
        items = series(lengths)
        out = f(vsla.ragged(items, dtype=np.float32), H)
        assert len(out) == len(lengths)
        for got, x in zip(out, items):
            assert_close(got, np.convolve(x, H))
    assert f.cache_size() == 1


def test_vmap_wrappers_of_one_function_share_its_compiles():
    def energy(x):
        return vsla.sum(x * x)

    for n in range(3):
        vsla.vmap(energy)(vsla.ragged(series([n + 1, 2])))
    assert len(vsla._ragged._compiled_maps[energy]) == 1
    assert next(iter(vsla._ragged._compiled_maps[energy].values())).cache_size() == 1


def test_jit_returns_and_passes_ragged():
    f = vsla.jit(lambda xs: (xs, vsla.vmap(lambda x: x * 3.0)(xs)))
    r = vsla.ragged(series([2, 3]))
    same, tripled = f(r)
    assert same.shapes.tolist() == [[2], [3]]
    assert_close(tripled[1], r[1].numpy() * 3)


# -- gradients -----------------------------------------------------------------------


def assert_gradient(actual, expected):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-6, atol=1e-7)


def _finite_difference(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        d = np.zeros_like(x)
        d.flat[i] = eps
        g.flat[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def test_grad_shared_and_ragged_match_finite_differences():
    items = series([4, 1, 6], dtype=np.float64)
    h = RNG.standard_normal(3)

    def item_loss(h, x):
        return vsla.sum(vsla.tanh(vsla.conv(x, h)) ** 2) + vsla.max(x)

    def loss(h, xs):
        return vsla.sum(vsla.vmap(item_loss, in_axes=(None, 0))(h, xs))

    value, (gh, gx) = vsla.value_and_grad(loss, argnums=(0, 1))(h, vsla.ragged(items))
    packed = vsla.ragged(items).values.numpy()
    shapes = vsla.ragged(items).shapes

    def numeric(h_, p_):
        return float(loss(h_, vsla.Ragged.from_packed(p_, shapes)))

    assert_close(float(value), numeric(h, packed))
    assert_gradient(gh, _finite_difference(lambda v: numeric(v, packed), h))
    assert isinstance(gx, vsla.Ragged) and gx.shapes.tolist() == shapes.tolist()
    assert_gradient(gx.values, _finite_difference(lambda v: numeric(h, v), packed))


def test_grad_of_stacked_vector_results():
    items = series([3, 5], dtype=np.float64, leading=(2,))
    w = RNG.standard_normal((3, 2))

    def loss(w, xs):
        features = vsla.vmap(lambda x: vsla.mean(vsla.matmul(w, x), axis=1), out="stack")(xs)
        return vsla.sum(features * features)

    g = vsla.grad(loss)(w, vsla.ragged(items))
    ref = _finite_difference(lambda v: float(loss(v, vsla.ragged(items))), w)
    assert_gradient(g, ref)


def test_grad_with_no_items_has_the_parameter_shape():
    g = vsla.grad(lambda h, xs: vsla.sum(vsla.vmap(lambda x: vsla.sum(vsla.conv(x, h)))(xs)))(
        H, vsla.ragged([], dtype=np.float32))
    assert g.shape == H.shape and not g.numpy().any()


def test_train_step_over_ragged_minibatches():
    vsla.manual_seed(0)

    class Batched(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, 4, 3)
            self.head = nn.Linear(4, 2)

        def forward(self, xs):
            item = lambda x: self.head(vsla.mean(vsla.relu(self.conv(x)), axis=2))  # noqa
            return vsla.reshape(vsla.vmap(item, out="stack")(xs), (-1, 2))

    model = Batched()
    step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=0.05))
    # Class 1 series have a large mean; a few steps separate them.
    xs = [RNG.standard_normal(n).astype(np.float32) + 3 * (i % 2)
          for i, n in enumerate(RNG.integers(5, 40, 16))]
    ys = np.array([i % 2 for i in range(16)], np.int32)
    batch = vsla.ragged([x.reshape(1, 1, -1) for x in xs])
    losses = [float(step(batch, ys)) for _ in range(30)]
    assert losses[-1] < 0.5 * losses[0]
    assert step.cache_size() == 1
    step(vsla.ragged([x.reshape(1, 1, -1) for x in xs[:5]]), ys[:5])
    assert step.cache_size() == 1


# -- bad input ----------------------------------------------------------------------


def test_item_rejected_names_its_index_eager_and_jit():
    w = np.ones((3, 2), np.float32)
    f = lambda x: vsla.matmul(vsla.reshape(x, (1, 3)), w)  # noqa: E731
    bad = vsla.ragged([np.ones(3, np.float32), np.ones(3, np.float32), np.ones(4, np.float32)])
    with pytest.raises(vsla.ShapeError, match="item 2 of the ragged batch"):
        vsla.vmap(f)(bad)
    with pytest.raises(vsla.ShapeError, match="item 2 of the ragged batch"):
        vsla.jit(lambda xs: vsla.vmap(f)(xs))(bad)


def test_mapped_counts_must_agree_eager_and_jit():
    a = vsla.ragged(series([1, 2, 3]))
    b = vsla.ragged(series([4]))
    g = lambda x, y: vsla.sum(x) + vsla.sum(y)  # noqa: E731
    with pytest.raises(vsla.ShapeError, match="different numbers of items"):
        vsla.vmap(g)(a, b)
    with pytest.raises(vsla.ShapeError, match="different number of items"):
        vsla.jit(lambda p, q: vsla.vmap(g)(p, q))(a, b)


def test_vmap_argument_errors():
    r = vsla.ragged(series([2]))
    with pytest.raises(ValueError, match="in_axes"):
        vsla.vmap(lambda x: x, in_axes=1)(r)
    with pytest.raises(ValueError, match="in_axes has 2 entries"):
        vsla.vmap(lambda x: x, in_axes=(0, None))(r)
    with pytest.raises(vsla.ShapeError, match="no argument is mapped"):
        vsla.vmap(lambda x: x, in_axes=None)(np.ones(3, np.float32))
    with pytest.raises(vsla.ShapeError, match="rank-0"):
        vsla.vmap(lambda x: x)(vsla.asarray(np.ones((), np.float32)))
    with pytest.raises(vsla.ShapeError, match="marked shared"):
        vsla.vmap(lambda x: x, in_axes=None)(r)
    with pytest.raises(vsla.TracingError, match="must return tensors"):
        vsla.vmap(lambda x: "no")(r)
    with pytest.raises(ValueError, match="out must be"):
        vsla.vmap(lambda x: x, out="dense")


def test_grad_through_nested_maps_and_of_second_order():
    outer = vsla.ragged([RNG.standard_normal((2, 3)), RNG.standard_normal((4, 1))])
    w = RNG.standard_normal(3)

    def nested(w, xs):
        # The inner body slices a value of the outermost function (w[:1]): its
        # extents are computed where they are used.
        inner = lambda x: vsla.sum(vsla.vmap(lambda row: vsla.sum(vsla.tanh(row * w[:1])))(x))  # noqa
        return vsla.sum(vsla.vmap(inner)(xs))

    assert_gradient(vsla.grad(nested)(w, outer),
                    _finite_difference(lambda v: float(nested(v, outer)), w))

    h = RNG.standard_normal(2)
    xs = vsla.ragged([RNG.standard_normal(4), RNG.standard_normal(2)])

    def energy(h, xs):
        return vsla.sum(vsla.vmap(lambda x: vsla.sum(vsla.conv(x, h) ** 2))(xs))

    def grad_norm(h, xs):
        return vsla.sum(vsla.grad(energy)(h, xs) ** 2)

    np.testing.assert_allclose(
        np.asarray(vsla.grad(grad_norm)(h, xs)),
        _finite_difference(lambda v: float(grad_norm(v, xs)), h, eps=1e-5), rtol=1e-5)

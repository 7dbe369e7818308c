"""@vsla.jit: shape-polymorphic caching, pytrees, static arguments, logging, dumps,
source locations, tracing errors and thread safety."""

import os
import threading

import numpy as np
import pytest

import vsla
from conftest import assert_close, ref_conv


def test_one_compile_for_a_hundred_lengths():
    @vsla.jit
    def smooth(x, h):
        return vsla.conv(x, h, mode="same") * 0.5 + x

    h = np.array([0.25, 0.5, 0.25], np.float32)
    for n in range(1, 101):
        x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        want = np.convolve(x, h, "same") * 0.5 + np.pad(x, (0, max(0, 3 - n)))
        assert_close(smooth(x, h), want)
    assert smooth.cache_size() == 1


def test_ranks_dtypes_and_static_values_key_the_cache():
    f = vsla.jit(lambda x, s: x * s)
    f(np.ones(3, np.float32), 2.0)
    f(np.ones(7, np.float32), 2.0)
    assert f.cache_size() == 1
    f(np.ones((2, 2), np.float32), 2.0)
    assert f.cache_size() == 2
    f(np.ones(3, np.float64), 2.0)
    assert f.cache_size() == 3
    assert_close(f(np.ones(3, np.float32), 3.0), [3, 3, 3])
    assert f.cache_size() == 4


def test_static_shapes_specializes_on_dims():
    f = vsla.jit(lambda x: x + 1.0, static_shapes=True)
    f(np.ones(3, np.float32))
    f(np.ones(4, np.float32))
    f(np.ones(4, np.float32))
    assert f.cache_size() == 2
    assert "tensor<4xf32>" in f.lower(np.ones(4, np.float32))


def test_pytrees_in_and_out():
    @vsla.jit
    def f(params, batch):
        w, b = params["w"], params["b"]
        y = batch[0] @ w + vsla.broadcast_to(b, (batch[0].shape[0], b.shape[0]))
        return {"y": y, "stats": (y.sum(), [y.max()])}

    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = np.array([1, 2], np.float32)
    for rows in (1, 4):
        x = np.ones((rows, 3), np.float32)
        out = f({"w": w, "b": b}, [x, None])
        assert_close(out["y"], x @ w + b)
        assert_close(out["stats"][0], (x @ w + b).sum())
        assert_close(out["stats"][1][0], (x @ w + b).max())
    assert f.cache_size() == 1


def test_static_argnums_and_argnames():
    @vsla.jit(static_argnums=1, static_argnames="mode")
    def f(x, scale, mode="full"):
        return vsla.conv(x, x, mode=mode) * scale

    x = np.array([1.0, 2.0], np.float32)
    assert_close(f(x, 2), ref_conv(x, x) * 2)
    assert_close(f(x, 2, mode="same"), ref_conv(x, x, "same") * 2)
    assert f.cache_size() == 2


def test_dynamic_keyword_arguments():
    f = vsla.jit(lambda x, *, y: x - y)
    assert_close(f(np.ones(3, np.float32), y=np.ones(2, np.float32)), [0, 0, 1])
    assert_close(f(np.ones(2, np.float32), y=np.ones(4, np.float32)), [0, 0, -1, -1])
    assert f.cache_size() == 1


def test_returning_a_dim_is_an_error():
    with pytest.raises(vsla.TracingError, match="result.shape"):
        vsla.jit(lambda x: x.shape[0])(np.ones(3, np.float32))


def test_results_that_are_arguments_or_constants():
    f = vsla.jit(lambda x, y: (x, x + y, 3, None))
    a, b = np.ones(2, np.float32), np.ones(3, np.float32)
    out = f(a, b)
    assert out[0].numpy() is a
    assert_close(out[1], [2, 2, 1])
    assert out[2] == 3 and out[3] is None


def test_captured_eager_tensors_are_passed_in():
    weights = vsla.tensor([1.0, 2.0, 3.0])
    f = vsla.jit(lambda x: x * weights)
    assert_close(f(np.ones(3, np.float32)), [1, 2, 3])
    assert_close(f(np.ones(5, np.float32)), [1, 2, 3, 0, 0])


def test_nested_jit_is_inlined():
    inner = vsla.jit(lambda x: x * 2.0)
    outer = vsla.jit(lambda x: inner(x) + 1.0)
    assert_close(outer(np.ones(3, np.float32)), [3, 3, 3])
    assert inner.cache_size() == 0


def test_symbolic_dims_compute_shapes():
    @vsla.jit
    def f(x):
        n = x.shape[0]
        return vsla.promote(x, (n + 2,)), x.reshape(n, 1), vsla.zeros((n,)) + x, x[1:n - 1]

    for n in (3, 6):
        x = np.arange(n, dtype=np.float32)
        p, r, z, s = f(x)
        assert_close(p, np.pad(x, (0, 2)))
        assert_close(r, x.reshape(n, 1))
        assert_close(z, x)
        assert_close(s, x[1:n - 1])
    assert f.cache_size() == 1


def test_arange_with_traced_dims():
    f = vsla.jit(lambda x: vsla.arange(x.shape[0], dtype="float32") * x)
    assert_close(f(np.ones(4, np.float32)), [0, 1, 2, 3])
    assert_close(f(np.ones(2, np.float32)), [0, 1])
    assert f.cache_size() == 1
    assert_close(vsla.jit(lambda x: vsla.arange(1, x.shape[0], 2))(np.ones(6)), [1, 3, 5])


def test_python_control_flow_on_traced_values_says_what_to_do():
    @vsla.jit
    def f(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(vsla.TracingError, match="Python control flow"):
        f(np.ones(3, np.float32))

    @vsla.jit
    def g(x):
        if x.shape[0] > 2:
            return x
        return x

    with pytest.raises(vsla.TracingError, match="static_shapes=True"):
        g(np.ones(3, np.float32))

    with pytest.raises(vsla.TracingError):
        vsla.jit(lambda x: x.numpy())(np.ones(3, np.float32))


def test_shape_error_names_the_users_line():
    @vsla.jit
    def f(x, y):
        z = x * 2.0
        return z + y  # the offending line

    with pytest.raises(vsla.ShapeError) as info:
        f(np.ones(3, np.float32), np.ones((3, 3), np.float32))
    assert "test_jit.py" in str(info.value)
    assert "ranks differ" in str(info.value)


def test_run_time_shape_error_names_the_op_and_line():
    @vsla.jit
    def f(x, y):
        return vsla.broadcast_to(x, y.shape)

    assert_close(f(np.ones((1, 3), np.float32), np.ones((2, 3), np.float32)), np.ones((2, 3)))
    with pytest.raises(vsla.ShapeError) as info:
        f(np.ones((2, 3), np.float32), np.ones((4, 3), np.float32))
    assert "broadcast_to" in str(info.value)
    assert "test_jit.py" in str(info.value)


def test_log_compiles_says_why(monkeypatch, capfd):
    monkeypatch.setenv("VSLA_LOG_COMPILES", "1")
    f = vsla.jit(lambda x: x + 1.0)
    f(np.ones(3, np.float32))
    f(np.ones(4, np.float32))
    f(np.ones(4, np.float64))
    err = capfd.readouterr().err
    assert err.count("vsla: compiling <lambda>") == 2
    assert "first call" in err
    assert "float32[?] -> float64[?]" in err


def test_dump_ir_writes_every_phase(monkeypatch, tmp_path):
    monkeypatch.setenv("VSLA_DUMP_IR", str(tmp_path))
    vsla.jit(lambda x: vsla.tanh(x) * 2.0)(np.ones(3, np.float32))
    dumps = sorted(p.name for d in tmp_path.iterdir() for p in d.iterdir())
    assert dumps == ["0-traced.mlir", "1-vsla.mlir", "2-linalg.mlir", "3-bufferized.mlir",
                     "4-llvm.mlir"]
    traced = next(tmp_path.iterdir()) / "0-traced.mlir"
    assert "vsla.tanh" in traced.read_text() and "test_jit.py" in traced.read_text()


def test_threads_share_one_compile_per_key():
    @vsla.jit
    def f(x):
        return vsla.conv(x, x) + 1.0

    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        try:
            for _ in range(20):
                x = rng.standard_normal(int(rng.integers(1, 50))).astype(np.float32)
                assert_close(f(x), np.convolve(x, x) + 1.0)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert f.cache_size() == 1


def test_jit_accepts_tensors_arrays_and_dlpack():
    f = vsla.jit(lambda x: x * 2.0)
    assert_close(f(vsla.tensor([1.0, 2.0])), [2, 4])
    a = np.array([1.0, 2.0], np.float32)
    assert_close(f(a), [2, 4])
    assert f.cache_size() == 1


def test_lower_shows_locations():
    text = vsla.jit(lambda x: vsla.exp(x)).lower(np.ones(2, np.float32))
    assert "vsla.exp" in text and "tensor<?xf32>" in text and os.path.basename(__file__) in text

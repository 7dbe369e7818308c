"""The nn / optim / autodiff entry points under @vsla.jit (and eagerly) with bad
input: mismatched extents, ranks and dtypes, out-of-range labels, empty and huge
inputs. Each must raise the named error with a message that says what is wrong,
never crash and never answer wrongly."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import vsla
from vsla import nn, optim

MODES = ["eager", "jit"]


def run(mode, fn, *args):
    return (vsla.jit(fn) if mode == "jit" else fn)(*args)


def f32(*shape):
    return np.ones(shape, np.float32)


# -- the compile cache keys static floats by their bits ------------------------------------


def test_zero_and_negative_zero_are_different_static_values():
    f = vsla.jit(lambda x, s: x / s)
    x = f32(3)
    assert np.all(np.asarray(f(x, 0.0)) == np.inf)
    assert np.all(np.asarray(f(x, -0.0)) == -np.inf)
    assert f.cache_size() == 2


@pytest.mark.parametrize("make", [float, np.float32, np.float64])
def test_numpy_float_scalars_are_keyed_by_bits(make):
    f = vsla.jit(lambda x, s: x / s)
    x = f32(2)
    assert np.all(np.asarray(f(x, make(0.0))) == np.inf)
    assert np.all(np.asarray(f(x, make(-0.0))) == -np.inf)


def test_static_argnums_floats_inside_tuples_are_keyed_by_bits():
    f = vsla.jit(lambda x, scales: x / scales[1], static_argnums=1)
    x = f32(2)
    assert np.all(np.asarray(f(x, (1.0, 0.0))) == np.inf)
    assert np.all(np.asarray(f(x, (1.0, -0.0))) == -np.inf)
    assert f.cache_size() == 2


def test_static_argnames_float_is_keyed_by_bits():
    f = vsla.jit(lambda x, s=1.0: x / s, static_argnames="s")
    x = f32(2)
    assert np.all(np.asarray(f(x, s=0.0)) == np.inf)
    assert np.all(np.asarray(f(x, s=-0.0)) == -np.inf)


def test_nan_static_values_share_one_compile():
    f = vsla.jit(lambda x, s: x + s)
    g = vsla.jit(lambda x, s: x + s[0], static_argnums=1)
    x = f32(2)
    for _ in range(4):
        assert np.all(np.isnan(np.asarray(f(x, float("nan")))))
        assert np.all(np.isnan(np.asarray(g(x, (float("nan"),)))))
    assert f.cache_size() == 1
    assert g.cache_size() == 1


def test_equal_numbers_of_other_types_do_not_share_a_compile():
    f = vsla.jit(lambda x, s: x * s, static_argnums=1)
    x = np.ones(2, np.int64)
    assert np.asarray(f(x, 2)).dtype == np.int64
    assert np.asarray(f(x, 2.0)).dtype == np.float64
    assert f.cache_size() == 2


# -- layers check their input --------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_linear_refuses_the_wrong_feature_count(mode):
    layer = nn.Linear(3, 2)
    with pytest.raises(vsla.ShapeError, match=r"Linear expects 3 input features"):
        run(mode, lambda x: layer(x), f32(4, 5))
    with pytest.raises(vsla.ShapeError, match=r"Linear expects 3 input features"):
        run(mode, lambda x: layer(x), f32(4, 2))
    assert np.asarray(run(mode, lambda x: layer(x), f32(4, 3))).shape == (4, 2)


def test_linear_message_names_both_counts_eagerly():
    with pytest.raises(vsla.ShapeError, match=r"got 5.*nn\.Linear\(5, 2\)"):
        nn.Linear(3, 2)(f32(4, 5))


@pytest.mark.parametrize("mode", MODES)
def test_conv1d_refuses_the_wrong_channel_count(mode):
    layer = nn.Conv1d(2, 3, kernel_size=3)
    with pytest.raises(vsla.ShapeError, match=r"Conv1d expects 2 input channels"):
        run(mode, lambda x: layer(x), f32(1, 4, 8))
    with pytest.raises(vsla.ShapeError, match=r"Conv1d takes \(batch, channels, length\)"):
        run(mode, lambda x: layer(x), f32(2, 8))


@pytest.mark.parametrize("mode", MODES)
def test_layernorm_refuses_the_wrong_last_extent(mode):
    layer = nn.LayerNorm(4)
    with pytest.raises(vsla.ShapeError, match=r"LayerNorm expects a last axis of 4"):
        run(mode, lambda x: layer(x), f32(2, 6))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", [4, 7, -1])
def test_embedding_refuses_indices_out_of_range(mode, bad):
    layer = nn.Embedding(4, 2)
    with pytest.raises(vsla.ShapeError, match=r"Embedding: an index is out of range.*\[0, 4\)"):
        run(mode, lambda i: layer(i), np.array([0, bad]))
    assert np.asarray(run(mode, lambda i: layer(i), np.array([0, 3]))).shape == (2, 2)


@pytest.mark.parametrize("mode", MODES)
def test_embedding_refuses_float_indices(mode):
    with pytest.raises(vsla.DTypeError, match="integer indices"):
        run(mode, lambda i: nn.Embedding(4, 2)(i), np.array([0.5, 1.0]))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", [3, 5, -1])
def test_cross_entropy_refuses_labels_out_of_range(mode, bad):
    with pytest.raises(vsla.ShapeError, match=r"cross_entropy: a class label is out of range"):
        run(mode, nn.cross_entropy, f32(2, 3), np.array([0, bad]))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("count", [1, 3, 0])
def test_cross_entropy_refuses_a_label_count_other_than_the_batch(mode, count):
    with pytest.raises(vsla.ShapeError, match=r"cross_entropy got .*labels.*one label per row"):
        run(mode, nn.cross_entropy, f32(2, 3), np.zeros(count, np.int64))


@pytest.mark.parametrize("mode", MODES)
def test_cross_entropy_huge_logits_against_two_labels(mode):
    logits = np.zeros((2_000_000, 3), np.float32)
    with pytest.raises(vsla.ShapeError, match=r"cross_entropy got .*labels"):
        run(mode, nn.cross_entropy, logits, np.array([0, 1]))


@pytest.mark.parametrize("mode", MODES)
def test_cross_entropy_refuses_float_and_2d_labels(mode):
    with pytest.raises(vsla.DTypeError, match="integer class labels"):
        run(mode, nn.cross_entropy, f32(2, 3), np.array([0.0, 1.0]))
    with pytest.raises(vsla.ShapeError, match=r"\(batch,\) integer labels"):
        run(mode, nn.cross_entropy, f32(2, 3), np.zeros((2, 1), np.int64))


@pytest.mark.parametrize("mode", MODES)
def test_losses_refuse_mismatched_shapes(mode):
    with pytest.raises(vsla.ShapeError, match=r"mse_loss: .*differ on axis 1"):
        run(mode, nn.mse_loss, f32(4, 2), f32(4, 1))
    with pytest.raises(vsla.ShapeError, match=r"mse_loss: .*differ in rank"):
        run(mode, nn.mse_loss, f32(4, 2), f32(4))
    with pytest.raises(vsla.ShapeError, match=r"binary_cross_entropy: .*differ on axis 0"):
        run(mode, nn.binary_cross_entropy, f32(4) * 0.5, f32(3))


# -- optimizers, vjp, grad -----------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda m: optim.SGD(m, lr=0.1, momentum=0.9),
                                  lambda m: optim.Adam(m), lambda m: optim.AdamW(m)])
def test_optimizer_step_refuses_gradients_of_other_shapes(make):
    model = nn.Linear(3, 2)
    opt = make(model)
    before = model.weight.numpy().copy()
    with pytest.raises(vsla.ShapeError, match=r"gradient of parameter weight has shape \(3, 3\)"):
        opt.step([f32(3, 3), f32(2)])
    with pytest.raises(vsla.ShapeError, match=r"got 1 gradients for 2 parameters"):
        opt.step([f32(3, 2)])
    with pytest.raises(vsla.DTypeError, match=r"float64 but the parameter is float32"):
        opt.step([np.ones((3, 2)), np.ones(2)])
    np.testing.assert_array_equal(model.weight.numpy(), before)  # nothing was applied
    opt.step([f32(3, 2), f32(2)])
    assert not np.array_equal(model.weight.numpy(), before)


def test_optimizer_update_under_jit_refuses_gradients_of_other_shapes():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model, lr=0.1)
    update = vsla.jit(lambda p, g, h: opt.update(p, g, [], h))
    with pytest.raises(vsla.ShapeError):
        update(opt.params, [f32(5, 2), f32(2)], opt.hyperparameters())


def test_vjp_backward_refuses_a_cotangent_of_other_extents():
    out, back = vsla.vjp(lambda x: x * 2.0, f32(3))
    with pytest.raises(vsla.ShapeError, match=r"cotangent 0 has shape \(5,\) but its output "
                                              r"has shape \(3,\)"):
        back(f32(5))
    np.testing.assert_array_equal(np.asarray(back(f32(3))[0]), [2.0, 2.0, 2.0])


def test_vjp_inside_jit_refuses_a_cotangent_of_other_extents():
    f = vsla.jit(lambda x, c: vsla.vjp(lambda t: t * 2.0, x)[1](c)[0])
    with pytest.raises(vsla.ShapeError, match=r"cotangent 0 has shape"):
        f(f32(3), f32(5))
    with pytest.raises(vsla.ShapeError, match=r"cotangent 0 has shape"):
        f(f32(3, 2), f32(3, 4))


@pytest.mark.parametrize("mode", MODES)
def test_grad_of_a_model_with_mismatched_input(mode):
    model = nn.Linear(3, 1)
    loss = lambda w, x: vsla.sum(model.apply({"weight": w}, x))  # noqa: E731
    with pytest.raises(vsla.ShapeError, match="Linear expects 3 input features"):
        run(mode, vsla.grad(loss), model.weight.numpy(), f32(4, 5))
    with pytest.raises(vsla.ShapeError, match="Linear expects 3 input features"):
        run(mode, vsla.value_and_grad(loss), model.weight.numpy(), f32(4, 2))


@pytest.mark.parametrize("mode", MODES)
def test_grad_argnums_are_checked(mode):
    loss = lambda a, b: vsla.sum(a * b)  # noqa: E731
    with pytest.raises(vsla.ShapeError, match="argnums has 2"):
        run(mode, vsla.grad(loss, argnums=2), f32(3), f32(3))
    for bad in (True, None, "a", 1.0):
        with pytest.raises(vsla.DTypeError, match="argnums must be an int"):
            vsla.grad(loss, argnums=bad)
    with pytest.raises(vsla.DTypeError, match="float32 or float64"):
        run(mode, vsla.grad(loss), np.ones(3, np.int64), f32(3))


# -- the compiled training step ------------------------------------------------------------


def _step():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    return model, optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=0.01))


def test_train_step_refuses_bad_batches_and_keeps_the_parameters():
    model, step = _step()
    labels = np.array([0, 1, 1, 0])
    step(f32(4, 3), labels)
    before = model.state_dict()
    with pytest.raises(vsla.ShapeError, match="Linear expects 3 input features"):
        step(f32(4, 5), labels)
    with pytest.raises(vsla.ShapeError, match="class label is out of range"):
        step(f32(4, 3), np.array([0, 1, 2, 0]))
    with pytest.raises(vsla.ShapeError, match="class label is out of range"):
        step(f32(4, 3), np.array([0, -1, 1, 0]))
    with pytest.raises(vsla.ShapeError, match="one label per row"):
        step(f32(4, 3), np.array([0, 1, 1]))
    with pytest.raises(vsla.ShapeError, match="one label per row"):
        step(np.zeros((2_000_000, 3), np.float32), np.array([0, 1]))
    with pytest.raises(vsla.DTypeError, match="integer class labels"):
        step(f32(4, 3), labels.astype(np.float32))
    with pytest.raises(vsla.ShapeError):
        step(f32(4, 3, 1), labels)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    assert np.isfinite(float(step(f32(4, 3), labels)))


def test_train_step_on_an_empty_batch_leaves_the_parameters_finite():
    model, step = _step()
    loss = step(np.zeros((0, 3), np.float32), np.zeros(0, np.int64))
    assert np.asarray(loss).shape == ()
    for name, value in model.state_dict().items():
        assert np.all(np.isfinite(value)), name


# -- run-time checks in compiled code (extents known only when it runs) --------------------


def test_negative_computed_extent_is_a_shape_error():
    f = vsla.jit(lambda x: vsla.zeros(x.shape[0] - 5))
    with pytest.raises(vsla.ShapeError, match="negative"):
        f(f32(3))
    assert np.asarray(f(f32(7))).shape == (2,)


def test_dim_floordiv_by_a_zero_dim_is_a_shape_error():
    f = vsla.jit(lambda x, y: vsla.zeros(x.shape[0] // y.shape[0]))
    with pytest.raises(vsla.ShapeError, match="division"):
        f(f32(4), f32(0))
    assert np.asarray(f(f32(6), f32(2))).shape == (3,)


def test_equal_shape_promises_are_checked_at_run_time():
    from vsla import _ops

    f = vsla.jit(lambda a, b: _ops.same_shape("add", a, b))
    with pytest.raises(vsla.ShapeError):
        f(f32(3), f32(2_000_000))
    np.testing.assert_array_equal(np.asarray(f(f32(2), f32(2))), [2.0, 2.0])


def test_checks_in_a_data_dependent_function():
    layer = nn.Linear(3, 2)
    f = vsla.jit(lambda x: layer(vsla.shrink(x)))
    x = np.zeros((2, 5), np.float32)
    x[:, :2] = 1.0  # shrinks to (2, 2): not 3 features
    with pytest.raises(vsla.ShapeError, match="Linear expects 3 input features"):
        f(x)
    x[:, 2] = 1.0  # shrinks to (2, 3)
    assert np.asarray(f(x)).shape == (2, 2)


def test_allocation_failure_of_a_huge_intermediate_is_a_runtime_error():
    f = vsla.jit(lambda x: vsla.sum(vsla.broadcast_to(
        vsla.reshape(x, (1, 1, -1)), (x.shape[0] * 2**20, 2**20, x.shape[0]))))
    with pytest.raises(vsla.RuntimeError, match=r"\d{10,}"):
        f(f32(2**10))


def test_results_that_the_compiler_merges_are_not_freed_twice():
    # window_stack with a window of 1 over [a, a] gives two equal stacks; the
    # compiled code may return one buffer for both. Run it apart: a double free
    # aborts the process.
    code = textwrap.dedent("""
        import gc
        import numpy as np
        import vsla
        x = np.ones((2, 3), np.float32)
        r = vsla.jit(lambda a: vsla.window_stack([a, a], 1))(x)
        assert [np.asarray(t).shape for t in r] == [(1, 2, 3), (1, 2, 3)]
        del r
        gc.collect()
        y = [vsla.exp(np.ones(6, np.float32)) for _ in range(5)]
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ))
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]

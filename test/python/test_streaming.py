"""Window and pyramid stacks, as functions over a sequence and streamed one tensor at
a time, against each other and the examples of docs/python.md."""

import numpy as np
import pytest
from conftest import assert_close

import vsla


def test_window_example():
    xs = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]
    win = vsla.Window(3)
    emitted = [win.push(x) for x in xs]
    assert [e is None for e in emitted] == [True, True, False, True]
    assert emitted[2].numpy().tolist() == [[1, 2], [3, 4], [5, 6]]
    assert len(win) == 1
    assert win.flush().numpy().tolist() == [[7, 8]]
    assert win.flush() is None
    drop = vsla.window_stack(xs, 3)
    keep = vsla.window_stack(xs, 3, partial="keep")
    assert [s.shape for s in drop] == [(3, 2)]
    assert [s.shape for s in keep] == [(3, 2), (1, 2)]


@pytest.mark.parametrize("w, levels, count", [(2, 2, 9), (3, 1, 7), (2, 3, 8), (4, 2, 5)])
@pytest.mark.parametrize("partial", ["drop", "keep"])
def test_streaming_equals_the_functions(w, levels, count, partial):
    rng = np.random.default_rng(count)
    xs = [rng.standard_normal(int(n)).astype(np.float32) for n in rng.integers(0, 6, count)]
    expected = vsla.pyramid_stack(xs, w, levels, partial=partial)
    p = vsla.Pyramid(w, levels)
    streamed = [out for out in (p.push(x) for x in xs) if out is not None]
    if partial == "keep":
        tail = p.flush()
        if tail is not None:
            streamed.append(tail)
    assert len(streamed) == len(expected)
    for got, want in zip(streamed, expected):
        assert_close(got, want)
    if levels == 1:
        for got, want in zip(expected, vsla.window_stack(xs, w, partial=partial)):
            assert_close(got, want)


def test_windows_stack_ragged_items_ambiently():
    win = vsla.Window(2)
    assert win.push(np.ones((1, 3), np.float32)) is None
    out = win.push(np.ones((2, 1), np.float32))
    assert out.shape == (2, 2, 3)
    assert out.numpy()[0, 1].tolist() == [0, 0, 0]


def test_window_jit_matches_eager():
    xs = [np.arange(n, dtype=np.float32) for n in (2, 3, 1, 4, 2)]
    f = vsla.jit(lambda *ts: vsla.pyramid_stack(list(ts), 2, 2, partial="keep"))
    for got, want in zip(f(*xs), vsla.pyramid_stack(xs, 2, 2, partial="keep")):
        assert_close(got, want)


def test_bad_windows():
    with pytest.raises(vsla.ShapeError):
        vsla.Window(0)
    with pytest.raises(vsla.ShapeError):
        vsla.Pyramid(2, 0)
    with pytest.raises(ValueError, match="partial"):
        vsla.window_stack([[1.0]], 1, partial="pad")
    win = vsla.Window(2)
    win.push([1.0])
    with pytest.raises(vsla.ShapeError, match="rank"):
        win.push([[1.0]])

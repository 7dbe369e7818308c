"""Streaming windows: vsla.Window and vsla.Pyramid take tensors one at a time
(variable shapes, one rank) and emit the stacks that vsla.window_stack and
vsla.pyramid_stack would build over the whole sequence, as soon as each is
complete."""

from __future__ import annotations

import numpy as np

from ._errors import ShapeError
from ._ops import as_tensor, stack
from ._tensor import Tensor


def _positive(value, what: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ShapeError(f"{what} must be an int >= 1, got {value!r}")
    return int(value)


class Window:
    """Collects `w` tensors, then emits their stack (zero-extended to the largest).

    push(x) returns the stack when x completes a window, else None; flush() returns
    the stack of a partial window (or None) and starts over.

    >>> win = vsla.Window(3)
    >>> [win.push(x) is None for x in ([1., 2.], [3., 4.])]
    [True, True]
    >>> win.push([5., 6.]).shape
    (3, 2)
    """

    def __init__(self, w: int):
        self.w = _positive(w, "vsla.Window: the window size")
        self._pending: list = []
        self._rank = None

    def __len__(self) -> int:
        """How many tensors wait for the window to fill."""
        return len(self._pending)

    def push(self, x) -> Tensor | None:
        x = as_tensor(x, "Window.push's input")
        if self._rank is not None and x.ndim != self._rank:
            raise ShapeError(f"Window.push: the window holds rank-{self._rank} tensors, got "
                             f"rank {x.ndim}; reshape it to rank {self._rank}")
        self._rank = x.ndim
        self._pending.append(x)
        if len(self._pending) < self.w:
            return None
        return self._emit()

    def flush(self) -> Tensor | None:
        return self._emit() if self._pending else None

    def _emit(self) -> Tensor:
        out = stack(self._pending)
        self._pending = []
        return out


class Pyramid:
    """Windows of windows, streamed: level 1 stacks `w` pushed tensors, level 2
    stacks `w` level-1 stacks, ... ; push returns a stack of the last level when one
    completes, else None. flush() stacks the partial windows of every level upward
    and returns the last level's stack (or None).

    >>> p = vsla.Pyramid(2, levels=2)
    >>> [p.push([float(i)]) for i in range(3)]
    [None, None, None]
    >>> p.push([3.0]).shape
    (2, 2, 1)
    """

    def __init__(self, w: int, levels: int):
        self.w = _positive(w, "vsla.Pyramid: the window size")
        self.levels = _positive(levels, "vsla.Pyramid: levels")
        self._windows = [Window(self.w) for _ in range(self.levels)]

    def push(self, x) -> Tensor | None:
        out = x
        for window in self._windows:
            out = window.push(out)
            if out is None:
                return None
        return out

    def flush(self) -> Tensor | None:
        carried = None
        for window in self._windows:
            if carried is not None:
                full = window.push(carried)
                carried = full if full is not None else window.flush()
            else:
                carried = window.flush()
        return carried

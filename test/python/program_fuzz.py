"""Differential fuzzing of whole VSLA programs.

Random programs of 3 to 10 ops (every op family, ranks 1 to 3, static extents mixed
with dynamic ones) run eagerly, under ``vsla.jit`` on several input shapes of the same
ranks (one compile serves them all), under ``vsla.vmap`` over ragged batches of those
shapes (one item per shape set), and under ``vsla.grad`` of a weighted sum of their
outputs (checked by central finite differences in float64). Every result is compared
with a NumPy reference that implements VSLA's semantics by explicit zero-padding.

An input that the eager path rejects with a named error (``vsla.ShapeError``,
``vsla.DTypeError``) must make the jitted path raise the same class; any other exception,
a crash, a hang or a different value is a failure. Programs run in worker subprocesses,
so a segfault is reported as a failure of the program that caused it. Failures are
shrunk (ops dropped, outputs dropped, inputs made smaller, static extents simplified)
and printed as short runnable snippets.

    .venv/bin/python test/python/program_fuzz.py --seed 0 --count 200 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# -- the NumPy reference ---------------------------------------------------------------------


class RefUndefined(Exception):
    """The program's value is not defined for this input (e.g. NaN cast to int)."""


class Ref:
    """VSLA's semantics on NumPy arrays, by explicit zero-padding. Invalid inputs raise
    ValueError or IndexError (where VSLA raises vsla.ShapeError)."""

    @staticmethod
    def _arr(x):
        return np.asarray(x)

    @staticmethod
    def _pad(x, shape):
        x = np.asarray(x)
        if len(shape) != x.ndim or any(t < d for t, d in zip(shape, x.shape)):
            raise ValueError(f"cannot zero-extend {x.shape} to {tuple(shape)}")
        out = np.zeros(tuple(shape), x.dtype)
        out[tuple(slice(0, d) for d in x.shape)] = x
        return out

    @staticmethod
    def _ambient(f, a, b, floats=False):
        a, b = np.asarray(a), np.asarray(b)
        if a.ndim != b.ndim:
            raise ValueError(f"ranks differ: {a.shape} {b.shape}")
        dtype = np.result_type(a.dtype, b.dtype)
        if dtype == np.bool_:
            dtype = np.dtype(np.int64)
        if floats and dtype.kind != "f":
            dtype = np.dtype(np.float64)
        shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape))
        with np.errstate(all="ignore"):
            return np.asarray(f(Ref._pad(a.astype(dtype), shape),
                                Ref._pad(b.astype(dtype), shape))).astype(dtype)

    @staticmethod
    def _float(x):
        x = np.asarray(x)
        return x if x.dtype.kind == "f" else x.astype(np.float64)

    @staticmethod
    def _unary(f, x, floats=True):
        x = Ref._float(x) if floats else np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(f(x)).astype(x.dtype)

    # elementwise
    add = staticmethod(lambda a, b: Ref._ambient(np.add, a, b))
    sub = staticmethod(lambda a, b: Ref._ambient(np.subtract, a, b))
    mul = staticmethod(lambda a, b: Ref._ambient(np.multiply, a, b))
    div = staticmethod(lambda a, b: Ref._ambient(np.true_divide, a, b, floats=True))
    maximum = staticmethod(lambda a, b: Ref._ambient(np.maximum, a, b))
    minimum = staticmethod(lambda a, b: Ref._ambient(np.minimum, a, b))
    neg = staticmethod(lambda x: Ref._unary(np.negative, x, floats=False))
    abs = staticmethod(lambda x: Ref._unary(np.abs, x, floats=False))
    sign = staticmethod(lambda x: Ref._unary(np.sign, x, floats=False))
    relu = staticmethod(lambda x: Ref._unary(lambda v: np.maximum(v, 0), x, floats=False))
    exp = staticmethod(lambda x: Ref._unary(np.exp, x))
    log = staticmethod(lambda x: Ref._unary(np.log, x))
    sqrt = staticmethod(lambda x: Ref._unary(np.sqrt, x))
    tanh = staticmethod(lambda x: Ref._unary(np.tanh, x))
    sin = staticmethod(lambda x: Ref._unary(np.sin, x))
    cos = staticmethod(lambda x: Ref._unary(np.cos, x))
    sigmoid = staticmethod(lambda x: Ref._unary(lambda v: 1 / (1 + np.exp(-v)), x))

    @staticmethod
    def erf(x):
        erf = np.vectorize(math.erf, otypes=[np.float64])
        return Ref._unary(lambda v: erf(v.astype(np.float64)) if v.size else v, x)

    @staticmethod
    def gelu(x):
        return Ref._unary(lambda v: v * 0.5 * (1.0 + Ref.erf(v / math.sqrt(2.0))), x)

    @staticmethod
    def power(x, p):
        with np.errstate(all="ignore"):
            return np.asarray(np.asarray(x) ** p)

    @staticmethod
    def reverse(x, axis=None):
        return np.flip(np.asarray(x), axis).copy()

    # shapes
    @staticmethod
    def broadcast_to(x, shape):
        return np.broadcast_to(np.asarray(x), tuple(int(d) for d in shape)).copy()

    @staticmethod
    def promote(x, shape):
        return Ref._pad(x, tuple(int(d) for d in shape))

    @staticmethod
    def reshape(x, shape):
        return np.reshape(np.asarray(x), tuple(int(d) for d in shape)).copy()

    @staticmethod
    def transpose(x, axes=None):
        return np.transpose(np.asarray(x), axes).copy()

    @staticmethod
    def cast(x, dtype):
        x = np.asarray(x)
        if np.dtype(dtype).kind in "iu" and x.dtype.kind == "f" and not np.isfinite(x).all():
            raise RefUndefined("a non-finite value cast to an integer")
        with np.errstate(all="ignore"):
            return x.astype(dtype)

    # contractions
    @staticmethod
    def _contraction(a, b):
        a, b = np.asarray(a), np.asarray(b)
        dtype = np.result_type(a.dtype, b.dtype)
        if dtype == np.bool_:
            dtype = np.dtype(np.int64)
        return a.astype(dtype), b.astype(dtype)

    @staticmethod
    def conv(a, b, mode="full"):
        a, b = Ref._contraction(a, b)
        if a.ndim != b.ndim or a.ndim == 0:
            raise ValueError("conv ranks")
        from conftest import ref_conv  # the suite's reference, shared
        return ref_conv(a, b, mode)

    @staticmethod
    def kron(a, b):
        a, b = Ref._contraction(a, b)
        if a.ndim != b.ndim:
            raise ValueError("kron ranks")
        if a.ndim == 0:
            return a * b
        return np.kron(a, b).reshape(tuple(p * q for p, q in zip(a.shape, b.shape)))

    @staticmethod
    def matmul(a, b):
        a, b = Ref._contraction(a, b)
        squeeze = []
        if a.ndim == 1:
            a = a[None, :]
            squeeze.append(-2)
        if b.ndim == 1:
            b = b[:, None]
            squeeze.append(-1)
        if a.ndim != b.ndim:
            raise ValueError("matmul ranks")
        # Ambient zeros are structural in contractions: only the overlap of the inner
        # axes and of the batch entries is multiplied (0 * inf outside it is 0, not NaN).
        k = min(a.shape[-1], b.shape[-2])
        common = tuple(min(p, q) for p, q in zip(a.shape[:-2], b.shape[:-2]))
        batch = tuple(max(p, q) for p, q in zip(a.shape[:-2], b.shape[:-2]))
        within = tuple(slice(0, d) for d in common)
        with np.errstate(all="ignore"):
            r = np.matmul(a[within + (slice(None), slice(0, k))],
                          b[within + (slice(0, k), slice(None))])
        r = Ref._pad(r, batch + r.shape[-2:])
        return r.reshape([d for i, d in enumerate(r.shape) if i - r.ndim not in squeeze])

    # reductions
    @staticmethod
    def _reduce(f, x, axis, keepdims, initial=None):
        x = np.asarray(x)
        if x.dtype == np.bool_:
            x = x.astype(np.int64)
        kw = {} if initial is None or x.dtype.kind != "f" else {"initial": initial}
        with np.errstate(all="ignore"):
            return np.asarray(f(x, axis=axis, keepdims=keepdims, **kw)).astype(x.dtype)

    sum = staticmethod(lambda x, axis=None, keepdims=False: Ref._reduce(np.sum, x, axis, keepdims))
    max = staticmethod(lambda x, axis=None, keepdims=False:
                       Ref._reduce(np.max, x, axis, keepdims, -np.inf))
    min = staticmethod(lambda x, axis=None, keepdims=False:
                       Ref._reduce(np.min, x, axis, keepdims, np.inf))

    @staticmethod
    def mean(x, axis=None, keepdims=False):
        x = Ref._float(x)
        with np.errstate(all="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return np.asarray(np.mean(x, axis=axis, keepdims=keepdims)).astype(x.dtype)

    @staticmethod
    def softmax(x, axis=-1):
        x = Ref._float(x)
        if x.size == 0:
            return x.copy()
        with np.errstate(all="ignore"):
            e = np.exp(x - np.max(x, axis=axis, keepdims=True))
            return (e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype)

    @staticmethod
    def log_softmax(x, axis=-1):
        x = Ref._float(x)
        if x.size == 0:
            return x.copy()
        with np.errstate(all="ignore"):
            s = x - np.max(x, axis=axis, keepdims=True)
            return (s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))).astype(x.dtype)

    # joining
    @staticmethod
    def concat(xs, axis=0):
        return np.concatenate([np.asarray(x) for x in xs], axis=axis)

    @staticmethod
    def stack(xs):
        xs = [np.asarray(x) for x in xs]
        if len({x.ndim for x in xs}) != 1:
            raise ValueError("stack ranks")
        dtype = np.result_type(*xs)
        shape = tuple(max(s) for s in zip(*[x.shape for x in xs]))
        return np.stack([Ref._pad(x.astype(dtype), shape) for x in xs])

    # constants
    @staticmethod
    def _shape(shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return tuple(int(d) for d in shape)

    @staticmethod
    def full(shape, value, dtype=None):
        shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
        if dtype is None:
            dtype = np.float32 if isinstance(value, float) else np.int64
        return np.full(Ref._shape(tuple(shape)), value, dtype)

    @staticmethod
    def zeros(*shape, dtype="float32"):
        return np.zeros(Ref._shape(shape), dtype)

    @staticmethod
    def ones(*shape, dtype="float32"):
        return np.ones(Ref._shape(shape), dtype)

    @staticmethod
    def arange(start, stop=None, step=1, dtype=None):
        if stop is None:
            start, stop = 0, start
        return np.arange(int(start), int(stop), step, dtype=dtype)


REF_ERRORS = (ValueError, IndexError)

# -- programs --------------------------------------------------------------------------------


@dataclass
class Line:
    """One op: `name = template.format(*args)`; rank of the result; shape holds the
    extents known when the program is written (an int) or not (None)."""
    name: str
    template: str
    args: list
    shape: list
    kind: str = "f"  # "f" float or "i" int

    @property
    def rank(self) -> int:
        return len(self.shape)

    def text(self) -> str:
        return self.template.format(*self.args)


@dataclass
class Program:
    inputs: list      # [(name, rank, dtype)]
    lines: list       # [Line]
    outputs: list     # [name]
    shape_sets: list  # [[shape per input]]
    value_seed: int = 0
    values: list | None = None  # explicit values per shape set (shrunk programs)

    def source(self, module: str = "V", fname: str = "prog") -> str:
        body = [f"def {fname}({', '.join(n for n, _, _ in self.inputs)}):"]
        for ln in self.lines:
            body.append(f"    {ln.name} = {ln.text().replace('V.', module + '.')}")
        body.append(f"    return ({', '.join(self.outputs)},)")
        return "\n".join(body) + "\n"

    def to_json(self) -> dict:
        return {"inputs": self.inputs, "outputs": self.outputs, "shape_sets": self.shape_sets,
                "value_seed": self.value_seed, "values": self.values,
                "lines": [[ln.name, ln.template, ln.args, ln.shape, ln.kind] for ln in self.lines]}

    @staticmethod
    def from_json(d: dict) -> Program:
        return Program([tuple(i) for i in d["inputs"]], [Line(*ln) for ln in d["lines"]],
                       list(d["outputs"]), [[tuple(s) for s in ss] for ss in d["shape_sets"]],
                       d["value_seed"], d.get("values"))

    def uses_cast(self, *dtypes) -> bool:
        return any(f"'{d}'" in ln.template for ln in self.lines for d in dtypes)


class Generator:
    """Writes one random program from an rng. Each family returns (template, args,
    shape, kind) or None when it does not apply to the chosen operands."""

    BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"]
    UNARY = ["neg", "abs", "exp", "tanh", "sigmoid", "relu", "gelu", "sin", "cos", "erf",
             "sign", "log", "sqrt"]
    SCALAR = ["{0} * 2.0", "{0} + 1", "1.5 - {0}", "{0} / 4.0", "-{0}", "{0} ** 2",
              "V.power({0}, 3)", "{0} * 0.5 + 0.25"]

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.families = [
            (self.binary, 6), (self.scalar, 3), (self.unary, 3), (self.reduce, 3),
            (self.softmax, 1.5), (self.broadcast, 2.5), (self.promote, 1.5), (self.reshape, 2),
            (self.transpose, 1.5), (self.slicing, 3), (self.concat, 1.5), (self.stack, 1.5),
            (self.conv, 2.5), (self.kron, 2), (self.matmul, 2.5), (self.cast, 1),
            (self.constant, 1.5)]

    def choice(self, seq):
        return seq[int(self.rng.integers(0, len(seq)))]

    def pick(self, pool, rank=None, exclude=None):
        cands = [v for v in pool if (rank is None or v.rank == rank) and v is not exclude]
        if not cands:
            return None
        w = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return cands[int(self.rng.choice(len(cands), p=w / w.sum()))]

    def partner(self, pool, a):
        b = self.pick(pool, a.rank, exclude=a) if self.rng.random() < 0.85 else None
        return b or a

    def dim(self, v, i):
        return v.shape[i] if v.shape[i] is not None else f"{v.name}.shape[{i}]"

    @staticmethod
    def smax(p, q):
        return max(p, q) if p is not None and q is not None else None

    # families
    def binary(self, pool):
        a = self.pick(pool)
        b = self.partner(pool, a)
        op = self.choice(self.BINARY)
        kind = "f" if op == "div" else ("i" if a.kind == b.kind == "i" else "f")
        args, tpl = [a.name, b.name], f"V.{op}({{0}}, {{1}})"
        if self.rng.random() < 0.5:
            args, tpl = [b.name, a.name], tpl
        return tpl, args, [self.smax(p, q) for p, q in zip(a.shape, b.shape)], kind

    def scalar(self, pool):
        a = self.pick(pool)
        return self.choice(self.SCALAR), [a.name], list(a.shape), a.kind

    def unary(self, pool):
        a = self.pick(pool)
        op = self.choice(self.UNARY)
        tpl = f"V.{op}({{0}})"
        if op in ("log", "sqrt") and self.rng.random() < 0.7:
            tpl = f"V.{op}(V.abs({{0}}) + 0.5)"
        kind = a.kind if op in ("neg", "abs", "relu", "sign") else "f"
        return tpl, [a.name], list(a.shape), kind

    def reduce(self, pool):
        a = self.pick(pool)
        op = self.choice(["sum", "mean", "max", "min"])
        keep = bool(self.rng.random() < 0.4)
        r = self.rng.random()
        if r < 0.2 or a.rank == 0:
            axes, axis_text = list(range(a.rank)), "None"
        elif r < 0.75 or a.rank == 1:
            ax = int(self.rng.integers(0, a.rank))
            axes = [ax]
            axis_text = str(ax - a.rank if self.rng.random() < 0.3 else ax)
        else:
            axes = sorted(int(x) for x in self.rng.choice(a.rank, 2, replace=False))
            axis_text = f"({axes[0]}, {axes[1]})"
        shape = [1 if i in axes else d for i, d in enumerate(a.shape)] if keep else \
            [d for i, d in enumerate(a.shape) if i not in axes]
        kw = ", keepdims=True" if keep else ""
        kind = "f" if op == "mean" else a.kind
        return f"V.{op}({{0}}, axis={axis_text}{kw})", [a.name], shape, kind

    def softmax(self, pool):
        a = self.pick([v for v in pool if v.rank >= 1])
        if a is None:
            return None
        ax = int(self.rng.integers(-a.rank, a.rank))
        op = self.choice(["softmax", "log_softmax"])
        return f"V.{op}({{0}}, axis={ax})", [a.name], list(a.shape), "f"

    def broadcast(self, pool):
        a = self.pick(pool)
        r = self.rng.random()
        args = [a.name]
        if r < 0.35 and a.rank < 3:
            lead = int(self.choice([1, 2, 3]))
            target, shape = [str(lead)], [lead]
            for i in range(a.rank):
                d = self.dim(a, i)
                target.append(str(d) if isinstance(d, int) else f"{{0}}.shape[{i}]")
                shape.append(d if isinstance(d, int) else None)
        else:
            # Stretch size-1 axes (static ones when there are) to other extents.
            other = self.pick(pool, a.rank, exclude=a) or a
            args.append(other.name)
            target, shape = [], []
            for i, d in enumerate(a.shape):
                u = self.rng.random()
                if d == 1 or u < 0.15:
                    if u < 0.5:
                        target.append(f"{{1}}.shape[{i}]")
                        shape.append(other.shape[i])
                    else:
                        n = int(self.choice([1, 2, 3]))
                        target.append(str(n))
                        shape.append(n)
                else:
                    target.append(f"{{0}}.shape[{i}]" if d is None else str(d))
                    shape.append(d)
            if a.rank < 3 and self.rng.random() < 0.3:
                target.insert(0, "2")
                shape.insert(0, 2)
        tgt = "(" + ", ".join(target) + ("," if len(target) == 1 else "") + ")"
        return f"V.broadcast_to({{0}}, {tgt})", args, shape, a.kind

    def promote(self, pool):
        a = self.pick(pool)
        target, shape, args = [], [], [a.name]
        other = self.pick(pool, a.rank, exclude=a)
        for i, d in enumerate(a.shape):
            u = self.rng.random()
            base = f"{{0}}.shape[{i}]" if d is None else str(d)
            if u < 0.4:
                n = int(self.choice([1, 2]))
                target.append(f"{base} + {n}")
                shape.append(None if d is None else d + n)
            elif u < 0.55 and other is not None:
                if len(args) == 1:
                    args.append(other.name)
                target.append(f"{base} + {{1}}.shape[{i}]")
                shape.append(None)
            elif u < 0.7:
                n = int(self.choice([3, 4, 5]))
                target.append(str(n))  # may be smaller than the extent: an error path
                shape.append(n)
            else:
                target.append(base)
                shape.append(d)
        tgt = "(" + ", ".join(target) + ("," if len(target) == 1 else "") + ")"
        return f"V.promote({{0}}, {tgt})", args, shape, a.kind

    def reshape(self, pool):
        a = self.pick(pool)
        d = [f"{{0}}.shape[{i}]" if a.shape[i] is None else str(a.shape[i]) for i in range(a.rank)]
        opts = [("(-1,)", [None])]
        if a.rank == 0:
            opts = [("(1,)", [1]), ("(1, 1)", [1, 1])]
        elif a.rank == 1:
            opts += [("(1, -1)", [1, None]), ("(-1, 1)", [None, 1]), (f"({d[0]}, 1, 1)", [a.shape[0], 1, 1]),
                     ("(-1, 2)", [None, 2])]
        elif a.rank == 2:
            opts += [(f"({d[1]}, {d[0]})", [a.shape[1], a.shape[0]]),
                     (f"({d[0]}, 1, {d[1]})", [a.shape[0], 1, a.shape[1]]),
                     (f"({d[0]} * {d[1]}, 1)", [None, 1]), (f"({d[0]}, -1)", [a.shape[0], None])]
        else:
            opts += [(f"({d[0]} * {d[1]}, {d[2]})", [None, a.shape[2]]),
                     (f"({d[0]}, -1)", [a.shape[0], None]),
                     (f"({d[2]}, {d[1]}, {d[0]})", [a.shape[2], a.shape[1], a.shape[0]])]
        tgt, shape = self.choice(opts)
        if self.rng.random() < 0.25 and a.rank >= 1:
            return f"{{0}}.reshape{tgt}", [a.name], shape, a.kind
        return f"V.reshape({{0}}, {tgt})", [a.name], shape, a.kind

    def transpose(self, pool):
        a = self.pick([v for v in pool if v.rank >= 2])
        if a is None:
            return None
        if self.rng.random() < 0.3:
            return "{0}.T", [a.name], a.shape[::-1], a.kind
        perm = [int(p) for p in self.rng.permutation(a.rank)]
        return f"V.transpose({{0}}, {tuple(perm)})", [a.name], [a.shape[p] for p in perm], a.kind

    def slicing(self, pool):
        a = self.pick(pool)
        r = a.rank
        opts = [("[None]", [1] + a.shape)] if r < 3 else []
        if r >= 1:
            rest = a.shape[1:]
            opts += [("[1:]", [None] + rest), ("[:-1]", [None] + rest), ("[::-1]", [a.shape[0]] + rest),
                     ("[::2]", [None] + rest), ("[::-2]", [None] + rest), ("[2::-1]", [None] + rest),
                     ("[0]", rest), ("[-1]", rest), ("[..., 1:3]", a.shape[:-1] + [None]),
                     ("[..., ::-1]", list(a.shape))]
            if r < 3:
                opts += [("[:, None]", a.shape[:1] + [1] + a.shape[1:]),
                         ("[..., None]", list(a.shape) + [1])]
            other = self.pick(pool, exclude=a)
            if other is not None and other.rank >= 1:
                return "{0}[:{1}.shape[0]]", [a.name, other.name], [None] + rest, a.kind
        if r >= 2:
            opts += [("[:, 1:]", [a.shape[0], None] + a.shape[2:]), ("[:, 0]", [a.shape[0]] + a.shape[2:]),
                     ("[1:, ::-1]", [None, a.shape[1]] + a.shape[2:])]
        if not opts:
            return None
        idx, shape = self.choice(opts)
        return "{0}" + idx, [a.name], shape, a.kind

    def concat(self, pool):
        a = self.pick([v for v in pool if v.rank >= 1])
        if a is None:
            return None
        ax = int(self.rng.integers(0, a.rank))
        b = self.partner(pool, a)
        shape = [None if i == ax else d for i, d in enumerate(a.shape)]
        if b is a and self.rng.random() < 0.5:
            return f"V.concat([{{0}}, V.neg({{0}})], axis={ax})", [a.name], shape, a.kind
        return f"V.concat([{{0}}, {{1}}], axis={ax})", [a.name, b.name], shape, "f"

    def stack(self, pool):
        a = self.pick([v for v in pool if v.rank <= 2])
        if a is None:
            return None
        b = self.partner(pool, a)
        shape = [2] + [self.smax(p, q) for p, q in zip(a.shape, b.shape)]
        if self.rng.random() < 0.3:
            return "V.stack([{0}, {1}, {0} * 0.5])", [a.name, b.name], [3] + shape[1:], "f"
        return "V.stack([{0}, {1}])", [a.name, b.name], shape, "f"

    def conv(self, pool):
        a = self.pick([v for v in pool if v.rank >= 1])
        if a is None:
            return None
        b = self.partner(pool, a)
        mode = self.choice(["full", "full", "valid", "same"])
        m, n = a.shape[-1], b.shape[-1]
        last = None
        if m is not None and n is not None and m and n:
            last = {"full": m + n - 1, "valid": abs(m - n) + 1, "same": max(m, n)}[mode]
        shape = [self.smax(p, q) for p, q in zip(a.shape[:-1], b.shape[:-1])] + [last]
        mtext = "" if mode == "full" and self.rng.random() < 0.5 else f", mode={mode!r}"
        return f"V.conv({{0}}, {{1}}{mtext})", [a.name, b.name], shape, "f"

    def kron(self, pool):
        a = self.pick(pool)
        b = self.partner(pool, a)
        shape = [p * q if p is not None and q is not None else None for p, q in zip(a.shape, b.shape)]
        return "V.kron({0}, {1})", [a.name, b.name], shape, "f"

    def matmul(self, pool):
        a = self.pick([v for v in pool if v.rank >= 1])
        if a is None:
            return None
        cands = [v for v in pool if v.rank == a.rank or (v.rank == 1 and a.rank <= 2)
                 or (a.rank == 1 and v.rank == 2)]
        b = self.pick(cands) or a
        if a.rank == 1 and b.rank == 1:
            shape = []
        elif a.rank == 1:
            shape = [b.shape[-1]]
        elif b.rank == 1:
            shape = [a.shape[0]]
        else:
            shape = [self.smax(p, q) for p, q in zip(a.shape[:-2], b.shape[:-2])] + \
                [a.shape[-2], b.shape[-1]]
        return "V.matmul({0}, {1})", [a.name, b.name], shape, "f"

    def cast(self, pool):
        a = self.pick(pool)
        dt = self.choice(["float64", "float64", "float32", "int64"])
        kind = "i" if dt == "int64" else "f"
        if self.rng.random() < 0.3:
            return f"{{0}}.astype({dt!r})", [a.name], list(a.shape), kind
        return f"V.cast({{0}}, {dt!r})", [a.name], list(a.shape), kind

    def constant(self, pool):
        r = self.rng.random()
        a = self.pick([v for v in pool if v.rank >= 1])
        if r < 0.3:
            n = int(self.choice([1, 2, 3]))
            return f"V.zeros({n})", [], [n], "f"
        if r < 0.45:
            return "V.ones(2, 1)", [], [2, 1], "f"
        if r < 0.6:
            return "V.full((3,), 0.5)", [], [3], "f"
        if r < 0.7:
            return "V.arange(3, dtype='float32')", [], [3], "f"
        if a is None:
            return "V.ones(1)", [], [1], "f"
        if r < 0.85:
            return "V.ones(({0}.shape[0],))", [a.name], [a.shape[0]], "f"
        return "V.full(({0}.shape[0], 2), 0.25)", [a.name], [a.shape[0], 2], "f"

    def program(self, n_ops: int | None = None) -> Program:
        rng = self.rng
        base = int(rng.integers(1, 4))
        n_in = int(rng.integers(1, 4))
        ranks = [base if rng.random() < 0.7 else int(rng.integers(1, 4)) for _ in range(n_in)]
        dtypes = ["float64" if rng.random() < 0.25 else "float32" for _ in range(n_in)]
        inputs = [(f"x{i}", ranks[i], dtypes[i]) for i in range(n_in)]
        pool = [Line(f"x{i}", "", [], [None] * ranks[i]) for i in range(n_in)]
        lines = []
        n_ops = n_ops or int(rng.integers(3, 11))
        weights = np.array([w for _, w in self.families])
        while len(lines) < n_ops:
            fam = self.families[int(rng.choice(len(weights), p=weights / weights.sum()))][0]
            made = fam(pool)
            if made is None:
                continue
            tpl, args, shape, kind = made
            if len(shape) > 3:
                continue
            ln = Line(f"v{len(lines)}", tpl, args, shape, kind)
            lines.append(ln)
            pool.append(ln)
        used = {a for ln in lines for a in ln.args}
        leaves = [ln.name for ln in lines[:-1] if ln.name not in used]
        outputs = leaves[-2:] + [lines[-1].name]
        # Shape sets: all inputs of one shape (joins fit more often), independent random
        # shapes, and one set of small or empty extents.
        sets = []
        common = [int(d) for d in rng.integers(1, 5, size=3)]
        sets.append([tuple(common[:r]) for _, r, _ in inputs])
        sets.append([tuple(int(d) for d in rng.integers(1, 5, size=r)) for _, r, _ in inputs])
        sets.append([tuple(int(d) for d in rng.integers(0, 3, size=r)) for _, r, _ in inputs])
        return Program(inputs, lines, outputs, sets, int(rng.integers(0, 2**31)))


def generate(seed: int, index: int) -> Program:
    """Program `index` of the run with `seed` (independent of the others)."""
    return Generator(np.random.default_rng([seed, index])).program()


# -- checking one program (runs inside a worker) ---------------------------------------------

NAMED = ("ShapeError", "DTypeError")


def input_values(prog: Program, k: int, dtypes=None) -> list:
    if prog.values is not None:
        dts = [d for _, _, d in prog.inputs]
        return [np.asarray(v, dtype=(dtypes or dts)[i]).reshape(prog.shape_sets[k][i])
                for i, v in enumerate(prog.values[k])]
    rng = np.random.default_rng([prog.value_seed, k])
    out = []
    for i, (_, _, dt) in enumerate(prog.inputs):
        dt = (dtypes or [None] * len(prog.inputs))[i] or dt
        out.append(rng.standard_normal(prog.shape_sets[k][i]).astype(dt))
    return out


def normalize_message(msg: str) -> str:
    """A message without locations, numbers and shapes, for grouping failures."""
    lines = [ln for ln in str(msg).splitlines() if ln.strip()]
    if "compilation failed:" in str(msg):
        i = next(i for i, ln in enumerate(lines) if "compilation failed:" in ln)
        lines = lines[i + 1:i + 2] or lines
    first = lines[0] if lines else ""
    first = re.sub(r"^\S+:\d+:\s*", "", first)
    first = re.sub(r"\(/[^)]*\)", "", first)
    first = re.sub(r"tensor<[^>]*>", "tensor<>", first)
    first = re.sub(r"\d+", "#", first)
    return first[:160]


def _tol(prog: Program):
    low = any(d == "float32" for _, _, d in prog.inputs) or prog.uses_cast("float32")
    return (2e-3, 2e-4) if low else (1e-8, 1e-9)


def compare(actual, expected, rtol, atol):
    """None when equal within tolerance, else a short description."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        return "wrong-shape", f"shape {actual.shape}, expected {expected.shape}"
    if actual.dtype != expected.dtype:
        return "wrong-dtype", f"dtype {actual.dtype}, expected {expected.dtype}"
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    finite = e[np.isfinite(e)]
    scale = 1.0 + (float(np.abs(finite).max()) if finite.size else 0.0)
    ok = np.isclose(a, e, rtol=rtol, atol=atol * scale, equal_nan=True)
    if ok.all():
        return None
    i = np.argwhere(~ok)[0]
    kind = "wrong-value" if np.isfinite(e[tuple(i)]) else "wrong-nonfinite"
    return kind, (f"at {tuple(int(j) for j in i)}: {a[tuple(i)]!r}, expected "
                           f"{e[tuple(i)]!r}")


class Checker:
    """Runs programs against the reference; one per worker process."""

    def __init__(self):
        import vsla
        self.vsla = vsla

    def functions(self, prog: Program):
        vsla = self.vsla
        ns_v, ns_r = {"V": vsla}, {"V": Ref}
        exec(prog.source(), ns_v)  # noqa: S102 (the fuzzer's own generated code)
        exec(prog.source(), ns_r)  # noqa: S102
        return ns_v["prog"], ns_r["prog"]

    def run_ref(self, f_ref, xs):
        try:
            with np.errstate(all="ignore"):
                return [np.asarray(o) for o in f_ref(*xs)], None
        except REF_ERRORS as e:
            return None, e
        except RefUndefined as e:
            return None, e

    def check(self, prog: Program, grad: bool, only_set: int | None = None) -> list:
        vsla = self.vsla
        f_v, f_r = self.functions(prog)
        fails = []
        rtol, atol = _tol(prog)
        jitted = vsla.jit(f_v)

        def fail(stage, kind, k, detail):
            fails.append({"stage": stage, "kind": kind, "set": k, "detail": str(detail)[:600],
                          "sig": f"{stage}:{kind}:{normalize_message(detail) if 'raises' in kind or 'accept' in kind or 'reject' in kind else ''}"})

        sets = range(len(prog.shape_sets)) if only_set is None else [only_set]
        valid_sets = []
        for k in sets:
            xs = input_values(prog, k)
            ref, ref_err = self.run_ref(f_r, xs)
            if isinstance(ref_err, RefUndefined):
                continue
            eager_err = None
            try:
                eager = [np.asarray(o) for o in f_v(*[vsla.tensor(x) for x in xs])]
            except vsla.VslaError as e:
                eager_err = e
            except Exception as e:  # noqa: BLE001 (reported)
                eager_err = e
            if eager_err is not None and type(eager_err).__name__ not in NAMED:
                fail("eager", f"raises {type(eager_err).__name__}", k, eager_err)
            elif eager_err is None and ref_err is not None:
                fail("eager", "accepts-invalid", k, f"reference raised {ref_err!r}")
            elif eager_err is not None and ref_err is None:
                fail("eager", "rejects-valid", k, eager_err)
            elif eager_err is None and (bad := first_mismatch(eager, ref, rtol, atol)):
                fail("eager", bad[0], k, bad[1])
            # jit
            try:
                out = [np.asarray(o) for o in jitted(*xs)]
                jit_err = None
            except Exception as e:  # noqa: BLE001 (reported)
                out, jit_err = None, e
            expected_err = eager_err if eager_err is not None and \
                type(eager_err).__name__ in NAMED else ref_err
            if jit_err is not None:
                name = type(jit_err).__name__
                if expected_err is None or (name not in NAMED and not (
                        eager_err is None and name in NAMED)):
                    fail("jit", f"raises {name}", k, jit_err)
                elif eager_err is not None and name != type(eager_err).__name__:
                    fail("jit", f"raises {name}", k,
                         f"eager raised {type(eager_err).__name__}; jit: {jit_err}")
            elif expected_err is not None:
                fail("jit", "accepts-invalid", k,
                     f"eager raised {type(expected_err).__name__}: {expected_err}")
            elif bad := first_mismatch(out, ref, rtol, atol):
                fail("jit", bad[0], k, bad[1])
            else:
                valid_sets.append(k)
        if jitted.cache_size() > 1:
            fail("jit", "recompiled", -1, f"{jitted.cache_size()} compiles for one signature")
        if len(valid_sets) > 1:
            self.check_vmap(prog, f_v, f_r, valid_sets, fail, rtol, atol)
        if grad and not prog.uses_cast("int64", "float32"):
            for k in valid_sets[:2]:
                self.check_grad(prog, f_v, f_r, k, fail)
        return fails

    def check_vmap(self, prog, f_v, f_r, sets, fail, rtol, atol):
        """The program mapped over ragged batches of the valid shape sets (one item
        per set, every input mapped) equals the reference on each set."""
        vsla = self.vsla
        inputs = [input_values(prog, k) for k in sets]
        try:
            batches = [vsla.ragged([xs[i] for xs in inputs], dtype=inputs[0][i].dtype)
                       for i in range(len(prog.inputs))]
            outs = vsla.vmap(f_v, out="ragged")(*batches)
        except Exception as e:  # noqa: BLE001 (reported)
            fail("vmap", f"raises {type(e).__name__}", -1, e)
            return
        for n, (k, xs) in enumerate(zip(sets, inputs)):
            ref, _ = self.run_ref(f_r, xs)
            got = [np.asarray(o[n]) for o in outs]
            if bad := first_mismatch(got, ref, rtol, atol):
                fail("vmap", bad[0], k, bad[1])
                return

    def check_grad(self, prog, f_v, f_r, k, fail):
        vsla = self.vsla
        n = len(prog.inputs)
        xs = input_values(prog, k, ["float64"] * n)
        ref, err = self.run_ref(f_r, xs)
        if err is not None or any(o.dtype.kind != "f" for o in ref):
            return
        rng = np.random.default_rng([prog.value_seed, 99, k])
        ws = [rng.standard_normal(o.shape) for o in ref]
        if not all(np.isfinite(o).all() for o in ref):
            return

        def loss_ref(*xs):
            outs = f_r(*xs)
            return sum(float(np.sum(np.asarray(o, np.float64) * w)) for o, w in zip(outs, ws))

        def loss_v(*args):
            outs = f_v(*args[:n])
            total = None
            for o, w in zip(outs, args[n:]):
                term = vsla.sum(vsla.mul(vsla.cast(o, "float64"), w))
                total = term if total is None else vsla.add(total, term)
            return total

        try:
            grads = vsla.grad(loss_v, argnums=tuple(range(n)))(*xs, *ws)
        except Exception as e:  # noqa: BLE001 (reported)
            fail("grad", f"raises {type(e).__name__}", k, e)
            return
        h = 1e-6
        for i in range(n):
            g = np.asarray(grads[i])
            if g.shape != xs[i].shape:
                fail("grad", "wrong-shape", k, f"d/dx{i}: shape {g.shape}, expected {xs[i].shape}")
                return
            fd = np.zeros_like(xs[i])
            idxs = list(np.ndindex(*xs[i].shape))
            for idx in idxs[:80]:
                xp = [x.copy() for x in xs]
                xm = [x.copy() for x in xs]
                xp[i][idx] += h
                xm[i][idx] -= h
                with np.errstate(all="ignore"):
                    fd[idx] = (loss_ref(*xp) - loss_ref(*xm)) / (2 * h)
            if not np.isfinite(fd).all():
                return
            sel = tuple(np.array(idxs[:80]).T) if idxs else ()
            gs, fs = (g[sel], fd[sel]) if idxs else (g, fd)
            scale = 1.0 + float(np.abs(fs).max()) if fs.size else 1.0
            ok = np.isclose(gs, fs, rtol=1e-4, atol=1e-5 * scale)
            if not ok.all():
                j = int(np.argwhere(~ok)[0][0])
                fail("grad", "wrong-value", k,
                     f"d/dx{i} at {idxs[j]}: {gs[j]!r}, finite differences {fs[j]!r}")
                return


def first_mismatch(outputs, references, rtol, atol):
    """(kind, message) for the first output that differs from its reference, or None."""
    for j, (o, e) in enumerate(zip(outputs, references)):
        bad = compare(o, e, rtol, atol)
        if bad:
            return bad[0], f"output {j}: {bad[1]}"
    return None


def worker_main() -> None:
    """Reads one JSON job per line on stdin, answers one JSON line per job on stdout."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the library prints goes to stderr
    for f in sys.meta_path:  # never rebuild the extension from a worker
        if hasattr(f, "rebuild_flag"):
            f.rebuild_flag = False
    checker = Checker()
    for line in sys.stdin:
        job = json.loads(line)
        prog = Program.from_json(job["program"])
        t0 = time.time()
        try:
            fails = checker.check(prog, job["grad"], job.get("only_set"))
        except Exception as e:  # noqa: BLE001 (a harness bug is reported, not hidden)
            fails = [{"stage": "harness", "kind": f"raises {type(e).__name__}", "set": -1,
                      "detail": repr(e)[:600], "sig": f"harness:{type(e).__name__}"}]
        out.write(json.dumps({"fails": fails, "time": time.time() - t0}) + "\n")
        out.flush()


# -- the parent: workers that survive crashes ------------------------------------------------


class Worker:
    """A worker subprocess; a crash or a hang is the answer for the job that caused it."""

    def __init__(self, timeout: float = 120.0):
        self.timeout = timeout
        self.proc = None
        self.errfile = None

    def start(self):
        self.errfile = tempfile.TemporaryFile()
        env = dict(os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.errfile, env=env, text=True, bufsize=1)

    def stderr_tail(self) -> str:
        self.errfile.seek(0)
        text = self.errfile.read().decode(errors="replace")
        keep = [ln for ln in text.splitlines() if ln.strip()][-4:]
        return " | ".join(keep)[-400:]

    def run(self, prog: Program, grad: bool, only_set: int | None = None) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        job = {"program": prog.to_json(), "grad": grad, "only_set": only_set}
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        line = self.proc.stdout.readline() if ready else ""
        if line:
            return json.loads(line)
        if not ready:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            return {"fails": [{"stage": "process", "kind": "hang", "set": -1, "sig": "process:hang",
                               "detail": f"no answer in {self.timeout:.0f} s"}], "time": self.timeout}
        rc = self.proc.wait()
        tail = self.stderr_tail()
        self.proc = None
        what = f"signal {-rc}" if rc < 0 else f"exit {rc}"
        return {"fails": [{"stage": "process", "kind": "crash", "set": -1,
                           "sig": f"process:crash:{what}", "detail": f"{what}: {tail}"}],
                "time": 0.0}

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def run_programs(progs: list, grad_flags: list, jobs: int = 1, progress=None) -> list:
    """Results (one dict per program, in order); `jobs` workers run side by side. A crash
    in a batch is confirmed by re-running that program alone in a fresh worker."""
    results = [None] * len(progs)
    workers = [Worker() for _ in range(max(1, jobs))]
    pending = list(range(len(progs)))
    busy = {}  # worker index -> program index

    def send(wi):
        if not pending:
            return
        pi = pending.pop(0)
        w = workers[wi]
        if w.proc is None or w.proc.poll() is not None:
            w.start()
        job = {"program": progs[pi].to_json(), "grad": grad_flags[pi], "only_set": None}
        w.proc.stdin.write(json.dumps(job) + "\n")
        w.proc.stdin.flush()
        busy[wi] = (pi, time.time())

    for wi in range(len(workers)):
        send(wi)
    while busy:
        streams = {workers[wi].proc.stdout: wi for wi in busy}
        ready, _, _ = select.select(list(streams), [], [], 5.0)
        for s in ready:
            wi = streams[s]
            pi, _ = busy.pop(wi)
            line = s.readline()
            if line:
                results[pi] = json.loads(line)
            else:
                workers[wi].proc.wait()
                workers[wi].proc = None
                # Confirm alone, in a fresh process.
                alone = Worker()
                results[pi] = alone.run(progs[pi], grad_flags[pi])
                alone.close()
                if not any(f["kind"] in ("crash", "hang") for f in results[pi]["fails"]):
                    results[pi]["fails"].append({
                        "stage": "process", "kind": "crash", "set": -1, "sig": "process:crash-in-batch",
                        "detail": "the worker crashed on this program after earlier ones; alone it "
                                  "does not crash"})
            if progress:
                progress(pi, results[pi])
            send(wi)
        now = time.time()
        for wi, (pi, t0) in list(busy.items()):
            if now - t0 > workers[wi].timeout:
                workers[wi].proc.kill()
                workers[wi].proc.wait()
                workers[wi].proc = None
                busy.pop(wi)
                results[pi] = {"fails": [{"stage": "process", "kind": "hang", "set": -1,
                                          "sig": "process:hang", "detail": "no answer"}], "time": 0}
                if progress:
                    progress(pi, results[pi])
                send(wi)
    for w in workers:
        w.close()
    return results


# -- shrinking -------------------------------------------------------------------------------


def _rename_uses(lines, outputs, old, new):
    lines = [Line(ln.name, ln.template, [new if a == old else a for a in ln.args], ln.shape, ln.kind)
             for ln in lines]
    return lines, [new if o == old else o for o in outputs]


def _dedupe(names):
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return seen


def _prune(prog: Program) -> Program:
    """Removes lines no output needs and inputs no line uses."""
    need = set(prog.outputs)
    keep = []
    for ln in reversed(prog.lines):
        if ln.name in need:
            keep.append(ln)
            need.update(ln.args)
    keep.reverse()
    used = {a for ln in keep for a in ln.args} | set(prog.outputs)
    idx = [i for i, (n, _, _) in enumerate(prog.inputs) if n in used]
    if not idx:
        idx = [0]
    values = None if prog.values is None else [[vs[i] for i in idx] for vs in prog.values]
    return Program([prog.inputs[i] for i in idx], keep, _dedupe(prog.outputs),
                   [[ss[i] for i in idx] for ss in prog.shape_sets], prog.value_seed, values)


def _candidates(prog: Program):
    """Smaller variants of prog, the most aggressive first."""
    # Fewer outputs.
    if len(prog.outputs) > 1:
        for o in prog.outputs:
            yield Program(prog.inputs, prog.lines, [o], prog.shape_sets, prog.value_seed, prog.values)
    # Drop a line: its uses read one of its operands (or an earlier value) of the same rank.
    for i, ln in enumerate(prog.lines):
        earlier = [n for n, r, _ in prog.inputs if r == ln.rank] + \
                  [x.name for x in prog.lines[:i] if x.rank == ln.rank]
        subs = _dedupe([a for a in ln.args if a in earlier] + earlier[::-1])
        for s in subs[:3]:
            lines, outputs = _rename_uses(prog.lines[:i] + prog.lines[i + 1:], prog.outputs, ln.name, s)
            yield Program(prog.inputs, lines, outputs, prog.shape_sets, prog.value_seed, prog.values)
    # Replace an operand by another value of the same rank (e.g. y by x).
    names = {n: r for n, r, _ in prog.inputs}
    for i, ln in enumerate(prog.lines):
        for a in _dedupe(ln.args):
            for b, r in list(names.items()):
                if b != a and r == names.get(a) and b < a:
                    lines = list(prog.lines)
                    lines[i] = Line(ln.name, ln.template, [b if x == a else x for x in ln.args],
                                    ln.shape, ln.kind)
                    yield Program(prog.inputs, lines, prog.outputs, prog.shape_sets, prog.value_seed,
                                  prog.values)
        names[ln.name] = ln.rank
    # Simpler static extents and literals in templates.
    for i, ln in enumerate(prog.lines):
        for m in re.finditer(r"(?<![\w.\[{])(\d+)(?![\w.}\]])", ln.template):
            n = int(m.group(1))
            for smaller in sorted({1, n - 1} - {n}):
                if smaller < 1 or smaller >= n:
                    continue
                tpl = ln.template[:m.start()] + str(smaller) + ln.template[m.end():]
                lines = list(prog.lines)
                lines[i] = Line(ln.name, tpl, ln.args, ln.shape, ln.kind)
                yield Program(prog.inputs, lines, prog.outputs, prog.shape_sets, prog.value_seed,
                              prog.values)
        for mode in ("'valid'", "'same'"):
            if mode in ln.template:
                lines = list(prog.lines)
                lines[i] = Line(ln.name, ln.template.replace(f", mode={mode}", ""), ln.args, ln.shape,
                                ln.kind)
                yield Program(prog.inputs, lines, prog.outputs, prog.shape_sets, prog.value_seed,
                              prog.values)
    # float64 inputs become float32 (the default).
    for i, (n, r, d) in enumerate(prog.inputs):
        if d != "float32":
            inputs = list(prog.inputs)
            inputs[i] = (n, r, "float32")
            yield Program(inputs, prog.lines, prog.outputs, prog.shape_sets, prog.value_seed,
                          prog.values)


def _shape_candidates(prog: Program):
    """Smaller input shapes and simpler values (one shape set)."""
    ss = prog.shape_sets[0]
    vals = input_values(prog, 0) if prog.values else None
    for i, shape in enumerate(ss):
        for ax, d in enumerate(shape):
            for smaller in sorted({1, d - 1}):
                if 0 <= smaller < d:
                    new = list(shape)
                    new[ax] = smaller
                    sets = [list(ss)]
                    sets[0][i] = tuple(new)
                    values = None
                    if vals is not None:
                        values = [[v.tolist() for v in vals]]
                        values[0][i] = vals[i][tuple(slice(0, e) for e in new)].tolist()
                    yield Program(prog.inputs, prog.lines, prog.outputs, sets, prog.value_seed, values)
    if vals is None:
        xs = input_values(prog, 0)
        for f in (lambda x: np.ones_like(x), lambda x: np.round(x * 2) / 2,
                  lambda x: np.arange(1, x.size + 1, dtype=x.dtype).reshape(x.shape)):
            yield Program(prog.inputs, prog.lines, prog.outputs, prog.shape_sets, prog.value_seed,
                          [[f(x).tolist() for x in xs]])


def shrink(prog: Program, sig: str, grad: bool, worker: Worker, budget_s: float = 120.0) -> Program:
    """A minimal variant of prog that still fails with signature sig."""
    t0 = time.time()

    def fails(p):
        if time.time() - t0 > budget_s:
            return False
        r = worker.run(p, grad)
        return any(f["sig"] == sig for f in r["fails"])

    # First one shape set: the one that failed.
    if len(prog.shape_sets) > 1:
        for k in range(len(prog.shape_sets)):
            values = None if prog.values is None else [prog.values[k]]
            cand = Program(prog.inputs, prog.lines, prog.outputs, [prog.shape_sets[k]], prog.value_seed,
                           values)
            if prog.values is None:
                cand.values = [[x.tolist() for x in input_values(prog, k)]]
            if fails(cand):
                prog = cand
                break
    if prog.values is None and len(prog.shape_sets) == 1:
        pass
    prog = _prune(prog)
    progress = True
    while progress and time.time() - t0 < budget_s:
        progress = False
        for gen in (_candidates, _shape_candidates):
            for cand in gen(prog):
                if cand.values is None and prog.values is not None:
                    cand.values = prog.values
                cand = _prune(cand)
                if cand.lines and len(cand.lines) <= len(prog.lines) and fails(cand):
                    prog = cand
                    progress = True
                    break
            if progress:
                break
    return prog


def _fmt_value(x) -> str:
    x = np.asarray(x)
    if x.size == 0:
        return f"np.zeros({x.shape}, dtype=np.{x.dtype.name})"
    return f"np.array({x.tolist()!r}, dtype=np.{x.dtype.name})"


def snippet(prog: Program, fail: dict) -> str:
    """The program as a short runnable Python snippet."""
    src = prog.source(module="vsla", fname="f")
    k = 0
    xs = input_values(prog, k) if prog.values is not None or fail["set"] < 0 else \
        input_values(prog, min(fail["set"], len(prog.shape_sets) - 1))
    args = ", ".join(n for n, _, _ in prog.inputs)
    vals = "\n".join(f"{n} = {_fmt_value(x)}" for (n, _, _), x in zip(prog.inputs, xs))
    if fail["stage"] == "grad":
        call = (f"print(vsla.grad(lambda {args}: vsla.sum(f({args})[0]), "
                f"argnums=tuple(range({len(prog.inputs)})))({args}))")
        vals = vals.replace("np.float32", "np.float64")
    elif fail["stage"] == "eager":
        call = f"print(f({', '.join(f'vsla.tensor({n})' for n, _, _ in prog.inputs)}))"
    else:
        call = f"print(vsla.jit(f)({args}))"
    try:
        exp = Ref.__dict__  # the expected value, from the reference
        ns = {"V": Ref}
        exec(prog.source(), ns)  # noqa: S102
        with np.errstate(all="ignore"):
            want = [np.asarray(o).tolist() for o in ns["prog"](*xs)]
        expect = f"# expected (reference): {want}"
    except REF_ERRORS as e:
        expect = f"# expected: vsla.ShapeError ({e})"
    del exp
    return f"import numpy as np\nimport vsla\n\n{src}\n{vals}\n{call}\n{expect}\n"


# -- the command line ------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--grad", dest="grad", action="store_true", default=True)
    p.add_argument("--no-grad", dest="grad", action="store_false")
    p.add_argument("--grad-every", type=int, default=2,
                   help="check gradients on every k-th program (1: all)")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--no-shrink", action="store_true")
    p.add_argument("--shrink-budget", type=float, default=90.0, help="seconds per failure family")
    p.add_argument("--json", help="write all failures (shrunk) to this file")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker_main()
        return 0
    t0 = time.time()
    progs = [generate(args.seed, i) for i in range(args.count)]
    grads = [args.grad and i % max(1, args.grad_every) == 0 for i in range(args.count)]
    done = [0]

    def progress(pi, res):
        done[0] += 1
        mark = "F" if res["fails"] else "."
        sys.stdout.write(mark)
        if done[0] % 50 == 0:
            sys.stdout.write(f" {done[0]}/{args.count} ({time.time() - t0:.0f} s)\n")
        sys.stdout.flush()

    results = run_programs(progs, grads, args.jobs, progress)
    print()
    failing = [(i, r) for i, r in enumerate(results) if r["fails"]]
    print(f"{args.count} programs, {len(failing)} failures (seed {args.seed}, "
          f"{time.time() - t0:.0f} s)")
    families = {}
    for i, r in failing:
        f = r["fails"][0]
        families.setdefault(f["sig"], []).append((i, f))
    report = []
    worker = Worker(timeout=60)
    for sig, members in families.items():
        i, f = members[0]
        print(f"\n=== {sig}  ({len(members)} programs: {', '.join(str(m) for m, _ in members[:12])})")
        print(f"    {f['stage']} {f['kind']}: {f['detail'][:300]}")
        prog = progs[i]
        if not args.no_shrink:
            prog = shrink(prog, sig, grads[i], worker, args.shrink_budget)
            r = worker.run(prog, grads[i])
            f = next((g for g in r["fails"] if g["sig"] == sig), f)
        text = snippet(prog, f)
        print(f"    shrunk ({f['stage']} {f['kind']}): {f['detail'][:300]}")
        print("    " + text.replace("\n", "\n    "))
        report.append({"sig": sig, "programs": [m for m, _ in members], "fail": f,
                       "program": prog.to_json(), "snippet": text})
    worker.close()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())

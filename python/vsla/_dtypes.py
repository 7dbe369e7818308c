"""Element types: which NumPy dtypes VSLA takes, and how mixed dtypes promote."""

from __future__ import annotations

import numpy as np

from ._errors import DTypeError

float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")

SUPPORTED = (float32, float64, int32, int64, bool_)
SUPPORTED_SET = frozenset(SUPPORTED)
FLOATS = (float32, float64)
_NAMES = ", ".join(d.name for d in SUPPORTED)


def canonicalize(dtype) -> np.dtype:
    """The NumPy dtype for a user's dtype spec; raises DTypeError when unsupported.

    >>> canonicalize("float64")
    dtype('float64')
    """
    if dtype is float:
        return float32
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    try:
        d = np.dtype(dtype)
    except TypeError as e:
        raise DTypeError(f"{dtype!r} is not a dtype; use one of {_NAMES}") from e
    if d not in SUPPORTED:
        raise DTypeError(_unsupported(d))
    return d


def check_array(array: np.ndarray, what: str = "input") -> np.ndarray:
    """Rejects arrays whose dtype VSLA cannot compute on."""
    if array.dtype not in SUPPORTED_SET:
        raise DTypeError(f"{what} has dtype {array.dtype}: {_unsupported(array.dtype)}")
    return array


def _unsupported(d: np.dtype) -> str:
    if d.kind == "c":
        hint = "complex numbers are not supported; split real and imaginary parts"
    elif d.kind in "OUSV":
        hint = "only numeric data is supported"
    elif d == np.float16:
        hint = "float16 is for the GPU backend; use float32 on the CPU"
    elif d.kind in "iu":
        hint = "cast it with .astype(numpy.int64) or .astype(numpy.int32)"
    else:
        hint = "cast it to float32 or float64"
    return f"dtype {d} is not supported ({hint}); VSLA computes on {_NAMES}"


def result_type(*dtypes: np.dtype) -> np.dtype:
    """NumPy's promotion of tensor dtypes (float32 + float64 -> float64)."""
    d = np.result_type(*dtypes)
    if d not in SUPPORTED:  # e.g. int32 + uint... never reached for SUPPORTED inputs
        raise DTypeError(_unsupported(d))
    return d


def float_result(d: np.dtype) -> np.dtype:
    """The dtype a float-only op computes in: floats stay, ints and bool go to float64."""
    return d if d in FLOATS else float64


def scalar_result(d: np.dtype, value) -> np.dtype:
    """NumPy 2 (NEP 50) promotion of a tensor with a Python scalar."""
    if isinstance(value, bool) or d in FLOATS:
        return d
    if isinstance(value, float):
        return float64
    return d if d != bool_ else int64

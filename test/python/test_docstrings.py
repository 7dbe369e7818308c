"""The examples in the package's docstrings run and print what they show."""

import doctest

import numpy as np
import pytest

import vsla
from vsla import _creation, _dtypes, _jit, _ops, _ragged, _streaming, _tensor

MODULES = [_creation, _dtypes, _jit, _ops, _ragged, _streaming, _tensor]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module):
    result = doctest.testmod(module, extraglobs={"vsla": vsla, "np": np},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0

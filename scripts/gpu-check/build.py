"""The build half of the GPU check (scripts/gpu-check.sh build runs it with the
project's Python): exports every case of cases.py for the cuda target and, for
cases small enough to travel, ships their inputs and the results the same
function computes on the CPU here. Each case is also exported for the CPU, so
that `run.py --device cpu` rehearses the whole check on a machine without a GPU.

    python build.py OUT_DIR      # OUT_DIR/<case>.cuda.vsla, manifest.json, ...
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cases import CASES, make_inputs  # noqa: E402

import vsla  # noqa: E402


def flatten(results) -> list:
    if isinstance(results, (tuple, list)):
        return [r for item in results for r in flatten(item)]
    if isinstance(results, vsla.Ragged):  # as the artifact returns it: values, shapes
        return [np.asarray(results.values), results.shapes]
    return [np.asarray(results)]


def arguments(case, inputs) -> list:
    """The function's arguments: each ragged pair of inputs as one vsla.Ragged."""
    args = list(inputs)
    for i in sorted(case.ragged, reverse=True):
        args[i:i + 2] = [vsla.Ragged.from_packed(args[i], args[i + 1])]
    return args


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    manifest = {}
    for case in CASES:
        inputs = make_inputs(case)
        fun = case.vsla() if case.module else case.vsla
        # The cpu artifact lets run.py --device cpu rehearse the check here.
        args = arguments(case, inputs)
        for target in ("cuda", "cpu"):
            vsla.export(fun, *args,
                        path=os.path.join(out, f"{case.name}.{target}.vsla"), target=target)
        # The CPU's results give the number of results either way; small cases
        # keep them (and their inputs) as a second reference.
        if case.expect_error:
            for k, value in enumerate(inputs):
                np.save(os.path.join(out, f"{case.name}.in{k}.npy"), value)
            count = 1
        elif case.cpu_reference:
            results = flatten((fun if case.module else vsla.jit(fun))(*args))
            for k, value in enumerate(inputs):
                np.save(os.path.join(out, f"{case.name}.in{k}.npy"), value)
            for k, value in enumerate(results):
                np.save(os.path.join(out, f"{case.name}.expected{k}.npy"), value)
            count = len(results)
        else:
            shapes = [vsla.asarray(v[tuple(slice(0, 2) for _ in v.shape)]) for v in inputs]
            count = len(flatten((fun if case.module else vsla.jit(fun))(*shapes)))
        manifest[case.name] = {"results": count,
                               "shipped_inputs": case.cpu_reference or bool(case.expect_error),
                               "expected": case.cpu_reference and not case.expect_error}
        print(f"gpu-check: {case.name}: {count} result(s)", flush=True)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()

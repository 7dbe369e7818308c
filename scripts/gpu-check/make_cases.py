"""Inputs for the GPU check's corpus (scripts/gpu-check/*.mlir): each file's
`// INPUTS: f32[4x5] f32[7]` line gives its arguments; values are seeded normals.

    python make_cases.py CORPUS_DIR OUT_DIR   # writes OUT_DIR/<case>.in<k>.npy
"""

import os
import re
import sys

import numpy as np

DTYPES = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}


def main() -> None:
    corpus, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".mlir"):
            continue
        case = name[:-5]
        text = open(os.path.join(corpus, name)).read()
        spec = re.search(r"^// INPUTS: (.*)$", text, re.M)
        if not spec:
            sys.exit(f"{name} has no // INPUTS: line")
        for k, item in enumerate(spec.group(1).split()):
            dtype, dims = re.fullmatch(r"(\w+)\[([\dx]*)\]", item).groups()
            shape = tuple(int(d) for d in dims.split("x")) if dims else ()
            value = rng.standard_normal(shape).astype(DTYPES[dtype])
            np.save(os.path.join(out, f"{case}.in{k}.npy"), value)


if __name__ == "__main__":
    main()

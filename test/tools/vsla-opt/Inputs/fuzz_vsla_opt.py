"""Feeds vsla-opt random bytes and mutated vsla programs.

Every input must end in a clean exit: 0 (the mutant happens to be valid) or
1 (diagnostics). A signal or any other status is a crash, reported with the
input that caused it. Seeded, so a failure reproduces.

usage: fuzz_vsla_opt.py VSLA_OPT SEED_FILE... [--cases N] [--passes ARGS]
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile

TOKENS = [
    "?", "0", "1", "-1", "9223372036854775807", "f32", "f64", "i1", "i8", "i32",
    "index", "tensor<*xf32>", "tensor<?xf32>", "tensor<0xf32>", "tensor<f32>",
    "[]", "[0]", "[1, 0]", "[-1]", "axes = [0]", "keepdims", "axis = 0",
    "window = 0", "levels = 17", "mode = same", "perm = [0, 0]", ",", ":",
    "%arg0", "dense<[1.0]>", "dense<>", "to", "vsla.add", "vsla.shrink",
    "vsla.stack", "vsla.concat", "vsla.slice", "vsla.promote", "vsla.kron",
]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        if not text:
            break
        kind = rng.randrange(5)
        i = rng.randrange(len(text))
        j = min(len(text), i + rng.randint(1, 12))
        if kind == 0:  # delete a span
            text = text[:i] + text[j:]
        elif kind == 1:  # insert a token
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif kind == 2:  # replace a span with a token
            text = text[:i] + rng.choice(TOKENS) + text[j:]
        elif kind == 3:  # duplicate a line
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            lines.insert(k, lines[rng.randrange(len(lines))])
            text = "\n".join(lines)
        else:  # truncate
            text = text[:i]
    return text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("vsla_opt")
    parser.add_argument("seeds", nargs="+")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--passes", default="--canonicalize")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    corpus = [open(path).read() for path in args.seeds]
    # Keep each function of the seed files apart so a mutation hits one op.
    chunks = [c for text in corpus for c in text.split("// -----")]
    crashes = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "input.mlir")
        for case in range(args.cases):
            if case % 10 == 0:
                data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 512)))
            else:
                data = mutate(rng.choice(chunks), rng).encode()
            with open(path, "wb") as f:
                f.write(data)
            run = subprocess.run(
                [args.vsla_opt, path, *args.passes.split()],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
            if run.returncode not in (0, 1):
                crashes += 1
                print(f"case {case}: exit status {run.returncode} on input:")
                print(data.decode(errors="replace"))
                print(run.stderr.decode(errors="replace")[-2000:])
    print(f"{args.cases} inputs, {crashes} crashes")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

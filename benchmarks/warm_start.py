"""A second process's first train step, with each framework's persistent compile cache
warm: VSLA (VSLA_CACHE_DIR), torch.compile (TORCHINDUCTOR_CACHE_DIR, its FX graph and
kernel caches) and JAX (jax_compilation_cache_dir). The MLP train step of
benchmarks/run.py (784-512-512-10, ReLU, Adam, batch 256).

Each framework first fills a fresh cache in one process, then ROUNDS new processes
each build the same train step and time its first call (import time is reported
apart). Medians over the rounds.

    .venv-bench/bin/python benchmarks/warm_start.py [--rounds 5] [--write]

--write writes benchmarks/results/warm-start.md. Peers are skipped when not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES, ACTIVATIONS, BATCH = (784, 512, 512, 10), ("relu", "relu"), 256

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
framework = sys.argv[1]
if framework == "VSLA":
    import vsla
elif framework == "torch.compile":
    import torch
else:
    import jax
    jax.config.update("jax_compilation_cache_dir", sys.argv[2])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
t1 = time.perf_counter()
sys.path.insert(0, {here!r})
import workloads
sizes, acts, batch = {sizes!r}, {acts!r}, {batch!r}
if framework == "VSLA":
    step = workloads.vsla_train_step(sizes, acts, batch)
elif framework == "torch.compile":
    step = workloads.torch_train_step(sizes, acts, batch, True)
else:
    step = workloads.jax_train_step(sizes, acts, batch)
t2 = time.perf_counter()
out = step()
float(out[0] if isinstance(out, tuple) else out)
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "first_call": t3 - t2}}))
"""


def _available(framework: str) -> bool:
    module = {"VSLA": "vsla", "torch.compile": "torch", "JAX": "jax"}[framework]
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def _child(framework: str, cache: str) -> dict:
    env = dict(os.environ, VSLA_CACHE_DIR=cache, TORCHINDUCTOR_CACHE_DIR=cache,
               TORCHINDUCTOR_FX_GRAPH_CACHE="1")
    code = _CHILD.format(here=HERE, sizes=SIZES, acts=ACTIVATIONS, batch=BATCH)
    result = subprocess.run([sys.executable, "-c", code, framework, cache], env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{framework}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = []
    for framework in ("VSLA", "torch.compile", "JAX"):
        if not _available(framework):
            print(f"{framework}: not installed, skipped")
            continue
        with tempfile.TemporaryDirectory() as cache:
            cold = _child(framework, cache)
            warm = [_child(framework, cache) for _ in range(args.rounds)]
        first = statistics.median(w["first_call"] for w in warm)
        imported = statistics.median(w["import"] for w in warm)
        rows.append((framework, cold["first_call"], first, imported))
        print(f"{framework}: cold first call {cold['first_call'] * 1e3:.0f} ms, warm-cache "
              f"first call {first * 1e3:.1f} ms (import {imported * 1e3:.0f} ms)", flush=True)
    vsla_first = next((r[2] for r in rows if r[0] == "VSLA"), None)
    lines = ["| framework | cold first call (empty cache) | first call, warm cache, new "
             "process | vs VSLA | import |", "|---|---|---|---|---|"]
    for framework, cold, first, imported in rows:
        ratio = f"{first / vsla_first:.2f}x" if vsla_first else "-"
        lines.append(f"| {framework} | {cold * 1e3:.0f} ms | {first * 1e3:.1f} ms | {ratio} | "
                     f"{imported * 1e3:.0f} ms |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        path = os.path.join(HERE, "results", "warm-start.md")
        with open(path, "w") as f:
            f.write("# First train step in a new process, persistent caches warm\n\n"
                    "`.venv-bench/bin/python benchmarks/warm_start.py --write` "
                    f"(medians of {args.rounds} processes; 'vs VSLA' is the peer's time "
                    "over VSLA's)\n\n" + table + "\n")


if __name__ == "__main__":
    main()

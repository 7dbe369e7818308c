"""Trains a Conv1d classifier on the PLAID appliance signatures (1,074 real series of
lengths 100-1,344, 11 classes) with ragged mini-batches of 32 series per step: each
series at its own length, no padding anywhere, one compiled training step for every
batch (vsla.vmap maps the one-series model over the batch, forward and backward, on
every core). Prints test accuracy, time per epoch and peak memory beside PyTorch on
padded, masked batches of 32 when PyTorch is installed (scripts/bench-setup.sh puts
it, and sktime's copy of PLAID, in .venv-bench).

Run: .venv-bench/bin/python examples/ragged_plaid.py [--epochs N]
     .venv/bin/python examples/ragged_plaid.py --synthetic   # without the data set
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "benchmarks"))
import harness  # noqa: E402  (peak memory, as benchmarks/run.py measures it)
import plaid  # noqa: E402  (the data set, the model and the PyTorch baseline)

import vsla  # noqa: E402


def run(name: str, build, epochs: int, framework: str) -> dict:
    epoch, accuracy = build()
    times = []
    for n in range(epochs):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
        print(f"  {name} epoch {n + 1}: {times[-1]:.3f} s", flush=True)
    peak = harness.peak_memory_of(epoch, framework)
    # The first epoch includes compiling (VSLA) or warming up (PyTorch).
    steady = statistics.median(times[1:]) if len(times) > 1 else times[0]
    return {"epoch": steady, "first": times[0], "peak": peak, **accuracy()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--synthetic", action="store_true",
                        help="PLAID-shaped random series instead of the data set")
    parser.add_argument("--quick", action="store_true", help="96 series per split")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="VSLA's threads (default: every core)")
    args = parser.parse_args()
    vsla.set_num_threads(args.threads)

    if args.synthetic:
        data = plaid.synthetic(args.quick)
    elif plaid.data_folder() is None:
        raise SystemExit("PLAID comes with sktime's wheel: run scripts/bench-setup.sh and use "
                         ".venv-bench/bin/python, or pass --synthetic")
    else:
        data = plaid.load(args.quick)
    (xs, _), _ = data
    lengths = np.array([len(x) for x in xs])
    print(f"{len(xs)} training series of lengths {lengths.min()}-{lengths.max()}, "
          f"batches of {args.batch}, {args.epochs} epochs")

    rows = {"VSLA, ragged batches (no padding)": run(
        "VSLA", lambda: plaid.build_vsla_ragged(args.quick, args.batch, data), args.epochs,
        harness.VSLA)}
    if importlib.util.find_spec("torch") is not None:
        rows["PyTorch, padded and masked batches"] = run(
            "PyTorch", lambda: plaid.build_torch(args.quick, args.batch, data), args.epochs,
            "PyTorch")
    else:
        print("PyTorch is not installed here: scripts/bench-setup.sh installs it in .venv-bench")

    print(f"\n| | time per epoch | first epoch | peak memory | test accuracy |")
    print("|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['epoch']:.3f} s | {r['first']:.2f} s | "
              f"{r['peak'] / 2**20:.1f} MiB | {r['test accuracy']} |")
    print(f"\ncompiles of the VSLA training step: "
          f"{rows['VSLA, ragged batches (no padding)']['compiles']}")
    print(f"elements per epoch: {int(lengths.sum())} at the series' own lengths, "
          f"about {_padded_elements(lengths, args.batch)} padded per batch")


def _padded_elements(lengths, batch: int) -> int:
    """What padding each shuffled batch to its longest series costs (one epoch)."""
    order = np.random.default_rng(0).permutation(len(lengths))
    return int(sum(len(chunk) * lengths[chunk].max()
                   for chunk in np.array_split(order, max(1, len(order) // batch))))


if __name__ == "__main__":
    main()

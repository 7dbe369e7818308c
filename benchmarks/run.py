"""VSLA beside NumPy, PyTorch (eager and torch.compile) and JAX on the CPU.

Every workload runs each installed framework in this one process, interleaved
after warm-up, and reports the median time, its spread, each peer's speed
relative to VSLA, peak memory where it matters and first-call (compile) time.

    scripts/bench-setup.sh                               # the peers, in .venv-bench
    .venv-bench/bin/python benchmarks/run.py --quick     # about a minute
    .venv-bench/bin/python benchmarks/run.py             # writes benchmarks/results/cpu.md
    .venv-bench/bin/python benchmarks/run.py --only matmul-1024,plaid --threads 1

Missing peers are skipped with a note. The full run writes the table to
benchmarks/results/cpu.md and a plot to benchmarks/results/cpu.png (a quick
run or one with --only writes nothing unless --write is given).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and smaller data sets: about a minute")
    parser.add_argument("--only", default="",
                        help="comma-separated workload names (prefixes match: --only matmul)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per framework (default: every core)")
    parser.add_argument("--write", action="store_true",
                        help="write benchmarks/results/cpu.md and cpu.png even for --quick/--only")
    parser.add_argument("--no-memory", action="store_true", help="skip peak-memory probes")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--memory-probe", nargs=2, metavar=("WORKLOAD", "LABEL"),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


ARGS = parse_args()
if ARGS.threads < 0:
    raise SystemExit(f"run.py: --threads {ARGS.threads}: give a positive count, or 0 for every core")
THREADS = ARGS.threads or len(os.sched_getaffinity(0))
# Thread counts are read when each library loads: set them before any import.
for variable in ("VSLA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                 "MKL_NUM_THREADS"):
    os.environ[variable] = str(THREADS)
if THREADS == 1:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false"
                               " intra_op_parallelism_threads=1").strip()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import harness  # noqa: E402
import workloads  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")

# What VSLA should reach on each workload: (peer label, or "best" for the best peer;
# the least peer time / VSLA time; what the target says).
TARGETS = {
    "chain-1M": [("best", 1.0, "at least as fast as the best peer")],
    "chain-16M": [("best", 1.0, "at least as fast as the best peer")],
    "matmul-1024": [("best", 0.9, "at least 0.9x the best peer")],
    "matmul-2048": [("best", 0.9, "at least 0.9x the best peer")],
    "mlp-train": [("JAX", 1.0, "at least as fast as JAX"),
                  ("PyTorch", 1.0, "at least as fast as PyTorch")],
    "compile-cold": [("JAX", 1 / 1.2, "within 1.2x of JAX's time")],
    "conv-short": [("best", 1.0, "ahead of every peer")],
    "conv-long": [("best", 1.0, "ahead of every peer")],
    "ragged": [("best", 1.0, "ahead of every (padded) peer")],
    "plaid": [("PyTorch (padded 32)", 1.0,
               "ragged batches of 32: an epoch at least as fast as PyTorch's padded 32"),
              ("PyTorch (batch 1)", 1.0, "an epoch at least as fast as PyTorch's at batch 1")],
}


def select(all_workloads, only: str):
    if not only:
        return all_workloads
    names = [n.strip() for n in only.split(",") if n.strip()]
    chosen = [w for w in all_workloads if any(w.name == n or w.name.startswith(n) for n in names)]
    if not chosen:
        known = ", ".join(w.name for w in all_workloads)
        raise SystemExit(f"run.py: no workload matches --only {only!r}; the workloads are {known}")
    return chosen


def format_time(seconds: float, unit: str) -> str:
    if seconds != seconds:
        return "-"
    if unit == "us":
        return f"{seconds * 1e6:.2f} µs"
    if unit == "s":
        return f"{seconds:.3f} s"
    return f"{seconds * 1e3:.3g} ms" if seconds < 10 else f"{seconds:.2f} s"


def format_bytes(n) -> str:
    if n is None:
        return "-"
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def versions() -> dict[str, str]:
    import vsla

    found = {"VSLA": vsla.__version__, "NumPy": np.__version__}
    if workloads.HAVE_TORCH:
        import torch
        found["PyTorch"] = torch.__version__
    if workloads.HAVE_JAX:
        import jax
        found["JAX"] = jax.__version__
    return found


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_features() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line for line in f if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return ""
    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"


def set_framework_threads():
    if workloads.HAVE_TORCH:
        import torch
        torch.set_num_threads(THREADS)


def memory_probe(name: str, label: str, quick: bool) -> None:
    set_framework_threads()
    workload = next(w for w in workloads.all_workloads(quick) if w.name == name)
    impl = next(i for i in workload.impls if i.label == label)
    fn = impl.build()
    if isinstance(fn, tuple):
        fn = fn[0]
    print("peak-bytes", harness.peak_memory_of(fn, impl.framework))


def run(selected, quick: bool, measure_memory: bool):
    rows = []
    for n, workload in enumerate(selected, 1):
        print(f"[{n}/{len(selected)}] {workload.name}: {workload.title}", file=sys.stderr,
              flush=True)
        if "all" in workload.skipped:
            rows.append((workload, [], None))
            continue
        results = harness.measure(workload, quick)
        floor = None
        if workload.floor:
            floor = workload.floor()
        if workload.measure_memory and measure_memory:
            for impl, result in zip(workload.impls, results):
                if not result.error:
                    print(f"  {impl.label}: peak memory (in a fresh process)", file=sys.stderr,
                          flush=True)
                    argv = (["--quick"] if quick else []) + ["--threads", str(THREADS)]
                    result.peak_bytes = harness.measure_memory_in_subprocess(
                        workload.name, impl.label, argv)
        rows.append((workload, results, floor))
        print(summary_line(workload, results), file=sys.stderr, flush=True)
    return rows


def vsla_ratio(results):
    """(best peer result, best peer time / VSLA time) — above 1: VSLA is faster."""
    vsla_result = next((r for r in results if r.framework == harness.VSLA), None)
    peers = [r for r in results if r.framework != harness.VSLA and r.median == r.median]
    if not vsla_result or vsla_result.median != vsla_result.median or not peers:
        return None, None
    best = min(peers, key=lambda r: r.median)
    return best, best.median / vsla_result.median


def summary_line(workload, results) -> str:
    parts = [f"{r.label} {format_time(r.median, workload.unit)}" for r in results if not r.error]
    best, ratio = vsla_ratio(results)
    tail = f" -> VSLA ÷ best peer ({best.label}) speed: {ratio:.2f}" if best else ""
    return "  " + ", ".join(parts) + tail


def targets(rows) -> str:
    lines = []
    for workload, results, _ in rows:
        vsla_result = next((r for r in results if r.framework == harness.VSLA), None)
        for peer, least, text in TARGETS.get(workload.name, []):
            if peer == "best":
                other, _ = vsla_ratio(results)
            else:
                other = next((r for r in results if r.label == peer and r.median == r.median),
                             None)
            if not other or not vsla_result or vsla_result.median != vsla_result.median:
                continue
            ratio = other.median / vsla_result.median
            verdict = "met" if ratio >= least else f"missed by {(1 - ratio / least) * 100:.0f}%"
            lines.append(f"| {workload.name} | {text} (≥ {least:.2f} vs {other.label}) | "
                         f"{ratio:.2f} | {verdict} |")
    if not lines:
        return ""
    return ("\nTargets (peer time ÷ VSLA time against the least it should be):\n\n"
            "| workload | target | measured | |\n|---|---|---|---|\n" + "\n".join(lines) + "\n")


def table(rows, quick: bool) -> str:
    labels = []
    for workload, results, _ in rows:
        for r in results:
            if r.label not in labels:
                labels.append(r.label)
    lines = ["| workload | " + " | ".join(labels) + " | best peer | VSLA ÷ best peer speed |",
             "|---" * (len(labels) + 3) + "|"]
    notes, memory, firsts = [], [], []
    for workload, results, floor in rows:
        by_label = {r.label: r for r in results}
        cells = []
        for label in labels:
            r = by_label.get(label)
            if r is None:
                reason = workload.skipped.get(label.split(" (")[0])
                cells.append("n/a" if reason else "")
                if reason:
                    notes.append(f"{workload.name}: {label} skipped: {reason}.")
            elif r.error:
                cells.append("failed")
                notes.append(f"{workload.name}: {label} failed: {r.error}.")
            else:
                spread = f" ±{r.spread * 100:.0f}%" if r.spread == r.spread else ""
                cells.append(format_time(r.median, workload.unit) + spread)
        best, ratio = vsla_ratio(results)
        lines.append(f"| {workload.title} | " + " | ".join(cells) +
                     f" | {best.label if best else '-'} | " +
                     (f"**{ratio:.2f}**" if ratio else "-") + " |")
        if floor:
            notes.append(f"{workload.name}: bandwidth floor {format_time(floor[0], workload.unit)} "
                         f"({floor[1]}).")
        for r in results:
            if r.note:
                notes.append(f"{workload.name}: {r.label}: {r.note}.")
            if r.extra:
                notes.append(f"{workload.name}: {r.label}: " +
                             ", ".join(f"{k} {v}" for k, v in r.extra.items()) + ".")
            if r.peak_bytes is not None:
                memory.append((workload.name, r.label, r.peak_bytes))
        if not workload.once:
            firsts.append((workload.name, [(r.label, r.first_call) for r in results
                                           if r.first_call == r.first_call]))
    text = "\n".join(lines) + "\n" + targets(rows)
    if memory:
        text += "\nPeak memory above the steady state, each framework in a fresh process:\n\n"
        text += "| workload | framework | peak memory |\n|---|---|---|\n"
        text += "".join(f"| {w} | {label} | {format_bytes(b)} |\n" for w, label, b in memory)
    if firsts:
        text += "\nFirst call (compile, or the first run for eager frameworks):\n\n"
        text += "| workload | " + " | ".join(labels) + " |\n" + "|---" * (len(labels) + 1) + "|\n"
        for name, values in firsts:
            by = dict(values)
            text += f"| {name} | " + " | ".join(
                format_time(by[label], "s") if label in by else "" for label in labels) + " |\n"
    if notes:
        text += "\nNotes:\n\n" + "".join(f"- {n}\n" for n in notes)
    return text


def header(quick: bool) -> str:
    found = versions()
    missing = [p for p in ("PyTorch", "JAX") if p not in found]
    date = datetime.date.today().isoformat()
    text = ("# CPU benchmarks: VSLA and its peers\n\n"
            f"`.venv-bench/bin/python benchmarks/run.py{' --quick' if quick else ''}`, "
            f"{date}. Machine: {cpu_name()} ({cpu_features()}), "
            f"{len(os.sched_getaffinity(0))} cores, {THREADS} thread(s) per framework "
            f"(VSLA_NUM_THREADS, torch.set_num_threads, OpenBLAS/OpenMP variables"
            f"{', XLA single-threaded' if THREADS == 1 else ''}). "
            "Versions: " + ", ".join(f"{k} {v}" for k, v in found.items()) + ". "
            "Times are medians over interleaved rounds, ± half the interquartile range. "
            "The last column is the best peer's time divided by VSLA's: above 1, VSLA is "
            "faster.\n")
    if missing:
        text += f"\nNot installed (skipped): {', '.join(missing)}; run scripts/bench-setup.sh.\n"
    return text + "\n"


def plot(rows, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, series = [], {}
    for workload, results, _ in rows:
        vsla_result = next((r for r in results if r.framework == harness.VSLA), None)
        if not vsla_result or vsla_result.median != vsla_result.median:
            continue
        names.append(workload.name)
        for r in results:
            if r.framework != harness.VSLA:
                series.setdefault(r.label, {})[workload.name] = r.median / vsla_result.median
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(names) + 1.5))
    height = 0.8 / max(1, len(series))
    for i, (label, values) in enumerate(series.items()):
        ys = [n + i * height for n in range(len(names))]
        ax.barh(ys, [values.get(name, np.nan) for name in names], height=height, label=label)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks([n + 0.4 - height / 2 for n in range(len(names))])
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("peer time ÷ VSLA time (right of 1: VSLA is faster)")
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(f"VSLA vs peers on {cpu_name()}, {THREADS} thread(s)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    if ARGS.memory_probe:
        memory_probe(*ARGS.memory_probe, ARGS.quick)
        return
    set_framework_threads()
    selected = select(workloads.all_workloads(ARGS.quick), ARGS.only)
    if ARGS.list:
        for w in selected:
            print(f"{w.name:14} {w.title}")
        return
    print(f"benchmarks: {len(selected)} workloads, {THREADS} thread(s), "
          f"{'quick' if ARGS.quick else 'full'} run", file=sys.stderr)
    rows = run(selected, ARGS.quick, not ARGS.no_memory)
    text = header(ARGS.quick) + table(rows, ARGS.quick)
    print(text)
    if ARGS.write or not (ARGS.quick or ARGS.only):
        os.makedirs(RESULTS, exist_ok=True)
        plot(rows, os.path.join(RESULTS, "cpu.png"))
        with open(os.path.join(RESULTS, "cpu.md"), "w") as f:
            f.write(text + "\n![peer time ÷ VSLA time](cpu.png)\n")
        print(f"wrote {os.path.join(RESULTS, 'cpu.md')} and cpu.png", file=sys.stderr)


if __name__ == "__main__":
    main()

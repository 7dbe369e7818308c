"""Timing, memory and reporting for benchmarks/run.py.

A workload has one implementation per framework. The harness builds every
implementation (timing the first call: the cold compile), warms each up, then
times them in interleaved rounds, rotating the order, so that a noisy
neighbour slows every framework alike. It reports the median time per call,
the spread (half the interquartile range, relative to the median) and each
peer's speed relative to VSLA.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

VSLA = "VSLA"
PEERS = ("NumPy", "PyTorch", "torch.compile", "JAX")
FRAMEWORKS = (VSLA,) + PEERS


@dataclass
class Impl:
    """One framework's version of a workload: `build()` prepares the data and
    returns a zero-argument function that runs the workload once and waits for
    its result."""

    framework: str
    build: Callable[[], object]
    note: str = ""
    # Distinguishes two versions of one framework (PyTorch at batch 1 and 32).
    variant: str = ""

    @property
    def label(self) -> str:
        return f"{self.framework} ({self.variant})" if self.variant else self.framework


@dataclass
class Workload:
    name: str
    title: str
    impls: list[Impl]
    # A lower bound on the time from the machine's measured bandwidth:
    # returns (seconds, how it was derived).
    floor: Optional[Callable[[], tuple[float, str]]] = None
    measure_memory: bool = False
    # Each timed sample lasts at least this long (seconds), full and quick.
    sample_seconds: tuple[float, float] = (0.2, 0.05)
    rounds: tuple[int, int] = (9, 5)
    # Workloads that are one long call (an epoch, a compile) run `once` per
    # round instead of being calibrated.
    once: bool = False
    # Whether a call after the first one runs before timing (not for
    # workloads that time first calls).
    warmup: bool = True
    unit: str = "ms"
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    framework: str
    label: str
    median: float = float("nan")
    spread: float = float("nan")
    first_call: float = float("nan")
    peak_bytes: Optional[int] = None
    extra: dict[str, str] = field(default_factory=dict)
    error: str = ""
    note: str = ""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _calibrate(fn: Callable[[], object], target: float) -> int:
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(target / once))


def measure(workload: Workload, quick: bool) -> list[Result]:
    results: dict[str, Result] = {}
    runners: dict[str, Callable[[], object]] = {}
    reports: dict[str, Callable[[], dict]] = {}
    for impl in workload.impls:
        result = results[impl.label] = Result(impl.framework, impl.label, note=impl.note)
        try:
            _progress(f"  {impl.label}: building and first call")
            fn = impl.build()
            if isinstance(fn, tuple):  # (run, report of extra figures)
                fn, reports[impl.label] = fn
            start = time.perf_counter()
            fn()
            result.first_call = time.perf_counter() - start
            runners[impl.label] = fn
        except Exception as e:  # a peer that cannot run this workload
            message = str(e).splitlines()[0][:160] if str(e) else ""
            result.error = f"{type(e).__name__}: {message}"
            _progress(f"  {impl.label}: failed: {result.error}")
    sample = workload.sample_seconds[1 if quick else 0]
    rounds = workload.rounds[1 if quick else 0]
    numbers = {}
    for name, fn in runners.items():
        if workload.warmup:
            fn()
        numbers[name] = 1 if workload.once else _calibrate(fn, sample)
    samples: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners)
    for r in range(rounds):
        _progress(f"  round {r + 1}/{rounds}")
        for name in order[r % len(order):] + order[:r % len(order)] if order else []:
            fn, number = runners[name], numbers[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    for name, times in samples.items():
        result = results[name]
        result.median = statistics.median(times)
        if len(times) >= 4:
            q = statistics.quantiles(times, n=4)
            result.spread = (q[2] - q[0]) / 2 / result.median
        else:
            result.spread = (max(times) - min(times)) / 2 / result.median
    for name, report in reports.items():
        results[name].extra.update(report())
    return [results[impl.label] for impl in workload.impls]


def _read_status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def peak_memory_of(fn: Callable[[], object], framework: str, calls: int = 1) -> int:
    """Bytes by which the process's resident set grows above its steady state
    while `fn` runs `calls` times: caches that outlive a call (VSLA's buffer
    pool) are emptied first, so each framework's working set is counted."""
    fn()
    gc.collect()
    if framework == VSLA:
        from vsla import _vsla

        _vsla.trim_pool()
    baseline = _read_status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident set
    for _ in range(calls):
        fn()
    return max(0, _read_status("VmHWM") - baseline)


def measure_memory_in_subprocess(workload: str, framework: str, argv: list[str]) -> Optional[int]:
    """Peak memory measured in a fresh process, so that no other framework's
    allocations are resident."""
    command = [sys.executable, os.path.join(os.path.dirname(__file__), "run.py"),
               "--memory-probe", workload, framework] + argv
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return None
    for line in out.stdout.splitlines():
        if line.startswith("peak-bytes "):
            return int(line.split()[1])
    return None

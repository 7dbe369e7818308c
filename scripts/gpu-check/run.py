"""The run half of the GPU check, on the machine with the GPU (python3 with
PyTorch; JAX optional). For every case of cases.py: runs its cuda artifact with
the packaged vsla-run, compares each result with PyTorch computing the same
function on the same GPU (and with the CPU's results where they were shipped),
and for benchmark cases times VSLA, PyTorch eager, torch.compile and JAX on the
same inputs, writing a Markdown report. Each artifact also runs from Python through
vsla_runtime (the runtime's C interface over ctypes) on the PyTorch tensors
themselves, exchanged through DLPack without copies.

    python3 run.py [--report cuda.md] [--skip-compile] [--only a,b]
    python3 run.py --device cpu ...   # a rehearsal: cpu artifacts, PyTorch on the CPU

Exit 0: every case matches; 1: a mismatch or a failure; 2: no GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # cases.py and vsla_runtime/ (the runtime's Python binding)
os.environ.setdefault("VSLA_RUNTIME_LIBRARY", os.path.join(HERE, "bin", "libvsla_runtime.so"))
os.environ.setdefault("VSLA_OPENMP_LIBRARY", os.path.join(HERE, "bin", "libomp.so.5"))
# JAX takes 75% of the GPU's memory up front unless told not to; PyTorch and the
# runtime allocate beside it.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

from cases import CASES, N16M, make_inputs  # noqa: E402


def vsla_run(artifact, inputs, outputs, repeat) -> tuple[float | None, str]:
    env = dict(os.environ, VSLA_OPENMP_LIBRARY=os.path.join(HERE, "bin", "libomp.so.5"))
    command = [os.path.join(HERE, "bin", "vsla-run"), artifact]
    for path in inputs:
        command += ["-i", path]
    for path in outputs:
        command += ["-o", path]
    command += ["--benchmark", str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"vsla-run did not finish in 180 s: {' '.join(command)}") from None
    log = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise RuntimeError(log)
    found = re.search(r"median ([\d.]+) us", log)
    return (float(found.group(1)) if found else None), log


def timed_us(fn, args, repeat, sync) -> float:
    for _ in range(3):
        fn(*args)
        sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        sync()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def flatten(results) -> list:
    if isinstance(results, (tuple, list)):
        return [r for item in results for r in flatten(item)]
    return [results]


def dlpack_check(case, cases, target, tensors, want, repeat, sync, checks) -> None:
    """The same artifact from Python through vsla_runtime: PyTorch tensors in and out
    through DLPack, no copies (the results' memory is the runtime's)."""
    import torch

    import vsla_runtime

    module = vsla_runtime.load(os.path.join(cases, f"{case.name}.{target}.vsla"))
    function = next(iter(module.functions.values()))
    results = function(*tensors)
    got = [torch.from_dlpack(r) for r in results]
    shared = all(g.data_ptr() == torch.from_dlpack(r).data_ptr() for g, r in zip(got, results))
    on_device = all(g.device == tensors[0].device for g in got)
    error = max((worst_error(g.cpu().numpy(), w) for g, w in zip(got, want)), default=0.0)
    us = timed_us(function, tensors, repeat, sync)
    ok = error <= case.tolerance and shared and on_device
    line = (f"{case.name} via vsla_runtime (DLPack): {'OK' if ok else 'MISMATCH'} "
            f"(vs PyTorch {error:.1e}, zero-copy {shared}, on {got[0].device}); {fmt(us)}")
    print(line, flush=True)
    checks.append(line)
    if not ok:
        raise ValueError(line)


def worst_error(got: np.ndarray, want: np.ndarray) -> float:
    if got.shape != want.shape:
        raise ValueError(f"shape {got.shape} != {want.shape}")
    if want.size == 0:
        return 0.0
    scale = np.maximum(np.abs(want.astype(np.float64)), 1.0)
    return float(np.max(np.abs(got.astype(np.float64) - want) / scale))


def fmt(us) -> str:
    if us is None:
        return "-"
    return f"{us / 1000:.3f} ms" if us >= 1000 else f"{us:.1f} us"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", default=os.path.join(HERE, "cuda.md"))
    parser.add_argument("--skip-compile", action="store_true",
                        help="no torch.compile rows (it compiles for minutes)")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--no-dlpack", dest="dlpack", action="store_false",
                        help="skip running each artifact from Python through vsla_runtime")
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"),
                        help="cpu: rehearse with the cpu artifacts and PyTorch on the CPU")
    options = parser.parse_args()
    target = options.device

    # The runtime's own view first: no driver or no device is exit 2.
    cases = os.path.join(HERE, "cases")
    manifest = json.load(open(os.path.join(cases, "manifest.json")))
    probe = next(name for name, info in manifest.items() if info["expected"])
    try:
        vsla_run(os.path.join(cases, f"{probe}.{target}.vsla"),
                 sorted(os.path.join(cases, f) for f in os.listdir(cases)
                        if f.startswith(f"{probe}.in")), [], 1)
    except RuntimeError as e:
        print(f"gpu-check: {e}")
        return 2 if "unavailable" in str(e) else 1
    try:
        import torch
    except ImportError:
        print("gpu-check: the references need PyTorch (python3 -c 'import torch' fails)")
        return 2
    if target == "cuda" and not torch.cuda.is_available():
        print("gpu-check: PyTorch sees no GPU")
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(target)
    sync = torch.cuda.synchronize if target == "cuda" else (lambda: None)
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_default_matmul_precision", "highest")
        have_jax = target == "cpu" or any(d.platform == "gpu" for d in jax.devices())
    except Exception:  # noqa: BLE001 (JAX is optional)
        have_jax = False

    only = set(filter(None, options.only.split(",")))
    status = 0
    checks, rows = [], []
    work = tempfile.mkdtemp(prefix="vsla-gpu-check-")
    for case in CASES:
        if only and case.name not in only:
            continue
        info = manifest[case.name]
        try:
            if info["shipped_inputs"]:
                inputs = [np.load(os.path.join(cases, f"{case.name}.in{k}.npy"))
                          for k in range(len(case.inputs))]
            else:
                inputs = make_inputs(case)
            input_paths = []
            for k, value in enumerate(inputs):
                input_paths.append(os.path.join(work, f"{case.name}.in{k}.npy"))
                np.save(input_paths[-1], value)
            output_paths = [os.path.join(work, f"{case.name}.out{k}.npy")
                            for k in range(info["results"])]
            repeat = 50 if case.bench else 5
            if case.expect_error:
                try:
                    vsla_run(os.path.join(cases, f"{case.name}.{target}.vsla"), input_paths,
                             output_paths, 1)
                    raise RuntimeError("the call succeeded; a run-time check should have "
                                       "failed it")
                except RuntimeError as e:
                    if case.expect_error not in str(e):
                        raise
                line = f"{case.name}: OK (failed as it must: {case.expect_error})"
                print(line, flush=True)
                checks.append(line)
                continue
            vsla_us, log = vsla_run(os.path.join(cases, f"{case.name}.{target}.vsla"),
                                    input_paths, output_paths, repeat)
            got = [np.load(p) for p in output_paths]
            tensors = [torch.from_numpy(v).to(device) for v in inputs]
            want = [t.detach().cpu().numpy() for t in flatten(case.torch(*tensors))]
            if len(want) != len(got):
                raise ValueError(f"{len(got)} results, PyTorch has {len(want)}")
            error = max((worst_error(g, w) for g, w in zip(got, want)), default=0.0)
            cpu_error = None
            if info["expected"]:
                cpu_error = max((worst_error(g, np.load(os.path.join(
                    cases, f"{case.name}.expected{k}.npy"))) for k, g in enumerate(got)),
                    default=0.0)
            ok = error <= case.tolerance and (cpu_error is None or cpu_error <= case.tolerance)
            status |= 0 if ok else 1
            line = (f"{case.name}: {'OK' if ok else 'MISMATCH'} (vs PyTorch {error:.1e}"
                    + (f", vs VSLA-CPU {cpu_error:.1e}" if cpu_error is not None else "")
                    + f", tolerance {case.tolerance:.0e}); VSLA {fmt(vsla_us)}")
            print(line, flush=True)
            checks.append(line)
            if options.dlpack and not case.ragged:  # vsla_runtime: tensors only
                dlpack_check(case, cases, target, tensors, want, repeat, sync, checks)
            if not case.bench:
                continue
            row = {"workload": case.bench, "vsla": vsla_us}
            row["torch"] = timed_us(case.torch, tensors, repeat, sync)
            if not options.skip_compile and case.torch_compile:
                compiled = torch.compile(case.torch)
                start = time.perf_counter()
                compiled(*tensors)
                sync()
                row["compile_s"] = time.perf_counter() - start
                row["torch.compile"] = timed_us(compiled, tensors, repeat, sync)
            if have_jax and case.jax is not None:
                arrays = [jnp.asarray(v) for v in inputs]
                jitted = jax.jit(case.jax)
                row["jax"] = timed_us(lambda *a, f=jitted: jax.block_until_ready(f(*a)), arrays,
                                      repeat, lambda: None)
            if case.name == "chain_16m":
                source = torch.empty(N16M, device=device)
                copy_to = torch.empty_like(source)
                copy_us = timed_us(lambda d=copy_to, s=source: d.copy_(s), [], repeat, sync)
                row["copy"] = copy_us
                # The chain reads two arrays and writes one; a copy reads one, writes one.
                row["bandwidth"] = (3 * 4 * N16M / vsla_us) / (2 * 4 * N16M / copy_us)
            rows.append(row)
            print(f"  {row}", flush=True)
        except Exception as e:  # noqa: BLE001 (one case's failure must not hide the rest)
            status = 1
            message = str(e).strip().splitlines()
            line = f"{case.name}: FAILED: {' / '.join(message[-6:])}"
            if "unavailable" in str(e):
                print(line)
                return 2
            print(line, flush=True)
            traceback.print_exc()
            checks.append(line)
    write_report(options.report, torch, device, checks, rows)
    print(f"gpu-check: report in {options.report}")
    return status


def write_report(path, torch, device, checks, rows) -> None:
    name = torch.cuda.get_device_name() if device.type == "cuda" else "CPU (a rehearsal)"
    lines = [
        "# VSLA on an NVIDIA GPU",
        "",
        f"{name}; PyTorch {torch.__version__}. Written by `scripts/gpu-check/run.py` "
        "(`scripts/gpu-check.sh build`, then `bash build-gpu-check/run.sh` on the GPU "
        "machine). Times are medians of per-call wall time, each call waited for "
        "(VSLA: `vsla-run --benchmark` on device-resident inputs; PyTorch: "
        "`torch.cuda.synchronize()` after each call; JAX: `block_until_ready`). "
        "f32 matmuls without TF32 everywhere.",
        "",
        "| workload | VSLA | PyTorch eager | torch.compile | JAX | VSLA / torch.compile |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "-"
        if row.get("vsla") and row.get("torch.compile"):
            ratio = f"{row['vsla'] / row['torch.compile']:.2f}x"
        elif row.get("vsla") and row.get("torch"):  # no torch.compile row: vs eager
            ratio = f"{row['vsla'] / row['torch']:.2f}x (eager)"
        lines.append(f"| {row['workload']} | {fmt(row.get('vsla'))} | {fmt(row.get('torch'))} "
                     f"| {fmt(row.get('torch.compile'))} | {fmt(row.get('jax'))} | {ratio} |")
    for row in rows:
        if "bandwidth" in row:
            lines += ["", f"Fused chain: {row['bandwidth'] * 100:.0f}% of the copy bandwidth "
                      f"(a 16M-float device copy takes {fmt(row['copy'])})."]
    lines += ["", "## Every case against PyTorch on the GPU", ""]
    lines += [f"- {line}" for line in checks]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())

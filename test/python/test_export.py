"""vsla.export / vsla.load, vsla-run and the C++ runtime API on exported artifacts, and
the persistent compile cache (docs/artifact.md)."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import vsla
from conftest import assert_close
from vsla import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
VSLA_RUN = os.path.join(BUILD, "bin", "vsla-run")


def _vsla_run(*args):
    return subprocess.run([VSLA_RUN, *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_a_function_runs_on_every_shape_of_its_ranks(tmp_path):
    def f(x, scale):
        return {"y": vsla.tanh(x * 2.0) + scale, "total": vsla.sum(x)}, 3

    path = tmp_path / "f.vsla"
    vsla.export(f, np.ones(3, np.float32), np.float32(0.5) * np.ones(1, np.float32),
                path=path)
    g = vsla.load(path)
    for shape in [(1,), (7,), (0,)]:
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        s = np.array([0.25, 1.0], np.float32)
        out, three = g(x, s)
        ref, _ = f(x, s)
        assert three == 3
        assert_close(out["y"], ref["y"])
        assert_close(out["total"], ref["total"])


def test_a_module_carries_its_parameters(tmp_path):
    vsla.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    expected = np.asarray(model(x))
    vsla.export(model, x[:2], path=tmp_path / "m.vsla")
    for p in model.parameters():  # later training does not change the artifact
        p._array[...] = 0
    loaded = vsla.load(tmp_path / "m.vsla")
    assert_close(loaded(x), expected)
    assert "float32[?,?]" in repr(loaded)


def test_a_jitted_function_with_static_arguments(tmp_path):
    @vsla.jit(static_argnums=1)
    def power(x, n):
        out = x
        for _ in range(n - 1):
            out = out * x
        return out

    vsla.export(power, np.ones(3, np.float64), 3, path=tmp_path / "p.vsla")
    cube = vsla.load(tmp_path / "p.vsla")
    assert_close(cube(np.array([2.0, 3.0])), [8.0, 27.0])


def test_a_ragged_batch_model_runs_from_python_and_vsla_run(tmp_path):
    h = np.array([0.5, 0.25, 0.125], np.float32)

    @vsla.jit
    def model(batch, h):
        smooth = vsla.vmap(lambda x: vsla.tanh(vsla.conv(x, h)))(batch)
        energy = vsla.vmap(lambda x: vsla.sum(x * x))(batch)
        return smooth, energy

    rng = np.random.default_rng(2)
    example = vsla.ragged([rng.standard_normal(n).astype(np.float32) for n in (3, 9)])
    vsla.export(model, example, h, path=tmp_path / "r.vsla")
    loaded = vsla.load(tmp_path / "r.vsla")
    lengths = [5, 0, 17, 1]
    batch = vsla.ragged([rng.standard_normal(n).astype(np.float32) for n in lengths])
    (smooth, energy), (ref_smooth, ref_energy) = loaded(batch, h), model(batch, h)
    assert isinstance(smooth, vsla.Ragged)
    assert_close(smooth.values, ref_smooth.values)
    assert_close(smooth.shapes, ref_smooth.shapes)
    assert_close(energy, ref_energy)

    # vsla-run: the ragged argument is its packed values plus its lengths.
    np.save(tmp_path / "values.npy", np.asarray(batch.values))
    np.save(tmp_path / "lengths.npy", np.array(lengths, np.int64))
    np.save(tmp_path / "h.npy", h)
    described = _vsla_run(tmp_path / "r.vsla", "--describe")
    assert "[ragged values]" in described.stdout and "[ragged extents]" in described.stdout
    result = _vsla_run(tmp_path / "r.vsla", "-i", tmp_path / "values.npy", "-i",
                       tmp_path / "lengths.npy", "-i", tmp_path / "h.npy",
                       "-o", tmp_path / "v.npy", "-o", tmp_path / "s.npy",
                       "-o", tmp_path / "e.npy")
    assert result.returncode == 0, result.stderr
    assert_close(np.load(tmp_path / "v.npy"), ref_smooth.values)
    assert_close(np.load(tmp_path / "s.npy"), ref_smooth.shapes)
    assert_close(np.load(tmp_path / "e.npy"), ref_energy)


def test_wrong_arguments_are_named_errors(tmp_path):
    vsla.export(lambda x, y: x + y, np.ones((2, 2), np.float32), np.ones((2, 1), np.float32),
                path=tmp_path / "add.vsla")
    add = vsla.load(tmp_path / "add.vsla")
    with pytest.raises(vsla.DTypeError, match="float32.*got float64"):
        add(np.ones((2, 2)), np.ones((2, 2), np.float32))
    with pytest.raises(vsla.ShapeError, match="got shape"):
        add(np.ones(2, np.float32), np.ones((2, 2), np.float32))
    with pytest.raises(TypeError, match="structured as"):
        add(np.ones((2, 2), np.float32))
    with pytest.raises(vsla.DTypeError):
        add(object(), np.ones((2, 2), np.float32))


def test_damaged_and_foreign_files_are_named_errors(tmp_path):
    vsla.export(lambda x: x * 2.0, np.ones(3, np.float32), path=tmp_path / "ok.vsla")
    data = (tmp_path / "ok.vsla").read_bytes()
    (tmp_path / "short.vsla").write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0x40
    (tmp_path / "flipped.vsla").write_bytes(bytes(flipped))
    (tmp_path / "text.vsla").write_text("hello")
    newer = bytearray(data)
    newer[8] = 7
    (tmp_path / "newer.vsla").write_bytes(bytes(newer))
    for name, message in [("short", "truncated"), ("flipped", "checksum"),
                          ("text", "not a VSLA artifact"), ("newer", "format version 7"),
                          ("missing", "cannot open")]:
        with pytest.raises(vsla.VslaError, match=message):
            vsla.load(tmp_path / f"{name}.vsla")
        if name != "missing":
            result = _vsla_run(tmp_path / f"{name}.vsla", "--describe")
            assert result.returncode == 1 and message in result.stderr, result.stderr
    # An artifact of vsla-compile has no Python signature: vsla-run runs it.
    compiled = tmp_path / "filter.vsla"
    subprocess.run([os.path.join(BUILD, "bin", "vsla-compile"),
                    os.path.join(ROOT, "examples", "filter.mlir"), "-o", str(compiled)],
                   check=True)
    with pytest.raises(vsla.VslaError, match="not written by vsla.export"):
        vsla.load(compiled)


def test_exports_that_cannot_be_stored_are_named_errors(tmp_path):
    with pytest.raises(vsla.TracingError, match="nothing to export"):
        vsla.export(lambda x: 3, np.ones(2, np.float32), path=tmp_path / "n.vsla")
    with pytest.raises(TypeError, match="string keys"):
        vsla.export(lambda x: {1: x * 2.0}, np.ones(2, np.float32), path=tmp_path / "k.vsla")
    with pytest.raises(TypeError, match="function or an nn.Module"):
        vsla.export(42, path=tmp_path / "x.vsla")
    with pytest.raises(vsla.VslaError, match="cannot write"):
        vsla.export(lambda x: x * 2.0, np.ones(2, np.float32),
                    path=tmp_path / "no" / "such" / "dir.vsla")


def test_the_digits_model_runs_the_same_in_python_vsla_run_and_cpp(tmp_path):
    """Trained in Python, exported once, run by vsla-run and by the C++ example
    (built against the installed runtime only) on several batch sizes."""
    out = tmp_path / "digits"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "train_digits.py"),
                             "--epochs", "3", "--export", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    images, logits = np.load(out / "test_images.npy"), np.load(out / "test_logits.npy")

    prefix = tmp_path / "runtime"
    subprocess.run(["cmake", "--install", BUILD, "--component", "runtime", "--prefix",
                    str(prefix)], check=True, capture_output=True)
    example = tmp_path / "example"
    env = dict(os.environ, CCACHE_DISABLE="1")
    for command in (["cmake", "-S", os.path.join(ROOT, "examples", "cpp"), "-B", str(example),
                     "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}"],
                    ["cmake", "--build", str(example)]):
        built = subprocess.run(command, capture_output=True, text=True, env=env)
        assert built.returncode == 0, built.stdout + built.stderr
    classify = example / "classify"
    libraries = subprocess.run(["ldd", str(classify)], capture_output=True, text=True).stdout
    assert "libLLVM" not in libraries and "libMLIR" not in libraries, libraries

    for batch in (1, 7, len(images)):
        np.save(tmp_path / "x.npy", images[:batch])
        run = _vsla_run(out / "digits.vsla", "-i", tmp_path / "x.npy", "-o", tmp_path / "y.npy")
        assert run.returncode == 0, run.stderr
        assert_close(np.load(tmp_path / "y.npy"), logits[:batch])
        cpp = subprocess.run([str(classify), str(out / "digits.vsla"), str(tmp_path / "x.npy")],
                             capture_output=True, text=True, timeout=60)
        assert cpp.returncode == 0, cpp.stderr
        assert [int(v) for v in cpp.stdout.split()] == list(logits[:batch].argmax(axis=1))
    assert_close(vsla.load(out / "digits.vsla")(images), logits)


_CACHE_SCRIPT = """
import sys, numpy as np, vsla
f = vsla.jit(lambda x, y: vsla.tanh(x * 2.0 + y))
out = f(np.arange(5, dtype=np.float32), np.ones(3, np.float32))
expected = np.tanh(np.arange(5) * 2.0 + np.array([1, 1, 1, 0, 0]))
assert np.allclose(np.asarray(out), expected, atol=1e-6), out
print("cached" if next(iter(f._cache.values())).executable.from_cache else "compiled")
"""


def _run_cached(cache_dir):
    env = dict(os.environ, VSLA_CACHE_DIR=str(cache_dir))
    result = subprocess.run([sys.executable, "-c", _CACHE_SCRIPT], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_second_process_runs_from_the_persistent_cache(tmp_path):
    cache = tmp_path / "cache"
    assert _run_cached(cache) == "compiled"
    assert _run_cached(cache) == "cached"
    entries = [p for p in cache.iterdir() if p.suffix == ".vsla"]
    assert entries
    # Truncated, corrupted or foreign entries are compiled again and replaced.
    for damage in (lambda b: b[:100], lambda b: b[:500] + bytes([b[500] ^ 1]) + b[501:],
                   lambda b: b"not an artifact"):
        for entry in entries:
            entry.write_bytes(damage(entry.read_bytes()))
        assert _run_cached(cache) == "compiled"
        assert _run_cached(cache) == "cached"
    # An empty VSLA_CACHE_DIR turns the cache off.
    assert _run_cached("") == "compiled"


def test_concurrent_processes_share_the_cache(tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, VSLA_CACHE_DIR=str(cache))
    processes = [subprocess.Popen([sys.executable, "-c", _CACHE_SCRIPT], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
    for p in processes:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert not [p for p in cache.iterdir() if ".tmp." in p.name]
    assert _run_cached(cache) == "cached"


@pytest.mark.skipif(shutil.which("ldd") is None, reason="no ldd")
def test_vsla_run_needs_no_compiler_libraries():
    libraries = subprocess.run(["ldd", VSLA_RUN], capture_output=True, text=True).stdout
    assert "libLLVM" not in libraries and "libMLIR" not in libraries


def test_an_artifact_for_a_class_of_cpus(tmp_path):
    vsla.export(lambda x: vsla.exp(x) * 2.0, np.ones(8, np.float32), path=tmp_path / "v2.vsla",
                cpu="x86-64-v2")
    x = np.linspace(-1, 1, 37).astype(np.float32)
    assert_close(vsla.load(tmp_path / "v2.vsla")(x), np.exp(x) * 2.0)
    described = _vsla_run(tmp_path / "v2.vsla", "--describe")
    assert described.returncode == 0, described.stderr
    with pytest.raises(vsla.CompileError, match="unknown CPU"):
        vsla.export(lambda x: x * 2.0, np.ones(2, np.float32), path=tmp_path / "bad.vsla",
                    cpu="pentium9")


def test_an_empty_ragged_batch_through_an_exported_model(tmp_path):
    model = vsla.jit(lambda b: vsla.vmap(lambda x: vsla.sum(vsla.tanh(x)))(b))
    example = vsla.ragged([np.ones(3, np.float32)])
    vsla.export(model, example, path=tmp_path / "e.vsla")
    loaded = vsla.load(tmp_path / "e.vsla")
    empty = vsla.Ragged.from_lengths(np.zeros(0, np.float32), np.zeros(0, np.int64))
    assert np.asarray(loaded(empty)).shape == (0,)
    batch = vsla.ragged([np.ones(n, np.float32) for n in (0, 2, 5)])
    assert_close(loaded(batch), model(batch))


def test_the_cache_keeps_under_its_size_limit(tmp_path):
    cache = tmp_path / "cache"
    script = """
import numpy as np, vsla
for scale in (2.0, 3.0, 4.0):
    f = vsla.jit(lambda x: x * scale)
    assert np.allclose(np.asarray(f(np.ones(3, np.float32))), scale)
"""
    env = dict(os.environ, VSLA_CACHE_DIR=str(cache), VSLA_CACHE_MAX_BYTES="1")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    # Over the limit after every store: only the newest entry stays.
    assert len([p for p in cache.iterdir() if p.suffix == ".vsla"]) == 1


def _with_user_metadata(data: bytes, text: bytes) -> bytes:
    """`data` (an artifact) with its user metadata section replaced by `text`, padded
    with spaces to the same length, resealed (size and checksum)."""
    import struct

    from vsla import _vsla

    count = struct.unpack_from("<I", data, 12)[0]
    for i in range(count):
        kind, _, offset, size = struct.unpack_from("<IIQQ", data, 32 + 24 * i)
        if kind == 6:
            assert len(text) <= size
            data = data[:offset] + text.ljust(size) + data[offset + size:]
    return _vsla.reseal_artifact(data)


@pytest.mark.parametrize("metadata", [
    b'{"format": 1}',
    b'{"format": 1, "name": "f", "function": "nope", "in_treedef": [], "entries": [],'
    b' "out_treedef": ["leaf"], "out_slots": []}',
    b'{"format": 1, "name": "f", "function": "f", "in_treedef": ["leaf"],'
    b' "entries": [["tensor", "float32", 1], ["tensor", "float32", 1]],'
    b' "out_treedef": ["leaf"], "out_slots": [["result", 0]]}',
    b'{"format": 1, "name": "f", "function": "f", "in_treedef": ["oops"],'
    b' "entries": [["tensor", "float32", 1]], "out_treedef": ["leaf"],'
    b' "out_slots": [["result", 9]]}',
    b'[1, 2]',
])
def test_a_malformed_python_signature_is_a_named_error(tmp_path, metadata):
    def f(x):
        return x * 2.0

    vsla.export(vsla.jit(f), np.ones(4, np.float32), path=tmp_path / "f.vsla")
    data = (tmp_path / "f.vsla").read_bytes()
    (tmp_path / "bad.vsla").write_bytes(_with_user_metadata(data, metadata))
    with pytest.raises(vsla.VslaError):
        vsla.load(tmp_path / "bad.vsla")
    # The unedited artifact still loads: the edit is what is refused.
    assert_close(vsla.load(tmp_path / "f.vsla")(np.ones(2, np.float32)), [2.0, 2.0])


def test_static_shapes_and_keyword_arguments(tmp_path):
    f = vsla.jit(lambda x, *, scale: x * scale, static_shapes=True)
    vsla.export(f, np.ones(3, np.float32), scale=np.full(1, 2.0, np.float32),
                path=tmp_path / "s.vsla")
    g = vsla.load(tmp_path / "s.vsla")
    assert_close(g(np.ones(3, np.float32), scale=np.full(1, 3.0, np.float32)), [3.0, 0, 0])
    with pytest.raises(vsla.ShapeError, match=r"float32\[3\], got shape \(4,\)"):
        g(np.ones(4, np.float32), scale=np.ones(1, np.float32))
    with pytest.raises(TypeError, match=r"structured as \(\(x,\), \{'scale': x\}\)"):
        g(np.ones(3, np.float32))
    described = _vsla_run(tmp_path / "s.vsla", "--describe")
    assert "of shape [3]" in described.stdout


def test_an_artifact_for_a_cuda_device_is_refused_by_python(tmp_path):
    path = tmp_path / "filter.vsla"
    subprocess.run([os.path.join(BUILD, "bin", "vsla-compile"),
                    os.path.join(ROOT, "examples", "filter.mlir"), "-o", str(path),
                    "--target", "cuda"], check=True)
    from vsla import _vsla

    module = _vsla.load_artifact(str(path))
    with pytest.raises(_vsla.StatusError, match="runs on cuda"):
        module("filter", [np.ones(4, np.float32), np.ones(3, np.float32)])

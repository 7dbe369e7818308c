"""Devices from Python: vsla.devices(), device= on creation, Tensor.to, and
artifacts exported for the GPU. This machine may have no GPU: what needs one is
skipped, and the rest checks the named errors a user gets without one."""

import json
import os
import subprocess

import numpy as np
import pytest

import vsla

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
HAS_GPU = len(vsla.devices()) > 1


def test_devices_lists_the_cpu_first_and_each_gpu_by_ordinal():
    found = vsla.devices()
    assert found[0] == "cpu"
    assert found[1:] == [f"cuda:{i}" for i in range(len(found) - 1)]
    info = vsla.cuda_device_info()
    assert len(info) == len(found) - 1
    for d in info:
        assert d["total_memory_bytes"] > 0 and len(d["compute_capability"]) == 2


def test_cpu_tensors_say_where_they_live_and_move_to_the_cpu_for_free():
    t = vsla.tensor([1.0, 2.0], device="cpu")
    assert t.device == "cpu"
    assert t.to("cpu") is t and t.cpu() is t


def test_an_unknown_device_is_a_named_error():
    with pytest.raises(vsla.RuntimeError, match="unknown device 'tpu'"):
        vsla.tensor([1.0], device="tpu")
    with pytest.raises(vsla.RuntimeError, match="unknown device"):
        vsla.tensor([1.0]).to(3)


@pytest.mark.skipif(HAS_GPU, reason="this machine has a GPU")
def test_without_a_gpu_cuda_tensors_are_unavailable_with_the_reason():
    with pytest.raises(vsla.RuntimeError, match="device 'cuda' is not available: "):
        vsla.tensor([1.0], device="cuda")
    with pytest.raises(vsla.RuntimeError, match="device 'cuda:1' is not available"):
        vsla.zeros(3).to("cuda:1")


@pytest.mark.skipif(not HAS_GPU, reason="needs an NVIDIA GPU")
def test_with_a_gpu_python_tensors_point_to_artifacts_for_now():
    with pytest.raises(vsla.RuntimeError, match="target='cuda'"):
        vsla.tensor([1.0], device="cuda")


class _FakeCudaTensor:
    """A DLPack producer that claims CUDA memory (it is never read: without a GPU the
    runtime stops before any data is touched)."""

    def __init__(self, shape):
        import ctypes
        import sys

        sys.path.insert(0, os.path.join(ROOT, "python"))
        import vsla_runtime

        self.shape = (ctypes.c_int64 * len(shape))(*shape)
        self.managed = vsla_runtime._Managed()
        t = self.managed.dl_tensor
        t.data, t.ndim = 0x1000, len(shape)
        t.device.device_type, t.device.device_id = 2, 0
        t.dtype.code, t.dtype.bits, t.dtype.lanes = 2, 32, 1
        t.shape = self.shape

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, stream=None):
        import ctypes

        from vsla_runtime import _api

        return _api.PyCapsule_New(ctypes.addressof(self.managed), b"dltensor", None)


def _describe(path):
    return subprocess.run([os.path.join(BUILD, "bin", "vsla-run"), str(path), "--describe"],
                          capture_output=True, text=True, check=True).stdout


def test_export_for_cuda_writes_an_artifact_the_runtime_runs_on_a_gpu(tmp_path):
    def step(w, x, y):
        loss, g = vsla.value_and_grad(
            lambda w: vsla.mean(vsla.sum((vsla.matmul(x, w) - y) ** 2, axis=1)))(w)
        return w - 0.1 * g, loss

    w = np.ones((4, 3), np.float32)
    x = np.ones((5, 4), np.float32)
    y = np.zeros((5, 3), np.float32)
    path = tmp_path / "step.vsla"
    vsla.export(step, w, x, y, path=path, target="cuda", chip="sm_80")
    described = _describe(path)
    assert "on cuda" in described
    # The Python signature travels too: vsla.load runs it on GPU tensors (through
    # vsla_runtime), and host memory is refused by name.
    exported = vsla.load(path)
    with pytest.raises(vsla.RuntimeError, match="in host memory; step was exported for cuda"):
        exported(w, x, y)
    # A DLPack producer in CUDA memory gets as far as the device: without one, the
    # call is unavailable and says why.
    if not HAS_GPU:
        fake = [_FakeCudaTensor(a.shape) for a in (w, x, y)]
        with pytest.raises(vsla.RuntimeError, match="runs on a CUDA device"):
            exported(*fake)
    # The same function exported for the CPU computes the reference.
    cpu = tmp_path / "step-cpu.vsla"
    vsla.export(step, w, x, y, path=cpu)
    new_w, loss = vsla.load(cpu)(w, x, y)
    assert float(loss) == pytest.approx(48.0)  # each row: 3 * (4 - 0)^2
    np.testing.assert_allclose(new_w.numpy(), w - 0.1 * 8.0, rtol=1e-5)  # 2/5 * 5 * 4
    assert json.loads(vsla.load(cpu)._module.user_metadata)["name"] == "step"


def test_export_refuses_an_unknown_target(tmp_path):
    with pytest.raises(ValueError, match="target must be 'cpu' or 'cuda'"):
        vsla.export(lambda x: x * 2.0, np.ones(3, np.float32), path=tmp_path / "f.vsla",
                    target="rocm")


def test_jit_runs_on_the_gpu_when_its_arguments_are_there():
    # Arguments in CUDA memory compile the function (and its gradient) for the GPU,
    # once per signature; without a GPU the call stops before any data is read.
    f = vsla.jit(lambda a, b: vsla.tanh(a * 1.5 + b))
    g = vsla.jit(vsla.grad(lambda w, x: vsla.sum(vsla.matmul(x, w) ** 2)))
    if HAS_GPU:
        pytest.skip("needs a machine without a GPU for the unavailable path")
    for _ in range(2):
        with pytest.raises(vsla.RuntimeError, match="runs on a CUDA device"):
            f(_FakeCudaTensor((4,)), _FakeCudaTensor((4,)))
        with pytest.raises(vsla.RuntimeError, match="runs on a CUDA device"):
            g(_FakeCudaTensor((3, 2)), _FakeCudaTensor((5, 3)))
    assert len(f._device_cache) == 1 and len(g._device_cache) == 1
    with pytest.raises(vsla.RuntimeError, match="runs on a CUDA device"):
        f(_FakeCudaTensor((7,)), _FakeCudaTensor((2,)))  # every shape: one compile
    assert len(f._device_cache) == 1
    # Host arguments still run on the CPU.
    np.testing.assert_allclose(f(np.ones(3, np.float32), np.zeros(3, np.float32)).numpy(),
                               np.tanh(np.full(3, 1.5, np.float32)), rtol=1e-6)


def test_mixing_devices_is_a_named_error():
    f = vsla.jit(lambda a, b: a + b)
    with pytest.raises(vsla.RuntimeError, match="on cuda and in host memory"):
        f(_FakeCudaTensor((4,)), np.ones(4, np.float32))
    with pytest.raises(vsla.RuntimeError, match="eager ops run on the CPU"):
        vsla.tanh(_FakeCudaTensor((4,)))

"""Devices from Python: vsla.devices(), device= on creation, Tensor.to, eager ops,
@vsla.jit, grad, train_step and artifacts on the GPU. This machine may have no GPU:
the named errors a user gets without one are checked here, and everything around
the kernels runs in child processes on the fake CUDA driver (test/FakeCuda: device
memory is host memory, kernels do not run, a launch fails by name)."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import vsla

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
HAS_GPU = len(vsla.devices()) > 1
FAKE_DRIVER = os.path.join(BUILD, "lib", "libvsla_fake_cuda.so")
NO_KERNELS = "cuLaunchKernel failed: CUDA_ERROR_NOT_SUPPORTED"


def on_fake_gpu(code: str) -> str:
    """Runs `code` in a child process whose CUDA driver is the fake one; returns its
    output (the child fails the test by raising)."""
    if not os.path.exists(FAKE_DRIVER):
        pytest.skip("the fake CUDA driver is not built (scripts/build.sh)")
    env = dict(os.environ, VSLA_CUDA_DRIVER=FAKE_DRIVER)
    prelude = "import numpy as np, pytest, vsla\n" + f"NO_KERNELS = {NO_KERNELS!r}\n"
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


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
    # The Python signature travels too: vsla.load runs it on GPU tensors, and host
    # memory is refused by name.
    exported = vsla.load(path)
    with pytest.raises(vsla.RuntimeError, match="exported for cuda and got its tensors in "
                                                "host memory"):
        exported(w, x, y)
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



def test_jit_on_host_arguments_still_runs_on_the_cpu():
    f = vsla.jit(lambda a, b: vsla.tanh(a * 1.5 + b))
    np.testing.assert_allclose(f(np.ones(3, np.float32), np.zeros(3, np.float32)).numpy(),
                               np.tanh(np.full(3, 1.5, np.float32)), rtol=1e-6)


# -- on the fake CUDA driver ----------------------------------------------------------------


def test_gpu_tensors_copy_in_and_out_exactly_and_say_where_they_live():
    on_fake_gpu("""
        assert vsla.devices() == ["cpu", "cuda:0"]
        assert vsla.cuda_device_info()[0]["name"] == "VSLA fake CUDA device"
        for values in (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5,
                       np.array([1e300, -0.0], np.float64), np.array([[7, -8]], np.int32),
                       np.array([2**62], np.int64), np.array([True, False]),
                       np.zeros((0, 4), np.float32), np.array(3.5, np.float32)):
            t = vsla.tensor(values, device="cuda")
            assert t.device == "cuda:0" and t.shape == values.shape and t.dtype == values.dtype
            assert t.to("cuda") is t and t.to("cuda:0") is t
            back = t.cpu()
            assert back.device == "cpu" and back.dtype == values.dtype
            np.testing.assert_array_equal(back.numpy(), values)
        t = vsla.tensor([[1.0, 2.0]], device="cuda")
        assert "device='cuda:0'" in repr(t) and t.tolist() == [[1.0, 2.0]]
        assert float(vsla.tensor(2.5).cuda()) == 2.5
        assert vsla.zeros(2, 3, device="cuda").device == "cuda:0"
        assert vsla.randn(4, seed=1, device="cuda").cpu().numpy().tolist() == \\
            vsla.randn(4, seed=1).numpy().tolist()
        assert vsla.arange(5, device="cuda").cpu().numpy().tolist() == [0, 1, 2, 3, 4]
        # No NumPy view of device memory: a named error, never an object array.
        for read in (t.numpy, lambda: np.asarray(t)):
            with pytest.raises(vsla.RuntimeError, match="copy it with .cpu"):
                read()
        # A reshape is a view of the same memory; a bad one says why.
        assert t.reshape(2, 1).cpu().numpy().tolist() == [[1.0], [2.0]]
        with pytest.raises(vsla.ShapeError, match="cannot reshape"):
            t.reshape(3)
        with pytest.raises(vsla.RuntimeError, match="cuda:1' is not available: this machine "
                                                    "has 1 GPU"):
            t.to("cuda:1")
    """)


def test_device_memory_comes_from_the_caching_pool_and_goes_back_to_it():
    on_fake_gpu("""
        before = vsla.cuda_memory_stats()
        t = vsla.ones(1000, device="cuda")
        held = vsla.cuda_memory_stats()
        assert held["bytes_in_use"] >= before["bytes_in_use"] + 4000
        del t
        assert vsla.cuda_memory_stats()["bytes_in_use"] == before["bytes_in_use"]
        u = vsla.ones(1000, device="cuda")  # the same size class: reused, no cuMemAlloc
        assert vsla.cuda_memory_stats()["hits"] == held["hits"] + 1
        # More than the device has (the fake one has 1 GiB): a named error.
        with pytest.raises(vsla.RuntimeError, match="out of memory: cuMemAlloc failed"):
            vsla.zeros(300_000_000, device="cuda")
        # Empty tensors launch nothing and come back empty, on the GPU.
        e = vsla.jit(lambda a: vsla.tanh(a) * 2.0)(vsla.zeros((0, 3), device="cuda"))
        assert e.shape == (0, 3) and e.device == "cuda:0"
        assert (vsla.zeros(0, device="cuda") + vsla.zeros(0, device="cuda")).shape == (0,)
    """)


def test_dlpack_shares_gpu_memory_both_ways_without_copies():
    on_fake_gpu("""
        t = vsla.tensor([1.0, 2.0, 3.0], device="cuda")
        assert t.__dlpack_device__() == (2, 0)
        shared = vsla.from_dlpack(t)  # as from a PyTorch or CuPy tensor on the GPU
        assert shared.device == "cuda:0" and shared._array is not t._array
        in_use = vsla.cuda_memory_stats()["bytes_in_use"]
        del t  # the memory stays while the borrower holds it
        assert vsla.cuda_memory_stats()["bytes_in_use"] == in_use
        assert shared.cpu().numpy().tolist() == [1.0, 2.0, 3.0]
        del shared
        assert vsla.cuda_memory_stats()["bytes_in_use"] < in_use
        # An unconsumed capsule releases what it holds.
        capsule = vsla.ones(8, device="cuda").__dlpack__()
        del capsule
        assert vsla.cuda_memory_stats()["bytes_in_use"] < in_use
    """)


def test_eager_ops_on_gpu_tensors_compile_kernels_for_the_gpu():
    on_fake_gpu("""
        from vsla import _dispatch
        a = vsla.tensor([1.0, 2.0, 3.0], device="cuda")
        in_use = vsla.cuda_memory_stats()["bytes_in_use"]
        count = _dispatch.kernel_count()
        for op in (lambda: a + a, lambda: a * 2.0, lambda: vsla.tanh(a), lambda: a.sum(),
                   lambda: a[1:], lambda: a.astype("float64"), lambda: vsla.asarray(a, "int32"),
                   lambda: vsla.tensor(1.0, device="cuda") + vsla.tensor(2.0),
                   lambda: vsla.matmul(a.reshape(3, 1), a.reshape(1, 3))):
            with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
                op()
        assert _dispatch.kernel_count() > count
        # A failed call leaves no device memory behind, temporaries of its kernels
        # (softmax's row maxima and sums) included.
        assert vsla.cuda_memory_stats()["bytes_in_use"] == in_use
        m = vsla.ones((4, 5), device="cuda")
        in_use = vsla.cuda_memory_stats()["bytes_in_use"]
        for _ in range(3):
            with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
                m.softmax()
        assert vsla.cuda_memory_stats()["bytes_in_use"] == in_use
        # The same ops on host tensors still run on the CPU.
        assert (vsla.tensor([1.0, 2.0]) * 2.0).numpy().tolist() == [2.0, 4.0]
        # Host and GPU tensors in one op: only a rank-0 host tensor may join.
        with pytest.raises(vsla.RuntimeError, match="on cuda:0 and in host memory .operand 1 "
                                                    "has shape .2,. on the cpu"):
            a + vsla.tensor([1.0, 2.0])
    """)


def test_jit_and_grad_compile_for_the_gpu_once_for_every_shape():
    on_fake_gpu("""
        f = vsla.jit(lambda a, b: vsla.tanh(a * 1.5 + b))
        g = vsla.grad(lambda w, x: vsla.sum(vsla.matmul(x, w) ** 2))
        for n in (4, 7, 1000):
            with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
                f(vsla.ones(n, device="cuda"), vsla.ones(2, device="cuda"))
            with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
                g(vsla.ones((3, 2), device="cuda"), vsla.ones((n, 3), device="cuda"))
        assert f.cache_size() == 1 and g.cache_size() == 1
        # Host arguments are another version, on the CPU.
        assert f(np.ones(2, np.float32), np.zeros(2, np.float32)).device == "cpu"
        assert f.cache_size() == 2
        with pytest.raises(vsla.RuntimeError, match="on cuda:0 and in host memory"):
            f(vsla.ones(4, device="cuda"), np.ones(4, np.float32))
        # A batch in host memory beside GPU tensors: move it with .to("cuda").
        with pytest.raises(vsla.RuntimeError, match="on cuda:0 and in host memory"):
            vsla.jit(lambda r, x: x)(vsla.ragged([np.ones(2, np.float32)]),
                                     vsla.ones(2, device="cuda"))
    """)


def test_ragged_batches_move_to_the_gpu_and_map_there():
    on_fake_gpu("""
        items = [np.arange(n, dtype=np.float32) for n in (5, 3, 8)]
        host = vsla.ragged(items)
        gpu = host.to("cuda")
        # The values move; the shapes stay on the host for indexing.
        assert gpu.device == "cuda:0" and host.device == "cpu" and gpu.to("cuda") is gpu
        assert gpu.shapes.tolist() == [[5], [3], [8]] and "device='cuda:0'" in repr(gpu)
        assert gpu[1].device == "cuda:0" and gpu[1].cpu().numpy().tolist() == [0, 1, 2]
        part = gpu[1:3]
        assert part.device == "cuda:0" and part[1].cpu().numpy().tolist() == items[2].tolist()
        assert [t.numpy().tolist() for t in gpu.cpu()] == [i.tolist() for i in items]
        assert gpu.stack().device == "cuda:0"
        assert vsla.ragged([vsla.tensor(i, device="cuda") for i in items]).device == "cuda:0"
        packed = vsla.Ragged.from_packed(vsla.tensor(np.arange(4.0, dtype=np.float32),
                                                     device="cuda"), [[1], [3]])
        assert packed.device == "cuda:0" and packed[1].shape == (3,)
        with pytest.raises(vsla.ShapeError, match="describe 5 elements but values holds 4"):
            vsla.Ragged.from_packed(vsla.ones(4, device="cuda"), [[2], [3]])

        # vmap over a GPU batch compiles one map whose items are thread blocks, for
        # every batch (any count, any lengths), forward and backward.
        pool = vsla.vmap(lambda x: vsla.sum(vsla.softmax(x, axis=0) * vsla.tanh(x)))
        for lengths in ((5, 3, 8), (1,), (100, 2000, 7, 7)):
            batch = vsla.ragged([np.ones(n, np.float32) for n in lengths]).to("cuda")
            with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
                pool(batch)
        w = vsla.ones(3, device="cuda")
        loss = lambda w, b: vsla.sum(vsla.vmap(
            lambda x, w: vsla.sum(vsla.tanh(vsla.conv(x, w))), in_axes=(0, None))(b, w))
        for argnums in (0, 1):
            with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
                vsla.grad(loss, argnums=argnums)(w, gpu)
        with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
            vsla.vmap(lambda x: vsla.tanh(x) * 2)(gpu)  # ragged results
        # Shared arguments must be on the batch's device.
        with pytest.raises(vsla.RuntimeError, match="in host memory"):
            loss(np.ones(3, np.float32), gpu)

        # A model mapped over a ragged batch trains on the GPU (one step compiled).
        from vsla import nn, optim

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(1, 4, 3)
                self.head = nn.Linear(4, 3)

            def forward(self, series):
                def one(x):
                    return self.head(vsla.mean(vsla.relu(self.conv(x)), axis=2))
                return vsla.reshape(vsla.vmap(one, out="stack")(series), (-1, 3))

        model = Net().to("cuda")
        step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=1e-3))
        batch = vsla.ragged([np.ones((1, 1, n), np.float32) for n in (9, 4, 30)]).to("cuda")
        labels = vsla.tensor(np.array([0, 1, 2], np.int32), device="cuda")
        with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
            step(batch, labels)
        # Failed calls leave no device memory behind: what is in use is what the
        # batches, the parameters and the optimizer state hold.
        held = vsla.cuda_memory_stats()["bytes_in_use"]
        with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
            step(batch, labels)
        assert vsla.cuda_memory_stats()["bytes_in_use"] == held
    """)


def test_device_functions_return_what_they_allocate():
    on_fake_gpu("""
        # vsla.shrink's result shape depends on the data: the host reads the values
        # from a copy, and the result is device memory the compiled code allocated,
        # which the runtime takes over (no kernel runs: the fake driver completes it).
        x = vsla.tensor(np.array([1, 2, 0, 0], np.float32), device="cuda")
        held = vsla.cuda_memory_stats()["bytes_in_use"]
        y = vsla.jit(lambda x: vsla.shrink(x))(x)
        assert y.device == "cuda:0" and y.cpu().numpy().tolist() == [1, 2]
        assert vsla.cuda_memory_stats()["bytes_in_use"] > held
        del y
        assert vsla.cuda_memory_stats()["bytes_in_use"] == held
        # A ragged batch passed through: the result owns a copy of its own.
        r = vsla.ragged([np.ones(3, np.float32), np.ones(1, np.float32)]).to("cuda")
        out = vsla.jit(lambda r: r)(r)
        assert out.device == "cuda:0" and out.shapes.tolist() == [[3], [1]]
        assert out[0].cpu().numpy().tolist() == [1, 1, 1]
    """)


def test_models_move_to_the_gpu_and_train_there():
    on_fake_gpu("""
        from vsla import nn, optim
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        opt = optim.SGD(model, lr=0.1, momentum=0.9)
        assert model.to("cuda") is model
        assert {p.device for p in model.parameters()} == {"cuda:0"}
        state = model.state_dict()
        assert all(isinstance(v, np.ndarray) for v in state.values())
        model.load_state_dict(state)
        assert {p.device for p in model.parameters()} == {"cuda:0"}
        step = optim.train_step(model, nn.mse_loss, opt)
        x, y = vsla.ones((5, 4), device="cuda"), vsla.zeros((5, 2), device="cuda")
        with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
            step(x, y)  # compiled for the GPU, with the optimizer's state moved there
        assert {t.device for t in opt.state} == {"cuda:0"}
        with pytest.raises(vsla.RuntimeError, match="in host memory"):
            step(np.ones((5, 4), np.float32), np.zeros((5, 2), np.float32))
        assert model.cpu().parameters()[0].device == "cpu"
    """)


def test_artifacts_for_cuda_load_their_kernels_and_run_on_gpu_tensors(tmp_path):
    path = tmp_path / "f.vsla"
    vsla.export(lambda x: vsla.softmax(x * 2.0), np.ones((2, 3), np.float32), path=path,
                target="cuda")
    pool = tmp_path / "pool.vsla"
    vsla.export(vsla.vmap(lambda x: vsla.sum(vsla.softmax(x, axis=0) * vsla.tanh(x))),
                vsla.ragged([np.ones(3, np.float32), np.ones(5, np.float32)]), path=pool,
                target="cuda")
    on_fake_gpu(f"""
        f = vsla.load({str(path)!r})
        with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
            f(vsla.ones((4, 5), device="cuda"))
        with pytest.raises(vsla.RuntimeError, match="in host memory"):
            f(np.ones((4, 5), np.float32))
        # A map over a ragged batch: the batch on the GPU, any count and lengths.
        g = vsla.load({str(pool)!r})
        batch = vsla.ragged([np.ones(n, np.float32) for n in (7, 1, 300)])
        with pytest.raises(vsla.RuntimeError, match=NO_KERNELS):
            g(batch.to("cuda"))
        with pytest.raises(vsla.RuntimeError, match="in host memory"):
            g(batch)
    """)


# A DLPack producer that says its memory is on cuda:0, with the address and shape it
# is given (in the child process; vsla_runtime's ctypes structs describe the tensor).
_LYING_PRODUCER = f"""
import ctypes, sys
sys.path.insert(0, {os.path.join(ROOT, "python")!r})
import vsla_runtime
from vsla_runtime import _api

class Claims:
    def __init__(self, address, shape):
        self.shape_array = (ctypes.c_int64 * len(shape))(*shape)
        self.managed = vsla_runtime._Managed()
        t = self.managed.dl_tensor
        t.data, t.ndim = address, len(shape)
        t.device.device_type, t.device.device_id = 2, 0
        t.dtype.code, t.dtype.bits, t.dtype.lanes = 2, 32, 1
        t.shape = self.shape_array

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, stream=None, **kwargs):
        return _api.PyCapsule_New(ctypes.addressof(self.managed), b"dltensor", None)

def address_of(tensor):
    capsule = tensor.__dlpack__()
    managed = ctypes.cast(_api.PyCapsule_GetPointer(capsule, b"dltensor"),
                          ctypes.POINTER(vsla_runtime._Managed))
    return managed.contents.dl_tensor.data, capsule
"""


def test_gpu_tensors_from_other_frameworks_are_checked_against_the_driver(tmp_path):
    # What another framework's DLPack tensor claims is checked before any kernel
    # reads it: host memory posing as GPU memory, or a shape larger than the
    # allocation, is a named error instead of a device fault or a read of memory
    # the tensor does not own. Through vsla and through vsla_runtime.
    path = tmp_path / "f.vsla"
    vsla.export(lambda x: x * 2.0, np.ones(4, np.float32), path=path, target="cuda")
    on_fake_gpu(_LYING_PRODUCER + f"""
host = np.ones(16, np.float32)
fake = Claims(host.ctypes.data, (16,))
with pytest.raises(vsla.RuntimeError, match="claims CUDA memory at .*which the CUDA "
                                            "driver does not know"):
    vsla.from_dlpack(fake)
with pytest.raises(vsla.RuntimeError, match="driver does not know"):
    vsla.jit(lambda x: x * 2.0)(fake)
real = vsla.ones(16, device="cuda")
address, keep = address_of(real)
longer = Claims(address, (1000,))
with pytest.raises(vsla.RuntimeError, match="describes 4000 bytes .*past the end of its "
                                            "allocation"):
    vsla.from_dlpack(longer)
assert vsla.from_dlpack(Claims(address, (16,))).shape == (16,)  # the truth passes
module = vsla_runtime.load({str(path)!r})
with pytest.raises(vsla_runtime.RuntimeError, match="driver does not know"):
    module.functions[list(module.functions)[0]](Claims(host.ctypes.data, (16,)))
with pytest.raises(vsla_runtime.RuntimeError, match="past the end of its allocation"):
    module.functions[list(module.functions)[0]](Claims(address, (1000,)))
""")


def test_the_fake_drivers_device_memory_is_not_host_memory():
    # As on a GPU, host code that dereferences a device pointer faults: every test on
    # the fake driver would crash if host code read device memory (a ragged batch's
    # shapes table, say) instead of copying it.
    if not os.path.exists(FAKE_DRIVER):
        pytest.skip("the fake CUDA driver is not built (scripts/build.sh)")
    code = textwrap.dedent("""
        import ctypes
        driver = ctypes.CDLL(%r)
        pointer = ctypes.c_ulonglong()
        assert driver.cuMemAlloc_v2(ctypes.byref(pointer), 64) == 0
        host = (ctypes.c_char * 64)(*b"x" * 64)
        assert driver.cuMemcpyHtoD_v2(pointer, host, 64) == 0
        back = (ctypes.c_char * 64)()
        assert driver.cuMemcpyDtoH_v2(back, pointer, 64) == 0
        assert back.raw == b"x" * 64
        print("copied", flush=True)
        ctypes.cast(pointer.value, ctypes.POINTER(ctypes.c_char))[0]
    """ % FAKE_DRIVER)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert "copied" in done.stdout and done.returncode == -11, done.stdout + done.stderr

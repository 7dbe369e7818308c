"""The devices VSLA runs on: the host CPU and, through the runtime's CUDA driver
(loaded with dlopen), NVIDIA GPUs. A tensor's storage says where it lives: a
NumPy array on the host, a _vsla.DeviceArray in a GPU's memory. See docs/gpu.md."""

from __future__ import annotations

import numpy as np

from . import _vsla
from ._errors import RuntimeError

DeviceArray = _vsla.DeviceArray

#: Set when this process first puts a tensor on a GPU; until then the eager path
#: skips looking for GPU operands.
gpu_tensors_exist = False


def from_host(array: np.ndarray, ordinal: int):
    """A copy of a host array on GPU `ordinal`."""
    global gpu_tensors_exist
    gpu_tensors_exist = True
    return _checked(lambda: DeviceArray.from_host(np.require(array, requirements="C"),
                                                  ordinal))


def from_dlpack(producer):
    """A DLPack producer's CUDA tensor (PyTorch, CuPy), without a copy."""
    global gpu_tensors_exist
    gpu_tensors_exist = True
    return _checked(lambda: DeviceArray.from_dlpack(producer))


def devices() -> list[str]:
    """The devices this process can run on: "cpu", then "cuda:0", "cuda:1", ... for
    each NVIDIA GPU the CUDA driver sees (none without a driver or a device).

    >>> vsla.devices()[0]
    'cpu'
    """
    found, _ = _vsla.cuda_devices()
    return ["cpu"] + [f"cuda:{d['ordinal']}" for d in found]


def cuda_device_info() -> list[dict]:
    """Each GPU's name, memory, multiprocessor count and compute capability.

    >>> isinstance(vsla.cuda_device_info(), list)
    True
    """
    found, _ = _vsla.cuda_devices()
    return list(found)


def cuda_memory_stats(device="cuda") -> dict:
    """The caching pool of a GPU's memory: hits, misses, bytes held (cached for reuse),
    bytes in use and their peak. Device memory comes from this pool, so after warm-up
    calls allocate nothing from the driver (docs/gpu.md)."""
    return dict(_vsla.cuda_pool_stats(parse_device(device)))


def parse_device(device) -> int | None:
    """None for the host, the ordinal for "cuda"/"cuda:N" (a GPU this process has);
    anything else is a named error saying what exists."""
    if device is None or device == "cpu":
        return None
    if not isinstance(device, str) or not (device == "cuda" or device.startswith("cuda:")):
        raise RuntimeError(f"unknown device {device!r}; devices are 'cpu' and 'cuda[:N]' "
                           "(vsla.devices() lists this machine's)")
    ordinal = 0
    if device != "cuda":
        try:
            ordinal = int(device[5:])
        except ValueError:
            raise RuntimeError(f"unknown device {device!r}; write 'cuda' or 'cuda:N'") from None
    found, reason = _vsla.cuda_devices()
    if not found:
        raise RuntimeError(f"device {device!r} is not available: {reason or 'no GPU'}")
    if not 0 <= ordinal < len(found):
        raise RuntimeError(f"device {device!r} is not available: this machine has "
                           f"{len(found)} GPU(s), cuda:0 .. cuda:{len(found) - 1}")
    return ordinal



def device_of(array) -> str:
    """Where a tensor's storage is: "cpu" or "cuda:N"."""
    return "cpu" if type(array) is not DeviceArray else f"cuda:{array.ordinal}"


def on_device(array) -> bool:
    return type(array) is DeviceArray


def move(array, device):
    """The storage `array` has on `device`: itself when it is there already, else a
    copy (host to GPU, GPU to host)."""
    ordinal = parse_device(device)
    if ordinal is None:
        return array.numpy() if type(array) is DeviceArray else array
    if type(array) is DeviceArray:
        if array.ordinal == ordinal:
            return array
        return from_host(host_copy(array), ordinal)
    return from_host(array, ordinal)


def _checked(make):
    from ._dispatch import status_errors

    with status_errors():
        return make()


def host_copy(array) -> np.ndarray:
    """The values in host memory: the array itself on the host, a copy from a GPU."""
    if type(array) is DeviceArray:
        return _checked(array.numpy)
    return array


def not_on_host(array, what: str) -> RuntimeError:
    return RuntimeError(
        f"{what} of a tensor on {device_of(array)} needs its values in host memory: copy it "
        "with .cpu() first (t.cpu().numpy())")

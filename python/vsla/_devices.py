"""The devices VSLA runs on: the host CPU and, through the runtime's CUDA driver
(loaded with dlopen), NVIDIA GPUs. See docs/gpu.md."""

from __future__ import annotations

from . import _vsla
from ._errors import RuntimeError


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


def check_device(device) -> None:
    """Tensors live on the CPU: anything else is a named error saying why."""
    if device is None or device == "cpu":
        return
    if not isinstance(device, str) or not (device == "cuda" or device.startswith("cuda:")):
        raise RuntimeError(f"unknown device {device!r}; devices are 'cpu' and 'cuda[:N]' "
                           "(vsla.devices() lists this machine's)")
    found, reason = _vsla.cuda_devices()
    if not found:
        raise RuntimeError(f"device {device!r} is not available: {reason or 'no GPU'}")
    raise RuntimeError(
        f"tensors on {device!r} are not supported from Python yet: compile for the GPU "
        "with vsla.export(f, *args, path=..., target='cuda') and run the artifact with "
        "vsla-run or the C++ runtime (docs/gpu.md)")

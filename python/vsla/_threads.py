"""How many cores VSLA's compiled code uses."""

from . import _vsla


def get_num_threads() -> int:
    """The number of threads large products and loops run on: VSLA_NUM_THREADS when
    it is set, else every core the process may use.

    >>> vsla.get_num_threads() >= 1
    True
    """
    return int(_vsla.get_num_threads())


def set_num_threads(threads: int) -> None:
    """Sets the number of threads for the whole process (as torch.set_num_threads).
    Results do not depend on it.

    >>> vsla.set_num_threads(1)
    """
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"vsla.set_num_threads takes an int, got {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"vsla.set_num_threads: the thread count must be at least 1, "
                         f"got {threads}")
    _vsla.set_num_threads(threads)

"""JIT options for every compiled kernel in gdlab, in one place.

The options are read once, at import, from the environment:

``GDLAB_FASTMATH``
    ``1`` turns on LLVM fast-math for generated kernels (default ``0``: results stay
    bit-reproducible and non-finite values are detected, which fast-math would break).
``GDLAB_CACHE``
    ``0`` disables Numba's on-disk cache of compiled kernels (default ``1``).
``GDLAB_CACHE_DIR``
    Where generated kernel modules and their compiled code live (default: the user
    cache directory given by :mod:`platformdirs`, e.g. ``~/.cache/gdlab``).
``GDLAB_DETERMINISTIC``
    ``1`` (default): matrix products run in gdlab's own GEMM (:mod:`gdlab._gemm`), whose
    results are the same on every CPU and at any thread count; ``0``: they call OpenBLAS
    (slightly faster, but its rounding depends on the CPU kernel it picks and on the thread
    count). The Python API's ``deterministic=`` arguments and the CLI's
    ``--deterministic/--fast`` override it for one call (:func:`deterministic_mode`).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"environment variable {name} must be 0 or 1, got {raw!r}")


FASTMATH: bool = _flag("GDLAB_FASTMATH", False)
CACHE: bool = _flag("GDLAB_CACHE", True)
DETERMINISTIC: bool = _flag("GDLAB_DETERMINISTIC", True)

_mode = threading.local()


def deterministic() -> bool:
    """Whether kernels generated now use the deterministic GEMM (see ``GDLAB_DETERMINISTIC``)."""
    value = getattr(_mode, "deterministic", None)
    return DETERMINISTIC if value is None else value


@contextmanager
def deterministic_mode(flag: bool | None):
    """Generate kernels in deterministic (True) or OpenBLAS (False) mode inside the block.

    ``None`` keeps the mode in force (the environment's default or an enclosing block's).
    The setting is per thread.

    Raises
    ------
    TypeError
        If ``flag`` is not a bool or None.
    """
    if flag is not None and not isinstance(flag, bool):
        raise TypeError(f"deterministic must be True, False or None, got {flag!r}")
    old = getattr(_mode, "deterministic", None)
    if flag is not None:
        _mode.deterministic = flag
    try:
        yield
    finally:
        _mode.deterministic = old


def cache_dir() -> Path:
    """Directory of generated kernel modules (created on first use)."""
    raw = os.environ.get("GDLAB_CACHE_DIR")
    if raw:
        path = Path(raw)
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("gdlab"))
    path = path / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def jit_options(**extra) -> dict:
    """Keyword arguments for ``numba.njit`` shared by every gdlab kernel."""
    # Numba's cache key ignores compiler flags, so fast-math kernels are never cached on disk
    # (generated modules are: their source, hence their file name, spells the flag out).
    opts = {"cache": CACHE and not FASTMATH, "fastmath": FASTMATH, "nogil": True}
    opts.update(extra)
    return opts

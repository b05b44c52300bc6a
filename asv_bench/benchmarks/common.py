"""Shared, fixed-seed data builders and helpers for the gdlab asv suite.

Rules that keep the history comparable across commits:

* **Append-only.** Never change what an existing builder returns (sizes, seeds, dtypes,
  constants): add a new builder or a new argument value instead. Changing a workload silently
  breaks every curve on the dashboard.
* **Fixed seeds.** Every random array comes from ``numpy.random.default_rng(seed)``.
* **Cheap to import.** asv imports every benchmark module to discover the benchmarks and again
  in each spawned process, so nothing heavy (data, torch, compilation) happens at import time;
  builders cache their result in module state on first use.

The benchmark code is the one in the working tree, but it runs against *older* gdlab versions
when asv walks the history, so helpers here only rely on APIs that exist since the optimizer
core v2 (``create(name, on_nonfinite=...)``, ``gdlab.registry``, ``gdlab._threads``), and
report anything newer as "not available" (``NotImplementedError``) rather than failing.
"""

from __future__ import annotations

import math
import os

import numpy as np

# Every built-in optimizer, hard-coded (not read from the registry) so that the benchmark
# names and parameter grid stay stable over history. Append new built-ins at the end.
BUILTIN_OPTIMIZERS = ["sgd", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw",
                      "adamax", "nadam", "radam", "lamb"]

# Hyperparameters of the speed benchmarks: PyTorch defaults, except SGD with momentum 0.9 as in
# ``gdlab.bench.optim_step`` (so that SGD keeps a momentum buffer, the usual configuration).
STEP_HYPER = {"sgd": {"lr": 1e-3, "momentum": 0.9}}

# The MNIST network and training settings of ``gdlab.bench.mlp_mnist``.
MLP_SIZES = (784, 256, 128, 64, 20, 10)
MLP_BATCH = 64
MLP_LR = 0.1


# --------------------------------------------------------------------------- environment

def not_available(what: str):
    """The exception asv shows as "n/a" (skipped) rather than as a failure."""
    return NotImplementedError(what)


def cpu_count() -> int:
    """Threads Numba may use in this process (``NUMBA_NUM_THREADS``, default: all cores)."""
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


_threads_set = None   # the count set_threads last applied in this process
_blas_limiter = None


def set_threads(n: int) -> None:
    """Use ``n`` Numba threads and ``n`` BLAS threads from now on in this process.

    Unlike :func:`gdlab._threads.limit_threads` (a context manager) this stays in force, which
    is what an asv ``setup`` needs. A no-op when ``n`` is already in force, so that the setup
    asv re-runs before every timed sample does not scan the thread pools (and evict the
    caches) right before a microsecond-scale call. Raises ``NotImplementedError`` (skip) when
    the machine has fewer than ``n`` cores.
    """
    global _blas_limiter, _threads_set
    import numba

    if n > cpu_count():
        raise not_available(f"{n} threads asked, this machine allows {cpu_count()}")
    if _threads_set == n and numba.get_num_threads() == n:
        return
    numba.set_num_threads(n)
    _threads_set = n
    try:  # load the BLAS that Numba's np.dot calls, so threadpoolctl can see and limit it
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - both are gdlab dependencies
        return
    if _blas_limiter is not None:
        _blas_limiter.restore_original_limits()
    _blas_limiter = threadpool_limits(limits=n, user_api="blas")


def registered_optimizers() -> set:
    """Names of the optimizers registered in the gdlab being benchmarked."""
    from gdlab.registry import get_registry

    return set(get_registry().specs("optimizers"))


def make_optimizer(name: str, **hyper):
    """``gdlab.optim.create(name, on_nonfinite="ignore", **hyper)``.

    Raises ``NotImplementedError`` (skip) if this gdlab version lacks the optimizer or the
    non-finite policy (commits before the optimizer core v2).
    """
    from gdlab.optim import create

    if name not in registered_optimizers():
        raise not_available(f"optimizer {name!r} is not registered in this gdlab version")
    try:
        return create(name, on_nonfinite="ignore", **hyper)
    except TypeError as e:  # an older Optimizer signature
        raise not_available(f"create({name!r}, on_nonfinite='ignore'): {e}") from None


def step_kwargs(name: str) -> dict:
    """Extra keyword arguments of ``Optimizer.step`` for ``name`` (LAMB: one tensor)."""
    return {"segments": None} if name == "lamb" else {}


def torch_or_skip():
    """The ``torch`` module, or ``NotImplementedError`` (skip) when it is not installed."""
    try:
        import torch
    except ImportError:
        raise not_available("torch is not installed in this environment") from None
    return torch


# --------------------------------------------------------------------------- data

_vector_cache: dict = {}


def flat_vectors(n: int, dtype=np.float32, k: int = 2, seed: int = 0) -> list:
    """``k`` standard-normal vectors of length ``n`` (parameters, gradient, ...).

    Cached by ``(n, dtype, k, seed)``; only the most recent entry is kept (10M-element
    vectors are 40 MB each). The arrays are shared: a caller that steps them in place sees the
    previous caller's updates, which is fine for timing (values stay O(1) for many steps).
    """
    key = (int(n), np.dtype(dtype).str, int(k), int(seed))
    if key not in _vector_cache:
        _vector_cache.clear()
        rng = np.random.default_rng(seed)
        _vector_cache[key] = [rng.standard_normal(int(n), dtype=np.dtype(dtype)) for _ in range(k)]
    return _vector_cache[key]


_mnist_cache: dict = {}


def mnist_arrays(split: str = "train"):
    """MNIST ``(X, y)``: float32 images of shape (n, 784) scaled as gdlab does, int64 labels.

    Cached per split. Uses the MNIST files bundled with gdlab (``gdlab.datasets.load_mnist``).
    """
    if split not in _mnist_cache:
        from gdlab.datasets import load_mnist, scale_images

        images, labels = load_mnist(split)
        X = np.ascontiguousarray(scale_images(images).reshape(len(images), -1), dtype=np.float32)
        _mnist_cache[split] = (X, labels.astype(np.int64))
    return _mnist_cache[split]


# --------------------------------------------------------------------------- test surfaces
# Until gdlab.surfaces lands, the classic 2-D test functions are defined here. Each returns
# (f, grad) at a float64 point of shape (2,); the minimum value of each is 0.
# Append-only like everything else: a new surface gets a new name.

def rosenbrock(x):
    """Rosenbrock's banana valley, f = (1 - x)^2 + 100 (y - x^2)^2; minimum 0 at (1, 1)."""
    a, b = float(x[0]), float(x[1])
    r = b - a * a
    f = (1.0 - a) ** 2 + 100.0 * r * r
    return f, np.array([-2.0 * (1.0 - a) - 400.0 * a * r, 200.0 * r])


# Quadratic valley of condition number 100, rotated by 30 degrees so that the narrow axis is
# not a coordinate axis (a diagonal preconditioner such as Adam's cannot undo it exactly):
# f = 1/2 x^T H x with H = R diag(1, 100) R^T; minimum 0 at the origin.
_C, _S = math.cos(math.pi / 6), math.sin(math.pi / 6)
_R = np.array([[_C, -_S], [_S, _C]])
VALLEY_H = _R @ np.diag([1.0, 100.0]) @ _R.T


def valley(x):
    """Ill-conditioned quadratic valley (condition number 100, rotated 30 degrees)."""
    g = VALLEY_H @ np.asarray(x, dtype=np.float64)
    return 0.5 * float(np.dot(x, g)), g


def rastrigin(x):
    """Rastrigin, f = 20 + sum(x_i^2 - 10 cos(2 pi x_i)); global minimum 0 at the origin,
    a local minimum near every integer point."""
    x = np.asarray(x, dtype=np.float64)
    f = 20.0 + float(np.sum(x * x - 10.0 * np.cos(2.0 * math.pi * x)))
    return f, 2.0 * x + 20.0 * math.pi * np.sin(2.0 * math.pi * x)


SURFACES = {"rosenbrock": rosenbrock, "valley": valley, "rastrigin": rastrigin}
# Starting point of every surface: Rosenbrock's classic (-1.5, 2) for all three.
START = (-1.5, 2.0)


def descend(name: str, surface, lr: float, steps: int, *, tol: float | None = None,
            start=START):
    """Run optimizer ``name`` (lr ``lr``, defaults otherwise) on ``surface`` from ``start``.

    Returns ``(f, k)``: the loss after the last step taken and the number of steps taken. With
    ``tol``, stops at the first iterate with f < tol (``k`` = steps needed, ``steps`` if never
    reached). float64, one thread, fully deterministic. A non-finite or overflowing loss stops
    the run and is reported as ``DIVERGED``.
    """
    opt = make_optimizer(name, lr=lr)
    kw = step_kwargs(name)
    x = np.array(start, dtype=np.float64)
    f, g = surface(x)
    for k in range(steps):
        if tol is not None and f < tol:
            return f, k
        opt.step(x, np.ascontiguousarray(g), **kw)
        f, g = surface(x)
        if not math.isfinite(f) or f > DIVERGED:
            return DIVERGED, k + 1
    return f, steps


# What a diverged run reports as its loss (JSON has no inf; a plot stays readable).
DIVERGED = 1e10


def env_flag(name: str) -> bool:
    """True when environment variable ``name`` is set to something other than "", 0, false."""
    return os.environ.get(name, "").lower() not in ("", "0", "false", "no", "off")

"""One optimizer step on the GPU (``numba.cuda``), float32 device arrays.

Skipped (``NotImplementedError`` in ``setup``, shown as n/a) when there is no usable GPU:
``numba.cuda`` missing (``pip install 'gdlab[cuda]'``), ``numba.cuda.is_available()`` False,
or the CUDA simulator switched on (``NUMBA_ENABLE_CUDASIM``: its timings are meaningless), and
for rules without a CUDA kernel (LAMB's whole-kernel rule). ``time_step`` synchronizes the
device after the step, so the kernel's run is timed, not only its launch.

On a machine without a usable GPU the benchmarks are not even discovered
(``skip_benchmark_if``, checked once at import): asv runs each parameter combination in its
own process, and 66 processes that only raise ``NotImplementedError`` would add minutes to
every run. ``setup`` still raises ``NotImplementedError`` where the GPU check passes at
import but fails later (a lost device).
"""

from __future__ import annotations

import time

from .common import (BUILTIN_OPTIMIZERS, STEP_HYPER, env_flag, flat_vectors, make_optimizer,
                     not_available, step_kwargs)

try:
    from asv_runner.benchmarks.mark import skip_benchmark_if
except ImportError:  # asv < 0.6 or imported outside asv
    def skip_benchmark_if(condition):
        return lambda f: f

SIZES = [1_000_000, 10_000_000, 100_000_000]


def cuda_or_skip():
    """``numba.cuda`` when a real GPU can run kernels, else ``NotImplementedError``."""
    if env_flag("NUMBA_ENABLE_CUDASIM"):
        raise not_available("NUMBA_ENABLE_CUDASIM is set: simulator timings are meaningless")
    try:
        from numba import cuda
    except ImportError:
        raise not_available("numba.cuda is not installed (pip install 'gdlab[cuda]')") from None
    try:
        ok = cuda.is_available()
    except Exception:  # a broken driver or toolkit reads as no GPU
        ok = False
    if not ok:
        raise not_available("no CUDA GPU available (numba.cuda.is_available() is False)")
    return cuda


def _no_gpu() -> bool:
    try:
        cuda_or_skip()
    except NotImplementedError:
        return True
    return False


NO_GPU = _no_gpu()


class CudaOptimizerStep:
    """One step of every built-in optimizer on float32 CUDA device arrays."""

    params = [BUILTIN_OPTIMIZERS, SIZES]
    param_names = ["optimizer", "n"]
    timeout = 180

    def setup(self, name, n):
        self.cuda = cuda = cuda_or_skip()
        opt = make_optimizer(name, **STEP_HYPER.get(name, {}))
        p, g = flat_vectors(n)
        self.p, self.g = cuda.to_device(p), cuda.to_device(g)
        self.kw = step_kwargs(name)
        try:
            for _ in range(2):  # compile (or load) the kernel, move the state to the device
                opt.step(self.p, self.g, **self.kw)
        except NotImplementedError as e:  # e.g. a whole-kernel rule without a CUDA kernel
            raise not_available(str(e)) from None
        cuda.synchronize()
        self.opt = opt

    @skip_benchmark_if(NO_GPU)
    def time_step(self, name, n):
        self.opt.step(self.p, self.g, **self.kw)
        self.cuda.synchronize()

    @skip_benchmark_if(NO_GPU)
    def track_gbs(self, name, n):
        """Effective bandwidth as in ``bench_optim.OptimizerStep.track_gbs``."""
        slots = len(self.opt.active)
        moved = ((2 + slots) + (1 + slots)) * 4 * n
        best = float("inf")
        for _ in range(20):
            t0 = time.perf_counter()
            self.opt.step(self.p, self.g, **self.kw)
            self.cuda.synchronize()
            best = min(best, time.perf_counter() - t0)
        return moved / best / 1e9

    track_gbs.unit = "GB/s"

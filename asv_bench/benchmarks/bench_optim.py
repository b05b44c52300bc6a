"""Speed of one optimizer step on a flat float32 vector (the workload of gdlab.bench.optim_step).

``OptimizerStep``: every built-in optimizer at 1e3, 1e5 and 1e7 elements, 1 and 2 threads.
``time_step`` is one ``opt.step(p, g)`` (``on_nonfinite="ignore"``: no extra pass over the
gradient); ``track_gbs`` is the effective memory bandwidth of the step. ``PeerRatio`` runs
PyTorch's fused Adam and gdlab's Adam in the same process and tracks the time ratio.

Compilation never lands in a timing: ``setup`` builds the optimizer and takes two warm-up
steps, which compile the kernel (or load it from gdlab's disk cache). asv re-runs ``setup``
before every timed sample, so the warmed (optimizer, vectors) triple is kept in module state
and reused; compilation itself is timed in ``bench_compile``.
"""

from __future__ import annotations

import time

import numpy as np

from .common import (BUILTIN_OPTIMIZERS, STEP_HYPER, flat_vectors, make_optimizer, not_available,
                     set_threads, step_kwargs, torch_or_skip)

SIZES = [1_000, 100_000, 10_000_000]
THREADS = [1, 2]
WARMUP_STEPS = 2

_warm: dict = {}  # (name, n, dtype) -> (optimizer, p, g); only the latest entry is kept


def warm_optimizer(name: str, n: int, dtype=np.float32):
    """A warmed-up ``(optimizer, params, grads)`` for ``name`` at size ``n``, cached.

    The first call per process creates the optimizer (hyperparameters :data:`STEP_HYPER`),
    takes :data:`WARMUP_STEPS` steps (compilation or cache load, state allocation) and keeps
    it; later calls (asv's setup before each sample) return the same triple.
    """
    key = (name, int(n), np.dtype(dtype).str)
    if key not in _warm:
        _warm.clear()
        opt = make_optimizer(name, **STEP_HYPER.get(name, {}))
        p, g = flat_vectors(n, dtype)
        kw = step_kwargs(name)
        for _ in range(WARMUP_STEPS):
            opt.step(p, g, **kw)
        _warm[key] = (opt, p, g)
    return _warm[key]


def best_step_time(step, min_steps: int = 5, max_steps: int = 200, budget: float = 0.2) -> float:
    """Minimum wall time of single calls of ``step()``: at least ``min_steps`` calls, then more
    until ``budget`` seconds are spent or ``max_steps`` calls are made."""
    best, spent, k = float("inf"), 0.0, 0
    while k < min_steps or (spent < budget and k < max_steps):
        t0 = time.perf_counter()
        step()
        dt = time.perf_counter() - t0
        best, spent, k = min(best, dt), spent + dt, k + 1
    return best


class OptimizerStep:
    """One step of every built-in optimizer on a flat float32 vector."""

    params = [BUILTIN_OPTIMIZERS, SIZES, THREADS]
    param_names = ["optimizer", "n", "threads"]
    timeout = 120

    def setup(self, name, n, threads):
        set_threads(threads)
        self.opt, self.p, self.g = warm_optimizer(name, n)
        self.kw = step_kwargs(name)

    def time_step(self, name, n, threads):
        self.opt.step(self.p, self.g, **self.kw)

    def track_gbs(self, name, n, threads):
        """Effective bandwidth: (reads + writes) x itemsize x n / best single-step time, with
        reads = params, grads and every active state slot, writes = params and every slot
        (the nominal traffic of an element-wise step; LAMB's second pass is not counted)."""
        opt, p, g, kw = self.opt, self.p, self.g, self.kw
        slots = len(opt.active)
        moved = ((2 + slots) + (1 + slots)) * p.dtype.itemsize * n
        return moved / best_step_time(lambda: opt.step(p, g, **kw)) / 1e9

    track_gbs.unit = "GB/s"


class PeerRatio:
    """PyTorch's fused Adam over gdlab's Adam, one float32 tensor, same process (> 1: gdlab
    is faster). Steps of the two are interleaved and the minimum of each is kept."""

    params = [[1_000_000, 10_000_000], THREADS]
    param_names = ["n", "threads"]
    timeout = 180

    def setup(self, n, threads):
        torch = torch_or_skip()
        set_threads(threads)
        torch.set_num_threads(threads)
        self.opt, self.p, self.g = warm_optimizer("adam", n)
        tp = torch.nn.Parameter(torch.from_numpy(self.p.copy()))
        tp.grad = torch.from_numpy(self.g.copy())
        try:
            self.topt = torch.optim.Adam([tp], lr=1e-3, fused=True)
        except (RuntimeError, TypeError) as e:  # a torch build without fused CPU Adam
            raise not_available(f"torch fused Adam: {e}") from None
        for _ in range(WARMUP_STEPS):
            self.topt.step()

    def track_torch_fused_over_gdlab_adam(self, n, threads):
        opt, p, g = self.opt, self.p, self.g
        ours, theirs = float("inf"), float("inf")
        for _ in range(10 if n <= 1_000_000 else 5):
            ours = min(ours, best_step_time(lambda: opt.step(p, g), 1, 1))
            theirs = min(theirs, best_step_time(self.topt.step, 1, 1))
        return theirs / ours

    track_torch_fused_over_gdlab_adam.unit = "ratio"

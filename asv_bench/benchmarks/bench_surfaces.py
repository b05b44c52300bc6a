"""Surface sweeps and trajectories (``gdlab.surfaces``; n/a on commits before it landed).

``SurfaceSweep.time_sweep``: Adam on Rosenbrock, 10,000 configurations (lr log-spaced
1e-4..1e-1) x 1,000 steps, end to end, with 1 thread and with all; ``track_msteps_per_s``
reports the same run as millions of optimizer steps per second (higher is better).
``SurfaceTrajectory.time_trajectory``: one recorded 10,000-step path.
The kernels are compiled in ``setup`` (a warm-up call), never inside the timed call.
"""

from __future__ import annotations

import time

import numpy as np

from . import common

N_CONFIGS = 10_000
N_STEPS = 1_000


def _surfaces():
    try:
        from gdlab import surfaces
    except ImportError:
        raise common.not_available("gdlab.surfaces does not exist in this commit") from None
    return surfaces


class SurfaceSweep:
    params = [[1, 0]]
    param_names = ["threads (0 = all)"]
    timeout = 300

    def setup(self, threads):
        self.surfaces = _surfaces()
        common.set_threads(threads or common.cpu_count())
        self.lrs = np.geomspace(1e-4, 1e-1, N_CONFIGS)
        self.surfaces.sweep("rosenbrock", {"adam": {"lr": self.lrs}}, n_steps=2)  # the timed kernel

    def time_sweep(self, threads):
        self.surfaces.sweep("rosenbrock", {"adam": {"lr": self.lrs}}, n_steps=N_STEPS)

    def track_msteps_per_s(self, threads):
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            self.surfaces.sweep("rosenbrock", {"adam": {"lr": self.lrs}}, n_steps=N_STEPS)
            best = min(best, time.perf_counter() - t0)
        return N_CONFIGS * N_STEPS / best / 1e6

    track_msteps_per_s.unit = "M steps/s"


class SurfaceTrajectory:
    def setup(self):
        self.surfaces = _surfaces()
        self.surfaces.trajectory("adam", "rosenbrock", n_steps=2, lr=0.01)

    def time_trajectory(self):
        self.surfaces.trajectory("adam", "rosenbrock", n_steps=10_000, lr=0.01)

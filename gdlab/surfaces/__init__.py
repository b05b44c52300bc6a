"""Loss surfaces, trajectories and massive sweeps (CPU, CUDA, Dask).

>>> from gdlab import surfaces
>>> tr = surfaces.trajectory("adam", "rosenbrock", n_steps=2000, lr=0.05)
>>> res = surfaces.sweep("rosenbrock", {"sgd": {"lr": [1e-3, 2e-3], "momentum": [0.0, 0.9]}})

Built-in surfaces are registered through the ``gdlab_register_surfaces`` hook, like a plugin's;
``gdlab list surfaces`` lists them.
"""

from ._library import rotated_hessian
from ._run import (StartOutsideBoundsWarning, SweepResult, Trajectory, get_surface, grid_starts,
                   random_starts, sweep, trajectory)
from ._spec import Surface, SurfaceSpec

__all__ = ["Surface", "SurfaceSpec", "StartOutsideBoundsWarning", "SweepResult", "Trajectory",
           "get_surface", "grid_starts", "random_starts", "rotated_hessian", "sweep", "trajectory"]

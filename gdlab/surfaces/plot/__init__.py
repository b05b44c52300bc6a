"""Figures of loss surfaces, optimizer paths and sweeps (matplotlib).

Four plots, each drawing into a given ``ax`` or into a new figure, and optionally saving it:

* :func:`plot_contour` — a 2-D surface's contours (log-spaced levels) with the paths of several
  optimizers, or a 1-D surface's curve with the iterates;
* :func:`plot_loss_curves` — loss gap ``f(x_t) - f*`` against step for several trajectories;
* :func:`plot_heatmap` — a sweep's final loss (or steps to tolerance, ...) over two
  hyperparameters, e.g. learning rate x momentum;
* :func:`plot_basins` — basin-of-attraction map: a grid of starts coloured by the minimum
  each run reached.

New figures are made with :class:`matplotlib.figure.Figure`, never ``pyplot``: no display
is needed (any backend, Agg in CI), no global state is touched and nothing has to be closed.
To draw into an interactive window pass ``ax`` from ``plt.subplots()``.

>>> from gdlab import surfaces
>>> from gdlab.surfaces.plot import plot_contour
>>> paths = [surfaces.trajectory("adam", "rosenbrock", n_steps=500, lr=0.05),
...          surfaces.trajectory("sgd", "rosenbrock", n_steps=500, lr=1e-3, momentum=0.9)]
>>> fig = plot_contour("rosenbrock", paths, path="rosenbrock.png")  # doctest: +SKIP
"""

from ._common import SAVE_FORMATS, trajectory_label
from .basins import plot_basins
from .contour import plot_contour
from .curves import plot_loss_curves
from .heatmap import plot_heatmap

__all__ = ["SAVE_FORMATS", "plot_basins", "plot_contour", "plot_heatmap", "plot_loss_curves",
           "trajectory_label"]

"""Figure 14 — basins of attraction on Himmelblau's function: which minimum does each start reach?

Himmelblau's f(x, y) = (x² + y − 11)² + (x + y² − 7)² has four global minima (f = 0). Gradient
descent started from a 200 × 200 grid over [−5, 5]² (``gdlab.surfaces.sweep`` with
``grid_starts``, 500 steps per start) and coloured by the minimum each run ends at
(``gdlab.surfaces.plot.plot_basins``) draws the basins of attraction. Plain SGD (lr 0.01)
follows the gradient flow: its basins are bounded by the ridges through the saddle points and
the local maximum. With heavy-ball momentum 0.9 the iterates carry velocity past those ridges,
so the boundaries become interleaved bands and starts end in minima far from the one their
gradient points to. Adam (lr 0.1) normalises each coordinate's step, so its paths move along
diagonals at first: its basins stay compact, but their boundaries are shaped by the signs of the
gradient rather than by its direction (they run diagonally). Runs that end farther than 1e-3 ×
the diagonal of the box from every minimum count as not converged. After Himmelblau (1972),
Applied Nonlinear Programming; basin maps of optimizers as in docs/examples/surfaces_figures.py.

Run: ``python -m paper_figures.fig14_himmelblau_basins OUT`` (or ``gdlab figures --only himmelblau_basins``).
"""

from __future__ import annotations

import sys
from pathlib import Path


from gdlab import surfaces
from gdlab.surfaces.plot import plot_basins

from ._common import main, new_figure, save_figure, write_csv

NUMBER = 14
NAME = "himmelblau_basins"
TITLE = "Basin-of-attraction map of an optimizer on Himmelblau"
CAPTION = ("From a grid of starts on Himmelblau's function, plain SGD splits the plane into four "
           "compact basins bounded by the ridges of the gradient flow, momentum 0.9 carries many "
           "starts across those ridges and fragments the basins, and Adam's per-coordinate steps "
           "move the boundaries.")

SURFACE = "himmelblau"
RUNS = (  # (tag, optimizer, hyperparameters, panel title)
    ("sgd", "sgd", {"lr": 0.01}, "SGD, lr 0.01"),
    ("momentum", "sgd", {"lr": 0.01, "momentum": 0.9}, "SGD + momentum 0.9, lr 0.01"),
    ("adam", "adam", {"lr": 0.1}, "Adam, lr 0.1"),
)
GRID, GRID_QUICK = 200, 40     # starts per axis
STEPS = 500
COLUMNS = ("x0_0", "x0_1", "minimum", "distance", "diverged")   # the data the map shows


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig14_himmelblau_basins.{png,pdf}`` and one CSV per optimizer,
    ``fig14_himmelblau_basins_{sgd,momentum,adam}.csv`` (each start, the index of the minimum
    reached or -1, the final distance to it, diverged), into ``out``; ``quick`` uses a 40 × 40
    grid."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    n = GRID_QUICK if quick else GRID
    starts = surfaces.grid_starts(SURFACE, n)
    fig, axes = new_figure(18.0, 4.9, 1, len(RUNS))
    files = []
    for ax, (tag, opt, hyper, title) in zip(axes, RUNS):
        res = surfaces.sweep(SURFACE, {opt: hyper}, starts=starts, n_steps=STEPS, backend="cpu")
        plot_basins(res, ax=ax, title=f"{title}, {STEPS} steps")
        T = res.table
        files.append(write_csv(Path(out) / f"{stem}_{tag}.csv", COLUMNS,
                               zip(*[T[c].tolist() for c in COLUMNS])))
    fig.suptitle(f"Himmelblau's function: the minimum reached from each of {n} × {n} starts")
    return save_figure(fig, out, stem) + files


if __name__ == "__main__":
    main(sys.modules[__name__])

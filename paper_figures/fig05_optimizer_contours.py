"""Figure 5 — seven optimizers on three classic surfaces: Rosenbrock, Beale and a saddle.

The paths of SGD, heavy-ball momentum (0.9), Nesterov momentum (0.9), Adagrad, RMSProp, Adadelta
and Adam (PyTorch's update rules, gdlab's compiled surface trajectories) on Rosenbrock's banana
valley from (−1.5, 2), on Beale's function from (1, 1.5) and on the saddle x² − y² from
(1.5, 10⁻³), just off its stable manifold — the pictures of A. Radford's animations and of S. Ruder,
"An overview of gradient descent optimization algorithms" (arXiv:1609.04747, 2016), with their
loss curves below.

Learning rates are per surface. They were chosen with ``gdlab.surfaces.sweep`` over 19
log-spaced values in [1e-5, 10] (a third of a decade apart) for every optimizer: on Rosenbrock
(2,000 steps) and Beale (1,000 steps), the largest grid value that converges steadily, one grid
step below the values that diverge or zigzag (Rosenbrock's are those of
``docs/examples/surfaces_figures.py``). On the saddle (200 steps), where f is unbounded below,
SGD and both momenta share lr 0.01 — plain SGD then barely leaves the saddle, momentum escapes —
and each adaptive method gets the smallest grid value whose path leaves the plotted box.
Adadelta keeps PyTorch's default lr = 1 everywhere: it escapes the saddle faster than the other
adaptive methods after a slow start (its first steps are ≈ √ε-sized and then grow), but on
Rosenbrock and Beale it is the slowest of the seven, stalling at f − f* ≈ 0.45 after 2,000 steps
and ≈ 0.03 after 1,000 (Adam: 2e-12 and 2e-14) — a property of the rule at its default, not of
the tuning; in the sweep no Adadelta lr reached 0.1 on Rosenbrock in 1,000 steps. What the
figure shows: momentum, Nesterov and Adam reach both minima to 1e-8 or better; SGD, Adagrad and
RMSProp are still on the way; on the saddle plain SGD is still next to the saddle point after
200 steps while every other method has escaped along −y² (momentum and Nesterov fastest,
exponentially).

Run: ``python -m paper_figures.fig05_optimizer_contours OUT`` (or ``gdlab figures --only optimizer_contours``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gdlab import surfaces
from gdlab.surfaces.plot import plot_contour, plot_loss_curves

from ._common import CLASSIC_OPTIMIZERS, main, new_figure, save_figure, write_csv

NUMBER = 5
NAME = "optimizer_contours"
TITLE = ("Optimizer comparison on contours: SGD, momentum, NAG, Adagrad, RMSProp, Adadelta, Adam "
         "on Rosenbrock, Beale and a saddle")
CAPTION = ("On Rosenbrock and Beale momentum, Nesterov and Adam reach the minimum far sooner "
           "than SGD, Adagrad, RMSProp and Adadelta, and on the saddle x² − y² plain SGD stalls "
           "where momentum and the adaptive methods escape.")

# The classic optimizers, in the order and with the colours of every figure (OPTIMIZER_COLORS:
# plot_contour's tab10 order is the same).
OPTIMIZERS = CLASSIC_OPTIMIZERS
# surface: (start, steps, plotted bounds, learning rates in OPTIMIZERS order) — see the docstring
SURFACES = {
    "rosenbrock": ((-1.5, 2.0), 2000, [[-2.0, 2.0], [-1.0, 3.0]],
                   (1.5e-3, 1e-3, 1e-3, 0.5, 3e-3, 1.0, 0.05)),
    "beale": ((1.0, 1.5), 1000, [[-0.5, 4.0], [-1.0, 2.5]],
              (1e-2, 2.2e-3, 2.2e-3, 0.5, 4.6e-3, 1.0, 0.1)),
    "saddle": ((1.5, 1e-3), 200, [[-2.0, 2.0], [-2.0, 2.0]],
               (1e-2, 1e-2, 1e-2, 0.1, 1e-2, 1.0, 1e-2)),
}
QUICK_DIVISOR = 4      # quick: a quarter of the steps
CONTOUR_N, CONTOUR_N_QUICK = 200, 100   # contour grid per axis (the PDF's size and time grow with it)


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig05_optimizer_contours.{png,pdf}`` and ``fig05_optimizer_contours.csv`` (every
    iterate: surface, optimizer, lr, step, x, y, f) into ``out``; ``quick`` runs a quarter of
    the steps and draws the contours from a coarser grid."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    fig, axes = new_figure(18.0, 11.0, 2, 3, gridspec_kw={"height_ratios": [1.5, 1]})
    rows = []
    for k, (surf, (x0, steps, bounds, lrs)) in enumerate(SURFACES.items()):
        n = max(steps // QUICK_DIVISOR, 1) if quick else steps
        trs = [surfaces.trajectory(opt, surf, list(x0), n_steps=n, lr=lr, **h)
               for (_, opt, h), lr in zip(OPTIMIZERS, lrs)]
        labels = [f"{lab}, lr {lr:g}" for (lab, _, _), lr in zip(OPTIMIZERS, lrs)]
        top, bottom = axes[0, k], axes[1, k]
        plot_contour(surf, trs, ax=top, bounds=bounds, labels=labels,
                     n=CONTOUR_N_QUICK if quick else CONTOUR_N,
                     title=f"({'abc'[k]}) {surf} from {x0}, {n} steps")
        plot_loss_curves(trs, ax=bottom, labels=labels, title=f"loss along the paths on {surf}")
        bottom.get_legend().remove()  # the contour panel above names the same colours
        rows += [(surf, lab, lr, t, *tr.path[t].tolist(), float(tr.loss[t]))
                 for (lab, _, _), lr, tr in zip(OPTIMIZERS, lrs, trs) for t in range(tr.path.shape[0])]
    fig.suptitle("SGD, momentum, Nesterov, Adagrad, RMSProp, Adadelta and Adam on Rosenbrock, Beale "
                 "and the saddle $x^2 - y^2$", fontsize="large")
    return save_figure(fig, out, stem) + [
        write_csv(Path(out) / f"{stem}.csv", ["surface", "optimizer", "lr", "step", "x", "y", "f"], rows)]


if __name__ == "__main__":
    main(sys.modules[__name__])

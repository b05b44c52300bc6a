"""Figure 1 — gradient descent on f(x) = x² from x = 2.

With learning rate α the iterates are x_{t+1} = x_t − 2αx_t = (1 − 2α) x_t: α = 0.1 shrinks the
distance to the minimum by 0.8 per step, α = 0.01 by only 0.98 (too small: barely moves in
ten steps), and α = 1.1 multiplies it by −1.2 (too large: the iterates jump across the
minimum and diverge). Dive into Deep Learning §12.3 draws the same experiment.

Run: ``python -m paper_figures.fig01_gd_parabola OUT`` (or ``gdlab figures --only gd_parabola``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from gdlab import surfaces
from gdlab.surfaces.plot import plot_contour, plot_loss_curves

from ._common import main, new_figure, save_figure, write_columns

NUMBER = 1
NAME = "gd_parabola"
TITLE = "Gradient descent on f(x) = x²: a good, a too small and a too large learning rate"
CAPTION = ("Gradient descent from x = 2 with α = 0.1 converges geometrically (factor 0.8 per "
           "step); α = 0.01 barely moves in ten steps and α = 1.1 overshoots further at every "
           "step and diverges.")

X0 = 2.0
RUNS = ((0.1, "α = 0.1"), (0.01, "α = 0.01 (too small)"), (1.1, "α = 1.1 (too large)"))
STEPS = 10          # iterates drawn on the curve
STEPS_LOSS = 40     # f against iteration


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig01_gd_parabola.{png,pdf}`` and ``fig01_gd_parabola.csv`` (every iterate of
    the three runs: lr, step, x, f(x)) into ``out``. ``quick`` changes nothing (it is cheap)."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    long = [surfaces.trajectory("sgd", "parabola", [X0], n_steps=STEPS_LOSS, lr=lr) for lr, _ in RUNS]
    fig, axes = new_figure(13.0, 7.6, 2, 2)
    a_good, a_loss, a_small, a_large = axes.ravel()
    for ax, k, bounds in ((a_good, 0, [[-2.5, 2.5]]), (a_small, 1, [[-2.5, 2.5]]),
                          (a_large, 2, [[-14.0, 14.0]])):
        lr, label = RUNS[k]
        tr = surfaces.trajectory("sgd", "parabola", [X0], n_steps=STEPS, lr=lr)
        plot_contour("parabola", [tr], ax=ax, bounds=bounds, labels=[f"{label}, {STEPS} steps"],
                     title=f"{label}: $x_{{t+1}} = {1 - 2 * lr:g}\\,x_t$")
        ax.set(xlabel="$x$", ylabel="$f(x) = x^2$")
    plot_loss_curves(long, ax=a_loss, labels=[lab for _, lab in RUNS],
                     title=f"$f(x_t)$ against iteration $t$ (log scale), {STEPS_LOSS} steps")
    a_loss.set(xlabel="iteration $t$", ylabel="$f(x_t) - f^*$")
    fig.suptitle(f"Gradient descent on $f(x) = x^2$ from $x_0 = {X0:g}$")
    n = STEPS_LOSS + 1
    cols = {
        "lr": np.repeat([lr for lr, _ in RUNS], n),
        "step": np.tile(np.arange(n), len(RUNS)),
        "x": np.concatenate([tr.path[:, 0] for tr in long]),
        "f": np.concatenate([tr.loss for tr in long]),
    }
    return save_figure(fig, out, stem) + [write_columns(Path(out) / f"{stem}.csv", cols)]


if __name__ == "__main__":
    main(sys.modules[__name__])

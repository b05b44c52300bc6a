"""Figure 4 — the ill-conditioned valley f(x, y) = 0.1 (x² + 20 y²): GD vs momentum vs Nesterov.

Dive into Deep Learning §12.6's example (f = 0.1x² + 2y², gdlab surface ``valley`` with κ = 20,
from (−5, −2)). The curvatures are 0.2 along x and 4 along y, so gradient descent multiplies the
error along x by 1 − 0.2η and along y by 1 − 4η each step: with η = 0.4 y oscillates (factor
−0.6) while x crawls (0.92); with η = 0.6 the y factor is −1.4 and the run diverges. Heavy-ball
momentum (torch's SGD: b ← βb + g, x ← x − ηb) with β = 0.5 and the same η = 0.6 converges: the
averaged gradient cancels the oscillation along y and accumulates along x. Nesterov's variant
(``nesterov=True``: x ← x − η(g + βb)) with the same β = 0.5 and η = 0.6 *diverges*: on a
quadratic of curvature λ it is stable only for ηλ < 2(1 + β)/(1 + 2β) = 1.5 (heavy ball: ηλ <
2(1 + β) = 3), and ηλ = 2.4 along y. With η = 0.3 (ηλ = 1.2) Nesterov converges, its look-ahead
damping the oscillation along y. The top row shows plain GD, the bottom row the momentum runs
(each row's colours match between its contour and loss panels).

Run: ``python -m paper_figures.fig04_valley_momentum OUT`` (or ``gdlab figures --only valley_momentum``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gdlab import surfaces
from gdlab.surfaces.plot import plot_contour, plot_loss_curves

from ._common import main, new_figure, save_figure, write_csv

NUMBER = 4
NAME = "valley_momentum"
TITLE = "The ill-conditioned valley: GD vs momentum vs Nesterov paths on its contour"
CAPTION = ("On 0.1(x² + 20y²) gradient descent either crawls along the valley (η = 0.4) or "
           "diverges across it (η = 0.6), while heavy-ball momentum β = 0.5 at the same η = 0.6 "
           "converges; Nesterov momentum has a smaller stable range (diverges at η = 0.6, "
           "converges at η = 0.3).")

SURFACE = "valley"            # 0.1 (x² + κ y²), κ = 20; default start (-5, -2)
# (label, hyperparameters of torch-style SGD), D2L §12.6's settings
GD_RUNS = (
    ("GD, η = 0.4", {"lr": 0.4}),
    ("GD, η = 0.6", {"lr": 0.6}),
)
MOMENTUM_RUNS = (
    ("momentum β = 0.5, η = 0.6", {"lr": 0.6, "momentum": 0.5}),
    ("Nesterov β = 0.5, η = 0.6", {"lr": 0.6, "momentum": 0.5, "nesterov": True}),
    # Nesterov's largest stable η along y is 2(1 + β)/((1 + 2β) λ) = 0.375 for λ = 4
    ("Nesterov β = 0.5, η = 0.3", {"lr": 0.3, "momentum": 0.5, "nesterov": True}),
)
STEPS = 20             # drawn on the contours (D2L draws 20)
# Diverging runs: only their first steps on the contours (later ones cross the whole box)
STEPS_DIVERGING = {"GD, η = 0.6": 6, "Nesterov β = 0.5, η = 0.6": 4}
STEPS_LOSS = 100       # loss curves: long enough to see the rates
STEPS_LOSS_QUICK = 40
BOUNDS = [[-6.0, 6.0], [-3.0, 3.0]]
LOSS_TOP = 1e4         # diverging runs leave the loss panels at the top
CONTOUR_N = 150        # contour grid per axis: ample for a quadratic, and a light PDF


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig04_valley_momentum.{png,pdf}`` and ``fig04_valley_momentum.csv`` (every
    iterate of the five runs: label, step, x, y, f) into ``out``; ``quick`` draws shorter loss
    curves."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    n_loss = STEPS_LOSS_QUICK if quick else STEPS_LOSS
    fig, axes = new_figure(13.5, 9.6, 2, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    rows = []
    for (a, b), runs, what in zip(axes, (GD_RUNS, MOMENTUM_RUNS), ("gradient descent", "momentum")):
        labels = [lab for lab, _ in runs]
        short = [surfaces.trajectory("sgd", SURFACE, n_steps=STEPS_DIVERGING.get(lab, STEPS), **h)
                 for lab, h in runs]
        long = [surfaces.trajectory("sgd", SURFACE, n_steps=n_loss, **h) for _, h in runs]
        plot_contour(SURFACE, short, ax=a, bounds=BOUNDS, n=CONTOUR_N,
                     labels=[f"{lab}, {tr.path.shape[0] - 1} steps" for lab, tr in zip(labels, short)],
                     title=f"{what}: paths")
        a.set(xlabel="$x$", ylabel="$y$")
        plot_loss_curves(long, ax=b, labels=labels, title=f"{what}: $f(x_t)$ against step, {n_loss} steps")
        b.set_ylim(top=LOSS_TOP)
        b.set(xlabel="step $t$", ylabel="$f(x_t) - f^*$ (log scale)")
        rows += [(lab, t, *tr.path[t].tolist(), float(tr.loss[t]))
                 for lab, tr in zip(labels, long) for t in range(tr.path.shape[0])]
    fig.suptitle(r"Ill-conditioned valley $f(x, y) = 0.1\,(x^2 + 20\,y^2)$ from $(-5, -2)$")

    data = write_csv(Path(out) / f"{stem}.csv", ["run", "step", "x", "y", "f"], rows)
    return save_figure(fig, out, stem) + [data]


if __name__ == "__main__":
    main(sys.modules[__name__])

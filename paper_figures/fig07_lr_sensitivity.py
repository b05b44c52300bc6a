"""Figure 7 — learning-rate sensitivity of the classic optimizers, DeepOBS style.

Schneider, Balles & Hennig (DeepOBS, ICLR 2019) plot each optimizer's final performance
against its learning rate: a flat, wide valley means a forgiving optimizer, a narrow one means
the learning rate must be tuned. Two problems here:

(a) DeepOBS's ``quadratic_deep`` surface (100-D, 90 % of the Hessian's eigenvalues in [0, 1],
    10 % in [30, 60], randomly rotated) with Gaussian gradient noise (std 1 per component,
    the same noise for every optimizer), 500 steps from x = (1, …, 1) for 25 log-spaced learning
    rates from 1e-5 to 10: the final loss gap f(x) − f* (one :func:`gdlab.surfaces.sweep` per
    optimizer). Runs that blow up (the sweep's divergence test, or a final gap above 10⁶,
    10⁴ times the starting gap) are drawn as × at the top of the panel.
(b) The MNIST MLP of figures 8 and 9 (784-256-128-64-20-10, ReLU, seed 0), one epoch on the
    first 10,000 training images with batch 64 for 7 learning rates from 1e-4 to 1: the test
    accuracy on all 10,000 test images. Runs whose loss becomes NaN/inf
    (:class:`gdlab.training.TrainingDiverged`) are drawn as × at the bottom.

Every optimizer works only inside a band of learning rates, and the bands lie in different
places: plain SGD's is narrow and momentum moves it down by about 1/(1 − β) = 10; Adagrad's,
RMSProp's and Adam's are about one to two decades wide on MNIST; Adadelta, whose step scales
itself, needs a learning rate of order one (0.2 on MNIST, 3 to 10 on the quadratic). Above
the band the runs blow up (SGD, momentum) or stall at chance accuracy with dead ReLUs (the
adaptive methods on MNIST).

Run: ``python -m paper_figures.fig07_lr_sensitivity OUT [--quick]``
(or ``gdlab figures --only lr_sensitivity``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from gdlab import surfaces
from gdlab.models import MLP
from gdlab.optim import create
from gdlab.training import TrainingDiverged, train

from ._common import CLASSIC_OPTIMIZERS, OPTIMIZER_COLORS, main, mnist, new_figure, save_figure, write_csv

NUMBER = 7
NAME = "lr_sensitivity"
TITLE = "Learning-rate sensitivity (DeepOBS style) of each optimizer on a surface and on MNIST"
CAPTION = ("Final performance against learning rate: each optimizer works only in a band of "
           "learning rates, narrow for plain SGD and moved about tenfold lower by momentum, one to "
           "two decades wide for the adaptive methods, near 1 for Adadelta, so a learning rate "
           "tuned for one optimizer does not carry over to another.")

#: The classic optimizers (label, gdlab name, fixed hyperparameters), in the order of every figure.
OPTIMIZERS = CLASSIC_OPTIMIZERS
SURFACE, NOISE, SURF_SEED = "quadratic_deep", 1.0, 0
#: A final gap above this (10⁴ times the gap at the start, ≈ 98) counts as diverged: such runs
#: grow without bound, some still short of the sweep's own overflow test.
DIVERGED_GAP = 1e6
LAYERS, BATCH, SEED = (784, 256, 128, 64, 20, 10), 64, 0
FULL = dict(surf_lrs=np.logspace(-5, 1, 25), surf_steps=500,
            mnist_lrs=np.logspace(-4, 0, 7), n_train=10_000, n_test=10_000)
QUICK = dict(surf_lrs=np.logspace(-5, 1, 13), surf_steps=200,
             mnist_lrs=np.logspace(-4, 0, 4), n_train=2000, n_test=1000)


def _surface_runs(lrs, n_steps):
    """Rows (optimizer, lr, loss_gap, diverged) of one sweep per optimizer on the noisy surface."""
    rows = []
    for label, name, fixed in OPTIMIZERS:
        grid = {"lr": lrs, **{k: [v] for k, v in fixed.items()}}
        res = surfaces.sweep(SURFACE, {name: grid}, n_steps=n_steps, noise=NOISE, seed=SURF_SEED,
                             tol=None, backend="cpu")
        gap = res.column("loss") - res.surface.fmin
        with np.errstate(invalid="ignore"):
            bad = res.column("diverged") | ~(gap <= DIVERGED_GAP)
        rows += [(label, float(lr), float(g), bool(d))
                 for lr, g, d in zip(res.column("lr"), gap, bad)]
    return rows


def _mnist_runs(lrs, n_train, n_test):
    """Rows (optimizer, lr, test_loss, test_acc, diverged) after one epoch on MNIST."""
    X, y, X_test, y_test = mnist(n_train, n_test)
    rows = []
    for label, name, fixed in OPTIMIZERS:
        for lr in lrs:
            model = MLP(LAYERS, "relu", seed=SEED)
            try:
                h = train(model, create(name, lr=float(lr), **fixed), X, y, X_test=X_test,
                          y_test=y_test, epochs=1, batch_size=BATCH, seed=SEED)
                r = h.records[-1]
                rows.append((label, float(lr), r["test_loss"], r["test_acc"], False))
            except TrainingDiverged:  # the loss became NaN/inf: mark it, keep going
                rows.append((label, float(lr), float("nan"), float("nan"), True))
    return rows


def _draw(ax, rows, col, top: bool) -> None:
    """One line per optimizer of column ``col`` against lr; diverged runs as × at the top or bottom."""
    edge = ax.get_xaxis_transform()  # x in data, y in axes fraction
    for k, (label, _, _) in enumerate(OPTIMIZERS):
        mine = [r for r in rows if r[0] == label]
        lr = np.array([r[1] for r in mine])
        v = np.array([r[col] for r in mine], dtype=float)
        bad = np.array([r[-1] for r in mine])
        c = OPTIMIZER_COLORS[label]
        ax.plot(lr[~bad], v[~bad], "o-", ms=3.5, color=c, label=label)
        # stagger the × of the optimizers a little so that they do not hide each other
        y = (0.97 - 0.018 * k) if top else (0.03 + 0.018 * k)
        ax.plot(lr[bad], np.full(bad.sum(), y), "x", ms=6, mew=1.5, color=c, transform=edge)


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig07_lr_sensitivity.{png,pdf}``, ``fig07_lr_sensitivity_surface.csv``
    (optimizer, lr, loss_gap, diverged) and ``fig07_lr_sensitivity_mnist.csv`` (optimizer, lr,
    test_loss, test_acc, diverged) into ``out``. ``quick``: 13 surface learning rates and 200
    steps; 4 MNIST learning rates on 2,000/1,000 rows."""
    cfg = QUICK if quick else FULL
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    surf_rows = _surface_runs(cfg["surf_lrs"], cfg["surf_steps"])
    mnist_rows = _mnist_runs(cfg["mnist_lrs"], cfg["n_train"], cfg["n_test"])

    fig, (ax_s, ax_m) = new_figure(12.0, 5.0, 1, 2)
    _draw(ax_s, surf_rows, 2, top=True)
    ax_s.set(xscale="log", yscale="log", xlabel="learning rate α",
             ylabel="final loss gap f(x) − f* (log scale)",
             title=f"(a) {SURFACE} (100-D), gradient noise σ = {NOISE:g}, {cfg['surf_steps']} steps")
    pct = [(r[0], r[1], r[2], 100 * r[3], r[4]) for r in mnist_rows]
    _draw(ax_m, pct, 3, top=False)
    ax_m.set(xscale="log", xlabel="learning rate α", ylabel="test accuracy after one epoch (%)",
             ylim=(0, 100),
             title=f"(b) MNIST MLP, 1 epoch on {cfg['n_train']:,} images, batch {BATCH}")
    handles, labels = ax_s.get_legend_handles_labels()
    handles.append(ax_s.plot([], [], "x", color="0.3", mew=1.5)[0])
    labels.append("diverged")
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles))
    fig.suptitle("Learning-rate sensitivity of the classic optimizers (after DeepOBS, "
                 "Schneider et al. 2019)")
    return save_figure(fig, out, stem) + [
        write_csv(out / f"{stem}_surface.csv", ("optimizer", "lr", "loss_gap", "diverged"), surf_rows),
        write_csv(out / f"{stem}_mnist.csv", ("optimizer", "lr", "test_loss", "test_acc", "diverged"),
                  mnist_rows),
    ]


if __name__ == "__main__":
    main(sys.modules[__name__])

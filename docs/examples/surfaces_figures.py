"""The example figures of gdlab's surfaces (issue 4): paths, a sweep heatmap and basin maps.

Usage::

    python docs/examples/surfaces_figures.py OUT_DIR [--format png|pdf|svg]

writes into ``OUT_DIR``:

* ``rosenbrock_paths`` — Rosenbrock from (-1.5, 2): the paths of six optimizers with
  learning rates tuned to make progress in 2,000 steps, and their loss curves;
* ``valley_momentum`` — the ill-conditioned valley 0.1 (x² + 20 y²): SGD vs heavy-ball
  momentum vs Nesterov momentum from the default start (-5, -2), 60 steps;
* ``rosenbrock_lr_momentum`` — SGD on Rosenbrock, learning rate x momentum (24 x 24), 2,000
  steps: final loss and steps to reach f* + 1e-6;
* ``himmelblau_basins`` — basins of attraction of Himmelblau's four minima for plain SGD and
  for SGD with momentum 0.9, from a 200 x 200 grid of starts;

each with the data behind it beside it (``*.csv``). Deterministic: no randomness is involved.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from gdlab import surfaces
from gdlab.surfaces.plot import (plot_basins, plot_contour, plot_heatmap, plot_loss_curves,
                                 trajectory_label)

# Rosenbrock from (-1.5, 2): the largest learning rates (on a 10^(1/5) grid) that neither diverge
# nor oscillate in 2,000 steps, found with sweep(); see the loss-curve panel.
ROSENBROCK_RUNS = [
    ("sgd", {"lr": 1.5e-3}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.5}),
    ("rmsprop", {"lr": 3e-3}),
    ("adam", {"lr": 0.05}),
]


def _write_paths_csv(path: Path, trajectories) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        d = trajectories[0].path.shape[1]
        w.writerow(["label", "step", *[f"x_{i}" for i in range(d)], "loss", "grad_norm"])
        for tr in trajectories:
            lab = trajectory_label(tr)
            for t in range(tr.path.shape[0]):
                w.writerow([lab, t, *map(repr, tr.path[t].tolist()), repr(float(tr.loss[t])),
                            repr(float(tr.grad_norm[t]))])


def _write_columns_csv(path: Path, res, columns) -> None:
    """The columns of a sweep's table that a figure shows (the full table of a 200 x 200 grid
    repeats the same hyperparameters 40,000 times)."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in res.table[columns].tolist():
            w.writerow([repr(v) if isinstance(v, float) else v for v in row])


def _figure(width: float, height: float, n: int = 2):
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(1, n)


def rosenbrock_paths(out: Path, fmt: str) -> Path:
    """(a) Six optimizers' paths on Rosenbrock from (-1.5, 2), and their loss curves."""
    trs = [surfaces.trajectory(opt, "rosenbrock", [-1.5, 2.0], n_steps=2000, **hyper)
           for opt, hyper in ROSENBROCK_RUNS]
    for tr in trs:
        print(f"  {trajectory_label(tr):40s} final f - f* = {tr.loss[-1] - tr.surface.fmin:9.3g}  "
              f"steps to 1e-6: {tr.steps_to_tol}")
    fig, (a1, a2) = _figure(13.5, 6.4)
    plot_contour("rosenbrock", trs, ax=a1, bounds=[[-2.0, 2.0], [-1.0, 3.0]])
    plot_loss_curves(trs, ax=a2, title="loss gap along the paths")
    a2.legend().remove()  # the contour panel's legend names the same colours
    fig.suptitle("Rosenbrock from (-1.5, 2), 2,000 steps", fontsize="large")
    _write_paths_csv(out / "rosenbrock_paths.csv", trs)
    return _save(fig, out / f"rosenbrock_paths.{fmt}")


def valley_momentum(out: Path, fmt: str) -> Path:
    """(b) SGD vs momentum vs Nesterov on the ill-conditioned valley (kappa = 20)."""
    runs = [("SGD, lr 0.1", {"lr": 0.1}),
            ("SGD + momentum 0.9, lr 0.1", {"lr": 0.1, "momentum": 0.9}),
            ("SGD + Nesterov momentum 0.9, lr 0.1", {"lr": 0.1, "momentum": 0.9, "nesterov": True})]
    trs = [surfaces.trajectory("sgd", "valley", n_steps=60, **h) for _, h in runs]
    labels = [name for name, _ in runs]
    for lab, tr in zip(labels, trs):
        print(f"  {lab:36s} final f - f* = {tr.loss[-1]:9.3g}")
    fig, (a1, a2) = _figure(13.5, 5.2)
    plot_contour("valley", trs, ax=a1, labels=labels)
    plot_loss_curves(trs, ax=a2, labels=labels, title="loss along the paths")
    fig.suptitle("ill-conditioned valley (condition number 20) from (-5, -2), 60 steps", fontsize="large")
    _write_paths_csv(out / "valley_momentum.csv", trs)
    return _save(fig, out / f"valley_momentum.{fmt}")


def rosenbrock_lr_momentum(out: Path, fmt: str) -> Path:
    """(c) SGD on Rosenbrock: learning rate x momentum -> final loss, steps to tolerance."""
    t = time.perf_counter()
    res = surfaces.sweep("rosenbrock", {"sgd": {"lr": np.logspace(-4, -2.3, 24),
                                                "momentum": np.linspace(0.0, 0.99, 24)}},
                         n_steps=2000, backend="cpu")
    print(f"  {len(res)} configurations x 2,000 steps in {time.perf_counter() - t:.2f} s "
          f"(including compilation when not cached); {int(res.table['diverged'].sum())} diverged")
    fig, (a1, a2) = _figure(13.5, 6.2)
    plot_heatmap(res, "lr", "momentum", "loss", ax=a1, title="final loss gap")
    plot_heatmap(res, "lr", "momentum", "steps", log=False, ax=a2, title="steps to reach $f^* + 10^{-6}$")
    fig.suptitle("SGD with momentum on Rosenbrock from (-1.5, 2), 2,000 steps", fontsize="large")
    res.to_csv(out / "rosenbrock_lr_momentum.csv")
    return _save(fig, out / f"rosenbrock_lr_momentum.{fmt}")


def himmelblau_basins(out: Path, fmt: str, n: int = 200) -> Path:
    """(d) Basins of attraction on Himmelblau: SGD vs SGD with momentum."""
    starts = surfaces.grid_starts("himmelblau", n)
    fig, axes = _figure(13.5, 5.6)
    for ax, (name, hyper) in zip(axes, [("sgd", {"lr": 0.01}), ("sgd", {"lr": 0.01, "momentum": 0.9})]):
        res = surfaces.sweep("himmelblau", {name: hyper}, starts=starts, n_steps=500, backend="cpu")
        plot_basins(res, ax=ax)
        tag = "momentum" if "momentum" in hyper else "plain"
        _write_columns_csv(out / f"himmelblau_basins_{tag}.csv", res,
                           ["x0_0", "x0_1", "minimum", "distance", "diverged"])
    fig.suptitle(f"Himmelblau: which minimum each of {n} x {n} starts reaches", fontsize="large")
    return _save(fig, out / f"himmelblau_basins.{fmt}")


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=150)
    print(f"  wrote {path}")
    return path


FIGURES = {"rosenbrock_paths": rosenbrock_paths, "valley_momentum": valley_momentum,
           "rosenbrock_lr_momentum": rosenbrock_lr_momentum, "himmelblau_basins": himmelblau_basins}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write the figures and their data into")
    ap.add_argument("--format", default="png", choices=["png", "pdf", "svg"])
    ap.add_argument("--only", choices=sorted(FIGURES), action="append", help="make only this figure (repeatable)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or FIGURES:
        print(name)
        FIGURES[name](args.out, args.format)


if __name__ == "__main__":
    main()

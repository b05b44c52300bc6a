"""Figure 10 — batch, stochastic and mini-batch gradient descent: loss against updates and seconds.

Dive into Deep Learning §12.5 compares full-batch gradient descent, stochastic gradient
descent (one example per update) and mini-batch SGD on linear regression. Here the same
comparison trains softmax regression on MNIST (``MLP((784, 10))``: no hidden layer, float32,
seed 0) with :func:`gdlab.training.train` at batch sizes 60,000 (GD: one update per epoch),
1 (SGD), 100 and 1,000 (mini-batch), each at a learning rate that works for it. The training
loss is measured on a fixed subset of 10,000 training images at log-spaced numbers of updates,
from the ``on_batches`` callback (so while training runs); the seconds are the training time
only: the time between callbacks, without these evaluations or the per-epoch evaluation of
``train``.

Per update, SGD is the cheapest and GD the most expensive; GD (and batch 1,000, which follows
it update for update) needs the fewest updates but each costs a pass over the data, so per
second mini-batches of 100 win: they use the vectorised matrix products that single examples
cannot, yet take many steps per epoch. Matrix products run on one BLAS thread (the model is
too small to share them); seconds are wall-clock time and vary from run to run.

Run: ``python -m paper_figures.fig10_batch_sizes OUT [--quick]`` (or ``gdlab figures --only batch_sizes``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from gdlab.models import MLP
from gdlab.optim import create
from gdlab.training import train

from ._common import main, mnist, new_figure, save_figure, write_csv

NUMBER = 10
NAME = "batch_sizes"
TITLE = "Batch vs stochastic vs mini-batch gradient descent: loss against updates and against seconds"
CAPTION = ("Softmax regression on MNIST: full-batch gradient descent makes the most progress "
           "per update but each update is a pass over all 60,000 images, SGD (batch 1) needs "
           "many cheap, noisy updates, and mini-batches of 100 reach a low loss in the least time.")

SEED = 0
#: (label, batch size (None: all rows), learning rate, epochs, mini-batches per compiled call)
RUNS = (
    ("GD", None, 0.02, 50, 1),
    ("SGD (batch 1)", 1, 0.001, 1, 10),      # 10 updates per call keeps Python overhead small
    ("mini-batch 100", 100, 0.02, 2, 1),
    ("mini-batch 1,000", 1000, 0.02, 5, 1),
)
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e")
FULL = dict(n_train=None, n_test=None, n_eval=10_000, epochs_scale=1.0, points=80)
QUICK = dict(n_train=3000, n_test=1000, n_eval=2000, epochs_scale=0.4, points=30)


def _run(X, y, X_eval, y_eval, batch, lr, epochs, chunk, points):
    """Train one softmax regression; return (updates, loss, seconds) at log-spaced updates."""
    model = MLP((784, 10), seed=SEED)                  # no hidden layer: softmax regression
    total = epochs * -(-X.shape[0] // batch)
    marks = np.unique(np.geomspace(1, total, points).round().astype(int))
    log = {"updates": [0], "loss": [model.evaluate(X_eval, y_eval)[0]], "seconds": [0.0]}
    clock = {"done": 0, "train_s": 0.0, "next": 0, "last": 0.0}

    def on_batches(k):
        now = time.perf_counter()
        clock["train_s"] += now - clock["last"]       # training time since the last callback
        clock["done"] += k
        if clock["next"] < marks.size and clock["done"] >= marks[clock["next"]]:
            while clock["next"] < marks.size and marks[clock["next"]] <= clock["done"]:
                clock["next"] += 1
            log["updates"].append(clock["done"])
            log["loss"].append(model.evaluate(X_eval, y_eval)[0])
            log["seconds"].append(clock["train_s"])
        clock["last"] = time.perf_counter()            # the evaluation does not count

    def on_epoch(_record):
        clock["last"] = time.perf_counter()            # nor does train's end-of-epoch evaluation

    clock["last"] = time.perf_counter()
    train(model, create("sgd", lr=lr), X, y, epochs=epochs, batch_size=batch, seed=SEED,
          chunk=chunk, on_batches=on_batches, on_epoch=on_epoch)
    return log


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig10_batch_sizes.{png,pdf}``, ``fig10_batch_sizes.csv`` (method, batch_size, lr,
    updates, loss) and ``fig10_batch_sizes.timing.csv`` (method, updates, seconds of training)
    into ``out``. ``quick``: 3,000 training rows (GD's batch), a 2,000-row loss subset and fewer
    epochs."""
    cfg = QUICK if quick else FULL
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    X, y, _, _ = mnist(cfg["n_train"], cfg["n_test"])  # the rows figures 8 and 9 load (cached)
    X_eval, y_eval = X[: cfg["n_eval"]], y[: cfg["n_eval"]]
    # load the compiled training loop before any clock starts (compilation is not training)
    train(MLP((784, 10), seed=SEED), create("sgd", lr=0.01), X[:64], y[:64], epochs=1)

    fig, (ax_u, ax_t) = new_figure(12.0, 4.8, 1, 2)
    rows, timing = [], []
    for (label, batch, lr, epochs, chunk), color in zip(RUNS, COLORS):
        batch = batch or X.shape[0]
        epochs = max(1, round(epochs * cfg["epochs_scale"]))
        # One BLAS thread: a 784 x 10 model's products are too small to share, and waking idle
        # BLAS threads after every short compiled call would add milliseconds to the timings.
        with threadpool_limits(limits=1, user_api="blas"):
            log = _run(X, y, X_eval, y_eval, batch, lr, epochs, chunk, cfg["points"])
        u, loss, s = np.array(log["updates"]), np.array(log["loss"]), np.array(log["seconds"])
        if batch == X.shape[0]:
            label = f"GD (batch {batch:,})"
        name = f"{label}, lr {lr:g}, {epochs} epoch{'s' * (epochs > 1)}"
        # the start (update 0, 0 s) lies off the log axes; the dotted line marks its loss.
        # Per update, full-batch GD and the mini-batch runs fall along one curve: GD is drawn
        # wide and pale underneath, so that the curves on top of it do not hide it.
        style = dict(lw=6, alpha=0.4, zorder=1, solid_capstyle="round") if batch == X.shape[0] \
            else dict(lw=1.6, zorder=2)
        ax_u.plot(u[1:], loss[1:], "-", color=color, label=name, **style)
        ax_t.plot(s[1:], loss[1:], "-", color=color, label=name, **style)
        rows += [(label, batch, lr, int(a), float(b)) for a, b in zip(u, loss)]
        timing += [(label, int(a), float(b)) for a, b in zip(u, s)]
    ax_u.set(xscale="log", xlabel="parameter updates (log scale)",
             ylabel=f"training loss on {X_eval.shape[0]:,} images (nats)",
             title="loss against the number of updates")
    ax_t.set(xscale="log", xlabel="training time (s, without the loss evaluations; log scale)",
             ylabel=f"training loss on {X_eval.shape[0]:,} images (nats)",
             title="loss against wall-clock training time")
    for ax in (ax_u, ax_t):
        ax.axhline(log["loss"][0], color="0.6", lw=0.8, ls=":", label="loss at the start")
    ax_u.legend(loc="upper right")
    fig.suptitle(f"Softmax regression on MNIST ({X.shape[0]:,} training images): "
                 "full-batch GD, SGD and mini-batch SGD (D2L §12.5)")
    return save_figure(fig, out, stem) + [
        write_csv(out / f"{stem}.csv", ("method", "batch_size", "lr", "updates", "loss"), rows),
        write_csv(out / f"{stem}.timing.csv", ("method", "updates", "seconds"), timing),
    ]


if __name__ == "__main__":
    main(sys.modules[__name__])

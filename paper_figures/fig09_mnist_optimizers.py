"""Figure 9 — the classic optimizers on MNIST: training loss, test loss and test accuracy per epoch.

The MLP of figure 8 (784-256-128-64-20-10, ReLU, float32, initialisation seed 0) trained on
all 60,000 MNIST images for 10 epochs with batch 64 and the same shuffling seed by each of the
seven classic optimizers, at a standard learning rate (PyTorch's defaults where they work,
the usual values otherwise): SGD 0.1; SGD with momentum 0.9 and with
Nesterov momentum 0.9 at 0.01 (momentum multiplies the effective step by 1/(1 − β) = 10, so
0.01 matches plain SGD's 0.1); Adadelta 1.0 (Zeiler 2012 has no learning rate, i.e. 1.0,
PyTorch's default); Adam 1e-3 (Kingma & Ba 2015). Adagrad and RMSProp run ten times below
their usual 0.01 and 1e-3: at those rates both killed the ReLUs of this network on the full
training set within the first epoch (loss stuck at ln 10 ≈ 2.30, 11 % test accuracy; measured).
Their first steps move every weight by about lr (Adagrad: lr·g/|g|; RMSProp with zero initial
average: lr/√(1 − α) = 10·lr), which over 784 inputs near ±1 shifts a unit's input by ~784·lr;
Adagrad 1e-3 and RMSProp 1e-4 give first steps the size of Adam's at 1e-3 (figure 7(b) shows
the bands). Each model is evaluated on the whole training and test sets after every epoch.

Run: ``python -m paper_figures.fig09_mnist_optimizers OUT [--quick]``
(or ``gdlab figures --only mnist_optimizers``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from gdlab.models import MLP
from gdlab.optim import create
from gdlab.training import train

from ._common import CLASSIC_OPTIMIZERS, OPTIMIZER_COLORS, main, mnist, new_figure, save_figure, write_columns

NUMBER = 9
NAME = "mnist_optimizers"
TITLE = "Optimizer comparison on MNIST: loss and accuracy per epoch for each classic optimizer"
CAPTION = ("Seven classic optimizers, each at its usual learning rate, train the same MNIST MLP "
           "from the same initialisation on the same mini-batches: how fast each lowers the "
           "training loss, and how its test loss and test accuracy follow, epoch by epoch.")

LAYERS = (784, 256, 128, 64, 20, 10)
BATCH, SEED = 64, 0
#: Learning rate of each classic optimizer (see the docstring for Adagrad's and RMSProp's).
LR = {"SGD": 0.1, "momentum": 0.01, "Nesterov": 0.01, "Adagrad": 1e-3, "RMSProp": 1e-4,
      "Adadelta": 1.0, "Adam": 1e-3}
#: (label, optimizer, hyperparameters), in the order of every figure.
OPTIMIZERS = tuple((label, name, {"lr": LR[label], **fixed}) for label, name, fixed in CLASSIC_OPTIMIZERS)
FULL = dict(n_train=None, n_test=None, epochs=10)
QUICK = dict(n_train=3000, n_test=1000, epochs=2)


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig09_mnist_optimizers.{png,pdf}``, ``fig09_mnist_optimizers.csv`` (per optimizer
    and epoch: optimizer, lr, epoch, train_loss, train_acc, test_loss, test_acc) and
    ``fig09_mnist_optimizers.timing.csv`` (training seconds per epoch) into ``out``.
    ``quick``: 3,000/1,000 rows, 2 epochs."""
    cfg = QUICK if quick else FULL
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    X, y, X_test, y_test = mnist(cfg["n_train"], cfg["n_test"])
    fig, (ax_tr, ax_te, ax_acc) = new_figure(14.0, 4.6, 1, 3)
    rows, timing = [], []
    for label, name, hyper in OPTIMIZERS:
        model = MLP(LAYERS, "relu", seed=SEED)            # the same initial weights for all
        hist = train(model, create(name, **hyper), X, y, X_test=X_test, y_test=y_test,
                     epochs=cfg["epochs"], batch_size=BATCH, seed=SEED)
        ep = hist.column("epoch")
        style = dict(color=OPTIMIZER_COLORS[label], marker="o", ms=3)
        lab = f"{label} (lr {hyper['lr']:g})"
        ax_tr.plot(ep, hist.column("train_loss"), label=lab, **style)
        ax_te.plot(ep, hist.column("test_loss"), label=lab, **style)
        ax_acc.plot(ep, 100 * hist.column("test_acc"), label=lab, **style)
        rows += [(label, hyper["lr"], r["epoch"], r["train_loss"], r["train_acc"], r["test_loss"],
                  r["test_acc"]) for r in hist.records]
        timing += [(label, r["epoch"], r["seconds"]) for r in hist.records]
    ax_tr.set(yscale="log", ylabel="training loss (nats, log scale)", title="training loss")
    ax_te.set(yscale="log", ylabel="test loss (nats, log scale)", title="test loss")
    ax_acc.set(ylabel="test accuracy (%)", title="test accuracy")
    for ax in (ax_tr, ax_te, ax_acc):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # one legend for the three panels, under them
    handles, labels = ax_tr.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(OPTIMIZERS))
    fig.suptitle(f"Classic optimizers on MNIST: MLP {'-'.join(map(str, LAYERS))} (ReLU), batch "
                 f"{BATCH}, {X.shape[0]:,} training / {X_test.shape[0]:,} test images, seed {SEED}")

    cols = list(zip(*rows))
    data = {k: np.asarray(v) if k != "optimizer" else list(v) for k, v in zip(
        ("optimizer", "lr", "epoch", "train_loss", "train_acc", "test_loss", "test_acc"), cols)}
    tcols = list(zip(*timing))
    return save_figure(fig, out, stem) + [
        write_columns(out / f"{stem}.csv", data),
        write_columns(out / f"{stem}.timing.csv",
                      {"optimizer": list(tcols[0]), "epoch": tcols[1], "train_seconds": tcols[2]}),
    ]


if __name__ == "__main__":
    main(sys.modules[__name__])

"""Figure 8 — the main job: a 784-256-128-64-20-10 ReLU MLP trained on MNIST with plain SGD.

Exactly the README's main job (``gdlab train mnist --optimizer sgd --lr 0.1 --batch-size 64
--epochs 20 --seed 0``): float32, Glorot-uniform initialisation with seed 0, all 60,000
training and 10,000 test images scaled to [-1, 1], mini-batches of 64 drawn from a seeded
permutation each epoch. After every epoch the whole training and test sets are evaluated;
the figure draws the cross-entropy loss (log scale) and the accuracy of both against epoch.
The training loss keeps falling (about tenfold) while the test loss levels off near 0.09 after
a few epochs: the growing gap is the network starting to overfit, while its test accuracy
settles near 98 % (97.98 % at its best epoch, 15, and 97.12 % after epoch 20, as the README
reports: the same numbers on every machine, gdlab's matrix products being deterministic). Plain
SGD at lr 0.1 is noisy: some epochs end on a bad step (a spike of both losses) that the next
epoch repairs.

Run: ``python -m paper_figures.fig08_mnist_mlp OUT [--quick]`` (or ``gdlab figures --only mnist_mlp``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib.ticker import MaxNLocator

from gdlab.models import MLP
from gdlab.optim import create
from gdlab.training import train

from ._common import main, mnist, new_figure, save_figure, write_columns

NUMBER = 8
NAME = "mnist_mlp"
TITLE = "MNIST MLP (784-256-128-64-20-10, SGD 0.1, batch 64, 20 epochs): loss and accuracy curves"
CAPTION = ("The README's main job, a 784-256-128-64-20-10 ReLU MLP trained with plain SGD "
           "(lr 0.1, batch 64): the training loss keeps falling over 20 epochs while the test "
           "loss levels off after a few (overfitting begins), and the test accuracy settles "
           "near 98 %.")

LAYERS = (784, 256, 128, 64, 20, 10)
LR, BATCH, SEED = 0.1, 64, 0
FULL = dict(n_train=None, n_test=None, epochs=20)     # all 60,000 / 10,000 rows
QUICK = dict(n_train=3000, n_test=1000, epochs=3)


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig08_mnist_mlp.{png,pdf}``, ``fig08_mnist_mlp.csv`` (per epoch: epoch,
    train_loss, train_acc, test_loss, test_acc) and ``fig08_mnist_mlp.timing.csv`` (per epoch:
    training and evaluation seconds) into ``out``. ``quick``: 3,000/1,000 rows, 3 epochs."""
    cfg = QUICK if quick else FULL
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    X, y, X_test, y_test = mnist(cfg["n_train"], cfg["n_test"])
    model = MLP(LAYERS, "relu", seed=SEED)
    hist = train(model, create("sgd", lr=LR), X, y, X_test=X_test, y_test=y_test,
                 epochs=cfg["epochs"], batch_size=BATCH, seed=SEED)

    ep = hist.column("epoch")
    fig, (ax_loss, ax_acc) = new_figure(11.0, 4.3, 1, 2)
    ax_loss.plot(ep, hist.column("train_loss"), "o-", ms=3.5, label="train")
    ax_loss.plot(ep, hist.column("test_loss"), "s-", ms=3.5, label="test")
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="cross-entropy loss (nats, log scale)",
                title="loss")
    ax_acc.plot(ep, 100 * hist.column("train_acc"), "o-", ms=3.5, label="train")
    ax_acc.plot(ep, 100 * hist.column("test_acc"), "s-", ms=3.5, label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)")
    # the final test accuracy: a star on the curve and its value in the title (no text on the lines)
    final = 100 * hist.records[-1]["test_acc"]
    ax_acc.plot(ep[-1], final, "*", ms=13, color="C1", mec="k", zorder=5,
                label=f"final test accuracy {final:.2f} %")
    ax_acc.set_title(f"accuracy (final test accuracy {final:.2f} %)")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    n_train, n_test = X.shape[0], X_test.shape[0]
    fig.suptitle(f"MLP {'-'.join(map(str, LAYERS))} (ReLU) on MNIST: SGD lr {LR:g}, batch {BATCH}, "
                 f"{n_train:,} training / {n_test:,} test images, seed {SEED}")

    cols = {k: hist.column(k) if k != "epoch" else ep.astype(int)
            for k in ("epoch", "train_loss", "train_acc", "test_loss", "test_acc")}
    timing = {"epoch": ep.astype(int), "train_seconds": hist.column("seconds"),
              "eval_seconds": hist.column("eval_seconds")}
    return save_figure(fig, out, stem) + [write_columns(out / f"{stem}.csv", cols),
                                          write_columns(out / f"{stem}.timing.csv", timing)]


if __name__ == "__main__":
    main(sys.modules[__name__])

"""Per-epoch records of a training run, and the two-panel figure of its curves."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

COLUMNS = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds")
#: Per-epoch record keys that are measured times (machine-dependent), kept out of ``epochs``
#: in :meth:`History.to_json`.
TIMING_KEYS = ("seconds", "eval_seconds")


@dataclass
class History:
    """Per-epoch records of a training run.

    Attributes
    ----------
    records : list of dict
        One dict per epoch with keys ``epoch`` (1-based), ``train_loss``, ``train_acc``
        (mean softmax cross-entropy in nats and accuracy in [0, 1] on the whole training
        set after the epoch), ``test_loss``, ``test_acc`` (same on the test set, NaN if
        none), ``running_loss`` (size-weighted mean of the mini-batch losses during the
        epoch, before each update), ``seconds`` (wall time of the epoch's training, without
        evaluation) and ``eval_seconds``.
    meta : dict
        Settings of the run (model, optimizer, batch size, seed, …).
    """

    records: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def column(self, key: str) -> np.ndarray:
        """One column as a float64 array, e.g. ``history.column("test_acc")``."""
        return np.array([r[key] for r in self.records], dtype=np.float64)

    def to_json(self, path) -> Path:
        """Write ``{"meta": …, "epochs": […], "timings": […]}`` to ``path`` (NaN as null).

        ``epochs`` holds the results, which are the same on every machine (deterministic mode);
        the measured wall-clock times (:data:`TIMING_KEYS`) go to ``timings``, one entry per
        epoch, so that two runs' ``epochs`` compare equal.
        """
        def clean(r, keep):
            return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()
                    if keep(k)}

        epochs = [clean(r, lambda k: k not in TIMING_KEYS) for r in self.records]
        timings = [clean(r, lambda k: k == "epoch" or k in TIMING_KEYS) for r in self.records]
        path = Path(path)
        path.write_text(json.dumps({"meta": self.meta, "epochs": epochs, "timings": timings},
                                   indent=2) + "\n")
        return path

    def to_csv(self, path) -> Path:
        """Write one row per epoch to ``path``."""
        path = Path(path)
        keys = list(self.records[0]) if self.records else list(COLUMNS)
        with path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(self.records)
        return path

    def plot(self, path, *, title: str | None = None) -> Path:
        """Save the four curves (train/test loss, train/test accuracy) against epoch as PNG/PDF."""
        ep = self.column("epoch")

        def draw(ax1, ax2):
            ax1.plot(ep, self.column("train_loss"), "o-", label="train")
            ax1.plot(ep, self.column("test_loss"), "s-", label="test")
            ax1.set(xlabel="epoch", ylabel="cross-entropy loss (nats)", yscale="log", title="loss")
            ax2.plot(ep, 100 * self.column("train_acc"), "o-", label="train")
            ax2.plot(ep, 100 * self.column("test_acc"), "s-", label="test")
            ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")

        return save_two_panels(path, draw, title)


def save_two_panels(path, draw: Callable, title: str | None) -> Path:
    """A 10 x 4 inch figure of two epoch panels filled by ``draw(ax1, ax2)`` (integer ticks,
    grid, legends, optional suptitle), saved to ``path`` (the suffix picks the format)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    draw(ax1, ax2)
    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    path = Path(path)
    fig.savefig(path, dpi=120)
    return path



"""What every figure script shares: the style, saving a figure as PNG and PDF, writing its
data (CSV/JSON) so that two runs give byte-identical files, and the datasets they read.

A figure script ``figNN_name.py`` defines ``NUMBER``, ``NAME``, ``TITLE``, ``CAPTION`` (the
sentence of the gallery), optionally ``NEEDS`` (datasets that do not ship with gdlab, read
from ``$GDLAB_DATA_DIR``), and ``make(out, quick=False) -> list[Path]``, which writes into the
folder ``out`` and returns the paths it wrote. ``quick=True`` makes the same figure from less
work (fewer steps, epochs or rows) for tests and previews.

Files whose name contains ``.timing.`` hold wall-clock measurements: they are the only data
that differ between runs and are left out of ``SHA256SUMS``.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

#: Matplotlib settings of every figure (applied with ``matplotlib.rc_context`` by the runner).
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.6,
    "pdf.fonttype": 42,          # TrueType in PDFs (editable text, accepted by publishers)
    "svg.hashsalt": "gdlab",     # deterministic SVG ids
    "path.simplify": True,
}

#: Substring of the names of files that hold measured times (not deterministic).
TIMING = ".timing."

#: The classic optimizers of the course, in the order of every figure: (label, gdlab name,
#: fixed hyperparameters); learning rates are chosen per problem by each figure.
CLASSIC_OPTIMIZERS = (
    ("SGD", "sgd", {}),
    ("momentum", "sgd", {"momentum": 0.9}),
    ("Nesterov", "sgd", {"momentum": 0.9, "nesterov": True}),
    ("Adagrad", "adagrad", {}),
    ("RMSProp", "rmsprop", {}),
    ("Adadelta", "adadelta", {}),
    ("Adam", "adam", {}),
)

#: Colours of the classic optimizers, the same in every figure.
OPTIMIZER_COLORS = {
    "SGD": "#1f77b4", "momentum": "#ff7f0e", "Nesterov": "#2ca02c", "Adagrad": "#d62728",
    "RMSProp": "#9467bd", "Adadelta": "#8c564b", "Adam": "#e377c2", "AdamW": "#7f7f7f",
    "Adamax": "#bcbd22", "NAdam": "#17becf",
}


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplots_kw):
    """A constrained-layout :class:`~matplotlib.figure.Figure` (no pyplot state) and its axes.

    Returns
    -------
    fig : Figure
    axes : Axes or ndarray of Axes
        As :meth:`Figure.subplots` returns them (``squeeze=True``).
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(nrows, ncols, **subplots_kw)


def save_figure(fig: Figure, out: Path, stem: str) -> list[Path]:
    """Write ``out/stem.png`` and ``out/stem.pdf`` without time stamps (identical on every run).

    Returns
    -------
    list of Path
        The two files.
    """
    out = Path(out)
    png, pdf = out / f"{stem}.png", out / f"{stem}.pdf"
    fig.savefig(png, metadata={"Software": None})
    # fontTools warns about the zero time stamps of some embedded fonts: harmless, silenced
    log = logging.getLogger("fontTools")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        fig.savefig(pdf, metadata={"Creator": None, "Producer": None, "CreationDate": None})
    finally:
        log.setLevel(level)
    return [png, pdf]


def _cell(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))  # shortest string that reads back to the same float64
    return str(v)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a CSV file: ``header`` then ``rows``; floats as their shortest exact ``repr``.

    Returns
    -------
    Path
    """
    path = Path(path)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(list(header))
        for row in rows:
            w.writerow([_cell(v) for v in row])
    return path


def write_columns(path: Path, columns: Mapping[str, Sequence]) -> Path:
    """Write equal-length columns (``{"step": ..., "loss": ...}``) as a CSV file.

    Raises
    ------
    ValueError
        If the columns differ in length.
    """
    cols = {k: np.asarray(v).reshape(-1) for k, v in columns.items()}
    lengths = {k: len(v) for k, v in cols.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns differ in length: {lengths}")
    return write_csv(path, list(cols), zip(*[c.tolist() for c in cols.values()]))


def _plain(obj):
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def write_json(path: Path, obj) -> Path:
    """Write ``obj`` as indented JSON with sorted keys (NaN/inf written as ``null``).

    Returns
    -------
    Path
    """
    path = Path(path)
    path.write_text(json.dumps(_plain(obj), indent=2, sort_keys=True) + "\n")
    return path


class MissingData(RuntimeError):
    """A figure needs a dataset that does not ship with gdlab and is not under
    ``$GDLAB_DATA_DIR``; the message says which and where it was looked for."""


def data_dir(name: str) -> Path:
    """``$GDLAB_DATA_DIR/name``.

    Raises
    ------
    MissingData
        If ``GDLAB_DATA_DIR`` is unset or has no folder ``name``.
    """
    root = os.environ.get("GDLAB_DATA_DIR")
    if not root:
        raise MissingData(f"needs the {name} dataset: set GDLAB_DATA_DIR to the folder that holds {name}/")
    path = Path(root) / name
    if not path.is_dir():
        raise MissingData(f"needs the {name} dataset: {path} does not exist")
    return path


@lru_cache(maxsize=4)
def mnist(n_train: int | None = None, n_test: int | None = None, dtype=np.float32):
    """MNIST (ships with gdlab) scaled to [-1, 1]: the first ``n_train`` training and
    ``n_test`` test rows (all when None).

    Returns
    -------
    X : ndarray (n_train, 784), y : ndarray (n_train,) uint8, X_test, y_test
        Cached between figures: do not modify them.
    """
    from gdlab.datasets import load_mnist, scale_images

    X, y = load_mnist("train")
    Xt, yt = load_mnist("test")
    return (scale_images(X[:n_train], dtype), y[:n_train].copy(),
            scale_images(Xt[:n_test], dtype), yt[:n_test].copy())


def main(module) -> None:
    """Command line of one figure script: ``python -m paper_figures.figNN_name [OUT] [--quick]``."""
    import argparse

    import matplotlib

    ap = argparse.ArgumentParser(description=f"Figure {module.NUMBER}: {module.TITLE}")
    ap.add_argument("out", nargs="?", type=Path, default=Path("figures"),
                    help="output folder (default: figures)")
    ap.add_argument("--quick", action="store_true", help="less work: for tests and previews")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(STYLE):
        for p in module.make(args.out, quick=args.quick):
            print(p)

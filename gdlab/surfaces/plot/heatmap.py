"""``plot_heatmap``: a sweep's value over two hyperparameters."""

from __future__ import annotations

import math
import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter
from .._run import SweepResult
from ._common import _DIVERGED, _NOT_REACHED, _check_path, _save, _axes, _check_title, _check_flag, _fmt, _legend_below, _check_result, _select_optimizer, _edges, _is_log_axis, _mantissa, _plain_tick, _sci


def plot_heatmap(result: SweepResult, x: str, y: str, value: str = "loss", *, log: bool = True,
                 optimizer: str | None = None, ax=None, path=None, title: str | None = None) -> Figure:
    """Heatmap of a sweep over two hyperparameters (e.g. learning rate x momentum).

    Each cell is one combination of the distinct values of the columns ``x`` and ``y`` of
    ``result.table``; its colour is the median of ``value`` over the cell's runs that did not
    diverge (several when the sweep also varied starts or other hyperparameters):

    * ``"loss"``: final loss gap ``loss - fmin`` (``loss`` when ``fmin = -inf``);
    * ``"steps"``: steps to reach ``fmin + tol``; a run that never reached it counts as
      infinitely slow, and a cell whose median is not reached is drawn as "not reached";
    * any other numeric column (``"distance"``, ``"x_0"``, ...) as it is.

    Cells whose runs all diverged are grey and hatched (``////``), cells not reached
    beige and dotted, and both are named in the legend under the axes with their counts;
    the best cell (lowest value) is marked with a star and its coordinates given in the
    legend. An axis whose values are positive and span more than two decades is
    logarithmic. The colour scale is logarithmic when ``log`` and every value is >= 0 (zeros,
    e.g. a loss gap of exactly 0, take the lowest colour), linear otherwise.

    Parameters
    ----------
    result : SweepResult
        From :func:`~gdlab.surfaces.sweep`.
    x, y : str
        Columns for the horizontal and vertical axes (hyperparameters such as ``"lr"``,
        ``"momentum"``, or start coordinates ``"x0_0"``).
    value : str, default "loss"
        Column to colour by.
    log : bool, default True
        Logarithmic colour scale (when every value is >= 0).
    optimizer : str, optional
        Which optimizer's rows to draw, for a sweep of several (its table label, e.g.
        ``"sgd"`` or ``"adam@keras"``); required then.
    ax : matplotlib.axes.Axes, optional
        Draw here; default a new 6.4 x 5.6 inch figure.
    path : str or pathlib.Path, optional
        Save the figure there (``.png``, ``.pdf`` or ``.svg``).
    title : str, optional
        Default: optimizer, surface and number of steps.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        ``x``, ``y`` or ``value`` not a column of the table (the message lists them), ``x ==
        y``, a non-numeric ``value``, ``x``/``y`` values missing (NaN) for the chosen
        optimizer, several optimizers and no ``optimizer``, an unknown ``optimizer``,
        ``path`` with an unsupported suffix.
    TypeError
        ``result`` not a SweepResult, or arguments of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from gdlab import surfaces
    >>> from gdlab.surfaces.plot import plot_heatmap
    >>> res = surfaces.sweep("rosenbrock", {"sgd": {"lr": np.logspace(-4, -2.3, 24),
    ...                                             "momentum": np.linspace(0, 0.99, 24)}}, n_steps=2000)
    >>> fig = plot_heatmap(res, "lr", "momentum", path="lr_momentum.png")  # doctest: +SKIP
    """
    _check_result(result)
    cols = result.table.dtype.names
    for arg, c in (("x", x), ("y", y), ("value", value)):
        if not isinstance(c, str):
            raise TypeError(f"{arg} must be a column name (str), got {type(c).__name__}")
        if c not in cols:
            raise ValueError(f"{arg}={c!r} is not a column of the sweep table; columns: {', '.join(cols)}")
    if x == y:
        raise ValueError(f"x and y must be different columns, both are {x!r}")
    if result.table.dtype[value].kind not in "fiub":
        raise ValueError(f"value={value!r} is not a numeric column")
    _check_flag("log", log)
    _check_title(title)
    out = _check_path(path)
    T, opt = _select_optimizer(result, optimizer)
    for arg, c in (("x", x), ("y", y)):
        if result.table.dtype[c].kind not in "fiub":
            raise ValueError(f"{arg}={c!r} is not a numeric column")
        if not np.all(np.isfinite(T[c].astype(np.float64))):
            raise ValueError(f"{arg}={c!r} has missing (NaN) values for optimizer {opt!r}: it does not "
                             "have this hyperparameter")
    surf = result.surface
    xs, xi = np.unique(T[x].astype(np.float64), return_inverse=True)
    ys, yi = np.unique(T[y].astype(np.float64), return_inverse=True)
    xi, yi = xi.reshape(-1), yi.reshape(-1)
    q = T[value].astype(np.float64)
    if value == "loss" and math.isfinite(surf.fmin):
        q = q - surf.fmin
        cbar_label = "final loss $-\\ f^*$"
    elif value == "steps":
        q = np.where(q < 0, np.inf, q)
        tol = result.tol
        cbar_label = f"steps to reach $f^* + {_sci(tol)}$" if tol is not None else "steps to tolerance"
    else:
        cbar_label = "final loss" if value == "loss" else value
    div = T["diverged"]
    Z = np.full((ys.size, xs.size), np.nan)
    state = np.zeros((ys.size, xs.size), np.int8)  # 0 value, 1 diverged, 2 not reached, 3 no run
    counts = np.zeros((ys.size, xs.size), np.int64)
    np.add.at(counts, (yi, xi), 1)
    state[counts == 0] = 3
    cell = yi * xs.size + xi
    order = np.argsort(cell, kind="stable")
    bounds_ = np.searchsorted(cell[order], np.arange(xs.size * ys.size + 1))
    for flat in range(xs.size * ys.size):
        rows = order[bounds_[flat]:bounds_[flat + 1]]
        if rows.size == 0:
            continue
        j, i = divmod(flat, xs.size)
        live = rows[~div[rows]]
        if live.size == 0:
            state[j, i] = 1
            continue
        m = float(np.median(q[live]))
        if not math.isfinite(m):
            state[j, i] = 2
        else:
            Z[j, i] = m
    runs_per_cell = int(counts.max())
    fig, ax = _axes(ax, (6.4, 5.6))
    xlog, ylog = _is_log_axis(xs), _is_log_axis(ys)
    xe, ye = _edges(xs, xlog), _edges(ys, ylog)
    valid = state == 0
    zv = Z[valid]
    if log and zv.size and np.all(zv >= 0) and np.any(zv > 0):
        vmin = float(zv[zv > 0].min())
        vmax = float(zv.max())
        norm = LogNorm(vmin, vmax if vmax > vmin else vmin * 10)
        Zp = np.where(valid, np.maximum(Z, vmin), np.nan)
        extend = "min" if np.any(zv == 0) else "neither"
    else:
        vmin, vmax = (float(zv.min()), float(zv.max())) if zv.size else (0.0, 1.0)
        norm = Normalize(vmin, vmax if vmax > vmin else vmin + 1)
        Zp = np.where(valid, Z, np.nan)
        extend = "neither"
    mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(Zp), cmap="viridis", norm=norm, rasterized=True,
                         zorder=1)
    cb = fig.colorbar(mesh, ax=ax, pad=0.02, extend=extend)
    cb.set_label(cbar_label + (f" (median of {runs_per_cell} runs)" if runs_per_cell > 1 else ""))
    handles = []
    for code, style, text in ((1, _DIVERGED, "diverged"),
                              (2, _NOT_REACHED, f"not reached in {result.n_steps} steps"),
                              (3, dict(facecolor="white", edgecolor="0.5", linewidth=0.8), "no run")):
        jj, ii = np.nonzero(state == code)
        for j, i in zip(jj, ii):
            ax.add_patch(Rectangle((xe[i], ye[j]), xe[i + 1] - xe[i], ye[j + 1] - ye[j], zorder=1,
                                   **style))
        if jj.size:
            lab = f"{text} ({jj.size} of {state.size} cells)"
            handles.append(Patch(**{**style, "linewidth": 0.8}, label=lab))
    if zv.size:
        jb, ib = np.unravel_index(np.nanargmin(np.where(valid, Z, np.nan)), Z.shape)
        ax.plot([xs[ib]], [ys[jb]], marker="*", ms=14, mfc="white", mec="black", mew=1.0, ls="none", zorder=3)
        handles.insert(0, Line2D([], [], marker="*", ms=12, mfc="white", mec="black", mew=1.0, ls="none",
                                 label=f"best: {x}={_fmt(xs[ib])}, {y}={_fmt(ys[jb])} → {_fmt(Z[jb, ib])}"))
    for on, set_scale, axis, v in ((xlog, ax.set_xscale, ax.xaxis, xs), (ylog, ax.set_yscale, ax.yaxis, ys)):
        if on:
            set_scale("log")
            if v.max() / v.min() < 1e3:  # under three decades: label 2 and 5 x the powers of ten too
                axis.set_major_formatter(FuncFormatter(_plain_tick))
                axis.set_minor_formatter(FuncFormatter(lambda t, _: _plain_tick(t) if _mantissa(t) in (2, 5)
                                                       else ""))
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if handles:
        _legend_below(ax, handles, ncol=1)
    if title is None:
        title = f"{opt} on {surf.name.replace('_', ' ')}, {result.n_steps} steps"
    ax.set_title(title, fontsize="medium")
    _save(fig, out)
    return fig


# ---------------------------------------------------------------------------------------
# Basins of attraction

"""``plot_loss_curves``: the loss gap of several trajectories against the step."""

from __future__ import annotations

import math
import numpy as np
from matplotlib.figure import Figure
from ._common import _CUT, _check_path, _save, _axes, _check_title, _check_flag, _colors, _check_trajectories


def plot_loss_curves(trajectories, *, ax=None, path=None, log: bool = True, title: str | None = None,
                     labels=None) -> Figure:
    """Loss gap ``f(x_t) - f*`` against step ``t`` for several trajectories.

    For a surface unbounded below (``fmin = -inf``) the loss ``f(x_t)`` itself is drawn, on a
    symmetric-log axis when ``log`` (it goes negative). Colours and labels are those of
    :func:`plot_contour` for the same trajectories, so the two plots read side by side.

    A diverged trajectory's curve stops at its last finite loss, marked with an ``X``, and its
    label says "diverged"; when some trajectories converge, the y axis stops one decade above
    their largest loss so an explosion does not squash them. On a log axis, points where the
    gap is exactly 0 (the minimum reached to the last bit) are not drawn.

    Parameters
    ----------
    trajectories : Trajectory or sequence of Trajectory
        At least one.
    ax : matplotlib.axes.Axes, optional
        Draw here; default a new 6.4 x 4.4 inch figure.
    path : str or pathlib.Path, optional
        Save the figure there (``.png``, ``.pdf`` or ``.svg``).
    log : bool, default True
        Log y axis (symmetric log when some surface has ``fmin = -inf``).
    title : str, optional
        Default: "loss curves on SURFACE".
    labels : sequence of str, optional
        Legend texts, one per trajectory (default :func:`trajectory_label`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        No trajectory, ``labels`` of the wrong length, ``path`` with an unsupported suffix.
    TypeError
        Arguments of the wrong type.
    """
    trs, labels = _check_trajectories(trajectories, labels)
    if not trs:
        raise ValueError("trajectories is empty: give at least one Trajectory")
    _check_flag("log", log)
    _check_title(title)
    out = _check_path(path)
    fig, ax = _axes(ax, (6.4, 4.4))
    colors = _colors(len(trs))
    bounded = all(math.isfinite(tr.surface.fmin) for tr in trs)
    curves = []
    for tr in trs:
        y = tr.loss - tr.surface.fmin if bounded else tr.loss.astype(np.float64, copy=True)
        bad = ~np.isfinite(y) | (np.abs(y) > 1e150)
        k = int(np.argmax(bad)) if bad.any() else y.size
        curves.append((y[:k], bool(tr.diverged or k < y.size)))
    calm = [y for y, exploded in curves if not exploded and y.size]
    top = None
    if bounded and calm and len(calm) < len(curves):  # stop the axis above the runs that did not explode
        m = max(float(np.max(y)) for y in calm)
        span = m - min(float(np.min(y)) for y in calm)
        top = m * 10.0 if log else m + 0.25 * (span if span > 0 else max(abs(m), 1.0))
    for (y, exploded), c, lab in zip(curves, colors, labels):
        t = np.arange(y.size)
        ax.plot(t, y, color=c, lw=1.6, label=lab + (" (diverged)" if exploded else ""), zorder=3)
        if not exploded or y.size == 0:
            continue
        over = np.flatnonzero(y > top) if top is not None else np.zeros(0, np.int64)
        if over.size:  # where the curve crosses the top of the axis
            i = int(over[0])
            frac = 0.0
            if i > 0:
                y0, y1 = (np.log(y[i - 1:i + 1]) if log and y[i - 1] > 0 else y[i - 1:i + 1])
                ref = math.log(top) if log and y[i - 1] > 0 else top
                frac = float((ref - y0) / (y1 - y0)) if y1 != y0 else 0.0
            ax.plot([max(i - 1 + frac, 0.0)], [top], mfc=c, **{**_CUT, "ms": 8})
        else:
            ax.plot(t[-1:], y[-1:], mfc=c, **{**_CUT, "ms": 8, "clip_on": True})
    if log:
        if bounded:
            ax.set_yscale("log", nonpositive="mask")
        else:
            ref = max([abs(float(tr.loss[0])) for tr in trs if math.isfinite(tr.loss[0])] or [1.0])
            ax.set_yscale("symlog", linthresh=max(1e-3 * ref, 1e-12))
    if top is not None:
        seen = np.concatenate([y[y <= top] for y, _ in curves])
        if log:
            pos = seen[seen > 0]
            low = float(pos.min()) if pos.size else top * 1e-3
            ax.set_ylim(low / (top / low) ** 0.04, top)
        else:
            low = float(seen.min())
            ax.set_ylim(low - 0.04 * (top - low), top)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$f(x_t) - f^*$" if bounded else r"$f(x_t)$")
    ax.grid(True, which="major", alpha=0.3)
    ax.set_xlim(0, max(tr.loss.size - 1 for tr in trs) or 1)
    names = sorted({tr.surface.name for tr in trs})
    ax.set_title(f"loss curves on {', '.join(names)}" if title is None else title, fontsize="medium")
    ax.legend(fontsize="small", loc="best", framealpha=0.9)
    _save(fig, out)
    return fig


# ---------------------------------------------------------------------------------------
# Sweep tables

"""``plot_basins``: a basin-of-attraction map of a grid of starts."""

from __future__ import annotations

import math
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from .._run import SweepResult
from ._common import _check_path, _save, _axes, _check_title, _check_flag, _basin_colors, _fmt, _hyper_label, _axis_names, _log_field, _check_result, _hyper_columns, _edges


def plot_basins(result: SweepResult, *, radius: float | None = None, contours: bool = True, ax=None,
                path=None, title: str | None = None) -> Figure:
    """Basin-of-attraction map: each start of a grid coloured by the minimum its run reached.

    The sweep's starts must form a full 2-D grid (:func:`~gdlab.surfaces.grid_starts`) with
    one configuration per start. A run counts as having reached minimum ``k`` of
    ``surface.minima`` when it did not diverge and ends within ``radius`` of it (table
    columns ``minimum`` and ``distance``); other finite runs are "not converged" (light
    grey), diverged runs are dark grey. The minima are white stars (numbered as in the
    legend), whose entries give each minimum's coordinates and the share of starts that
    reached it. Thin contour lines of the surface (log-spaced levels of ``f - fmin``) are
    drawn on top when ``contours``.

    Parameters
    ----------
    result : SweepResult
        A sweep of a 2-D surface from ``starts=grid_starts(surface, n)`` (any grid: each
        distinct x once per distinct y), one optimizer and one hyperparameter setting.
    radius : float, optional
        Largest final distance to a minimum that counts as reaching it; default 1e-3 times
        the diagonal of the surface's bounds.
    contours : bool, default True
        Draw the surface's contour lines on top.
    ax : matplotlib.axes.Axes, optional
        Draw here; default a new 8 x 5.4 inch figure.
    path : str or pathlib.Path, optional
        Save the figure there (``.png``, ``.pdf`` or ``.svg``).
    title : str, optional
        Default: optimizer, settings, surface and number of steps.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        A surface that is not 2-D; starts that are not a grid (e.g. :func:`random_starts`); a
        sweep with several configurations per start (the message says how to keep one); a
        ``radius`` that is not a positive finite number; ``path`` with an unsupported suffix.
    TypeError
        ``result`` not a SweepResult, or arguments of the wrong type.

    Examples
    --------
    >>> from gdlab import surfaces
    >>> from gdlab.surfaces.plot import plot_basins
    >>> res = surfaces.sweep("himmelblau", {"sgd": {"lr": 0.01}},
    ...                      starts=surfaces.grid_starts("himmelblau", 200), n_steps=300)
    >>> fig = plot_basins(res, path="basins.png")  # doctest: +SKIP
    """
    _check_result(result)
    surf = result.surface
    if surf.dim != 2:
        raise ValueError(f"plot_basins needs a sweep of a 2-D surface; {surf.name!r} is {surf.dim}-D")
    diag = float(np.hypot(*(surf.bounds[:, 1] - surf.bounds[:, 0])))
    if radius is None:
        radius = 1e-3 * diag
    if (isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating))
            or not (math.isfinite(radius) and radius > 0)):
        raise ValueError(f"radius must be a positive finite number, got {radius!r}")
    _check_flag("contours", contours)
    _check_title(title)
    out = _check_path(path)
    T = result.table
    xs, xi = np.unique(T["x0_0"], return_inverse=True)
    ys, yi = np.unique(T["x0_1"], return_inverse=True)
    xi, yi = xi.reshape(-1), yi.reshape(-1)
    counts = np.bincount(yi * xs.size + xi, minlength=xs.size * ys.size)
    if xs.size < 2 or ys.size < 2 or counts.min() == 0 or counts.min() != counts.max():
        raise ValueError(f"the sweep's {len(T)} starts do not form a grid ({xs.size} distinct x, {ys.size} "
                         "distinct y); make them with grid_starts(surface, n)")
    if counts.max() > 1:
        hyp = [h for h in _hyper_columns(result)
               if np.unique(T[h][np.isfinite(T[h])]).size > 1]
        varied = ", ".join(["optimizer"] * (np.unique(T["optimizer"]).size > 1) + hyp) or "configurations"
        raise ValueError(f"each start was run {counts.max()} times (varied: {varied}); a basin map needs one "
                         "configuration per start: keep one, e.g. SweepResult(result.table[mask], "
                         "result.surface, result.n_steps, result.tol)")
    m = surf.minima.shape[0]
    reached = (~T["diverged"]) & (T["minimum"] >= 0) & (T["distance"] <= radius)
    cat = np.where(reached, T["minimum"], m)
    cat = np.where(T["diverged"], m + 1, cat)
    C = np.empty((ys.size, xs.size), np.int64)
    C[yi, xi] = cat
    colors = _basin_colors(m) + ["0.88", "0.3"]
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(-0.5, m + 2), cmap.N)
    fig, ax = _axes(ax, (8.0, 5.4))
    ax.pcolormesh(_edges(xs, False), _edges(ys, False), C, cmap=cmap, norm=norm, rasterized=True, zorder=0)
    if contours:
        b = np.array([[xs[0], xs[-1]], [ys[0], ys[-1]]])
        gx, gy, Z = surf.grid(200, b)
        G, lev, lnorm, _ = _log_field(surf, Z, True, 15)
        ax.contour(gx, gy, G, levels=lev, norm=lnorm, colors="black", linewidths=0.4, alpha=0.35, zorder=1)
    n = C.size
    handles = []
    shown = [k for k in np.argsort(-np.bincount(cat, minlength=m + 2)[:m], kind="stable")
             if np.any(cat == k)]
    for k in sorted(shown[:12]):
        share = float(np.mean(cat == k))
        mk = surf.minima[k]
        handles.append(Patch(facecolor=colors[k], edgecolor="0.2", linewidth=0.6,
                             label=f"{k}: ({_fmt(mk[0])}, {_fmt(mk[1])})  {share:.1%}"))
    if len(shown) > 12:
        rest = float(np.mean(np.isin(cat, shown[12:])))
        handles.append(Patch(facecolor="white", edgecolor="0.2", linewidth=0.6,
                             label=f"{len(shown) - 12} more minima  {rest:.1%}"))
    for code, text in ((m, "not converged"), (m + 1, "diverged")):
        share = float(np.mean(cat == code))
        if share > 0:
            handles.append(Patch(facecolor=colors[code], edgecolor="0.2", linewidth=0.6,
                                 label=f"{text}  {share:.1%}"))
    if m:
        mins = surf.minima
        ax.plot(mins[:, 0], mins[:, 1], marker="*", ms=15 if m <= 12 else 8, mfc="white", mec="black",
                mew=1.0, ls="none", zorder=3)
        if m <= 12:
            for k, mk in enumerate(mins):
                ax.annotate(str(k), mk, xytext=(6, 5), textcoords="offset points", fontsize="small",
                            fontweight="bold", zorder=4,
                            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])
    ax.set_xlim(xs[0] - 0.5 * (xs[1] - xs[0]), xs[-1] + 0.5 * (xs[-1] - xs[-2]))
    ax.set_ylim(ys[0] - 0.5 * (ys[1] - ys[0]), ys[-1] + 0.5 * (ys[-1] - ys[-2]))
    xl, yl = _axis_names(surf)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    w, h = xs[-1] - xs[0], ys[-1] - ys[0]
    if max(w / h, h / w) <= 3.0:
        ax.set_aspect("equal")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small",
              title=f"minimum reached (within {_fmt(radius)}),\nshare of {n} starts", title_fontsize="small",
              frameon=False, alignment="left")
    if title is None:
        row = T[0]
        hyper = {h: float(row[h]) for h in _hyper_columns(result) if np.isfinite(row[h])}
        title = (f"basins of attraction: {_hyper_label(str(row['optimizer']), hyper)}\n"
                 f"on {surf.name.replace('_', ' ')}, {result.n_steps} steps")
    ax.set_title(title, fontsize="medium")
    _save(fig, out)
    return fig

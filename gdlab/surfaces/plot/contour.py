"""``plot_contour``: a surface's contours (or curve) with optimizer paths."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, MaxNLocator
from .._run import get_surface
from ._common import _START, _END, _CUT, _check_path, _save, _axes, _check_title, _check_flag, _colors, _check_trajectories, _surface_title, _axis_names, _mark_minima, _log_field, _same_surface, _legend_below, _check_levels, _check_bounds, _CONTOUR_CMAP, _draw_path


def plot_contour(surface, trajectories=(), *, levels=30, n: int = 300, bounds=None, ax=None,
                 title: str | None = None, path=None, log: bool = True, labels=None,
                 colorbar: bool = True) -> Figure:
    """Contours of a 2-D surface with optimizers' paths (or a 1-D surface's curve with iterates).

    The surface is evaluated on an ``n`` x ``n`` grid and drawn as filled contours with thin
    contour lines, coloured by ``f - fmin`` on a log scale (``levels`` log-spaced levels) so
    that both the walls and the valley floor show; surfaces unbounded below (``fmin = -inf``,
    e.g. the saddles) get linear levels of ``f``. Known minima are stars (filled: global,
    hollow: local). Each trajectory's path is a line in its own colour with a circle at the
    start and a square at the end; the legend names the optimizer, its learning rate and its
    non-default hyperparameters (:func:`trajectory_label`).

    A path that diverges is drawn up to its first non-finite point (or up to where it is more
    than 100 plot widths away), the plot's bounds clip it, an ``X`` marks where it last left
    the plotted box, and its label says "diverged". Nothing raises.

    A 1-D surface (``parabola``) is drawn as the curve ``f(x)`` with each trajectory's iterates
    ``(x_t, f(x_t))`` as dots joined by thin lines (``log`` and ``levels`` do not apply).

    Parameters
    ----------
    surface : str, SurfaceSpec or Surface
        A 1-D or 2-D surface (a name resolves with its default parameters).
    trajectories : Trajectory or sequence of Trajectory, default ()
        Runs on this surface (:func:`~gdlab.surfaces.trajectory`).
    levels : int or array-like, default 30
        Number of contour levels, or the levels themselves (strictly increasing; values of
        ``f - fmin`` when the scale is logarithmic, of ``f`` otherwise).
    n : int, default 300
        Grid points per axis (>= 2).
    bounds : array-like of shape (dim, 2), optional
        Plotted box ``[[xlo, xhi], [ylo, yhi]]``; default the surface's bounds.
    ax : matplotlib.axes.Axes, optional
        Draw here; default a new 6.4 x 5.4 inch figure.
    title : str, optional
        Default: the surface's name, parameters and formula.
    path : str or pathlib.Path, optional
        Save the figure there; the suffix picks the format (``.png`` at 150 dpi, ``.pdf``,
        ``.svg``). Parent folders are created.
    log : bool, default True
        Log-spaced levels of ``f - fmin`` (linear levels of ``f`` when False or when
        ``fmin = -inf``).
    labels : sequence of str, optional
        Legend texts, one per trajectory (default :func:`trajectory_label`).
    colorbar : bool, default True
        Add a colour bar of the contour values (2-D only).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into (the root figure of ``ax`` when given).

    Raises
    ------
    ValueError
        A surface that is neither 1-D nor 2-D, a trajectory run on another surface or
        dimension, malformed ``levels``, ``n``, ``bounds``, a ``labels`` of the wrong length, a
        ``path`` with an unsupported suffix.
    TypeError
        Arguments of the wrong type (``trajectories`` not Trajectory objects, ``ax`` not an Axes).

    Notes
    -----
    The layout — log-scaled filled contours, paths with start/end markers and a legend of
    optimizers — follows the usual optimizer-visualisation figures (e.g. L. Tiao, "Visualizing
    and animating optimization algorithms with matplotlib", 2016; A. Radford's animations of
    Beale/saddle paths).

    Examples
    --------
    >>> from gdlab import surfaces
    >>> from gdlab.surfaces.plot import plot_contour
    >>> trs = [surfaces.trajectory("adam", "rosenbrock", n_steps=2000, lr=0.05)]
    >>> fig = plot_contour("rosenbrock", trs, path="rosenbrock.png")  # doctest: +SKIP
    """
    surf = get_surface(surface)
    if surf.dim not in (1, 2):
        raise ValueError(f"plot_contour draws 1-D and 2-D surfaces; surface {surf.name!r} is {surf.dim}-D "
                         f"(pick a 2-D slice with a 2-D surface, e.g. get_surface({surf.name!r}, dim=2))")
    trs, labels = _check_trajectories(trajectories, labels)
    for k, tr in enumerate(trs):
        if not _same_surface(tr.surface, surf):
            raise ValueError(f"trajectories[{k}] ran on {tr.surface!r}, not on the plotted {surf!r}")
    levels = _check_levels(levels)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    _check_flag("log", log)
    _check_flag("colorbar", colorbar)
    _check_title(title)
    b = _check_bounds(surf, bounds)
    out = _check_path(path)
    fig, ax = _axes(ax, (6.4, 5.4) if surf.dim == 2 else (6.4, 4.4))
    colors = _colors(len(trs))
    handles: list = []
    any_cut = False
    if surf.dim == 1:
        xs = np.linspace(b[0, 0], b[0, 1], int(n))
        fs = surf.value(xs[:, None])
        ok = np.isfinite(fs)
        if not ok.any():
            raise ValueError(f"surface {surf.name!r} has no finite value in the plotted bounds")
        ax.plot(xs, fs, color="0.25", lw=1.6, zorder=2)
        handles.append(Line2D([], [], color="0.25", lw=1.6, label="$f(x)$"))
        flo, fhi = float(np.min(fs[ok])), float(np.max(fs[ok]))
        pad = 0.05 * (fhi - flo if fhi > flo else 1.0)
        lo, hi = np.array([b[0, 0], flo - pad]), np.array([b[0, 1], fhi + pad])
        for tr, c, lab in zip(trs, colors, labels):
            pts = np.stack([tr.path[:, 0], tr.loss], axis=1)
            any_cut |= _draw_path(ax, pts, lo, hi, tr.diverged, c, lw=0.9, dots=80, halo=False)
            handles.append(Line2D([], [], color=c, lw=1.6, marker="o", ms=3.5,
                                  label=lab + (" (diverged)" if tr.diverged else "")))
        mins = surf.minima
        _mark_minima(ax, surf, np.stack([mins[:, 0], surf.value(mins)], axis=1) if mins.shape[0]
                     else np.zeros((0, 2)), handles)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel("$x$")
        ax.set_ylabel("$f(x)$")
        ax.grid(True, alpha=0.3)
    else:
        xs, ys, Z = surf.grid(int(n), b)
        G, lev, norm, cbar_label = _log_field(surf, Z, log, levels)
        below, above = bool(G.min() < lev[0]), bool(G.max() > lev[-1])
        extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}.get((below, above), "both")
        cs = ax.contourf(xs, ys, G, levels=lev, norm=norm, cmap=_CONTOUR_CMAP, extend=extend, zorder=0)
        ax.contour(xs, ys, G, levels=lev, norm=norm, colors="0.15", linewidths=0.35, alpha=0.45, zorder=1)
        if colorbar:
            logscale = isinstance(norm, LogNorm)
            # an inset keeps the bar as tall as the axes when set_aspect("equal") shrinks them
            cax = ax.inset_axes([1.03, 0.0, 0.045, 1.0])
            cb = fig.colorbar(cs, cax=cax, ticks=LogLocator() if logscale else MaxNLocator(8),
                              format=LogFormatterSciNotation() if logscale else None)
            cb.set_label(cbar_label)
        lo, hi = b[:, 0], b[:, 1]
        # later paths are drawn thinner, so that where paths share a track (a valley floor) the
        # earlier ones still show on both sides of the later ones
        widths = np.linspace(1.6 + 0.45 * (len(trs) - 1), 1.6, len(trs)) if len(trs) > 2 else [1.8] * len(trs)
        for tr, c, lab, lw in zip(trs, colors, labels, widths):
            any_cut |= _draw_path(ax, tr.path, lo, hi, tr.diverged, c, lw=float(lw), dots=100, halo=len(trs) <= 2)
            handles.append(Line2D([], [], color=c, lw=1.8, label=lab + (" (diverged)" if tr.diverged else "")))
        _mark_minima(ax, surf, surf.minima, handles)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        xl, yl = _axis_names(surf)
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        w, h = hi - lo
        if max(w / h, h / w) <= 3.0:
            ax.set_aspect("equal")
    if trs:
        handles.append(Line2D([], [], mfc="white", **{**_START, "ms": 6}, label="start"))
        handles.append(Line2D([], [], mfc="white", **{**_END, "ms": 5.5}, label="end"))
        if any_cut:
            handles.append(Line2D([], [], mfc="white", **{**_CUT, "ms": 7}, label="left the plot"))
    if handles:
        _legend_below(ax, handles, ncol=2)
    ax.set_title(_surface_title(surf) if title is None else title, fontsize="medium", pad=9)
    _save(fig, out)
    return fig


# ---------------------------------------------------------------------------------------
# Loss curves

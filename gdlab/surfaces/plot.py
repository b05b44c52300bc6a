"""Figures of loss surfaces, optimizer paths and sweeps (matplotlib).

Four plots, each drawing into a given ``ax`` or into a new figure, and optionally saving it:

* :func:`plot_contour` — a 2-D surface's contours (log-spaced levels) with the paths of several
  optimizers, or a 1-D surface's curve with the iterates;
* :func:`plot_loss_curves` — loss gap ``f(x_t) - f*`` against step for several trajectories;
* :func:`plot_heatmap` — a sweep's final loss (or steps to tolerance, ...) over two
  hyperparameters, e.g. learning rate x momentum;
* :func:`plot_basins` — basin-of-attraction map: a grid of starts coloured by the minimum
  each run reached.

New figures are made with :class:`matplotlib.figure.Figure`, never ``pyplot``: no display
is needed (any backend, Agg in CI), no global state is touched and nothing has to be closed.
To draw into an interactive window pass ``ax`` from ``plt.subplots()``.

>>> from gdlab import surfaces
>>> from gdlab.surfaces.plot import plot_contour
>>> paths = [surfaces.trajectory("adam", "rosenbrock", n_steps=500, lr=0.05),
...          surfaces.trajectory("sgd", "rosenbrock", n_steps=500, lr=1e-3, momentum=0.9)]
>>> fig = plot_contour("rosenbrock", paths, path="rosenbrock.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, LogLocator, MaxNLocator

from ._run import SweepResult, Trajectory, get_surface
from ._spec import Surface

__all__ = ["plot_basins", "plot_contour", "plot_heatmap", "plot_loss_curves", "trajectory_label"]

#: File formats :func:`plot_contour` & co. write, by suffix of ``path``.
SAVE_FORMATS = (".png", ".pdf", ".svg")
_DPI = 150
_FAR = 100.0  # paths are cut beyond this many plot widths outside the plotted box

# styles shared by the plots
_START = dict(marker="o", ms=7, mec="black", mew=0.9, ls="none", zorder=6)
_END = dict(marker="s", ms=6.5, mec="black", mew=0.9, ls="none", zorder=6)
_CUT = dict(marker="X", ms=9, mec="black", mew=0.8, ls="none", zorder=6, clip_on=False)
_GLOBAL_MIN = dict(marker="*", ms=15, mfc="white", mec="black", mew=1.0, ls="none", zorder=5)
_LOCAL_MIN = dict(marker="*", ms=12, mfc="none", mec="black", mew=1.0, ls="none", zorder=5)
_DIVERGED = dict(facecolor="0.6", edgecolor="0.25", hatch="////", linewidth=0.0)
_NOT_REACHED = dict(facecolor="#f4ead8", edgecolor="0.55", hatch="..", linewidth=0.0)


# ---------------------------------------------------------------------------------------
# Shared helpers


def _check_path(path) -> Path | None:
    if path is None:
        return None
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    p = Path(path)
    if p.suffix.lower() not in SAVE_FORMATS:
        raise ValueError(f"path must end in {', '.join(SAVE_FORMATS)} (the format to write), got {str(p)!r}")
    return p


def _save(fig: Figure, path: Path | None) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=_DPI, bbox_inches="tight")  # keeps outside legends of a caller's axes


def _axes(ax, figsize) -> tuple[Figure, Axes]:
    """(root figure, axes): a new constrained-layout figure, or the given axes' figure."""
    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    fig = ax.figure
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure's root figure
        fig = fig.figure
    return fig, ax


def _check_title(title):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")


def _check_flag(name, v):
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {v!r}")


def _colors(n: int) -> list:
    """``n`` distinct colours: tab10, tab20 beyond 10, a sampled ``turbo`` beyond 20."""
    if n <= 10:
        return list(mpl.colormaps["tab10"].colors[:n])
    if n <= 20:
        return list(mpl.colormaps["tab20"].colors[:n])
    return [mpl.colormaps["turbo"](v) for v in np.linspace(0.05, 0.95, n)]


def _basin_colors(m: int) -> list:
    """Colours of ``m`` minima: tab10 without its grey (kept for "not converged"), then tab20's
    light halves; beyond that hues spaced by the golden angle, so that minima with nearby
    indices (often neighbours, e.g. on Rastrigin's lattice) differ."""
    palette = [c for k, c in enumerate(mpl.colormaps["tab10"].colors) if k != 7]
    palette += [c for k, c in enumerate(mpl.colormaps["tab20"].colors) if k % 2 == 1 and k != 15]
    if m <= len(palette):
        return palette[:m]
    from matplotlib.colors import hsv_to_rgb

    return [tuple(hsv_to_rgb(((k * 0.618033988749895) % 1.0, 0.45 + 0.4 * (k % 2), 0.95 - 0.3 * ((k // 2) % 2))))
            for k in range(m)]


def _fmt(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, float, np.integer, np.floating)):
        return f"{float(v):.3g}"
    return str(v)


def _optimizer_defaults(label: str) -> tuple[dict, set]:
    """(defaults, flag names) of the optimizer behind a label such as ``"adam@keras"``;
    empty for an optimizer that is not registered (a spec passed directly)."""
    from ..registry import get_registry

    name, _, preset = label.partition("@")
    try:
        spec = get_registry().optimizer(name).with_preset(preset or None)
        return spec.validate(), {k for k, h in spec.hyper.items() if h.is_flag}
    except ValueError:  # not registered (an OptimizerSpec passed directly): show every value
        return {}, set()


def _hyper_label(optimizer: str, hyper: dict) -> str:
    """``"sgd lr=0.001, momentum=0.9, nesterov"``: the learning rate and every hyperparameter
    that differs from the optimizer's defaults (flags by name when True)."""
    defaults, flags = _optimizer_defaults(optimizer)
    parts = []
    for k, v in hyper.items():
        if isinstance(v, float) and math.isnan(v):
            continue
        if k in flags or isinstance(v, (bool, np.bool_)):
            v = bool(v)
        if defaults and k != "lr" and (k not in defaults or v == defaults[k]):
            continue
        parts.append(k if v is True else f"{k}={_fmt(v)}")
    return optimizer + (" " + ", ".join(parts) if parts else "")


def trajectory_label(trajectory: Trajectory) -> str:
    """The legend text of a trajectory: optimizer, learning rate and non-default settings.

    Parameters
    ----------
    trajectory : Trajectory

    Returns
    -------
    str
        E.g. ``"sgd lr=0.001, momentum=0.9, nesterov"`` or ``"adam@keras lr=0.05"``.
    """
    if not isinstance(trajectory, Trajectory):
        raise TypeError(f"trajectory must be a Trajectory, got {type(trajectory).__name__}")
    return _hyper_label(trajectory.optimizer, trajectory.hyper)


def _check_trajectories(trajectories, labels) -> tuple[list[Trajectory], list[str]]:
    if isinstance(trajectories, Trajectory):
        trajectories = [trajectories]
    if isinstance(trajectories, (str, bytes)) or not isinstance(trajectories, Sequence):
        raise TypeError(f"trajectories must be a Trajectory or a sequence of them, "
                        f"got {type(trajectories).__name__}")
    trs = list(trajectories)
    for k, tr in enumerate(trs):
        if not isinstance(tr, Trajectory):
            raise TypeError(f"trajectories[{k}] must be a Trajectory, got {type(tr).__name__}")
    if labels is None:
        labels = [trajectory_label(tr) for tr in trs]
    else:
        if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
            raise TypeError(f"labels must be a sequence of str, got {type(labels).__name__}")
        labels = list(labels)
        if len(labels) != len(trs):
            raise ValueError(f"labels has {len(labels)} entries for {len(trs)} trajectories")
        for k, s in enumerate(labels):
            if not isinstance(s, str):
                raise TypeError(f"labels[{k}] must be a str, got {type(s).__name__}")
    return trs, labels


def _mathtext_ok(s: str) -> bool:
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(f"${s}$")
        return True
    except (ValueError, RuntimeError):
        return False


def _surface_title(surf: Surface) -> str:
    params = ", ".join(f"{k}={_fmt(v)}" for k, v in surf.params.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool))
    name = surf.name.replace("_", " ") + (f" ({params})" if params else "")
    formula = surf.spec.formula
    if formula and len(formula) <= 70 and _mathtext_ok(formula):
        return f"{name}:  ${formula}$"
    return name


def _axis_names(surf: Surface) -> tuple[str, str]:
    return ("$x$", "$y$") if surf.spec.dim == 2 else ("$x_0$", "$x_1$")


def _global_mask(surf: Surface) -> np.ndarray:
    """Which known minima are global (value within a relative 1e-6 of ``fmin``)."""
    m = surf.minima
    if m.shape[0] == 0 or not math.isfinite(surf.fmin):
        return np.zeros(m.shape[0], bool)
    return np.abs(surf.value(m) - surf.fmin) <= 1e-6 * (1.0 + abs(surf.fmin))


def _mark_minima(ax, surf: Surface, xy: np.ndarray, handles: list) -> None:
    """Stars at the minima (``xy`` rows: plot coordinates); filled = global, hollow = local."""
    glob = _global_mask(surf)
    scale = 1.0 if xy.shape[0] <= 12 else 0.6
    for mask, style, one, many in ((glob, _GLOBAL_MIN, "global minimum", "global minima"),
                                   (~glob, _LOCAL_MIN, "local minimum", "local minima")):
        k = int(mask.sum())
        if k:
            ax.plot(xy[mask, 0], xy[mask, 1], **{**style, "ms": style["ms"] * scale})
            handles.append(Line2D([], [], **{**style, "ms": style["ms"] * 0.8}, label=one if k == 1 else many))


def _exit_point(p: np.ndarray, q: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Where the segment from ``p`` (inside the box) towards ``q`` leaves the box [lo, hi]
    (``q`` itself if it is inside; ``p`` if ``q`` is not finite)."""
    d = q - p
    if not np.all(np.isfinite(d)):
        return p.copy()
    t = 1.0
    for i in range(p.size):
        if d[i] > 0:
            t = min(t, (hi[i] - p[i]) / d[i])
        elif d[i] < 0:
            t = min(t, (lo[i] - p[i]) / d[i])
    return np.clip(p + max(t, 0.0) * d, lo, hi)  # exactly on the edge despite rounding


def _visible(P: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(drawn, left): the drawable part of a path, and where it left the box [lo, hi] for good.

    The path is cut at its first non-finite point or first point more than :data:`_FAR`
    box widths outside the box (what follows is a diverged run's explosion, which also
    upsets renderers); the last drawn segment then heads towards the cut point. ``left`` is
    the point where the drawn path last crossed out of the box, when it ends outside it;
    None when it ends inside or never was inside.
    """
    span = hi - lo
    flo, fhi = lo - _FAR * span, hi + _FAR * span
    with np.errstate(invalid="ignore"):
        ok = np.all(np.isfinite(P), axis=1) & np.all((P >= flo) & (P <= fhi), axis=1)
    drawn = P
    if not ok.all():
        k = int(np.argmin(ok))
        if k == 0:
            return P[:0], None
        drawn = np.vstack([P[:k], _exit_point(P[k - 1], P[k], flo, fhi)[None, :]])
    inside = np.all((drawn >= lo) & (drawn <= hi), axis=1)
    if inside[-1] or not inside.any():
        return drawn, None
    j = int(np.flatnonzero(inside)[-1])
    return drawn, _exit_point(drawn[j], drawn[j + 1], lo, hi)


def _log_field(surf: Surface, Z: np.ndarray, log: bool, levels):
    """(values to contour, levels, norm, colour-bar label) for a field of ``f`` values."""
    finite = np.isfinite(Z)
    if not finite.any():
        raise ValueError(f"surface {surf.name!r} has no finite value in the plotted bounds")
    use_log = log and math.isfinite(surf.fmin)
    if use_log:
        G = np.where(finite, Z - surf.fmin, np.nan)
        pos = G[finite & (G > 0)]
        if pos.size == 0:
            use_log = False
    if not use_log:
        G = np.where(finite, Z, np.nan)
        lo, hi = float(np.nanmin(G)), float(np.nanmax(G))
        if isinstance(levels, (int, np.integer)):
            lev = np.linspace(lo, hi if hi > lo else lo + 1.0, int(levels))
        else:
            lev = levels
        return np.ma.masked_invalid(G), lev, Normalize(lev[0], lev[-1]), "$f(x)$"
    hi = float(pos.max())
    lo = max(float(pos.min()), hi * 1e-7)
    if isinstance(levels, (int, np.integer)):
        lev = np.geomspace(lo, hi, int(levels))
    else:
        lev = levels
        if np.any(lev <= 0):
            raise ValueError("levels must be > 0 with log=True (they are levels of f - fmin)")
    G = np.where(finite, np.maximum(G, lev[0] * 0.5), np.nan)
    return np.ma.masked_invalid(G), lev, LogNorm(lev[0], lev[-1]), r"$f(x) - f^*$ (log scale)"


def _same_surface(a: Surface, b: Surface) -> bool:
    if a is b:
        return True
    return (a.name == b.name and a.dim == b.dim and a.params.keys() == b.params.keys()
            and all(np.array_equal(np.asarray(a.params[k]), np.asarray(b.params[k])) for k in a.params))


def _legend_below(ax, handles, ncol) -> None:
    """A frameless legend under the axes, below the tick and axis labels (a fixed 0.5 inch
    under the axes whatever their size)."""
    from matplotlib.transforms import ScaledTranslation

    below = ax.transAxes + ScaledTranslation(0.0, -0.5, ax.figure.dpi_scale_trans)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
              ncol=ncol, fontsize="small", frameon=False, handlelength=1.8, columnspacing=1.2)


def _check_levels(levels):
    if isinstance(levels, (bool, np.bool_)):
        raise TypeError("levels must be an int or an increasing array of levels, got a bool")
    if isinstance(levels, (int, np.integer)):
        if levels < 2:
            raise ValueError(f"levels must be >= 2, got {levels}")
        return int(levels)
    lev = np.asarray(levels, dtype=np.float64)
    if lev.ndim != 1 or lev.size < 2 or not np.all(np.isfinite(lev)) or not np.all(np.diff(lev) > 0):
        raise ValueError(f"levels must be an int >= 2 or a strictly increasing 1-D array of finite "
                         f"values, got {levels!r}")
    return lev


def _check_bounds(surf: Surface, bounds) -> np.ndarray:
    if bounds is None:
        return surf.bounds.copy()
    b = np.asarray(bounds, dtype=np.float64)
    if b.shape != (surf.dim, 2) or not np.all(np.isfinite(b)) or not np.all(b[:, 0] < b[:, 1]):
        raise ValueError(f"bounds must be finite [[lo, hi], ...] of shape ({surf.dim}, 2) with lo < hi "
                         f"for the {surf.dim}-D surface {surf.name!r}, got {np.asarray(bounds).tolist()}")
    return b


# ---------------------------------------------------------------------------------------
# Contour with paths

# a light grey-blue ramp (darkest in the valleys, never black) so coloured paths stand out
_CONTOUR_CMAP = ListedColormap(mpl.colormaps["bone"](np.linspace(0.38, 1.0, 256)), name="gdlab_contour")


def _draw_path(ax, P, lo, hi, diverged, color, *, lw, dots, halo) -> bool:
    """One path in ``color``: a line (dots at the points when there are at most ``dots``), a
    circle at the start, and a square at the end, or an X where the path left the box [lo, hi]
    when it ends outside it (or at its last finite point when it diverged inside). Returns
    whether an X was drawn."""
    drawn, left = _visible(np.asarray(P, dtype=np.float64), lo, hi)
    if drawn.shape[0] == 0:
        return False
    effects = [patheffects.withStroke(linewidth=lw + 1.8, foreground="white", alpha=0.8)] if halo else None
    ax.plot(drawn[:, 0], drawn[:, 1], color=color, lw=lw, marker="o" if drawn.shape[0] <= dots else None,
            ms=3.0, solid_capstyle="round", zorder=4, path_effects=effects)
    ax.plot(drawn[:1, 0], drawn[:1, 1], mfc=color, **_START)
    if left is None and diverged:
        left = drawn[-1]
    if left is not None:
        ax.plot([left[0]], [left[1]], mfc=color, **_CUT)
        return True
    ax.plot(drawn[-1:, 0], drawn[-1:, 1], mfc=color, **_END)
    return False


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


def _check_result(result) -> SweepResult:
    if not isinstance(result, SweepResult):
        raise TypeError(f"result must be a SweepResult (from gdlab.surfaces.sweep), got {type(result).__name__}")
    if len(result) == 0:
        raise ValueError("result has no rows")
    return result


def _select_optimizer(result: SweepResult, optimizer) -> tuple[np.ndarray, str]:
    T = result.table
    names = list(dict.fromkeys(T["optimizer"].tolist()))
    if optimizer is not None:
        if optimizer not in names:
            raise ValueError(f"optimizer={optimizer!r} is not in the sweep; it holds {', '.join(names)}")
        return T[T["optimizer"] == optimizer], optimizer
    if len(names) > 1:
        raise ValueError(f"the sweep holds {len(names)} optimizers ({', '.join(names)}): choose one with "
                         "optimizer=")
    return T, names[0]


def _hyper_columns(result: SweepResult) -> list[str]:
    """The hyperparameter columns of a sweep table (between the starts and ``loss``)."""
    names = list(result.table.dtype.names)
    first = names.index(f"x0_{result.surface.dim - 1}") + 1
    return names[first:names.index("loss")]


def _edges(v: np.ndarray, logscale: bool) -> np.ndarray:
    """Cell edges around sorted distinct centres ``v`` (geometric midpoints on a log axis)."""
    if v.size == 1:
        return np.array([v[0] / 10 ** 0.5, v[0] * 10 ** 0.5]) if logscale else np.array([v[0] - 0.5, v[0] + 0.5])
    u = np.log10(v) if logscale else v
    mid = 0.5 * (u[1:] + u[:-1])
    e = np.concatenate([[u[0] - (mid[0] - u[0])], mid, [u[-1] + (u[-1] - mid[-1])]])
    return 10.0 ** e if logscale else e


def _is_log_axis(v: np.ndarray) -> bool:
    """Log axis for positive values spanning more than two decades, or geometrically (and not
    arithmetically) spaced ones such as ``np.logspace(-4, -2.3, 24)``."""
    if v.size < 2 or not np.all(v > 0):
        return False
    if v.max() / v.min() > 100.0:
        return True
    if v.size < 3:
        return False
    dl, dv = np.diff(np.log(v)), np.diff(v)
    return bool(np.ptp(dl) <= 1e-6 * np.abs(dl).max() and np.ptp(dv) > 1e-6 * np.abs(dv).max())


def _mantissa(t: float) -> int:
    return int(round(t / 10.0 ** math.floor(math.log10(t) + 1e-9))) if t > 0 else 0


def _plain_tick(t: float, _pos=None) -> str:
    return f"{t:g}"


def _sci(v: float) -> str:
    """``v`` for mathtext: ``10^{-6}``, ``2.5\\times10^{-3}``, or plain ``0.5``."""
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:g}"
    m, e = f"{v:.2e}".split("e")
    m = m.rstrip("0").rstrip(".")
    return (f"{m}\\times" if m != "1" else "") + f"10^{{{int(e)}}}"


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

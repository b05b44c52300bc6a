"""What the plots share: styles, colours, labels, checks, saving, clipping of paths and the
sweep-table helpers (not public; see :mod:`gdlab.surfaces.plot`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence
import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from .._run import SweepResult, Trajectory
from .._spec import Surface


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
    from ...registry import get_registry

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

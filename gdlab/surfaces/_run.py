"""Trajectories and sweeps: many (start x hyperparameters x optimizer) runs in compiled calls."""

from __future__ import annotations

import csv
import itertools
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..optim._optimizer import Optimizer, _require_cuda, cuda_available
from ..optim._spec import OptimizerSpec
from ._kernels import BLOCK, UNROLL_MAX, hyper_read_by, scalar_dependencies, sweep_kernels
from ._spec import Surface, SurfaceSpec


#: Coordinates (configurations x dimension) from which a sweep runs in parallel: below, a
#: serial build of the same kernel (same arithmetic) compiles 4x faster and wakes no threads.
PARALLEL_MIN = 4096


class StartOutsideBoundsWarning(UserWarning):
    """A start point lies outside the surface's bounds (the run goes ahead: bounds are the
    plotting and sampling box, not a constraint)."""


# ---------------------------------------------------------------------------------------
# Resolution of the user's arguments


def get_surface(surface, dim: int | None = None, **params) -> Surface:
    """A :class:`Surface` from a registered name, a :class:`SurfaceSpec` or a Surface.

    Raises
    ------
    ValueError
        For an unknown name or parameter, or a dimension the surface does not have.
    TypeError
        For anything else.
    """
    if isinstance(surface, Surface):
        if params or (dim is not None and dim != surface.dim):
            return surface.spec.resolve(dim if dim is not None else surface.dim, **{**surface.params, **params})
        return surface
    if isinstance(surface, str):
        from ..registry import get_registry

        surface = get_registry().surface(surface)
    if not isinstance(surface, SurfaceSpec):
        raise TypeError(f"surface must be a name, a SurfaceSpec or a Surface, got {type(surface).__name__}")
    return surface.resolve(dim, **params)


def _optimizer_spec(optimizer, preset: str | None) -> tuple[OptimizerSpec, dict]:
    """(spec with preset applied, hyperparameters already set by an Optimizer object)."""
    if isinstance(optimizer, Optimizer):
        if preset is not None and preset != optimizer.spec.preset:
            raise ValueError(f"{optimizer.spec.name}: the Optimizer has preset {optimizer.spec.preset!r}, "
                             f"preset={preset!r} was also given")
        return optimizer.spec, dict(optimizer.hyper)
    base = {}
    if isinstance(optimizer, str):  # NAME[@PRESET][:k=v,...]
        from ..optim._syntax import parse_optimizer
        from ..registry import get_registry

        text = parse_optimizer(optimizer)
        if text.preset is not None and preset is not None and text.preset != preset:
            raise ValueError(f"{optimizer!r} names preset {text.preset!r}, preset={preset!r} was also given")
        optimizer, preset, base = get_registry().optimizer(text.name), preset or text.preset, text.hyper
    if not isinstance(optimizer, OptimizerSpec):
        raise TypeError(f"optimizer must be a name, an OptimizerSpec or an Optimizer, "
                        f"got {type(optimizer).__name__}")
    return optimizer.with_preset(preset), base


def _check_starts(surface: Surface, starts, what="x0") -> np.ndarray:
    X = np.array(surface.x0 if starts is None else starts, dtype=np.float64, copy=True)
    if X.ndim == 1:
        X = X.reshape(1, -1) if X.size == surface.dim else X.reshape(-1, 1) if surface.dim == 1 else X
    if X.ndim != 2 or X.shape[1] != surface.dim:
        raise ValueError(f"{what} must have shape ({surface.dim},) or (n, {surface.dim}) for the "
                         f"{surface.dim}-D surface {surface.name!r}, got {np.shape(starts)}")
    if X.shape[0] == 0:
        raise ValueError(f"{what} is empty: give at least one start point")
    bad = ~np.all(np.isfinite(X), axis=1)
    if bad.any():
        raise ValueError(f"{what} must be finite; start {int(np.argmax(bad))} is {X[np.argmax(bad)].tolist()}")
    lo, hi = surface.bounds[:, 0], surface.bounds[:, 1]
    out = np.any((X < lo) | (X > hi), axis=1)
    if out.any():
        k = int(np.argmax(out))
        warnings.warn(f"{int(out.sum())} of {X.shape[0]} start point(s) lie outside the bounds "
                      f"{surface.bounds.tolist()} of {surface.name!r} (first: {X[k].tolist()}); "
                      "they are run anyway", StartOutsideBoundsWarning, stacklevel=3)
    return X


def grid_starts(surface, n: int = 50, bounds=None) -> np.ndarray:
    """Start points on an ``n`` x ... x ``n`` grid over the surface's bounds.

    Returns
    -------
    ndarray of shape (n**dim, dim)
        First coordinate varying fastest (row-major image order for 2-D basin maps).
    """
    s = get_surface(surface)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    b = s.bounds if bounds is None else np.asarray(bounds, dtype=np.float64)
    axes = [np.linspace(b[i, 0], b[i, 1], n) for i in range(s.dim)]
    mesh = np.meshgrid(*axes[::-1], indexing="ij")[::-1]
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def random_starts(surface, n: int, seed: int = 0) -> np.ndarray:
    """``n`` start points drawn uniformly in the surface's bounds (seeded); shape (n, dim)."""
    s = get_surface(surface)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    rng = np.random.default_rng(seed)
    return s.bounds[:, 0] + (s.bounds[:, 1] - s.bounds[:, 0]) * rng.random((n, s.dim))


# ---------------------------------------------------------------------------------------
# One batch of configurations of one optimizer


@dataclass
class _Batch:
    """Configurations of one optimizer: starts (n, d) and validated hyperparameters (n, nh)."""

    spec: OptimizerSpec
    X0: np.ndarray
    H: np.ndarray
    cid: np.ndarray

    @property
    def n(self) -> int:
        return self.X0.shape[0]


def _distinct(H: np.ndarray, names: list[str], fn) -> np.ndarray:
    """One row of ``H`` per distinct combination of the hyperparameters ``fn`` reads."""
    cols = [names.index(h) for h in hyper_read_by(fn, names)]
    _, first = np.unique(H[:, cols], axis=0, return_index=True)
    return H[np.sort(first)]


def _run_batch(surface: Surface, b: _Batch, n_steps: int, tol: float | None, noise: float, seed: int,
               backend: str, record: bool) -> dict:
    """Run one batch in one compiled call; returns the raw per-configuration arrays."""
    spec = b.spec
    names = list(spec.hyper)
    active = spec.state
    if spec.active_state is not None:
        used = set().union(*(spec.active(dict(zip(names, row))) for row in _distinct(b.H, names, spec.active_state)))
        active = tuple(s for s in spec.state if s in used)
    nh = len(spec.hyper)
    deps = [k for k, name in enumerate(spec.hyper) if name in scalar_dependencies(spec)]
    per_config = bool(deps) and bool(np.any(b.H[:, deps] != b.H[:1, deps]))
    d, n = surface.dim, b.n
    X = np.array(b.X0.T, order="C")  # a copy: the kernel overwrites it with the final points
    H = np.ascontiguousarray(b.H.T) if nh else np.zeros((0, n))
    S = np.zeros((len(active), d, n))
    if spec.state_init is not None and active:
        cols = [names.index(h) for h in hyper_read_by(spec.state_init, names)]
        _, first, inv = np.unique(b.H[:, cols], axis=0, return_index=True, return_inverse=True)
        for u, k in enumerate(first):
            init = spec.initial_state(dict(zip(names, b.H[k])))
            for r, slot in enumerate(active):
                S[r, :, inv.reshape(-1) == u] = init[slot]
    thr = -math.inf if tol is None or not math.isfinite(surface.fmin) else surface.fmin + tol
    r = n if record else 0
    out_f = np.empty(n)
    out_hit = np.empty(n, np.int64)
    P = np.empty((r, n_steps + 1, d))
    L = np.empty((r, n_steps + 1))
    G = np.empty((r, n_steps + 1))
    noisy = noise > 0.0
    # Flags equal in every configuration become literals of the kernel (see sweep_kernels).
    flags = [h.is_flag for h in spec.hyper.values()]
    fixed = tuple((q, float(b.H[0, q])) for q in range(nh) if flags[q] and np.all(b.H[:, q] == b.H[0, q]))
    # Small batches (a trajectory, one block, little work) run in a serial build of the same
    # kernel: same arithmetic, a quarter of the compile time, and no threads to wake.
    blocked = spec.update is None and d <= UNROLL_MAX
    parallel = n > (BLOCK if blocked else 1) and n * d >= PARALLEL_MIN
    cpu = sweep_kernels(surface.spec, d, spec, active, per_config, noisy, fixed, parallel=parallel,
                        record=bool(record))
    nsc = len(spec.scalars)
    SC = (cpu.scalar_table(b.H[0].astype(np.float64), n_steps) if nsc and not per_config
          else np.zeros((0, max(nsc, 1))))
    args = (X, H, S, SC, b.cid, surface.theta, int(n_steps), float(thr), float(noise), int(seed),
            out_f, out_hit, P, L, G)
    if backend == "cuda":
        from numba import config, cuda

        kern = sweep_kernels(surface.spec, d, spec, active, per_config, noisy, fixed, "cuda").sweep_cuda
        dev = [cuda.to_device(a) if isinstance(a, np.ndarray) else a for a in args]
        threads = 32 if config.ENABLE_CUDASIM else 128
        kern[(n + threads - 1) // threads, threads](*dev)
        X, S, out_f, out_hit, P, L, G = (dev[i].copy_to_host() for i in (0, 2, 10, 11, 12, 13, 14))
    else:
        cpu.sweep(*args)
    return {"X": X.T, "loss": out_f, "steps": out_hit, "path": P, "losses": L, "grad_norms": G,
            "state": S, "active": active}


def _resolve_backend(backend: str) -> str:
    if backend not in ("auto", "cpu", "cuda"):
        raise ValueError(f"backend must be 'auto', 'cpu' or 'cuda', got {backend!r}")
    if backend == "cuda":
        _require_cuda()
    if backend == "auto":  # a real GPU only: the simulator is for tests
        from numba import config

        return "cuda" if cuda_available() and not config.ENABLE_CUDASIM else "cpu"
    return backend


def _check_run_args(n_steps, tol, noise, seed):
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    if tol is not None and not (isinstance(tol, (int, float, np.floating)) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0 or None, got {tol!r}")
    if not (isinstance(noise, (int, float, np.floating)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")


# ---------------------------------------------------------------------------------------
# Trajectory


@dataclass
class Trajectory:
    """The path of one optimizer from one start.

    Attributes
    ----------
    optimizer : str
        Optimizer name (with ``@preset`` when not torch's).
    hyper : dict
        Its validated hyperparameters.
    surface : Surface
    path : ndarray of shape (n_steps + 1, dim)
        ``path[0]`` is the start, ``path[t]`` the point after ``t`` steps.
    loss : ndarray of shape (n_steps + 1,)
        f along the path.
    grad_norm : ndarray of shape (n_steps + 1,)
        Euclidean norm of the (noisy, if ``noise > 0``) gradient at each point.
    steps_to_tol : int
        First ``t`` with ``loss[t] <= fmin + tol``, or -1.
    diverged : bool
        The final loss is not finite, or a final coordinate is not finite or beyond
        :data:`DIVERGED_RADIUS` (1e100) in magnitude.
    """

    optimizer: str
    hyper: dict
    surface: Surface
    path: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    steps_to_tol: int
    diverged: bool

    @property
    def final(self) -> np.ndarray:
        return self.path[-1]

    def to_csv(self, path) -> Path:
        """Write ``step, x_0.., loss, grad_norm`` rows; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["step", *[f"x_{i}" for i in range(self.path.shape[1])], "loss", "grad_norm"])
            for t in range(self.path.shape[0]):
                w.writerow([t, *map(repr, self.path[t].tolist()), repr(float(self.loss[t])),
                            repr(float(self.grad_norm[t]))])
        return path


def _label(spec: OptimizerSpec) -> str:
    return spec.name if spec.preset == "torch" else f"{spec.name}@{spec.preset}"


def trajectory(optimizer, surface, x0=None, n_steps: int = 100, *, preset: str | None = None,
               tol: float | None = 1e-6, noise: float = 0.0, seed: int = 0, stream: int = 0,
               backend: str = "cpu", **hyper) -> Trajectory:
    """Run one optimizer from one start on a surface and record every step.

    Parameters
    ----------
    optimizer : str, OptimizerSpec or Optimizer
        Registered name (``"adam"``), a spec, or an :class:`~gdlab.optim.Optimizer` whose
        hyperparameters are used (``**hyper`` overrides them).
    surface : str, SurfaceSpec or Surface
        Registered name (``"rosenbrock"``) or a spec/resolved surface.
    x0 : array-like of shape (dim,), optional
        Start; default the surface's ``x0``.
    n_steps : int, default 100
    preset : str, optional
        Library convention of the rule (``"keras"``, ``"optax"``, ...).
    tol : float or None, default 1e-6
        For :attr:`Trajectory.steps_to_tol` (loss gap to ``fmin``).
    noise : float, default 0.0
        Standard deviation of Gaussian noise added to each gradient component (DeepOBS-style
        stochastic runs); drawn from a counter-based generator seeded by ``seed``.
    seed : int, default 0
    stream : int, default 0
        Noise stream: configuration ``k`` of a :func:`sweep` draws from stream ``k`` (its
        ``config`` column), so ``trajectory(..., seed=s, stream=k)`` replays it exactly.
    backend : {"cpu", "cuda", "auto"}, default "cpu"
    **hyper
        Optimizer hyperparameters (``lr=0.01``, ``momentum=0.9``, ...).

    Returns
    -------
    Trajectory

    Raises
    ------
    ValueError
        Unknown optimizer, surface or hyperparameter, invalid value, ``x0`` of the wrong
        dimension or not finite, bad ``n_steps``/``tol``/``noise``/``seed``.
    RuntimeError
        ``backend="cuda"`` without CUDA.

    Warns
    -----
    StartOutsideBoundsWarning
        When ``x0`` is outside the surface's bounds (the run goes ahead).

    Notes
    -----
    Divergence never raises: the path simply becomes inf/NaN and ``diverged`` is True. The
    run uses the very kernel of :func:`sweep` (a sweep of one configuration), so a sweep's
    final points equal the trajectories' bit for bit.
    """
    _check_run_args(n_steps, tol, noise, seed)
    surf = get_surface(surface)
    spec, base = _optimizer_spec(optimizer, preset)
    hv = spec.validate(**{**base, **hyper})
    X0 = _check_starts(surf, x0)
    if X0.shape[0] != 1:
        raise ValueError(f"x0 must be one point of shape ({surf.dim},), got {X0.shape[0]} points; "
                         "use sweep() for many starts")
    if isinstance(stream, bool) or not isinstance(stream, (int, np.integer)) or stream < 0:
        raise ValueError(f"stream must be an integer >= 0, got {stream!r}")
    batch = _Batch(spec, X0, spec.hyper_array(hv).reshape(1, -1), np.array([stream], np.int64))
    out = _run_batch(surf, batch, n_steps, tol, noise, seed, _resolve_backend(backend), record=True)
    diverged = bool(_diverged(out["loss"], out["X"])[0])
    return Trajectory(_label(spec), hv, surf, out["path"][0], out["losses"][0], out["grad_norms"][0],
                      int(out["steps"][0]), bool(diverged))


# ---------------------------------------------------------------------------------------
# Sweep


def _as_list(name, v) -> list:
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        return [v]
    out = v.reshape(-1) if isinstance(v, np.ndarray) else list(v)
    if len(out) == 0:
        raise ValueError(f"the grid of {name!r} is empty")
    return out


def _normalise_optimizers(optimizers) -> list[tuple[Any, str | None, dict]]:
    """``[(optimizer, preset, {hyper: [values]})]`` from the forms :func:`sweep` accepts."""
    if isinstance(optimizers, (str, OptimizerSpec, Optimizer)):
        optimizers = [optimizers]
    if isinstance(optimizers, Mapping):
        items = list(optimizers.items())
    else:
        items = [(o, {}) if not isinstance(o, tuple) else o for o in optimizers]
    if not items:
        raise ValueError("optimizers is empty: give at least one optimizer")
    out = []
    for opt, grid in items:
        grid = dict(grid or {})
        preset = grid.pop("preset", None)
        if isinstance(opt, str):  # NAME[@PRESET][:k=v,...], values may be lists and ranges
            from ..optim._syntax import merge_hyper, parse_optimizer

            text = parse_optimizer(opt, ranges=True)
            if text.preset is not None and preset is not None and text.preset != preset:
                raise ValueError(f"{opt!r} names preset {text.preset!r}, its grid says {preset!r}")
            opt, preset = text.name, preset or text.preset
            grid = merge_hyper(text.hyper, grid, f"the grid of {opt!r}")
        out.append((opt, preset, {k: _as_list(k, v) for k, v in grid.items()}))
    return out


def _batches(surf: Surface, optimizers, starts, configs) -> list[_Batch]:
    batches = []
    first_id = 0
    if configs is not None:
        if optimizers is not None:
            raise ValueError("give either optimizers (a grid) or configs (a list), not both")
        groups: dict[tuple, list] = {}
        for k, c in enumerate(configs):
            c = dict(c)
            if "optimizer" not in c:
                raise ValueError(f"configs[{k}] has no 'optimizer'")
            opt, preset = c.pop("optimizer"), c.pop("preset", None)
            x0 = c.pop("x0", None)
            spec, base = _optimizer_spec(opt, preset)
            try:
                hv = spec.validate(**{**base, **c})
            except ValueError as exc:
                raise ValueError(f"configs[{k}]: {exc}") from None
            groups.setdefault((id(spec),), [spec, []])[1].append(
                (k, _check_starts(surf, x0, f"configs[{k}]['x0']")[0], spec.hyper_array(hv)))
        if not groups:
            raise ValueError("configs is empty: give at least one configuration")
        for spec, rows in groups.values():
            ids, xs, hs = zip(*rows)
            batches.append(_Batch(spec, np.array(xs), np.array(hs), np.array(ids, np.int64)))
        return batches
    X0 = _check_starts(surf, starts, "starts")
    for opt, preset, grid in _normalise_optimizers(optimizers):
        spec, base = _optimizer_spec(opt, preset)
        H = _hyper_grid(spec, base, grid)
        X = np.tile(X0, (H.shape[0], 1))
        H = np.repeat(H, X0.shape[0], axis=0)
        ids = np.arange(first_id, first_id + H.shape[0], dtype=np.int64)
        first_id += H.shape[0]
        batches.append(_Batch(spec, X, H, ids))
    return batches


def _hyper_grid(spec: OptimizerSpec, base: dict, grid: dict) -> np.ndarray:
    """Every combination of the grid's values, validated, as rows of hyperparameter vectors.

    Each value is checked once (:meth:`Hyper.validate`, PyTorch-style messages); the
    optimizer's cross-checks (``spec.check``) run once per distinct combination of the
    hyperparameters they read.
    """
    unknown = [k for k in grid if k not in spec.hyper]
    if unknown:
        spec.validate(**{unknown[0]: grid[unknown[0]][0]})  # raises the usual message
    defaults = spec.validate(**base)
    axes = []
    for name, h in spec.hyper.items():
        values = grid.get(name, [defaults[name]])
        if isinstance(values, np.ndarray) and values.dtype.kind in "fiu" and not h.is_flag:
            axes.append(_validate_array(spec.name, name, h, values))
        else:
            axes.append(np.array([float(h.validate(spec.name, name, v)) for v in values]))
    mesh = np.meshgrid(*axes, indexing="ij")
    H = np.stack([m.reshape(-1) for m in mesh], axis=1) if axes else np.zeros((1, 0))
    # order: the grid's keys as given vary slowest-first (itertools.product order)
    order_keys = [list(spec.hyper).index(k) for k in grid]
    if order_keys:
        H = H[np.lexsort([_rank(H[:, c]) for c in order_keys[::-1]])]
    if spec.check is not None:
        names = list(spec.hyper)
        for row in _distinct(H, names, spec.check):
            spec.check(spec.name, {k: (bool(v) if spec.hyper[k].is_flag else float(v))
                                   for k, v in zip(names, row)})
    return H


def _validate_array(owner: str, name: str, h, values: np.ndarray) -> np.ndarray:
    """Vectorised :meth:`Hyper.validate` of a numeric array (the same messages)."""
    v = values.astype(np.float64)
    ok = np.isfinite(v)
    if h.low is not None:
        ok &= (v > h.low) if h.low_open else (v >= h.low)
    if h.high is not None:
        ok &= (v < h.high) if h.high_open else (v <= h.high)
    if not ok.all():
        h.validate(owner, name, values[np.argmin(ok)].item())  # raises
    return v


def _rank(col: np.ndarray) -> np.ndarray:
    """Position of each value in the order it was given (not sorted order)."""
    _, first, inv = np.unique(col, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inv.reshape(-1)]


@dataclass
class SweepResult:
    """The outcome of every configuration of a sweep.

    Attributes
    ----------
    table : numpy structured array of shape (n_configs,)
        Columns: ``config`` (id), ``optimizer`` (name, ``@preset`` when not torch's),
        ``x0_0 .. x0_{d-1}`` (start), one column per hyperparameter of any optimizer in the
        sweep (NaN where an optimizer lacks it), ``loss`` (final), ``x_0 ..`` (final point),
        ``distance`` (to the nearest known minimum, NaN if none is known), ``minimum`` (index
        of that minimum in ``surface.minima``, -1 if none), ``steps`` (first step with loss
        <= fmin + tol, -1 if never) and ``diverged`` (final loss not finite, or a final
        coordinate not finite or beyond :data:`DIVERGED_RADIUS` = 1e100 in magnitude).
    surface : Surface
    n_steps : int
    tol : float or None
    """

    table: np.ndarray
    surface: Surface
    n_steps: int
    tol: float | None
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.table.shape[0]

    def column(self, name: str) -> np.ndarray:
        return self.table[name]

    def hyper_names(self, optimizer: str) -> list[str]:
        """Hyperparameter columns of ``optimizer`` (a label of the ``optimizer`` column)."""
        return list(self.meta["hyper"][optimizer])

    def to_pandas(self):
        """The table as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.table)

    def to_csv(self, path) -> Path:
        """Write the table as CSV (full float precision); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        names = self.table.dtype.names
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(names)
            for row in self.table.tolist():
                w.writerow([repr(v) if isinstance(v, float) else v for v in row])
        return path

    def pivot(self, x: str, y: str, value: str = "loss", agg: Callable = np.nanmedian):
        """``(xs, ys, Z)`` for a heatmap of ``value`` over the distinct values of columns ``x``
        and ``y`` (``Z[j, i]`` at ``ys[j]``, ``xs[i]``), aggregated over every other column
        with ``agg`` (default the NaN-ignoring median). Diverged runs count as NaN (a cell
        whose runs all diverged is NaN); for ``"steps"``, a run that never reached the
        tolerance counts as ``inf``."""
        for c in (x, y, value):
            if c not in self.table.dtype.names:
                raise ValueError(f"no column {c!r}; columns: {', '.join(self.table.dtype.names)}")
        xs, xi = np.unique(self.table[x], return_inverse=True)
        ys, yi = np.unique(self.table[y], return_inverse=True)
        v = np.where(self.table["diverged"], np.nan, self.table[value].astype(np.float64))
        if value == "steps":  # never reached: infinitely slow
            v = np.where(v < 0, np.inf, v)
        Z = np.full((ys.size, xs.size), np.nan)
        for j in range(ys.size):
            for i in range(xs.size):
                sel = v[(yi == j) & (xi == i)]
                if sel.size and np.any(np.isfinite(sel)):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        Z[j, i] = agg(sel)
        return xs, ys, Z


#: A run whose final point has a coordinate beyond this magnitude counts as diverged even
#: while still finite (it has blown up; the next steps would overflow).
DIVERGED_RADIUS = 1e100


def _diverged(loss: np.ndarray, X: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        big = np.any(~(np.abs(X) <= DIVERGED_RADIUS), axis=1)
    return ~np.isfinite(loss) | big


def _nearest_minimum(surf: Surface, X: np.ndarray):
    if surf.minima.shape[0] == 0:
        return np.full(X.shape[0], np.nan), np.full(X.shape[0], -1, np.int64)
    dist = np.full(X.shape[0], np.nan)
    idx = np.full(X.shape[0], -1, np.int64)
    with np.errstate(invalid="ignore"):
        ok = np.all(np.abs(X) <= DIVERGED_RADIUS, axis=1)
    if ok.any():
        D = np.linalg.norm(X[ok, None, :] - surf.minima[None, :, :], axis=2)
        idx[ok] = np.argmin(D, axis=1)
        dist[ok] = D[np.arange(D.shape[0]), idx[ok]]
    return dist, idx


def sweep(surface, optimizers=None, *, starts=None, configs=None, n_steps: int = 1000,
          tol: float | None = 1e-6, noise: float = 0.0, seed: int = 0, backend: str = "auto",
          scheduler=None, chunk_size: int = 65536, progress: bool | None = False) -> SweepResult:
    """Run every (start x hyperparameters x optimizer) configuration on a surface.

    One compiled call per chunk of configurations of one optimizer: one ``prange``
    iteration per block of configurations on the CPU (vectorised across them), one CUDA
    thread per configuration on a GPU; the same scalar rules as everywhere else in gdlab.

    Parameters
    ----------
    surface : str, SurfaceSpec or Surface
    optimizers : str, list or dict
        A grid: ``"adam"``; ``["sgd", "adam"]``; or ``{"sgd": {"lr": [0.01, 0.1], "momentum":
        [0, 0.9]}, "adam@keras": {"lr": np.logspace(-3, 0, 10)}}`` — each value a scalar or a
        list, every combination is run; a ``"preset"`` key (or ``name@preset``) picks the
        library convention. Values of an :class:`~gdlab.optim.Optimizer` object are defaults.
    starts : array-like of shape (n, dim), optional
        Start points (default: the surface's ``x0``); every hyperparameter combination is
        run from each. See :func:`grid_starts` and :func:`random_starts`.
    configs : list of dict, optional
        Instead of a grid: one dict per configuration with ``"optimizer"``, optional
        ``"preset"`` and ``"x0"``, and hyperparameters.
    n_steps : int, default 1000
    tol : float or None, default 1e-6
        A run "reaches" the minimum at the first step with loss <= fmin + tol.
    noise : float, default 0.0
        Gradient noise standard deviation (see :func:`trajectory`); seeded per
        configuration id, so results do not depend on chunking, backend or scheduler.
    seed : int, default 0
    backend : {"auto", "cpu", "cuda"}, default "auto"
        "auto" takes a real GPU when there is one, else the CPU.
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``"tcp://host:8786"``) or a Client: chunks of
        ``chunk_size`` configurations run on the cluster (gdlab must be installed on the
        workers). Results equal a local run.
    chunk_size : int, default 65536
        Configurations per compiled call (and per Dask task).
    progress : bool or None, default False
        Show a tqdm bar over chunks (None: when stderr is a terminal).

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError
        Unknown surface/optimizer/hyperparameter, invalid values (PyTorch-style messages),
        an empty grid or start list, starts of the wrong dimension or not finite, both or
        neither of ``optimizers`` and ``configs``.
    """
    _check_run_args(n_steps, tol, noise, seed)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if optimizers is None and configs is None:
        raise ValueError("give optimizers (a grid) or configs (a list of configurations)")
    surf = get_surface(surface)
    bk = _resolve_backend(backend)
    batches = _batches(surf, optimizers, starts, configs)
    chunks = [( bi, lo, min(lo + chunk_size, b.n)) for bi, b in enumerate(batches)
              for lo in range(0, b.n, chunk_size)]

    def sub(bi, lo, hi):
        b = batches[bi]
        return _Batch(b.spec, b.X0[lo:hi], b.H[lo:hi], b.cid[lo:hi])

    from tqdm.auto import tqdm

    bar = tqdm(total=sum(b.n for b in batches), unit="config", disable=(not progress) if progress is not None else None,
               leave=False, dynamic_ncols=True)
    results = [None] * len(chunks)
    if scheduler is not None:
        client, own = _client(scheduler)
        try:
            from distributed import as_completed

            futs = {client.submit(_run_batch, surf, sub(*c), n_steps, tol, noise, seed, bk, False,
                                  pure=False): k for k, c in enumerate(chunks)}
            for fut in as_completed(futs):
                k = futs[fut]
                results[k] = fut.result()
                bar.update(chunks[k][2] - chunks[k][1])
        finally:
            if own:
                client.close()
    else:
        for k, c in enumerate(chunks):
            results[k] = _run_batch(surf, sub(*c), n_steps, tol, noise, seed, bk, False)
            bar.update(c[2] - c[1])
    bar.close()
    return _assemble(surf, batches, chunks, results, n_steps, tol,
                     meta={"backend": bk, "noise": noise, "seed": seed,
                           "scheduler": None if scheduler is None else str(scheduler)})


def _client(scheduler):
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("scheduler= needs Dask distributed: pip install 'gdlab[distributed]'") from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    if not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be an address string or a distributed.Client, got {scheduler!r}")
    return Client(scheduler), True


def _assemble(surf, batches, chunks, results, n_steps, tol, meta) -> SweepResult:
    d = surf.dim
    hyper_names = list(dict.fromkeys(h for b in batches for h in b.spec.hyper))
    n = sum(b.n for b in batches)
    labels = [_label(b.spec) for b in batches]
    width = max(len(s) for s in labels)
    dtype = ([("config", np.int64), ("optimizer", f"U{width}")] + [(f"x0_{i}", np.float64) for i in range(d)]
             + [(h, np.float64) for h in hyper_names] + [("loss", np.float64)]
             + [(f"x_{i}", np.float64) for i in range(d)]
             + [("distance", np.float64), ("minimum", np.int64), ("steps", np.int64), ("diverged", bool)])
    table = np.zeros(n, dtype=dtype)
    pos = 0
    for (bi, lo, hi), res in zip(chunks, results):
        b = batches[bi]
        sl = slice(pos, pos + hi - lo)
        table["config"][sl] = b.cid[lo:hi]
        table["optimizer"][sl] = labels[bi]
        for i in range(d):
            table[f"x0_{i}"][sl] = b.X0[lo:hi, i]
            table[f"x_{i}"][sl] = res["X"][:, i]
        for h in hyper_names:
            table[h][sl] = b.H[lo:hi, list(b.spec.hyper).index(h)] if h in b.spec.hyper else np.nan
        table["loss"][sl] = res["loss"]
        table["steps"][sl] = res["steps"]
        X = res["X"]
        table["diverged"][sl] = _diverged(res["loss"], X)
        table["distance"][sl], table["minimum"][sl] = _nearest_minimum(surf, X)
        pos += hi - lo
    table = table[np.argsort(table["config"], kind="stable")]
    meta["hyper"] = {lab: list(b.spec.hyper) for lab, b in zip(labels, batches)}
    return SweepResult(table, surf, int(n_steps), tol, meta)

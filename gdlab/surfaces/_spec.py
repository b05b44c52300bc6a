"""Loss-surface specifications (DESIGN §4) and their resolved instances."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np


@dataclass(frozen=True, eq=False)  # identity hash: specs key the kernel cache
class SurfaceSpec:
    """A test function for optimizers: value, analytic gradient, bounds and known minima.

    Parameters
    ----------
    name : str
        Registry name (lower case, e.g. ``"rosenbrock"``).
    f : callable
        Plain-Python scalar function, no NumPy calls inside, defined at module level:
        ``f(x, theta) -> float`` where ``x`` is indexable with ``x[i]`` and ``len(x)`` (a
        tuple inside compiled sweeps, a 1-D array elsewhere) and ``theta`` is the float64
        parameter vector (:attr:`make_theta`). Compiled with ``numba.njit(inline="always")``
        for the CPU and as a ``numba.cuda`` device function.
    grad : callable
        ``grad(x, theta, i) -> float``, the partial derivative ∂f/∂x_i, same rules as ``f``.
        Written per component so that one form serves every dimension and both targets;
        compiled sweeps call it for ``i = 0 .. d-1`` with ``i`` a constant, and LLVM shares
        the subexpressions common to the components.
    dim : int or None
        Fixed dimension, or None for a surface defined in any dimension (then ``default_dim``).
    bounds : array-like of shape (d, 2), or callable
        Plotting and sampling box, ``[[lo_0, hi_0], ...]``. A callable gets
        ``(dim, params)`` and returns it (so do ``minima``, ``fmin`` and ``x0``).
    minima : array-like of shape (m, d), or callable
        Known local and global minima (m may be 0), global ones first; used to say which
        minimum a run reached.
    fmin : float or callable
        Global minimum value (``-inf`` for surfaces unbounded below).
    x0 : array-like of shape (d,), or callable
        Default start.
    params : mapping of str to object
        Surface parameters and defaults (e.g. Rosenbrock's ``a`` and ``b``).
    make_theta : callable, optional
        ``make_theta(dim, params) -> 1-D float64 array`` passed to ``f`` and ``grad``.
        Default: the parameter values in order.
    default_dim : int
        Dimension used when ``dim`` is None and none is asked for.
    polish : bool
        Refine the listed minima to machine precision at resolution (for minima known
        only to a few digits).
    formula : str
        LaTeX of ``f`` (for docs and plot titles).
    references : tuple of str
        Where the function comes from.
    summary : str
        One line for listings.
    """

    name: str
    f: Callable
    grad: Callable
    dim: int | None
    bounds: Any
    minima: Any
    fmin: Any
    x0: Any
    params: Mapping[str, Any] = field(default_factory=dict)
    make_theta: Callable | None = None
    default_dim: int = 2
    polish: bool = False
    formula: str = ""
    references: tuple[str, ...] = ()
    summary: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"surface name must be alphanumeric (with - or _), got {self.name!r}")
        for what in ("f", "grad"):
            if not callable(getattr(self, what)):
                raise TypeError(f"surface {self.name!r}: {what} must be callable")
        if self.dim is not None and (not isinstance(self.dim, int) or self.dim < 1):
            raise ValueError(f"surface {self.name!r}: dim must be a positive int or None, got {self.dim!r}")

    def __call__(self, dim: int | None = None, **params) -> "Surface":
        """The surface with these parameters (see :meth:`resolve`)."""
        return self.resolve(dim, **params)

    def resolve(self, dim: int | None = None, **params) -> "Surface":
        """Fix the dimension and parameters.

        Parameters
        ----------
        dim : int, optional
            Dimension, for surfaces defined in any dimension (``spec.dim is None``);
            default :attr:`default_dim`. For fixed-dimension surfaces it must be None or equal
            to :attr:`dim`.
        **params
            Overrides of :attr:`params`.

        Raises
        ------
        ValueError
            For an unknown parameter, a dimension the surface does not have, or parameters
            that give malformed bounds, minima or start.
        """
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise ValueError(f"surface {self.name!r}: unknown parameter {unknown[0]!r}; its parameters: {known}")
        if self.dim is not None:
            if dim is not None and dim != self.dim:
                raise ValueError(f"surface {self.name!r} is {self.dim}-D, got dim={dim}")
            d = self.dim
        else:
            d = self.default_dim if dim is None else dim
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
                raise ValueError(f"surface {self.name!r}: dim must be an integer >= 1, got {dim!r}")
            d = int(d)
        p = {**self.params, **params}
        key = (d, tuple(sorted((k, _hashable(v)) for k, v in p.items())))
        cache = _RESOLVED.setdefault(id(self), (self, {}))[1]
        if key not in cache:
            cache[key] = Surface._build(self, d, p)
        return cache[key]


def _hashable(v):
    if isinstance(v, np.ndarray):
        return ("array", v.shape, v.tobytes())
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(x) for x in v)
    return v


_RESOLVED: dict[int, tuple[SurfaceSpec, dict]] = {}


def _value(x, dim, params):
    return x(dim, params) if callable(x) else x


@dataclass(frozen=True, eq=False)
class Surface:
    """A surface with its dimension and parameters fixed (``spec.resolve(...)``).

    Attributes
    ----------
    spec : SurfaceSpec
    dim : int
    params : dict
    theta : ndarray of shape (k,), float64
        What ``f`` and ``grad`` receive.
    bounds : ndarray of shape (dim, 2)
    minima : ndarray of shape (m, dim)
        Known minima, global first.
    fmin : float
        Global minimum value (``-inf`` if unbounded below).
    x0 : ndarray of shape (dim,)
        Default start.
    """

    spec: SurfaceSpec
    dim: int
    params: dict
    theta: np.ndarray
    bounds: np.ndarray
    minima: np.ndarray
    fmin: float
    x0: np.ndarray

    @classmethod
    def _build(cls, spec: SurfaceSpec, d: int, p: dict) -> "Surface":
        theta = (spec.make_theta(d, p) if spec.make_theta is not None
                 else np.array([float(v) for v in p.values()], dtype=np.float64))
        theta = np.ascontiguousarray(theta, dtype=np.float64).reshape(-1)
        if theta.size == 0:
            theta = np.zeros(1)  # Numba wants a typed array even when f ignores it
        bounds = np.asarray(_value(spec.bounds, d, p), dtype=np.float64)
        minima = np.asarray(_value(spec.minima, d, p), dtype=np.float64).reshape(-1, d)
        fmin = float(_value(spec.fmin, d, p))
        x0 = np.asarray(_value(spec.x0, d, p), dtype=np.float64).reshape(-1)
        name = spec.name
        if bounds.shape != (d, 2) or not np.all(np.isfinite(bounds)) or not np.all(bounds[:, 0] < bounds[:, 1]):
            raise ValueError(f"surface {name!r}: bounds must be finite [[lo, hi], ...] of shape ({d}, 2) "
                             f"with lo < hi, got {bounds.tolist()}")
        if x0.shape != (d,) or not np.all(np.isfinite(x0)):
            raise ValueError(f"surface {name!r}: x0 must be {d} finite numbers, got {x0.tolist()}")
        if not np.all(np.isfinite(minima)):
            raise ValueError(f"surface {name!r}: minima must be finite")
        if math.isnan(fmin) or fmin == math.inf:
            raise ValueError(f"surface {name!r}: fmin must be a number or -inf, got {fmin}")
        surf = cls(spec, d, dict(p), theta, bounds, minima, fmin, x0)
        if spec.polish and minima.shape[0]:
            object.__setattr__(surf, "minima", _polish(surf, minima))
        return surf

    @property
    def name(self) -> str:
        return self.spec.name

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params.items() if not isinstance(v, np.ndarray))
        return f"Surface({self.name!r}, dim={self.dim}{extra})"

    # -- host-side evaluation (compiled, vectorised over points) --------------------------
    def value(self, X) -> np.ndarray:
        """f at points ``X`` of shape (..., dim); returns shape (...), float64."""
        X, shape = self._points("X", X)
        out = np.empty(X.shape[0])
        self._kernels().values(np.ascontiguousarray(X.T), self.theta, out)
        return out.reshape(shape)

    def gradient(self, X) -> np.ndarray:
        """∇f at points ``X`` of shape (..., dim); returns shape (..., dim), float64."""
        X, shape = self._points("X", X)
        out = np.empty((self.dim, X.shape[0]))
        self._kernels().gradients(np.ascontiguousarray(X.T), self.theta, out)
        return out.T.reshape(*shape, self.dim)

    def grid(self, n: int = 200, bounds=None):
        """``(xs, ys, Z)``: a 2-D surface's values on an ``n`` × ``n`` grid over ``bounds``."""
        if self.dim != 2:
            raise ValueError(f"surface {self.name!r} is {self.dim}-D; grid() needs a 2-D surface")
        b = self.bounds if bounds is None else np.asarray(bounds, dtype=np.float64)
        xs, ys = np.linspace(b[0, 0], b[0, 1], n), np.linspace(b[1, 0], b[1, 1], n)
        XX, YY = np.meshgrid(xs, ys)
        return xs, ys, self.value(np.stack([XX, YY], axis=-1))

    def _points(self, name, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 0 or X.shape[-1] != self.dim:
            raise ValueError(f"{name} must have shape (..., {self.dim}) for the {self.dim}-D surface "
                             f"{self.name!r}, got {X.shape}")
        return X.reshape(-1, self.dim), X.shape[:-1]

    def _kernels(self):
        from ._kernels import surface_kernels

        return surface_kernels(self.spec)


def _polish(surf: Surface, minima: np.ndarray) -> np.ndarray:
    """Refine approximate minima by Newton's method on the analytic gradient (Hessian by
    central differences of the gradient); a point is kept as given if Newton wanders off."""
    out = []
    d = surf.dim
    for m in minima:
        x = m.copy()
        for _ in range(50):
            g = surf.gradient(x)
            h = 1e-6 * np.maximum(1.0, np.abs(x))
            E = np.diag(h)
            H = (surf.gradient(x + E) - surf.gradient(x - E)) / (2 * h[:, None])
            step = np.linalg.solve(0.5 * (H + H.T), g)
            x = x - step
            if np.linalg.norm(step) <= 1e-15 * (1 + np.linalg.norm(x)):
                break
        near = np.linalg.norm(x - m) < 1e-2 * (1 + np.linalg.norm(m)) and d > 0
        out.append(x if near and np.all(np.isfinite(x)) else m)
    return np.array(out)

"""Conformance checks for plugin authors: does a spec behave like a gdlab optimizer?

``check_optimizer(spec)`` runs, for every preset of the spec:

1. the compiled float64 kernel against the spec's float64 NumPy reference over many steps
   (relative 1e-10), and the float32 kernel against the same reference (norm-wise
   relative 1e-5);
2. no recompilation when a second optimizer with other hyperparameter values steps;
3. reaching the minimum of an ill-conditioned parabola;
4. the CUDA kernel against the CPU kernel, when CUDA (or the simulator) is available;
5. hyperparameter validation: a value just outside each range raises ValueError.

Each failure raises AssertionError naming the optimizer, preset and check. gdlab's own
optimizers pass the same checks in its test suite.

``check_surface(spec)`` does the same for a loss surface (see its docstring).
"""

from __future__ import annotations

import numpy as np

from .optim import Optimizer, OptimizerSpec, compile_with
from .optim._optimizer import cuda_available

__all__ = ["check_optimizer", "check_surface"]


def _segments(spec: OptimizerSpec, n: int):
    """Tensor boundaries used by the checks: three tensors for whole-kernel rules."""
    if spec.update is None:
        return None
    return [(0, n // 5), (n // 5, n // 2), (n // 2, n)]


def _reference_run(spec, hyper, active, p0, grads, segments):
    init = spec.initial_state(hyper)
    p = p0.astype(np.float64).copy()
    state = {s: np.full_like(p, init[s]) for s in spec.state}
    for t, g in enumerate(grads, start=1):
        pieces = segments or [(0, p.shape[0])]
        new_p, new_state = np.empty_like(p), {s: np.empty_like(p) for s in spec.state}
        for lo, hi in pieces:  # a whole-kernel rule's reference sees one tensor at a time
            pp, ss = spec.reference(p[lo:hi], g[lo:hi], {s: v[lo:hi] for s, v in state.items()}, t, **hyper)
            new_p[lo:hi] = pp
            for s in spec.state:
                new_state[s][lo:hi] = ss[s] if s in ss else state[s][lo:hi]
        p, state = new_p, new_state
    return p, {s: state[s] for s in active}


def _gradients(rng, n, steps):
    g = rng.standard_normal((steps, n)) * np.exp(rng.uniform(-3, 1, (steps, n)))
    g[:, :2] = 0.0  # exact zeros
    return g


def _fail(spec, what, detail):
    raise AssertionError(f"{spec.name}[{spec.preset}]: {what}: {detail}")


def check_optimizer(spec: OptimizerSpec, *, hyper: dict | None = None, presets=None, n: int = 64,
                    steps: int = 100, parabola_hyper: dict | None = None, parabola_steps: int = 3000,
                    cuda: bool | None = None, seed: int = 0) -> dict:
    """Run gdlab's conformance checks on an optimizer spec (see the module docstring).

    Parameters
    ----------
    spec : OptimizerSpec
        The optimizer (its default preset; the others are derived from it).
    hyper : dict, optional
        Hyperparameters for the checks (default: the preset's defaults).
    presets : sequence of str, optional
        Presets to check (default: all of ``spec.preset_names``).
    n, steps : int, default 64, 100
        Vector length and number of steps compared with the reference.
    parabola_hyper : dict, optional
        Hyperparameters for the parabola check (default: ``hyper``).
    parabola_steps : int, default 3000
        Steps allowed to bring ``f`` below 1e-3 of its starting value.
    cuda : bool, optional
        Check the CUDA kernel (default: when :func:`gdlab.optim.cuda_available`).
    seed : int, default 0

    Returns
    -------
    dict
        ``{preset: [names of the checks passed]}``.

    Raises
    ------
    AssertionError
        Naming the optimizer, preset and the check that failed.
    """
    hyper = dict(hyper or {})
    presets = spec.preset_names if presets is None else tuple(presets)
    cuda = cuda_available() if cuda is None else cuda
    rng = np.random.default_rng(seed)
    passed = {}
    for preset in presets:
        s = spec.with_preset(preset)
        done = passed.setdefault(preset, [])
        segments = _segments(s, n)
        p0 = rng.standard_normal(n)
        grads = _gradients(rng, n, steps)

        # 1. kernel vs reference, float64 and float32
        if s.reference is None:
            _fail(s, "reference", "the spec has no float64 NumPy reference")
        opt = Optimizer(s, **hyper)
        p = p0.copy()
        for g in grads:
            opt.step(p, g, segments=segments)
        p_ref, st_ref = _reference_run(s, opt.hyper, opt.active, p0, grads, segments)
        err = _max_rel(p, p_ref)
        if not np.allclose(p, p_ref, rtol=1e-10, atol=1e-12):
            _fail(s, "float64 kernel vs reference", f"max relative difference {err:.3g} > 1e-10")
        for r, slot in enumerate(opt.active):
            if not np.allclose(opt.state[r], st_ref[slot], rtol=1e-10, atol=1e-12):
                _fail(s, f"state {slot!r} vs reference", f"max rel. diff {_max_rel(opt.state[r], st_ref[slot]):.3g}")
        done.append("float64 kernel == reference")
        opt32 = Optimizer(s, **hyper)
        p32 = p0.astype(np.float32)
        for g in grads[: min(steps, 30)]:
            opt32.step(p32, g.astype(np.float32), segments=segments)
        p_ref32, _ = _reference_run(s, opt.hyper, opt.active, p0.astype(np.float32).astype(np.float64),
                                    grads[: min(steps, 30)].astype(np.float32).astype(np.float64), segments)
        err32 = np.abs(p32 - p_ref32).max() / np.abs(p_ref32).max()
        if not err32 <= 1e-5:
            _fail(s, "float32 kernel vs float64 reference", f"norm-wise relative difference {err32:.3g} > 1e-5")
        done.append("float32 kernel ~ reference")

        # 2. no recompilation for other hyperparameter values
        kernel = compile_with(s, active=opt.active).opt_step
        n_sigs = len(kernel.signatures)
        other = {k: (v * 0.5 if k == "lr" else v) for k, v in opt.hyper.items()}
        o2 = Optimizer(s, **other)
        q = p0.copy()
        o2.step(q, grads[0], segments=segments)
        if len(kernel.signatures) != n_sigs or o2.active != opt.active:
            _fail(s, "no recompilation", f"{len(kernel.signatures) - n_sigs} new signature(s) on the second call")
        done.append("no recompilation")

        # 3. the minimum of a parabola
        c = np.linspace(1.0, 10.0, 8)
        x = np.linspace(-1.0, 1.0, 8) + 0.3
        f0 = 0.5 * np.sum(c * x * x)
        o3 = Optimizer(s, **dict(parabola_hyper or hyper))
        seg8 = [(0, 3), (3, 8)] if s.update is not None else None
        best = f0
        for _ in range(parabola_steps):
            o3.step(x, c * x, segments=seg8)
            best = min(best, 0.5 * np.sum(c * x * x))
            if best < 1e-3 * f0:
                break
        if not best < 1e-3 * f0:
            _fail(s, "parabola", f"f went from {f0:.3g} only down to {best:.3g} in {parabola_steps} steps "
                  f"with {o3.hyper}")
        done.append("reaches the minimum of a parabola")

        # 4. CUDA vs CPU
        if cuda and s.update is None:
            from numba import cuda as nb_cuda

            m = min(n, 64)
            oc, oh = Optimizer(s, backend="cuda", **hyper), Optimizer(s, **hyper)
            pc, ph = nb_cuda.to_device(p0[:m].copy()), p0[:m].copy()
            for g in grads[:5]:
                oc.step(pc, nb_cuda.to_device(np.ascontiguousarray(g[:m])))
                oh.step(ph, np.ascontiguousarray(g[:m]))
            if not np.allclose(pc.copy_to_host(), ph, rtol=1e-10, atol=1e-13):
                _fail(s, "CUDA kernel vs CPU kernel", f"max rel. diff {_max_rel(pc.copy_to_host(), ph):.3g}")
            done.append("CUDA kernel == CPU kernel")

        # 5. validation
        for name, h in s.hyper.items():
            bad = ["yes"] if h.is_flag else [x for x in _outside(h)]
            for value in bad:
                try:
                    Optimizer(s, **{**hyper, name: value})
                except ValueError as exc:
                    if name not in str(exc):
                        _fail(s, "validation", f"{name}={value!r} raised {exc!r}, which does not name {name!r}")
                else:
                    _fail(s, "validation", f"{name}={value!r} was accepted")
        done.append("rejects invalid hyperparameters")
    return passed


def _outside(h):
    out = [float("nan")]
    if h.low is not None:
        out.append(h.low if h.low_open else h.low - max(1.0, abs(h.low)))
    if h.high is not None:
        out.append(h.high if h.high_open else h.high + max(1.0, abs(h.high)))
    return out


def _max_rel(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def check_surface(spec, *, dims=None, params: dict | None = None, n_points: int = 64, seed: int = 0,
                  fd_rtol: float = 1e-6, min_rtol: float = 1e-9, cuda: bool | None = None) -> list[str]:
    """Check a :class:`~gdlab.surfaces.SurfaceSpec` as gdlab's own surfaces are checked.

    For each dimension in ``dims`` (default: the fixed dimension, or 1, 2 and 5 for n-D
    surfaces):

    1. bounds are finite with lo < hi, the default start is finite and inside them, and every
       listed minimum is finite;
    2. the compiled value and gradient (the kernels sweeps use) equal the plain-Python ``f``
       and ``grad`` evaluated in float64 at ``n_points`` random points of the bounds
       (relative 1e-12);
    3. the gradient matches central finite differences of ``f`` (step ``1e-6 * max(1, |x|)``,
       relative ``fd_rtol`` of the gradient's scale) at the same points;
    4. the first listed minimum has value ``fmin`` and no listed minimum has a lower value
       (relative ``min_rtol``); the gradient vanishes at every listed minimum (relative to
       the gradient's scale over the bounds);
    5. the CUDA sweep kernel (when CUDA or the simulator is available and ``cuda`` is not
       False) reproduces the CPU sweep of a few SGD steps.

    Parameters
    ----------
    spec : SurfaceSpec
    dims : sequence of int, optional
    params : dict, optional
        Surface parameters to check with (default its own).
    n_points : int, default 64
    seed : int, default 0
    fd_rtol, min_rtol : float
        Tolerances of checks 3 and 4.
    cuda : bool or None
        None: check CUDA when available; True: require it; False: skip.

    Returns
    -------
    list of str
        What was checked.

    Raises
    ------
    AssertionError
        Naming the surface, the dimension and the failed check.
    """
    from .surfaces import Surface, SurfaceSpec, sweep

    if not isinstance(spec, SurfaceSpec):
        raise TypeError(f"check_surface takes a SurfaceSpec, got {type(spec).__name__}")
    dims = ([spec.dim] if spec.dim is not None else [1, 2, 5]) if dims is None else list(dims)
    done = []
    rng = np.random.default_rng(seed)

    def fail(d, what, detail):
        raise AssertionError(f"surface {spec.name} ({d}-D): {what}: {detail}")

    for d in dims:
        try:
            s: Surface = spec.resolve(d, **(params or {}))
        except ValueError as exc:
            fail(d, "bounds, minima and start well-formed", exc)
        lo, hi = s.bounds[:, 0], s.bounds[:, 1]
        if np.any(s.x0 < lo) or np.any(s.x0 > hi):
            fail(d, "default start inside the bounds", f"x0 {s.x0.tolist()} vs bounds {s.bounds.tolist()}")
        X = lo + (hi - lo) * rng.random((n_points, d))
        f_py = np.array([spec.f(x, s.theta) for x in X])
        g_py = np.array([[spec.grad(x, s.theta, i) for i in range(d)] for x in X])
        f_c, g_c = s.value(X), s.gradient(X)
        for what, a, b in (("value", f_c, f_py), ("gradient", g_c, g_py)):
            err = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300 + np.max(np.abs(b)) * 1e-12))
            if not err <= 1e-12:
                fail(d, f"compiled {what} equals plain-Python {what}", f"max relative difference {err:.3g}")
        scale = max(1e-300, float(np.max(np.abs(g_py))))
        fd = np.empty_like(g_py)
        for i in range(d):
            h = 1e-6 * np.maximum(1.0, np.abs(X[:, i]))
            E = np.zeros_like(X)
            E[:, i] = h
            fd[:, i] = (np.array([spec.f(x, s.theta) for x in X + E])
                        - np.array([spec.f(x, s.theta) for x in X - E])) / (2 * h)
        err = np.max(np.abs(fd - g_py)) / scale
        if not err <= fd_rtol:
            k = int(np.argmax(np.max(np.abs(fd - g_py), axis=1)))
            fail(d, "gradient against central differences",
                 f"max error {err:.3g} of the gradient scale (at x = {X[k].tolist()}: analytic "
                 f"{g_py[k].tolist()}, finite differences {fd[k].tolist()})")
        if s.minima.shape[0]:
            fm = np.array([spec.f(m, s.theta) for m in s.minima])
            tol = min_rtol * max(1.0, abs(s.fmin))
            if abs(fm[0] - s.fmin) > tol:
                fail(d, "value at the first (global) minimum", f"f{s.minima[0].tolist()} = {fm[0]!r}, fmin = {s.fmin!r}")
            if np.any(fm < s.fmin - tol):
                k = int(np.argmin(fm))
                fail(d, "no minimum below fmin", f"f{s.minima[k].tolist()} = {fm[k]!r} < fmin = {s.fmin!r}")
            gm = np.array([[spec.grad(m, s.theta, i) for i in range(d)] for m in s.minima])
            gerr = np.max(np.abs(gm)) / scale
            if not gerr <= 1e-7:
                k = int(np.argmax(np.max(np.abs(gm), axis=1)))
                fail(d, "gradient vanishes at the minima", f"|grad| at {s.minima[k].tolist()} is "
                     f"{np.abs(gm[k]).max():.3g} ({gerr:.3g} of the gradient scale)")
        elif np.isfinite(s.fmin):
            fail(d, "minima", "fmin is finite but no minimum is listed")
        done.append(f"{d}-D: bounds, value, gradient, minima")
        if cuda is not False and (cuda or cuda_available()):
            starts = X[: min(8, n_points)]
            lr = 1e-3 / max(1.0, scale)
            a = sweep(s, {"sgd": {"lr": lr}}, starts=starts, n_steps=5, backend="cpu", tol=None)
            b = sweep(s, {"sgd": {"lr": lr}}, starts=starts, n_steps=5, backend="cuda", tol=None)
            xa = np.stack([a.table[f"x_{i}"] for i in range(d)], axis=1)
            xb = np.stack([b.table[f"x_{i}"] for i in range(d)], axis=1)
            if not np.allclose(xa, xb, rtol=1e-12, atol=1e-12 * np.max(np.abs(xa)), equal_nan=True):
                fail(d, "CUDA sweep equals the CPU sweep", f"max difference {np.nanmax(np.abs(xa - xb)):.3g}")
            done.append(f"{d}-D: CUDA sweep equals CPU")
    return done

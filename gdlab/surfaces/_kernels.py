"""Generated kernels for surfaces: point evaluation, and trajectories/sweeps of any optimizer.

A sweep runs many configurations (start point x hyperparameters) of one optimizer on one
surface for ``n_steps`` steps. gdlab writes its source for the given surface dimension,
optimizer rule and active state slots (see :mod:`gdlab._jit`):

* **CPU, "blocked" form** (element-wise rules, dim <= :data:`UNROLL_MAX`): configurations go in
  blocks of :data:`BLOCK`, one ``prange`` iteration per block; each coordinate and state slot
  of the block is a contiguous vector, and the loop over the block's configurations is the
  innermost one, so LLVM vectorises *across configurations* (each configuration alone is a
  serial chain of steps). The point is a tuple, the gradient is unrolled component by
  component.
* **CPU, "array" form** (whole-kernel rules such as LAMB, or dim > UNROLL_MAX): one
  configuration per ``prange`` iteration, the point a 1-D array.
* **CUDA**: one thread per configuration, the same scalar rule and surface functions as
  device functions.

A trajectory is a sweep of one configuration that also records every point, loss and
gradient norm, with the very same compiled function: sweeps equal trajectories exactly.
Kernels are compiled with LLVM's ``arcp`` flag only (division by a loop-invariant value may
become multiplication by its reciprocal; results differ from the :class:`~gdlab.optim.Optimizer`
kernels by a few ulp, never in NaN/inf handling).
"""

from __future__ import annotations

import dis
from functools import lru_cache
from types import ModuleType

from .. import _jit
from ..optim._compile import _inject, optimizer_glue
from ..optim._spec import OptimizerSpec

BLOCK = 256
UNROLL_MAX = 8
_FM = "{'arcp'}"

# Counter-based Gaussian noise, identical on every backend and independent of how
# configurations are split into blocks, chunks or threads: a 32-bit integer hash of
# (seed, configuration id, step, coordinate) kept in int64 arithmetic (no overflow in Python,
# Numba or CUDA), then Box-Muller.
_NOISE = '''
def _gdlab_mix32(h):
    h = h & 0xFFFFFFFF
    h = h ^ (h >> 16)
    h = (h * 0x7FEB352D) & 0xFFFFFFFF
    h = h ^ (h >> 15)
    h = (h * 0x2C1B3C6D) & 0xFFFFFFFF
    h = h ^ (h >> 16)
    return h


def _gdlab_normal(seed, cid, t, i):
    h = _gdlab_mix32(seed ^ 0x5BD1E995)
    h = _gdlab_mix32(h ^ (cid & 0xFFFFFFFF))
    h = _gdlab_mix32(h ^ ((cid >> 32) & 0xFFFFFFFF))
    h = _gdlab_mix32(h ^ (t & 0xFFFFFFFF))
    h1 = _gdlab_mix32(h ^ (2 * i))
    h2 = _gdlab_mix32(h1 ^ (2 * i + 1))
    u1 = (h1 + 0.5) * 2.3283064365386963e-10
    u2 = (h2 + 0.5) * 2.3283064365386963e-10
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)
'''


def hyper_read_by(fn, names) -> list[str]:
    """The hyperparameters among ``names`` that ``fn`` reads, in ``names`` order.

    Found in its bytecode (argument and global loads, string constants such as
    ``h["amsgrad"]``, nested code included); every name when ``fn`` has no bytecode or none of
    the names appears (e.g. it hands the dict to a helper), so the answer errs on the safe
    side. Sweeps use it to evaluate ``step_scalars``, ``state_init`` and ``active_state`` once
    per distinct combination of what they read rather than once per configuration.
    """
    return list(_hyper_read_by(fn, tuple(names)))


@lru_cache(maxsize=None)
def _hyper_read_by(fn, names: tuple) -> tuple:
    code = getattr(fn, "__code__", None)
    if code is None:
        return names
    found: set[str] = set()
    todo = [code]
    while todo:
        co = todo.pop()
        for ins in dis.get_instructions(co):
            if ins.opname.startswith("LOAD_"):
                v = ins.argval
                found.update(x for x in (v if isinstance(v, tuple) else (v,)) if isinstance(x, str))
        for c in co.co_consts:
            if isinstance(c, str):
                found.add(c)
            elif hasattr(c, "co_code"):
                todo.append(c)
    used = tuple(n for n in names if n in found)
    return used or names


def scalar_dependencies(spec: OptimizerSpec) -> set[str]:
    """Hyperparameters the optimizer's per-step scalars depend on."""
    if spec.step_scalars is None:
        return set()
    return set(hyper_read_by(spec.step_scalars, list(spec.hyper)))


def _surface_glue(cuda: bool) -> str:
    # CPU: f and grad are inlined by Numba (``inline="always"``) so that the kernel's ``arcp``
    # flag reaches them and LLVM vectorises across configurations (an ordinary njit call is
    # 5x slower here); the noise, slow anyway, stays a call (half the compile time).
    if cuda:
        jit = {n: "cuda.jit(device=True, inline=True)" for n in ("mix", "f")}
    else:
        jit = {"mix": "njit(nogil=True)", "f": "njit(inline='always')"}
    return "\n".join(f"{name} = {jit[kind]}({src})" for name, kind, src in (
        ("_gdlab_mix32", "mix", "_gdlab_mix32"), ("_normal", "mix", "_gdlab_normal"),
        ("_f", "f", "_gdlab_f"), ("_grad", "f", "_gdlab_grad"))) + "\n"


def _surface_inject(surface) -> dict:
    return {"_gdlab_f": surface.f, "_gdlab_grad": surface.grad}


# ---------------------------------------------------------------------------------------
# Point evaluation

# Serial: plots and checks evaluate at most ~1e6 points, and a parallel kernel takes several
# times longer to compile than it would save.
_POINTS = '''
@njit(cache=True, nogil=True)
def values(X, theta, out):
    """f at the columns of X (d, n)."""
    for k in range(X.shape[1]):
        out[k] = _f(X[:, k], theta)


@njit(cache=True, nogil=True)
def gradients(X, theta, out):
    """Gradient at the columns of X (d, n) into out (d, n)."""
    for k in range(X.shape[1]):
        x = X[:, k]
        for i in range(X.shape[0]):
            out[i, k] = _grad(x, theta, i)
'''


@lru_cache(maxsize=None)
def surface_kernels(surface) -> ModuleType:
    """Module with ``values(X, theta, out)`` and ``gradients(X, theta, out)`` for ``surface``
    in any dimension (the point is a column view of X)."""
    source = "\n".join([_jit._PREAMBLE, _NOISE, _surface_glue(False), _POINTS])
    return _jit.load_generated(f"surface_{surface.name}", source, _surface_inject(surface))


# ---------------------------------------------------------------------------------------
# Sweeps


class _Plan:
    """Names and lines shared by the three sweep generators."""

    def __init__(self, opt: OptimizerSpec, active: tuple[str, ...], dim: int, per_config: bool,
                 noise: bool, fixed: tuple, parallel: bool = True, record: bool | None = None):
        self.opt, self.active, self.d = opt, active, dim
        self.parallel, self.record = parallel, record
        self.per_config, self.noise = per_config, noise
        self.nh, self.nsc = len(opt.hyper), len(opt.scalars)
        self.row = {s: r for r, s in enumerate(active)}
        self.fixed = dict(fixed)
        self.rule = "_srule"  # CUDA: "_rule"

    def hyper(self, fmt: str) -> list[str]:
        """The rule's hyperparameter arguments: literals for the fixed ones (so that LLVM
        drops the branches they select), else ``fmt.format(q=index)``."""
        return [repr(float(self.fixed[q])) if q in self.fixed else fmt.format(q=q) for q in range(self.nh)]

    def rule_call(self, p, g, state, hyp, scs, indent):
        """Lines applying the element-wise rule to coordinate ``p``; the new value is ``p``."""
        outs = [f"_s{k}" if s in self.row else "_" for k, s in enumerate(self.opt.state)]
        ins = [state(self.row[s]) if s in self.row else "0.0" for s in self.opt.state]
        lhs = ", ".join(["p"] + outs) + ("," if not outs else "")
        lines = [f"{lhs} = {self.rule}({', '.join([p, g] + ins + hyp + scs)})"]
        lines += [f"{state(self.row[s])} = _s{k}" for k, s in enumerate(self.opt.state) if s in self.row]
        return [indent + x for x in lines]

    def scalars(self, hyp, t, indent, fn="_scalars_exact"):
        """Lines computing the step scalars of one configuration. On the CPU they call a
        separately compiled function (no ``arcp``), so that they equal :func:`scalar_table`'s."""
        if self.nsc == 0:
            return []
        cs = ", ".join(f"c{q}" for q in range(self.nsc)) + ("," if self.nsc == 1 else "")
        return [f"{indent}{cs} = {fn}({t}, {', '.join(hyp)})"]


_SIGNATURE = ("X, H, S, SC, cid, theta, n_steps, thr, sigma, seed, out_f, out_hit, "
              "P, L, G")

_DOC = '''    """{what}

    X (d, n) starts, replaced by the final points; H (n_hyper, n) hyperparameters; S
    (n_state, d, n) optimizer state, updated; SC (n_steps, n_scalars) per-step scalars when
    they are the same for every configuration (else computed per configuration); cid (n,)
    configuration ids (seed the gradient noise of N(0, sigma^2)); thr = fmin + tol; out_f (n,)
    final loss; out_hit (n,) first step whose loss is <= thr, else -1; P (r, n_steps+1, d),
    L and G (r, n_steps+1) record points, losses and gradient norms when r = n (else r = 0).
    """'''


def _blocked_source(plan: _Plan) -> str:
    d, na = plan.d, len(plan.active)
    xs = [f"x{i}" for i in range(d)]
    hyp = plan.hyper("h{q}[k]")
    scs = [f"c{q}" for q in range(plan.nsc)]
    tup = "(" + ", ".join(f"{x}[k]" for x in xs) + ("," if d == 1 else "") + ")"

    def point(ind):  # loss and (noisy) gradient at the block's k-th point
        lines = [f"x = {tup}", "f = _f(x, theta)"]
        lines += [f"g{i} = _grad(x, theta, {i})" for i in range(d)]
        if plan.noise:
            lines += [f"g{i} += sigma * _normal(seed, cid[lo + k], t, {i})" for i in range(d)]
        lines += ["hit[k] = t if hit[k] < 0 and f <= thr else hit[k]"]  # branch-free
        return [ind + x for x in lines]

    def record(ind):
        lines = [f"P[lo + k, t, {i}] = {x}[k]" for i, x in enumerate(xs)]
        lines += ["L[lo + k, t] = f",
                  "G[lo + k, t] = math.sqrt(" + " + ".join(f"g{i} * g{i}" for i in range(d)) + ")"]
        return [ind + x for x in lines]

    def steps(rec):  # the loop over steps; with rec, the same arithmetic plus the records
        ind = " " * 16
        lines = ["            for t in range(n_steps):"]
        if plan.nsc and not plan.per_config:
            lines += [f"                c{q} = SC[t, {q}]" for q in range(plan.nsc)]
        lines += ["                for k in range(m):"]
        lines += point(ind + "    ") + (record(ind + "    ") if rec else [])
        if plan.per_config:
            lines += plan.scalars(hyp, "t + 1", ind + "    ")
        for i, x in enumerate(xs):
            lines += plan.rule_call(f"{x}[k]", f"g{i}", lambda r, i=i: f"a{r}_{i}[k]", hyp, scs, ind + "    ")
            lines += [f"{ind}    {x}[k] = p"]
        return lines

    L = [f"@njit(cache=True, parallel={plan.parallel}, nogil=True, fastmath=" + _FM + ")",
         f"def sweep({_SIGNATURE}):", _DOC.format(what="Blocked CPU sweep (vectorised across configurations)."),
         "    n = X.shape[1]",
         "    rec = P.shape[0] > 0",
         f"    for b in prange((n + {BLOCK} - 1) // {BLOCK}):",
         f"        lo = b * {BLOCK}",
         f"        m = min({BLOCK}, n - lo)"]
    L += [f"        {x} = X[{i}, lo:lo + m].copy()" for i, x in enumerate(xs)]
    L += [f"        a{r}_{i} = S[{r}, {i}, lo:lo + m].copy()" for r in range(na) for i in range(d)]
    L += [f"        h{q} = H[{q}, lo:lo + m]" for q in range(plan.nh) if q not in plan.fixed]
    L += ["        hit = np.full(m, -1, np.int64)"]
    if plan.record is None:  # both loops; the arrays passed pick one
        L += ["        if rec:"] + ["    " + x for x in steps(True)] + ["        else:"] + ["    " + x for x in steps(False)]
    else:                    # only the loop this kernel is built for (half the code to compile)
        L += [x[4:] for x in steps(plan.record)]
    L += ["        t = n_steps",
          "        for k in range(m):"] + point(" " * 12)
    L += ["            if rec:"] + record(" " * 16)
    L += ["            out_f[lo + k] = f"]
    L += [f"        X[{i}, lo:lo + m] = {x}" for i, x in enumerate(xs)]
    L += [f"        S[{r}, {i}, lo:lo + m] = a{r}_{i}" for r in range(na) for i in range(d)]
    L += ["        out_hit[lo:lo + m] = hit"]
    return "\n".join(L) + "\n"


def _array_source(plan: _Plan) -> str:
    d, opt = plan.d, plan.opt
    hyp = plan.hyper("hv[{q}]")
    scs = [f"c{q}" for q in range(plan.nsc)]
    L = [f"@njit(cache=True, parallel={plan.parallel}, nogil=True, fastmath=" + _FM + ")",
         f"def sweep({_SIGNATURE}):", _DOC.format(what="CPU sweep, one configuration per prange iteration."),
         "    n = X.shape[1]",
         "    rec = P.shape[0] > 0",
         "    for k in prange(n):",
         "        x = X[:, k].copy()",
         f"        g = np.empty({d})",
         "        st = S[:, :, k].copy()",
         "        hv = H[:, k].copy()",
         "        hit = -1",
         "        for t in range(n_steps + 1):",
         "            f = _f(x, theta)",
         "            gn = 0.0",
         f"            for i in range({d}):",
         "                g[i] = _grad(x, theta, i)"]
    if plan.noise:
        L += ["                g[i] += sigma * _normal(seed, cid[k], t, i)"]
    L += ["                gn += g[i] * g[i]",
          "            if hit < 0 and f <= thr:",
          "                hit = t",
          "            if rec:",
          "                P[k, t, :] = x",
          "                L[k, t] = f",
          "                G[k, t] = math.sqrt(gn)",
          "            if t == n_steps:",
          "                out_f[k] = f",
          "                break"]
    if plan.nsc:
        if plan.per_config:
            L += plan.scalars(hyp, "t + 1", " " * 12)
        else:
            L += [f"            c{q} = SC[t, {q}]" for q in range(plan.nsc)]
    if opt.update is not None:
        sc_tuple = "(" + ", ".join(scs) + ("," if len(scs) == 1 else "") + ")" if scs else "()"
        L += [f"            _update(x, g, st, hv, {sc_tuple})"]
    else:
        L += [f"            for i in range({d}):"]
        L += plan.rule_call("x[i]", "g[i]", lambda r: f"st[{r}, i]", hyp, scs, " " * 16)
        L += ["                x[i] = p"]
    L += ["        X[:, k] = x",
          "        S[:, :, k] = st",
          "        out_hit[k] = hit"]
    return "\n".join(L) + "\n"


_CUDA_HEAD = '''\
# CUDA sweep of optimizer {name!r} (preset {preset!r}) on a {d}-D surface; generated by gdlab.
import math
import numpy as np
from numba import cuda

'''


def _cuda_source(plan: _Plan) -> str:
    d, na = plan.d, len(plan.active)
    hyp = plan.hyper("h{q}")
    scs = [f"c{q}" for q in range(plan.nsc)]
    local = d > UNROLL_MAX
    L = ["@cuda.jit", f"def sweep_cuda({_SIGNATURE}):",
         _DOC.format(what="CUDA sweep, one thread per configuration."),
         "    k = cuda.grid(1)",
         "    if k >= X.shape[1]:",
         "        return",
         "    rec = P.shape[0] > 0"]
    L += [f"    h{q} = H[{q}, k]" for q in range(plan.nh) if q not in plan.fixed]
    if local:
        L += [f"    x = cuda.local.array({d}, np.float64)",
              f"    g = cuda.local.array({d}, np.float64)",
              f"    st = cuda.local.array(({max(na, 1)}, {d}), np.float64)",
              f"    for i in range({d}):",
              "        x[i] = X[i, k]"]
        L += [f"        st[{r}, i] = S[{r}, i, k]" for r in range(na)]
    else:
        L += [f"    x{i} = X[{i}, k]" for i in range(d)]
        L += [f"    a{r}_{i} = S[{r}, {i}, k]" for r in range(na) for i in range(d)]
    L += ["    hit = -1",
          "    for t in range(n_steps + 1):"]
    if local:
        L += ["        f = _f(x, theta)",
              "        gn = 0.0",
              f"        for i in range({d}):",
              "            g[i] = _grad(x, theta, i)"]
        if plan.noise:
            L += ["            g[i] += sigma * _normal(seed, cid[k], t, i)"]
        L += ["            gn += g[i] * g[i]"]
    else:
        tup = "(" + ", ".join(f"x{i}" for i in range(d)) + ("," if d == 1 else "") + ")"
        L += [f"        x = {tup}", "        f = _f(x, theta)"]
        L += [f"        g{i} = _grad(x, theta, {i})" for i in range(d)]
        if plan.noise:
            L += [f"        g{i} += sigma * _normal(seed, cid[k], t, {i})" for i in range(d)]
        L += ["        gn = " + " + ".join(f"g{i} * g{i}" for i in range(d))]
    L += ["        if hit < 0 and f <= thr:",
          "            hit = t",
          "        if rec:"]
    if local:
        L += [f"            for i in range({d}):", "                P[k, t, i] = x[i]"]
    else:
        L += [f"            P[k, t, {i}] = x{i}" for i in range(d)]
    L += ["            L[k, t] = f",
          "            G[k, t] = math.sqrt(gn)",
          "        if t == n_steps:",
          "            out_f[k] = f",
          "            break"]
    if plan.nsc:
        if plan.per_config:
            L += plan.scalars(hyp, "t + 1", " " * 8, fn="_scalars")
        else:
            L += [f"        c{q} = SC[t, {q}]" for q in range(plan.nsc)]
    if local:
        L += [f"        for i in range({d}):"]
        L += plan.rule_call("x[i]", "g[i]", lambda r: f"st[{r}, i]", hyp, scs, " " * 12)
        L += ["            x[i] = p"]
        L += [f"    for i in range({d}):", "        X[i, k] = x[i]"]
        L += [f"        S[{r}, i, k] = st[{r}, i]" for r in range(na)]
    else:
        for i in range(d):
            L += plan.rule_call(f"x{i}", f"g{i}", lambda r, i=i: f"a{r}_{i}", hyp, scs, " " * 8)
            L += [f"        x{i} = p"]
        L += [f"    X[{i}, k] = x{i}" for i in range(d)]
        L += [f"    S[{r}, {i}, k] = a{r}_{i}" for r in range(na) for i in range(d)]
    L += ["    out_hit[k] = hit"]
    return "\n".join(L) + "\n"


_TABLE = '''
@njit(cache=True, nogil=True)
def scalar_table(hyper, n_steps):
    """Per-step scalars of steps 1 .. n_steps, shape (n_steps, n_scalars)."""
    out = np.empty((n_steps, {nsc}))
    for t in range(n_steps):
        sc = opt_scalars(t + 1, hyper)
        for q in range({nsc}):
            out[t, q] = sc[q]
    return out
'''


@lru_cache(maxsize=None)
def sweep_kernels(surface, dim: int, opt: OptimizerSpec, active: tuple[str, ...],
                  per_config: bool, noise: bool, fixed: tuple = (), target: str = "cpu",
                  parallel: bool = True, record: bool | None = None) -> ModuleType:
    """Module with the sweep kernel of one (surface, dimension, optimizer, active slots).

    ``per_config``: step scalars differ between configurations (computed in the loop);
    ``noise``: add gradient noise; ``fixed``: ``((index, value), ...)`` flags equal in every
    configuration, written into the kernel as literals (the branches they select disappear,
    e.g. AMSGrad's second square root; the arithmetic is unchanged, so results are identical).

    ``target="cpu"`` gives ``sweep`` (blocked or array form) and ``scalar_table``;
    ``target="cuda"`` gives ``sweep_cuda``. ``parallel=False`` compiles the same CPU source
    without ``prange`` parallelism: the same arithmetic in a fourth of the compile time, used
    for small batches (trajectories, at most one block, few coordinates), where ``prange``
    has little or nothing to share out. ``record`` (serial blocked kernels only): build only the loop that
    records every step (True) or only the one that does not (False); None builds both.

    Raises
    ------
    NotImplementedError
        For a whole-kernel rule on CUDA.
    """
    parallel = parallel or target == "cuda"
    plan = _Plan(opt, active, dim, per_config, noise, fixed, parallel, None if parallel else record)
    if target == "cuda":
        plan.rule = "_rule"
    inject = {**_inject(opt, "float64"), **_surface_inject(surface)}
    tag = f"{surface.name}_{dim}d_{opt.name.replace('-', '_')}_{opt.preset}"
    if not plan.parallel:
        tag += "_serial" + {None: "", True: "_rec", False: "_norec"}[plan.record]
    if target == "cuda":
        if opt.update is not None:
            raise NotImplementedError(f"{opt.name}: whole-kernel rules have no CUDA sweep kernel")
        head = _CUDA_HEAD.format(name=opt.name, preset=opt.preset, d=dim)
        rule = ("_rule = cuda.jit(device=True, inline=True)(_gdlab_rule)\n"
                + ("_scalars = cuda.jit(device=True, inline=True)(_gdlab_scalars)\n"
                   if opt.step_scalars is not None else ""))
        source = "\n".join([head, _NOISE, _surface_glue(True), rule, _cuda_source(plan)])
        return _jit.load_generated(tag + "_cuda", source, inject)
    blocked = opt.update is None and dim <= UNROLL_MAX
    body = _blocked_source(plan) if blocked else _array_source(plan)
    srule = "\n_srule = _rule\n" if opt.rule is not None else ""
    if plan.nsc:
        table = _TABLE.format(nsc=plan.nsc) + "\n_scalars_exact = njit(nogil=True)(_gdlab_scalars)\n"
    else:
        table = "\n@njit(cache=True)\ndef scalar_table(hyper, n_steps):\n    return np.empty((n_steps, 0))\n"
    source = "\n".join([_jit._PREAMBLE, _NOISE, _surface_glue(False),
                        optimizer_glue(opt, active, "float64"), srule, table, body])
    return _jit.load_generated(tag, source, inject)

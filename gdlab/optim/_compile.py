"""Compile an optimizer spec's scalar rule into kernels (see :mod:`gdlab._jit`).

:func:`optimizer_glue` writes the source of three functions for one spec and one set of
active state slots; every kernel template that applies an optimizer calls them:

``opt_scalars(t, hyper)``
    the per-step scalars of step ``t`` (bias corrections, schedules);
``opt_update(params, grads, state, hyper, sc, lo, hi)``
    one step on ``params[lo:hi]``, serial (inside other kernels, e.g. the MLP training loop);
``opt_step(params, grads, state, hyper, t, seg_lo, seg_hi)``
    one step on the whole flat vector, parallel over elements (or over the segments
    ``[seg_lo[k], seg_hi[k])`` for whole-kernel rules).

``state`` holds only the active slots (rows in the order of ``spec.state``); inactive slots are
passed to the rule as 0.0 and their results dropped. :func:`cuda_kernels` builds the same
rule as a ``numba.cuda`` grid-stride kernel.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import lru_cache
from types import ModuleType

import numpy as np

from .. import _config, _jit
from ._spec import OptimizerSpec

_DTYPES = {"float32": "np.float32", "float64": "np.float64"}


class _NumbersIn(ast.NodeTransformer):
    """Wraps every int/float literal as ``_gdlab_F(literal)``."""

    def visit_Constant(self, node):
        if type(node.value) in (int, float):
            call = ast.Call(func=ast.Name("_gdlab_F", ast.Load()), args=[node], keywords=[])
            return ast.copy_location(call, node)
        return node


@lru_cache(maxsize=None)
def rule_in_dtype(rule, dtype: str):
    """The scalar ``rule`` with its arithmetic in ``dtype``.

    Float64 rules are returned as they are. For float32, every numeric literal is wrapped
    as ``np.float32(...)`` (a literal like ``1.0`` is float64 in Numba and would promote
    the whole expression), so that with float32 inputs the rule computes in float32, as
    PyTorch's float32 kernels do: twice the SIMD width, and memory-bound again.
    """
    if dtype == "float64":
        return rule
    tree = ast.parse(textwrap.dedent(inspect.getsource(rule)))
    fdef = tree.body[0]
    fdef.decorator_list = []
    fdef.body = [_NumbersIn().visit(stmt) for stmt in fdef.body]
    ast.fix_missing_locations(tree)
    ast.increment_lineno(tree, rule.__code__.co_firstlineno - 1)
    scope = dict(rule.__globals__, _gdlab_F=getattr(np, dtype))
    exec(compile(tree, inspect.getsourcefile(rule) or "<rule>", "exec"), scope)
    return scope[fdef.name]

_GLUE = '''\
# Optimizer {name!r} (preset {preset!r}), active state slots {active}, arithmetic in {dtype}.
_F = {F}
{jits}

@njit(cache=True, fastmath={fm}, nogil=True)
def opt_scalars(t, hyper):
    """Per-step scalars of step ``t`` (1-based), computed once per step."""
    return {scalars_call}


@njit(cache=True, fastmath={fm}, nogil=True, error_model="numpy")
def opt_update(params, grads, state, hyper, sc, lo, hi):
    """Apply one step to ``params[lo:hi]`` in place (serial, for use inside other kernels).
    NumPy's error model: a division by zero gives inf/nan (caught by the callers' finiteness
    checks) instead of a per-element check that keeps LLVM from vectorising the loop."""
{update_body}


@njit(cache=True, parallel=True, fastmath={fm}, nogil=True)
def opt_step(params, grads, state, hyper, t, seg_lo, seg_hi):
    """Apply step ``t`` to the whole flat vector in place, in parallel."""
    sc = opt_scalars(t, hyper)
{step_body}
'''

_CUDA = '''\
# CUDA kernel of optimizer {name!r} (preset {preset!r}), active state slots {active}, {dtype}.
import numpy as np
from numba import cuda

_F = {F}

_rule = cuda.jit(device=True, inline=True)(_gdlab_rule)


@cuda.jit
def opt_step_cuda(params, grads, state, hyper, sc):
    """One step on device arrays, one grid-stride loop over the elements."""
{unpack}
    for i in range(cuda.grid(1), params.shape[0], cuda.gridsize(1)):
{body}
'''


def _names(spec: OptimizerSpec, active: tuple[str, ...]):
    hyp = [f"h{k}" for k in range(len(spec.hyper))]
    scs = [f"c{k}" for k in range(len(spec.scalars))]
    unpack = [f"    {h} = _F(hyper[{k}])" for k, h in enumerate(hyp)]
    unpack += [f"    {c} = _F(sc[{k}])" for k, c in enumerate(scs)]
    return hyp, scs, unpack


def _elementwise_body(spec, active, hyp, scs, p, g, state_of, indent):
    """Lines calling the rule on element ``i`` and storing the active results."""
    row = {s: k for k, s in enumerate(active)}
    outs = [f"s{k}" if s in row else "_" for k, s in enumerate(spec.state)]
    ins = [state_of(row[s]) if s in row else "_F(0.0)" for s in spec.state]
    lhs = ", ".join(["p"] + outs) + ("," if not outs else "")
    lines = [f"{lhs} = _rule({', '.join([f'{p}[i]', f'{g}[i]'] + ins + hyp + scs)})", f"{p}[i] = p"]
    lines += [f"{state_of(row[s])} = s{k}" for k, s in enumerate(spec.state) if s in row]
    return [indent + x for x in lines]


def optimizer_glue(spec: OptimizerSpec, active: tuple[str, ...] | None = None,
                   dtype: str = "float64") -> str:
    """Python source defining ``opt_scalars``, ``opt_update`` and ``opt_step`` for ``spec``.

    Parameters
    ----------
    spec : OptimizerSpec
    active : tuple of str, optional
        Active state slots (default: all of ``spec.state``).
    dtype : {"float32", "float64"}, default "float64"
        Parameter dtype: hyperparameters and step scalars are cast to it, and the rule
        computes in it (see :func:`rule_in_dtype`).

    The rule, step-scalar and update functions are referenced as ``_gdlab_rule``,
    ``_gdlab_scalars`` and ``_gdlab_update``, which :func:`compile_with` injects.
    """
    active = spec.state if active is None else tuple(active)
    hyp, scs, unpack = _names(spec, active)
    fm = _config.FASTMATH
    jits = []
    if spec.step_scalars is not None:
        jits.append(f"_scalars = njit(inline='always', fastmath={fm})(_gdlab_scalars)")
        scalars_call = f"_scalars(t, {', '.join(f'hyper[{k}]' for k in range(len(hyp)))})"
    else:
        scalars_call = "()"
    if spec.update is not None:  # whole-kernel rule: one call per tensor (segment)
        jits.append(f"_update = njit(fastmath={fm}, nogil=True)(_gdlab_update)")
        update_body = ["    _update(params[lo:hi], grads[lo:hi], state[:, lo:hi], hyper, sc)"]
        step_body = ["    for k in prange(seg_lo.shape[0]):",
                     "        lo, hi = seg_lo[k], seg_hi[k]",
                     "        _update(params[lo:hi], grads[lo:hi], state[:, lo:hi], hyper, sc)"]
    else:
        jits.append(f"_rule = njit(inline='always', fastmath={fm})(_gdlab_rule)")
        # Loop over 1-D views from 0: an index that may be negative gets a wraparound check
        # that stops LLVM from vectorising the loop (5x slower).
        update_body = ["    p_ = params[lo:hi]", "    g_ = grads[lo:hi]"]
        update_body += [f"    a{r}_ = state[{r}, lo:hi]" for r in range(len(active))]
        update_body += unpack + ["    for i in range(hi - lo):"]
        update_body += _elementwise_body(spec, active, hyp, scs, "p_", "g_", lambda r: f"a{r}_[i]", " " * 8)
        step_body = unpack + ["    for i in prange(params.shape[0]):"]
        step_body += _elementwise_body(spec, active, hyp, scs, "params", "grads",
                                       lambda r: f"state[{r}, i]", " " * 8)
    return _GLUE.format(name=spec.name, preset=spec.preset, active=active, fm=fm,
                        dtype=dtype, F=_DTYPES[dtype],
                        jits="\n".join(jits), scalars_call=scalars_call,
                        update_body="\n".join(update_body), step_body="\n".join(step_body))


def compile_with(spec: OptimizerSpec, *templates: str, active: tuple[str, ...] | None = None,
                 dtype="float64", deterministic: bool | None = None) -> ModuleType:
    """Module holding ``spec``'s kernels, followed by kernel templates if given.

    Parameters
    ----------
    spec : OptimizerSpec
        The optimizer whose rule is compiled.
    *templates : str
        Paths, relative to the gdlab package, of kernel templates whose code calls
        ``opt_scalars`` / ``opt_update`` (e.g. ``"models/_mlp_train.py"``).
    active : tuple of str, optional
        Active state slots (``spec.active(hyper)``); default all.
    dtype : {"float32", "float64"} or numpy dtype, default "float64"
        Dtype of the parameters the kernels will see (the arithmetic is done in it).
    deterministic : bool, optional
        Matrix products of the templates in gdlab's deterministic GEMM (True) or OpenBLAS
        (False); default the mode in force (``GDLAB_DETERMINISTIC``,
        :func:`gdlab._config.deterministic_mode`).

    Returns
    -------
    module
        With ``opt_scalars``, ``opt_update``, ``opt_step`` (see the module docstring) and the
        templates' functions. Built once per (spec, active slots, templates) and process;
        Numba's cache keeps the machine code across processes, so a second run does not
        recompile.
    """
    dtype = np.dtype(dtype).name
    if dtype not in _DTYPES:
        raise TypeError(f"optimizer kernels take float32 or float64 parameters, got {dtype}")
    if deterministic is None:
        deterministic = _config.deterministic()
    return _compile_cached(spec, spec.state if active is None else tuple(active), dtype, templates,
                           bool(deterministic))


def _inject(spec: OptimizerSpec, dtype: str) -> dict:
    inject = {}
    rule = None if spec.rule is None else rule_in_dtype(spec.rule, dtype)
    for key, fn in (("_gdlab_rule", rule), ("_gdlab_scalars", spec.step_scalars),
                    ("_gdlab_update", spec.update)):
        if fn is not None:
            inject[key] = fn
    return inject


@lru_cache(maxsize=None)
def _compile_cached(spec: OptimizerSpec, active: tuple, dtype: str, templates: tuple,
                    deterministic: bool) -> ModuleType:
    tag = "_".join([spec.name.replace("-", "_"), spec.preset, dtype]
                   + [t.rsplit("/", 1)[-1][:-3].strip("_") for t in templates])
    return _jit.kernel_module(tag, templates, optimizer_glue(spec, active, dtype), _inject(spec, dtype),
                              deterministic=deterministic)


@lru_cache(maxsize=None)
def cuda_kernels(spec: OptimizerSpec, active: tuple[str, ...], dtype: str = "float64") -> ModuleType:
    """Module with ``opt_step_cuda(params, grads, state, hyper, sc)``, a ``numba.cuda`` kernel
    applying ``spec``'s scalar rule with a grid-stride loop (step scalars computed on the host).

    Raises
    ------
    NotImplementedError
        For whole-kernel (non element-wise) rules.
    """
    if spec.update is not None:
        raise NotImplementedError(f"{spec.name}: whole-kernel rules have no CUDA kernel yet")
    hyp, scs, unpack = _names(spec, active)
    body = _elementwise_body(spec, active, hyp, scs, "params", "grads", lambda r: f"state[{r}, i]", " " * 8)
    source = _CUDA.format(name=spec.name, preset=spec.preset, active=active, dtype=dtype,
                          F=_DTYPES[dtype], unpack="\n".join(unpack), body="\n".join(body))
    tag = f"{spec.name.replace('-', '_')}_{spec.preset}_{dtype}_cuda"
    return _jit.load_generated(tag, source.replace("cache=True", ""), _inject(spec, dtype))

"""Compile an optimizer spec's scalar rule into kernels (see :mod:`gdlab._jit`)."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from .. import _config, _jit
from ._spec import OptimizerSpec

_GLUE = '''\
# Optimizer {name!r}: its rule applied over a flat parameter vector.
_rule = njit(inline="always", fastmath={fm})(_gdlab_rule)
{scalars_jit}

@njit(cache=True, fastmath={fm}, nogil=True)
def opt_scalars(t, hyper):
    """Per-step scalars of step ``t`` (1-based), computed once per step."""
    return {scalars_call}


@njit(cache=True, fastmath={fm}, nogil=True)
def opt_update(params, grads, state, hyper, sc, lo, hi):
    """Apply one step to ``params[lo:hi]`` in place (serial, for use inside other kernels)."""
    # Loop over views from 0: an index that may be negative gets a wraparound check that
    # stops LLVM from vectorising the loop (5x slower).
    p_ = params[lo:hi]
    g_ = grads[lo:hi]
{views}
{unpack}
    for i in range(hi - lo):
{vbody}


@njit(cache=True, parallel=True, fastmath={fm}, nogil=True)
def opt_step(params, grads, state, hyper, t):
    """Apply step ``t`` to the whole flat vector in place, in parallel."""
    sc = opt_scalars(t, hyper)
{unpack}
    for i in prange(params.shape[0]):
{body}

'''


def optimizer_glue(spec: OptimizerSpec) -> str:
    """Python source defining ``opt_scalars``, ``opt_update`` and ``opt_step`` for ``spec``.

    The rule and step-scalar functions are referenced as ``_gdlab_rule`` and
    ``_gdlab_scalars``, which :func:`compile_with` injects into the module namespace.
    """
    n_h, n_s, n_c = len(spec.hyper), len(spec.state), len(spec.scalars)
    hyp = [f"h{k}" for k in range(n_h)]
    scs = [f"c{k}" for k in range(n_c)]
    sts = [f"s{k}" for k in range(n_s)]
    unpack = [f"    {h} = hyper[{k}]" for k, h in enumerate(hyp)]
    unpack += [f"    {c} = sc[{k}]" for k, c in enumerate(scs)]
    args = ["params[i]", "grads[i]"] + [f"state[{k}, i]" for k in range(n_s)] + hyp + scs
    body = [f"        p, {''.join(s + ', ' for s in sts)}= _rule({', '.join(args)})", "        params[i] = p"]
    body += [f"        state[{k}, i] = {s}" for k, s in enumerate(sts)]
    # the same on 1-D views p_, g_, s0_, ... of the segment (see opt_update)
    views = [f"    {s}_ = state[{k}, lo:hi]" for k, s in enumerate(sts)]
    vargs = ["p_[i]", "g_[i]"] + [f"{s}_[i]" for s in sts] + hyp + scs
    vbody = [f"        p, {''.join(s + ', ' for s in sts)}= _rule({', '.join(vargs)})", "        p_[i] = p"]
    vbody += [f"        {s}_[i] = {s}" for s in sts]
    if n_c:
        scalars_jit = f"_scalars = njit(inline='always', fastmath={_config.FASTMATH})(_gdlab_scalars)"
        scalars_call = f"_scalars(t, {', '.join(f'hyper[{k}]' for k in range(n_h))})"
    else:
        scalars_jit, scalars_call = "", "()"
    return _GLUE.format(
        name=spec.name,
        fm=_config.FASTMATH,
        scalars_jit=scalars_jit,
        scalars_call=scalars_call,
        unpack="\n".join(unpack) or "    pass",
        body="\n".join(body),
        views="\n".join(views),
        vbody="\n".join(vbody),
    )


def compile_with(spec: OptimizerSpec, *templates: str) -> ModuleType:
    """Module holding ``spec``'s kernels, followed by kernel templates if given.

    Parameters
    ----------
    spec : OptimizerSpec
        The optimizer whose rule is compiled.
    *templates : str
        Paths, relative to the gdlab package, of kernel templates whose code calls
        ``opt_scalars`` / ``opt_update`` (e.g. ``"models/_mlp_train.py"``).

    Returns
    -------
    module
        With ``opt_scalars(t, hyper)``, ``opt_update(params, grads, state, hyper, sc, lo,
        hi)``, ``opt_step(params, grads, state, hyper, t)`` and the templates' functions.
        Built once per (spec, templates) and process; Numba's cache keeps the machine code
        across processes, so a second run does not recompile.
    """
    return _compile_cached(spec, templates)


@lru_cache(maxsize=None)
def _compile_cached(spec: OptimizerSpec, templates: tuple) -> ModuleType:
    tag = "_".join([spec.name.replace("-", "_")] + [t.rsplit("/", 1)[-1][:-3].strip("_") for t in templates])
    inject = {"_gdlab_rule": spec.rule}
    if spec.step_scalars is not None:
        inject["_gdlab_scalars"] = spec.step_scalars
    return _jit.kernel_module(tag, templates, optimizer_glue(spec), inject)

"""Adam presets, AdamW, Adamax, NAdam, RAdam and LAMB: compiled kernels against float64 NumPy
references, live parity with PyTorch / Keras 3 / optax / scikit-learn, and special behaviours."""

import contextlib
import math
import os
import sys

import numpy as np
import pytest

from gdlab.optim import Optimizer, compile_with, cuda_available
from gdlab.optim._adam import ADAM
from gdlab.optim._adamax import ADAMAX
from gdlab.optim._adamw import ADAMW
from gdlab.optim._lamb import LAMB
from gdlab.optim._nadam import NADAM, nadam_scalars
from gdlab.optim._radam import RADAM

# Keras 3 under NumPy 2 warns about __array__(copy=...) when reading variables back
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

N = 120
N_STEPS = 100
SEGMENTS = [(0, 50), (50, 51), (51, N)]  # LAMB: three tensors, one of a single element
RTOL = 1e-10
ATOL = 1e-13

CONFIGS = {
    "adam": [
        dict(),
        dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6),
        dict(lr=0.01, weight_decay=0.05),
        dict(lr=0.003, maximize=True, weight_decay=0.01),
        dict(lr=0.01, amsgrad=True, weight_decay=0.01),
        dict(lr=0.01, amsgrad=True, maximize=True),
    ],
    "adamw": [
        dict(),
        dict(lr=0.01, weight_decay=0.1),
        dict(lr=0.01, weight_decay=0.0, betas=(0.8, 0.99), eps=1e-6),
        dict(lr=0.01, amsgrad=True, weight_decay=0.05),
        dict(lr=0.003, maximize=True),
    ],
    "adamax": [
        dict(),
        dict(lr=0.01, weight_decay=0.05),
        dict(lr=0.01, betas=(0.8, 0.99), eps=1e-3),
        dict(maximize=True, weight_decay=0.01),
    ],
    "nadam": [
        dict(),
        dict(lr=0.01, weight_decay=0.05),
        dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True),
        dict(lr=0.005, betas=(0.8, 0.99), eps=1e-6, momentum_decay=0.01),
        dict(maximize=True, momentum_decay=0.0),
        dict(lr=0.01, momentum_decay=1.0, decoupled_weight_decay=True, weight_decay=0.01),
    ],
    "radam": [
        dict(),
        dict(lr=0.01, weight_decay=0.05),
        dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True),
        dict(lr=0.005, betas=(0.8, 0.9), eps=1e-6),
        dict(maximize=True, betas=(0.9, 0.5)),  # rho_inf = 3: never rectified
    ],
    "lamb": [
        dict(),
        dict(lr=0.01, weight_decay=0.1),
        dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
        dict(lr=0.005, betas=(0.8, 0.99), eps=1e-8),
        dict(maximize=True, weight_decay=0.01),
    ],
}
SPECS = {"adam": ADAM, "adamw": ADAMW, "adamax": ADAMAX, "nadam": NADAM, "radam": RADAM, "lamb": LAMB}
KERNEL_CASES = [
    (name, preset, hyper)
    for name, spec in SPECS.items()
    for preset in spec.preset_names
    if not (name == "adam" and preset == "torch")  # covered by tests/test_optim.py
    for hyper in CONFIGS[name]
]


def _id(name, preset, hyper):
    return f"{name}[{preset}]-" + ("-".join(f"{k}={v}" for k, v in hyper.items()) or "defaults")


def _gradients(rng, n, steps):
    # include exact zeros and a wide range of magnitudes
    g = rng.standard_normal((steps, n)) * np.exp(rng.uniform(-4, 2, (steps, n)))
    g[:, :3] = 0.0
    return g


def _segments(name):
    return SEGMENTS if name == "lamb" else None


def _run_gdlab(name, preset, hyper, p0, grads):
    opt = Optimizer(SPECS[name], preset=preset, **hyper)
    p = p0.copy()
    for g in grads:
        opt.step(p, g, segments=_segments(name))
    return opt, p


def _reference_run(spec, hyper, p0, grads, segments=None):
    p = p0.astype(np.float64)
    init = spec.initial_state(hyper)
    state = {k: np.full_like(p, init[k]) for k in spec.state}
    extra = {} if segments is None else {"segments": segments}
    for t, g in enumerate(grads, start=1):
        p, state = spec.reference(p, g, state, t, **hyper, **extra)
    return p, state


def max_rel(a, b):
    """Largest |a - b| / |b| over the elements (|b| floored at 1e-300)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


# -- (a) kernels against the float64 references ------------------------------------------------
@pytest.mark.parametrize("name,preset,hyper", KERNEL_CASES, ids=[_id(*c) for c in KERNEL_CASES])
def test_float64_kernel_matches_reference(name, preset, hyper, rng):
    p0 = rng.standard_normal(N)
    grads = _gradients(rng, N, N_STEPS)
    opt, p = _run_gdlab(name, preset, hyper, p0, grads)
    p_ref, st_ref = _reference_run(opt.spec, opt.hyper, p0, grads, _segments(name))
    assert opt.t == N_STEPS and opt.spec.preset == preset
    assert not np.allclose(p, p0)  # the parameters moved
    np.testing.assert_allclose(p, p_ref, rtol=RTOL, atol=ATOL)
    for k, slot in enumerate(opt.active):
        np.testing.assert_allclose(opt.state[k], st_ref[slot], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name,preset", [("lamb", "optax"), ("lamb", "keras"), ("nadam", "torch"),
                                         ("radam", "optax")])
def test_float32_kernel_close_to_float64_reference(name, preset, rng):
    hyper = CONFIGS[name][1]
    p0 = rng.standard_normal(N).astype(np.float32)
    grads = _gradients(rng, N, 40).astype(np.float32)
    opt, p = _run_gdlab(name, preset, hyper, p0, grads)
    p_ref, _ = _reference_run(opt.spec, opt.hyper, p0, grads.astype(np.float64), _segments(name))
    assert p.dtype == np.float32
    np.testing.assert_allclose(p, p_ref, rtol=2e-5, atol=2e-6)


# presets whose equations are the same (up to rounding) for the hyperparameters given
SAME_EQUATIONS = {("adamax", "torch", "optax")}


def test_presets_change_the_result(rng):
    # each preset is a genuinely different rule or default set (not silently the torch one)
    p0 = rng.standard_normal(N)
    grads = _gradients(rng, N, 30)
    for name, spec in SPECS.items():
        hyper = dict(lr=0.01, weight_decay=0.05)
        if "amsgrad" in spec.hyper:  # optax.adam/adamw equal PyTorch's without amsgrad
            hyper["amsgrad"] = True
        results = {pr: _run_gdlab(name, pr, hyper, p0, grads)[1] for pr in spec.preset_names}
        names = list(results)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if (name, a, b) in SAME_EQUATIONS:
                    assert max_rel(results[a], results[b]) < 1e-12, f"{name}: {a} != {b}"
                else:
                    assert max_rel(results[a], results[b]) > 1e-9, f"{name}: {a} == {b}"


# -- (b) live parity with the libraries ---------------------------------------------------------
def _lib_torch():
    return pytest.importorskip("torch", reason="PyTorch not installed")


@contextlib.contextmanager
def _torch_default_float64(torch):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # NAdam keeps mu_product in the default float dtype
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def torch_run(name, h, p0, grads):
    torch = _lib_torch()
    tp = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
    common = dict(lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                  weight_decay=h["weight_decay"], maximize=h["maximize"], foreach=False)
    with _torch_default_float64(torch):
        if name == "adamw":
            topt = torch.optim.AdamW([tp], amsgrad=h["amsgrad"], **common)
        elif name == "adamax":
            topt = torch.optim.Adamax([tp], **common)
        elif name == "nadam":
            topt = torch.optim.NAdam([tp], momentum_decay=h["momentum_decay"],
                                     decoupled_weight_decay=h["decoupled_weight_decay"], **common)
        elif name == "radam":
            topt = torch.optim.RAdam([tp], decoupled_weight_decay=h["decoupled_weight_decay"], **common)
        else:
            raise AssertionError(name)
        for g in grads:
            tp.grad = torch.tensor(g, dtype=torch.float64)
            topt.step()
    return tp.detach().numpy().copy()


@contextlib.contextmanager
def _keras64():
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras", reason="Keras 3 not installed")
    if keras.backend.backend() != "torch":
        pytest.skip(f"keras was imported with the {keras.backend.backend()!r} backend, not torch")
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        yield keras
    finally:
        keras.config.set_floatx(old)


def keras_run(name, h, p0, grads, segments=None):
    """Keras 3 (torch backend, float64); maximize is fed as a negated gradient."""
    torch = _lib_torch()
    segments = segments or [(0, len(p0))]
    sign = -1.0 if h["maximize"] else 1.0
    with _keras64() as keras:
        kw = dict(learning_rate=h["lr"], beta_1=h["beta1"], beta_2=h["beta2"], epsilon=h["eps"])
        wd = h["weight_decay"] or None
        if name == "adam":
            opt = keras.optimizers.Adam(amsgrad=h["amsgrad"], weight_decay=wd, **kw)
        elif name == "adamw":
            opt = keras.optimizers.AdamW(amsgrad=h["amsgrad"], weight_decay=h["weight_decay"], **kw)
        elif name == "adamax":
            opt = keras.optimizers.Adamax(weight_decay=wd, **kw)
        elif name == "nadam":
            assert h["momentum_decay"] == 1.0 and (h["decoupled_weight_decay"] or not wd)
            opt = keras.optimizers.Nadam(weight_decay=wd, **kw)
        elif name == "lamb":
            assert h["decoupled_weight_decay"] or not wd
            opt = keras.optimizers.Lamb(weight_decay=wd, **kw)
        else:
            raise AssertionError(name)
        variables = [keras.Variable(p0[lo:hi].copy(), dtype="float64") for lo, hi in segments]
        for g in grads:
            opt.apply([torch.tensor(sign * g[lo:hi], dtype=torch.float64) for lo, hi in segments],
                      variables)
        assert variables[0].dtype == "float64"
        return np.concatenate([np.asarray(v.numpy(), np.float64) for v in variables])


@contextlib.contextmanager
def _jax64():
    jax = pytest.importorskip("jax", reason="JAX not installed")
    optax = pytest.importorskip("optax", reason="optax not installed")
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield jax, optax
    finally:
        jax.config.update("jax_enable_x64", old)


def optax_run(name, h, p0, grads, segments=None):
    """optax in float64 (jax_enable_x64); L2 weight decay is ``add_decayed_weights`` chained
    before the optimizer, maximize a negated gradient."""
    segments = segments or [(0, len(p0))]
    sign = -1.0 if h["maximize"] else 1.0
    with _jax64() as (jax, optax):
        import jax.numpy as jnp

        lr, b1, b2, eps, wd = h["lr"], h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
        decoupled = h.get("decoupled_weight_decay", False)
        # L2 for the rules whose gdlab weight_decay is a gradient term (adamw/lamb have their own)
        coupled = name in ("adam", "adamax", "nadam", "radam") and not decoupled
        l2 = [optax.add_decayed_weights(wd)] if wd and coupled else []
        if name == "adam":
            core = (optax.amsgrad if h["amsgrad"] else optax.adam)(lr, b1=b1, b2=b2, eps=eps)
        elif name == "adamw":
            if h["amsgrad"]:
                core = optax.chain(optax.scale_by_amsgrad(b1=b1, b2=b2, eps=eps),
                                   optax.add_decayed_weights(wd), optax.scale_by_learning_rate(lr))
            else:
                core = optax.adamw(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd)
        elif name == "adamax":
            core = optax.adamax(lr, b1=b1, b2=b2, eps=eps)
        elif name == "nadam":
            if decoupled:
                core = optax.nadamw(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd)
            else:
                core = optax.nadam(lr, b1=b1, b2=b2, eps=eps)
        elif name == "radam":
            if decoupled:
                core = optax.chain(optax.scale_by_radam(b1=b1, b2=b2, eps=eps),
                                   optax.add_decayed_weights(wd), optax.scale_by_learning_rate(lr))
            else:
                core = optax.radam(lr, b1=b1, b2=b2, eps=eps)
        elif name == "lamb":
            assert not decoupled
            core = optax.lamb(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd)
        else:
            raise AssertionError(name)
        tx = optax.chain(*l2, core)
        params = [jnp.asarray(p0[lo:hi], dtype=jnp.float64) for lo, hi in segments]
        state = tx.init(params)
        update = jax.jit(tx.update)
        for g in grads:
            gl = [jnp.asarray(sign * g[lo:hi], dtype=jnp.float64) for lo, hi in segments]
            updates, state = update(gl, state, params)
            params = optax.apply_updates(params, updates)
        assert params[0].dtype == jnp.float64
        return np.concatenate([np.asarray(x, np.float64) for x in params])


def sklearn_run(name, h, p0, grads):
    """scikit-learn's AdamOptimizer; L2 weight decay added to the gradient as MLP's alpha does."""
    assert name == "adam" and not h["amsgrad"]
    mod = pytest.importorskip("sklearn.neural_network._stochastic_optimizers")
    p = p0.copy()
    opt = mod.AdamOptimizer([p], learning_rate_init=h["lr"], beta_1=h["beta1"], beta_2=h["beta2"],
                            epsilon=h["eps"])
    sign = -1.0 if h["maximize"] else 1.0
    for g in grads:
        opt.update_params([p], [sign * g + h["weight_decay"] * p])
    return p


RUNNERS = {"torch": torch_run, "keras": keras_run, "optax": optax_run, "sklearn": sklearn_run}

PARITY = {
    ("adamw", "torch"): CONFIGS["adamw"],
    ("adamax", "torch"): CONFIGS["adamax"],
    ("nadam", "torch"): CONFIGS["nadam"],
    ("radam", "torch"): CONFIGS["radam"],
    ("adam", "keras"): CONFIGS["adam"],
    ("adamw", "keras"): CONFIGS["adamw"],
    ("adamax", "keras"): CONFIGS["adamax"],
    ("nadam", "keras"): [dict(), dict(lr=0.01, weight_decay=0.05), dict(betas=(0.8, 0.99), eps=1e-6),
                         dict(maximize=True)],
    ("lamb", "keras"): [dict(), dict(lr=0.01, weight_decay=0.1), dict(lr=0.005, betas=(0.8, 0.99)),
                        dict(maximize=True)],
    ("adam", "optax"): CONFIGS["adam"],
    ("adamw", "optax"): CONFIGS["adamw"],
    ("adamax", "optax"): CONFIGS["adamax"],
    ("nadam", "optax"): [dict(), dict(lr=0.01, weight_decay=0.05),
                         dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True),
                         dict(lr=0.005, betas=(0.8, 0.99), eps=1e-6), dict(maximize=True)],
    ("radam", "optax"): CONFIGS["radam"],
    ("lamb", "optax"): [c for c in CONFIGS["lamb"] if not c.get("decoupled_weight_decay")],
    ("adam", "sklearn"): [c for c in CONFIGS["adam"] if not c.get("amsgrad")],
}
PARITY_CASES = [(name, preset, hyper) for (name, preset), cfgs in PARITY.items() for hyper in cfgs]
PARITY_STEPS = 60
PARITY_N = 64


def parity_case(name, preset, hyper, rng):
    """(gdlab, library) parameters after PARITY_STEPS steps of the same gradients."""
    n = PARITY_N
    p0 = rng.standard_normal(n)
    grads = _gradients(rng, n, PARITY_STEPS)
    segments = [(0, 30), (30, 31), (31, n)] if name == "lamb" else None
    opt = Optimizer(SPECS[name], preset=preset, **hyper)
    p = p0.copy()
    for g in grads:
        opt.step(p, g, segments=segments)
    run = RUNNERS[preset]
    theirs = run(name, opt.hyper, p0, grads, segments) if segments else run(name, opt.hyper, p0, grads)
    return p, theirs


@pytest.mark.parametrize("name,preset,hyper", PARITY_CASES, ids=[_id(*c) for c in PARITY_CASES])
def test_live_parity_with_library(name, preset, hyper, rng):
    ours, theirs = parity_case(name, preset, hyper, rng)
    assert np.all(np.isfinite(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


# -- (c) special behaviours ----------------------------------------------------------------------
def test_nadam_schedule_scalars_match_torch_running_product_over_many_steps():
    h = NADAM.validate(lr=0.01)
    hv = NADAM.hyper_array(h)
    mod = compile_with(NADAM)
    prod = 1.0
    for t in range(1, 3001):
        mu = h["beta1"] * (1.0 - 0.5 * (0.96 ** (t * h["momentum_decay"])))
        mu_next = h["beta1"] * (1.0 - 0.5 * (0.96 ** ((t + 1) * h["momentum_decay"])))
        prod *= mu  # PyTorch's state["mu_product"]
        want = (1 - h["beta2"] ** t, h["lr"] * (1 - mu) / (1 - prod), h["lr"] * mu_next / (1 - prod * mu_next))
        got = mod.opt_scalars(t, hv)
        assert got == pytest.approx(want, rel=1e-14, abs=0), t
        assert nadam_scalars(t, *hv) == pytest.approx(want, rel=1e-14, abs=0)
    # the schedule moves: the coefficient of g shrinks from ~lr/2-ish towards lr(1 - beta1)
    first, last = mod.opt_scalars(1, hv)[1], mod.opt_scalars(3000, hv)[1]
    assert first > 1.5 * last


def test_nadam_long_run_matches_torch(rng):
    hyper = dict(lr=0.01, momentum_decay=0.05, weight_decay=0.01)
    p0 = rng.standard_normal(6)
    grads = _gradients(rng, 6, 800)
    grads[:, :3] = rng.standard_normal((800, 3))
    opt = Optimizer(NADAM, **hyper)
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    np.testing.assert_allclose(p, torch_run("nadam", opt.hyper, p0, grads), rtol=1e-10, atol=1e-13)


def _tie_beta2(t=6):
    """A beta2 for which PyTorch's formula gives exactly rho_t == 5.0 at step t."""
    def rho(b2):
        step = float(t)
        return 2.0 / (1.0 - b2) - 1.0 - 2.0 * step * (b2**step) / (1.0 - b2**step)
    lo, hi = 0.5, 0.9999
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if rho(mid) < 5.0 else (lo, mid)
    for k in range(4000):
        for b2 in (lo + k * np.spacing(lo), lo - k * np.spacing(lo)):
            if rho(b2) == 5.0:
                return float(b2)
    pytest.skip("no float64 beta2 with rho_t exactly 5 found")


def test_radam_switches_to_the_rectified_step_when_rho_exceeds_5():
    lr, b1 = 0.1, 0.9
    opt = Optimizer(RADAM, lr=lr, betas=(b1, 0.999), eps=0.0)
    p = np.zeros(2)
    g = np.array([2.0, -0.5])
    steps = []
    for _ in range(8):
        before = p.copy()
        opt.step(p, g)
        steps.append(before - p)
    # constant gradient: m_hat = g exactly, so plain momentum steps move by lr*g; rho_t > 5 from t = 6
    for t in range(1, 6):
        np.testing.assert_allclose(steps[t - 1], lr * g, rtol=1e-12)
    rho_inf = 2 / (1 - 0.999) - 1
    for t in (6, 7, 8):
        rho_t = rho_inf - 2 * t * 0.999**t / (1 - 0.999**t)
        assert rho_t > 5
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        # v = (1 - beta2^t) g^2 exactly, so the adaptive step is lr * r * sign(g)
        np.testing.assert_allclose(steps[t - 1], lr * r * np.sign(g), rtol=1e-12)
        assert abs(steps[t - 1][0]) < 0.5 * lr * abs(g[0])


def test_radam_threshold_tie_torch_strict_optax_inclusive():
    b2 = _tie_beta2(6)
    for spec_preset, want in (("torch", 0.0), ("optax", 1.0)):
        spec = RADAM.with_preset(spec_preset)
        hv = spec.hyper_array(spec.validate(beta2=b2))
        assert compile_with(spec).opt_scalars(6, hv)[3] == want
        assert compile_with(spec).opt_scalars(7, hv)[3] == 1.0
        assert compile_with(spec).opt_scalars(5, hv)[3] == 0.0
    # and PyTorch itself takes the plain step at the tie
    torch = _lib_torch()
    g = np.array([1.0, -3.0])
    ours = Optimizer(RADAM, lr=0.1, betas=(0.9, b2))
    p = np.ones(2)
    for _ in range(6):
        ours.step(p, g)
    np.testing.assert_allclose(p, torch_run("radam", ours.hyper, np.ones(2), [g] * 6), rtol=1e-12)
    del torch


@pytest.mark.parametrize("preset", ["torch", "keras", "optax"])
def test_adamw_decay_is_decoupled_from_the_moments(preset):
    lr, wd = 0.05, 0.2
    p0 = np.array([1.0, -2.0, 0.5])
    opt = Optimizer(ADAMW, preset=preset, lr=lr, weight_decay=wd)
    p = p0.copy()
    for _ in range(10):
        opt.step(p, np.zeros(3))
    # zero gradients: the moments stay zero and only the decay acts, p_t = p0 (1 - lr wd)^t
    np.testing.assert_allclose(p, p0 * (1 - lr * wd) ** 10, rtol=1e-13)
    assert not opt.state.any()
    # Adam's L2 term instead enters the moments and takes ~lr-sized normalised steps
    adam = Optimizer(ADAM, lr=lr, weight_decay=wd)
    q = p0.copy()
    for _ in range(10):
        adam.step(q, np.zeros(3))
    assert adam.state[0].any()
    assert np.all(np.abs(q - p0) > 0.4)


def test_adam_keras_eps_is_added_before_the_bias_correction():
    # step 1: torch moves lr*|g|/(|g| + eps); Keras lr*|g|/(|g| + eps/sqrt(1 - beta2))
    lr, eps, g = 0.01, 1e-7, 1e-6
    p_t, p_k = np.zeros(1), np.zeros(1)
    Optimizer(ADAM, lr=lr, eps=eps).step(p_t, np.array([g]))
    Optimizer(ADAM, preset="keras", lr=lr).step(p_k, np.array([g]))
    np.testing.assert_allclose(-p_t, lr * g / (g + eps), rtol=1e-12)
    np.testing.assert_allclose(-p_k, lr * g / (g + eps / math.sqrt(1 - 0.999)), rtol=1e-12)


def test_lamb_trust_ratio_is_per_tensor_with_zero_norm_fallback(rng):
    lr, wd = 0.01, 0.1
    n = 30
    segs = [(0, 10), (10, 20), (20, 30)]
    p0 = rng.standard_normal(n)
    p0[0:10] = 0.0  # zero-norm tensor: ratio 1
    g = rng.standard_normal(n)
    g[10:20] = 0.0  # zero gradient, but u = wd * p is not zero
    opt = Optimizer(LAMB, lr=lr, weight_decay=wd)
    p = p0.copy()
    opt.step(p, g, segments=segs)
    step = p0 - p
    # tensor 0: ||p|| = 0, so the step is lr * u = lr * sign(g) (m_hat/sqrt(v_hat) = sign(g) at t = 1)
    np.testing.assert_allclose(step[0:10], lr * g[0:10] / (np.abs(g[0:10]) + 1e-6), rtol=1e-12)
    # tensors 1 and 2: ||step|| = lr * ||p|| (the trust ratio rescales u to the tensor's norm)
    for lo, hi in segs[1:]:
        assert np.linalg.norm(step[lo:hi]) == pytest.approx(lr * np.linalg.norm(p0[lo:hi]), rel=1e-12)
    # tensor 1: u = wd * p, so the step is lr * p (direction of p, length lr ||p||)
    np.testing.assert_allclose(step[10:20], lr * p0[10:20], rtol=1e-12)
    # one tensor instead of three gives a different (single) ratio
    q = p0.copy()
    Optimizer(LAMB, lr=lr, weight_decay=wd).step(q, g)
    assert max_rel(q, p) > 1e-6
    # each segment behaves as an optimizer of its own
    for lo, hi in segs:
        r = p0[lo:hi].copy()
        Optimizer(LAMB, lr=lr, weight_decay=wd).step(r, g[lo:hi].copy())
        np.testing.assert_allclose(r, p[lo:hi], rtol=1e-14, atol=1e-16)


def test_lamb_zero_update_and_keras_decay_outside_the_ratio():
    # both norms zero: nothing moves and nothing is NaN
    opt = Optimizer(LAMB, lr=0.1)
    p = np.zeros(4)
    opt.step(p, np.zeros(4))
    assert np.all(p == 0.0)
    # Keras: the decay is applied first and the ratio uses the decayed norm
    lr, wd = 0.1, 0.5
    p0 = np.array([3.0, -4.0])
    g = np.array([1.0, 1.0])
    pk = p0.copy()
    Optimizer(LAMB, preset="keras", lr=lr, weight_decay=wd).step(pk, g)
    decayed = p0 * (1 - lr * wd)
    u = g / (np.abs(g) + 1e-7)
    np.testing.assert_allclose(pk, decayed - lr * np.linalg.norm(decayed) / np.linalg.norm(u) * u, rtol=1e-12)


def test_specs_are_not_registered_by_this_module_and_presets_are_listed():
    assert LAMB.preset == "optax" and LAMB.preset_names == ("optax", "keras")
    assert ADAM.preset_names == ("torch", "keras", "optax", "sklearn")
    assert ADAMW.preset_names == ("torch", "keras", "optax")
    assert ADAMAX.preset_names == ("torch", "keras", "optax")
    assert NADAM.preset_names == ("torch", "keras", "optax")
    assert RADAM.preset_names == ("torch", "optax")
    assert Optimizer(ADAMW, preset="keras").hyper["weight_decay"] == 0.004
    assert Optimizer(ADAMW, preset="optax").hyper["weight_decay"] == 1e-4
    assert Optimizer(ADAMW).hyper["weight_decay"] == 1e-2
    assert Optimizer(ADAMAX).hyper["lr"] == 2e-3
    assert Optimizer(NADAM, preset="keras").hyper["momentum_decay"] == 1.0
    assert Optimizer(LAMB).hyper["eps"] == 1e-6
    with pytest.raises(ValueError, match="unknown preset 'keras'; available: torch, optax"):
        Optimizer(RADAM, preset="keras")


@pytest.mark.parametrize(
    "spec,hyper,fragment",
    [
        (ADAMW, dict(lr=-0.1), "Invalid learning rate: -0.1"),
        (ADAMW, dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (ADAMW, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (ADAMW, dict(weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
        (ADAMAX, dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
        (ADAMAX, dict(lr=-1.0), "Invalid learning rate: -1.0"),
        (NADAM, dict(momentum_decay=-0.1), "Invalid momentum_decay value: -0.1"),
        (NADAM, dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (NADAM, dict(decoupled_weight_decay="yes"), "Invalid decoupled_weight_decay value: 'yes'"),
        (RADAM, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
        (RADAM, dict(beta1=-0.1), "Invalid beta parameter at index 0: -0.1"),
        (LAMB, dict(lr=float("nan")), "Invalid learning rate: nan"),
        (LAMB, dict(weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
        (LAMB, dict(beta2=1.5), "Invalid beta parameter at index 1: 1.5"),
    ],
)
def test_invalid_hyperparameters_raise_pytorch_style_messages(spec, hyper, fragment):
    with pytest.raises(ValueError, match=spec.name) as exc:
        Optimizer(spec, **hyper)
    assert fragment in str(exc.value)


ELEMENTWISE = [(name, preset) for name, spec in SPECS.items() if spec.rule is not None
               for preset in spec.preset_names]


@pytest.mark.skipif(not cuda_available(), reason="no CUDA (a GPU, or NUMBA_ENABLE_CUDASIM=1)")
@pytest.mark.parametrize("name,preset", ELEMENTWISE, ids=[f"{n}[{p}]" for n, p in ELEMENTWISE])
def test_cuda_kernel_matches_cpu_kernel(name, preset, rng):
    hyper = dict(lr=0.01, weight_decay=0.05)
    if "amsgrad" in SPECS[name].hyper:
        hyper["amsgrad"] = True
    gpu = Optimizer(SPECS[name], preset=preset, backend="cuda", **hyper)
    cpu = Optimizer(SPECS[name], preset=preset, **hyper)
    p = rng.standard_normal(40)
    q = p.copy()
    for _ in range(6):
        g = rng.standard_normal(40)
        gpu.step(p, g)
        cpu.step(q, g)
    assert gpu.t == cpu.t == 6
    np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


@pytest.mark.skipif(not cuda_available(), reason="no CUDA (a GPU, or NUMBA_ENABLE_CUDASIM=1)")
def test_lamb_has_no_cuda_kernel():
    with pytest.raises(NotImplementedError, match="lamb"):
        Optimizer(LAMB, backend="cuda").step(np.ones(4), np.ones(4))

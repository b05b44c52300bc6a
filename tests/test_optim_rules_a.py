"""Optimizer rules A: SGD presets, Nesterov, Adagrad, Adadelta and RMSprop.

Every (optimizer, preset, hyperparameters) case is checked three ways:

* the float64 kernel against the spec's float64 NumPy reference over 100 steps (rtol 1e-10);
* the float64 kernel against the live library the preset reproduces, when it is installed:
  PyTorch (``foreach=False``), Keras 3 on its torch backend (float64 variables and
  ``floatx="float64"``, so that the learning-rate variable is not rounded to float32), optax
  with ``jax_enable_x64`` and scikit-learn's ``SGDOptimizer`` -- all in float64, to rtol 1e-10;
* special behaviours (lr decay, initial accumulator, eps placement, centered + momentum,
  decoupled weight decay, active state slots, error messages) against hand computations.

The specs are used directly (``Optimizer(SPEC, preset=...)``), so these tests do not depend on
the optimizer registry.
"""

import os
import sys

import numpy as np
import pytest

from gdlab.optim import Optimizer
from gdlab.optim._adadelta import ADADELTA
from gdlab.optim._adagrad import ADAGRAD
from gdlab.optim._nesterov import NESTEROV
from gdlab.optim._rmsprop import RMSPROP
from gdlab.optim._sgd import SGD

N, N_STEPS = 96, 100
RTOL, ATOL = 1e-10, 1e-12

SPECS = {"sgd": SGD, "nesterov": NESTEROV, "adagrad": ADAGRAD, "adadelta": ADADELTA, "rmsprop": RMSPROP}

# (optimizer, preset, hyperparameters): every flag and every hyperparameter of every preset.
CASES = [
    # SGD presets (the torch preset is covered by tests/test_optim.py)
    ("sgd", "keras", {}),
    ("sgd", "keras", dict(lr=0.05, momentum=0.9)),
    ("sgd", "keras", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("sgd", "keras", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd", "keras", dict(lr=0.05, momentum=0.9, weight_decay=0.05)),
    ("sgd", "keras", dict(lr=0.02, momentum=0.7, nesterov=True, weight_decay=0.1, maximize=True)),
    ("sgd", "optax", dict(lr=0.05)),
    ("sgd", "optax", dict(lr=0.05, momentum=0.9)),
    ("sgd", "optax", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("sgd", "optax", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd", "optax", dict(lr=0.03, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True)),
    ("sgd", "sklearn", {}),
    ("sgd", "sklearn", dict(lr=0.05, nesterov=False)),
    ("sgd", "sklearn", dict(lr=0.05, momentum=0.0, nesterov=False)),
    ("sgd", "sklearn", dict(lr=0.05, momentum=0.9, nesterov=False, dampening=0.2)),
    ("sgd", "sklearn", dict(lr=0.02, weight_decay=0.1, maximize=True)),
    # Nesterov (Sutskever / Lasagne form)
    ("nesterov", "torch", {}),
    ("nesterov", "torch", dict(lr=0.05, momentum=0.5)),
    ("nesterov", "torch", dict(lr=0.02, momentum=0.95, weight_decay=0.1)),
    # Adagrad
    *[("adagrad", pr, h) for pr in ("torch", "keras", "optax") for h in (
        {},
        dict(lr=0.1, lr_decay=0.05),
        dict(lr=0.05, initial_accumulator_value=0.5, eps=1e-3),
        dict(lr=0.05, weight_decay=0.05),
        dict(lr=0.05, lr_decay=0.01, weight_decay=0.02, initial_accumulator_value=0.1, maximize=True),
    )],
    # Adadelta
    *[("adadelta", pr, h) for pr in ("torch", "keras", "optax") for h in (
        {},
        dict(lr=0.5, rho=0.5, eps=1e-4),
        dict(lr=1.0, weight_decay=0.05),
        dict(lr=0.3, rho=0.95, weight_decay=0.01, maximize=True),
    )],
    # RMSprop
    *[("rmsprop", pr, h) for pr in ("torch", "keras", "optax") for h in (
        {},
        dict(lr=0.01, momentum=0.9),
        dict(lr=0.01, centered=True),
        dict(lr=0.005, centered=True, momentum=0.8),
        dict(lr=0.01, alpha=0.5, eps=1e-3, weight_decay=0.05),
        dict(lr=0.003, momentum=0.5, centered=True, weight_decay=0.01, maximize=True),
    )],
]
IDS = [f"{n}[{pr}]-{'-'.join(f'{k}={v}' for k, v in h.items()) or 'defaults'}" for n, pr, h in CASES]


def _gradients(rng, n=N, steps=N_STEPS):
    # exact zeros in three columns, and a wide range of magnitudes
    g = rng.standard_normal((steps, n)) * np.exp(rng.uniform(-4, 2, (steps, n)))
    g[:, :3] = 0.0
    return g


def _kernel_run(opt, p0, grads):
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    return p


def _reference_run(spec, hyper, p0, grads):
    p = p0.astype(np.float64)
    state = {k: np.full_like(p, v) for k, v in spec.initial_state(hyper).items()}
    for t, g in enumerate(grads, start=1):
        p, state = spec.reference(p, g, state, t, **hyper)
    return p, state


def max_rel_diff(a, b):
    """Largest |a - b| / |b| over the elements (|b| floored at 1e-3: parameters are O(1))."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3)))


# ------------------------------------------------------------------ (a) kernel vs reference
@pytest.mark.parametrize("name,preset,hyper", CASES, ids=IDS)
def test_float64_kernel_matches_reference(name, preset, hyper, rng):
    opt = Optimizer(SPECS[name], preset=preset, **hyper)
    p0 = rng.standard_normal(N)
    grads = _gradients(rng)
    p = _kernel_run(opt, p0, grads)
    p_ref, st_ref = _reference_run(opt.spec, opt.hyper, p0, grads)
    assert opt.t == N_STEPS
    assert np.all(np.isfinite(p)) and not np.array_equal(p, p0)
    np.testing.assert_allclose(p, p_ref, rtol=RTOL, atol=ATOL)
    for k, slot in enumerate(opt.active):
        np.testing.assert_allclose(opt.state[k], st_ref[slot], rtol=RTOL, atol=ATOL, err_msg=slot)


# ------------------------------------------------------------------ (b) live libraries
def _run_torch(name, h, p0, grads):
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install torch==2.13.0)")
    cls = {"sgd": "SGD", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop"}[name]
    tp = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
    topt = getattr(torch.optim, cls)([tp], **h, foreach=False)  # gdlab's names are PyTorch's
    for g in grads:
        tp.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
    return tp.detach().numpy().copy()


@pytest.fixture
def keras_torch(monkeypatch):
    """Keras 3 on its torch backend with floatx float64 (Keras keeps the learning rate in a
    floatx variable: with float32 it would round e.g. 0.01 to 0.0099999998)."""
    pytest.importorskip("torch", reason="Keras is run on its torch backend")
    if "keras" not in sys.modules:
        monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="Keras 3 not installed")
    if keras.backend.backend() != "torch":
        pytest.skip(f"keras already imported with the {keras.backend.backend()!r} backend")
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield keras
    keras.config.set_floatx(old)


def _run_keras(keras, name, h, p0, grads):
    import torch

    lr = h["lr"]
    if h.get("lr_decay", 0.0):  # PyTorch's clr = lr / (1 + (t-1)*lr_decay), t - 1 = iterations
        lr = keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=h["lr_decay"])
    wd = h["weight_decay"] or None
    if name == "sgd":
        opt = keras.optimizers.SGD(learning_rate=lr, momentum=h["momentum"], nesterov=h["nesterov"],
                                   weight_decay=wd)
    elif name == "nesterov":
        opt = keras.optimizers.SGD(learning_rate=lr, momentum=h["momentum"], nesterov=True, weight_decay=wd)
    elif name == "adagrad":
        opt = keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=h["initial_accumulator_value"],
                                       epsilon=h["eps"], weight_decay=wd)
    elif name == "adadelta":
        opt = keras.optimizers.Adadelta(learning_rate=lr, rho=h["rho"], epsilon=h["eps"], weight_decay=wd)
    else:
        opt = keras.optimizers.RMSprop(learning_rate=lr, rho=h["alpha"], momentum=h["momentum"],
                                       epsilon=h["eps"], centered=h["centered"], weight_decay=wd)
    var = keras.Variable(p0.copy(), dtype="float64")
    sign = -1.0 if h.get("maximize") else 1.0  # Keras has no maximize: ascend = descend on -g
    for g in grads:
        opt.apply([torch.tensor(sign * g, dtype=torch.float64)], [var])
    out = keras.ops.convert_to_numpy(var.value)
    assert out.dtype == np.float64
    return out


@pytest.fixture
def optax_x64():
    jax = pytest.importorskip("jax", reason="JAX not installed")
    optax = pytest.importorskip("optax", reason="optax not installed")
    old = bool(jax.config.jax_enable_x64)
    jax.config.update("jax_enable_x64", True)
    yield optax
    jax.config.update("jax_enable_x64", old)


def _run_optax(optax, name, h, p0, grads):
    import jax.numpy as jnp

    lr = h["lr"]
    if h.get("lr_decay", 0.0):
        lr0, decay = h["lr"], h["lr_decay"]
        lr = lambda count: lr0 / (1.0 + count * decay)  # noqa: E731  (count = t - 1)
    if name == "sgd":
        opt = optax.sgd(lr, momentum=h["momentum"] or None, nesterov=h["nesterov"])
    elif name == "adagrad":
        opt = optax.adagrad(lr, initial_accumulator_value=h["initial_accumulator_value"], eps=h["eps"])
    elif name == "adadelta":
        opt = optax.adadelta(lr, rho=h["rho"], eps=h["eps"], weight_decay=h["weight_decay"])
    else:
        opt = optax.rmsprop(lr, decay=h["alpha"], eps=h["eps"], centered=h["centered"],
                            momentum=h["momentum"] or None)
    if name != "adadelta" and h["weight_decay"]:
        opt = optax.chain(optax.add_decayed_weights(h["weight_decay"]), opt)
    p = jnp.asarray(p0.copy())
    assert p.dtype == jnp.float64
    state = opt.init(p)
    sign = -1.0 if h.get("maximize") else 1.0
    for g in grads:
        updates, state = opt.update(jnp.asarray(sign * g), state, p)
        p = optax.apply_updates(p, updates)
    return np.asarray(p, dtype=np.float64)


def _run_sklearn(name, h, p0, grads):
    pytest.importorskip("sklearn", reason="scikit-learn not installed")
    from sklearn.neural_network._stochastic_optimizers import SGDOptimizer

    p = p0.copy()
    nesterov = True if name == "nesterov" else h["nesterov"]
    opt = SGDOptimizer([p], learning_rate_init=h["lr"], lr_schedule="constant", momentum=h["momentum"],
                       nesterov=nesterov)
    sign = -1.0 if h.get("maximize") else 1.0
    for g in grads:
        # scikit-learn's MLP puts its L2 penalty (alpha * W) into the gradient it passes on
        opt.update_params([p], [sign * g + h["weight_decay"] * p])
    return p


def _run_library(library, name, h, p0, grads, request):
    if library == "torch":
        return _run_torch(name, h, p0, grads)
    if library == "keras":
        return _run_keras(request.getfixturevalue("keras_torch"), name, h, p0, grads)
    if library == "optax":
        return _run_optax(request.getfixturevalue("optax_x64"), name, h, p0, grads)
    return _run_sklearn(name, h, p0, grads)


def _library_supports(name, preset, h):
    # dampening is a gdlab extension of the Keras / optax / scikit-learn SGD presets
    return not (name == "sgd" and preset != "torch" and h.get("dampening", 0.0) != 0.0)


LIVE = [c for c in CASES if c[0] != "nesterov" and _library_supports(*c)]
LIVE_IDS = [i for i, c in zip(IDS, CASES) if c in LIVE]


@pytest.mark.parametrize("name,preset,hyper", LIVE, ids=LIVE_IDS)
def test_live_parity_with_library(name, preset, hyper, rng, request):
    opt = Optimizer(SPECS[name], preset=preset, **hyper)
    p0 = rng.standard_normal(N)
    grads = _gradients(rng)
    expected = _run_library(preset, name, opt.hyper, p0, grads, request)
    p = _kernel_run(opt, p0, grads)
    assert np.all(np.isfinite(p)) and not np.array_equal(p, p0)
    np.testing.assert_allclose(p, expected, rtol=RTOL, atol=ATOL)


NESTEROV_LIVE = [
    ("sklearn", dict(lr=0.05, momentum=0.9)),
    ("sklearn", dict(lr=0.02, momentum=0.95, weight_decay=0.1)),
    ("keras", dict(lr=0.05, momentum=0.8)),
    ("torch", dict(lr=0.05, momentum=0.9, weight_decay=0.05)),
]


@pytest.mark.parametrize("library,hyper", NESTEROV_LIVE, ids=[f"{lib}-{h}" for lib, h in NESTEROV_LIVE])
def test_nesterov_live_parity(library, hyper, rng, request):
    # Lasagne (Theano) cannot be installed; scikit-learn's SGDOptimizer(nesterov=True) and Keras'
    # SGD(nesterov=True) implement the same velocity form, and at a constant learning rate it
    # moves the parameters exactly as torch.optim.SGD(nesterov=True).
    opt = Optimizer(NESTEROV, **hyper)
    p0 = rng.standard_normal(N)
    grads = _gradients(rng)
    h = dict(opt.hyper, nesterov=True, dampening=0.0, maximize=False)
    if library == "keras":
        assert h["weight_decay"] == 0.0  # Keras' weight decay is decoupled, not this L2 term
    expected = _run_library(library, "sgd" if library == "torch" else "nesterov", h, p0, grads, request)
    p = _kernel_run(opt, p0, grads)
    assert not np.array_equal(p, p0)
    np.testing.assert_allclose(p, expected, rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ (c) special behaviours
def test_presets_and_their_defaults():
    assert SGD.preset_names == ("torch", "keras", "optax", "sklearn")
    assert ADAGRAD.preset_names == ADADELTA.preset_names == RMSPROP.preset_names == ("torch", "keras", "optax")
    assert Optimizer(SGD).hyper["lr"] == 1e-3  # the torch preset is untouched
    assert Optimizer(SGD, preset="keras").hyper["lr"] == 0.01
    sk = Optimizer(SGD, preset="sklearn").hyper
    assert (sk["lr"], sk["momentum"], sk["nesterov"]) == (0.1, 0.9, True)
    assert Optimizer(ADAGRAD).hyper == dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                                            eps=1e-10, maximize=False)
    for pr in ("keras", "optax"):
        h = Optimizer(ADAGRAD, preset=pr).hyper
        assert (h["initial_accumulator_value"], h["eps"]) == (0.1, 1e-7)
    assert Optimizer(ADAGRAD, preset="keras").hyper["lr"] == 1e-3
    assert Optimizer(ADADELTA).hyper == dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False)
    kd = Optimizer(ADADELTA, preset="keras").hyper
    assert (kd["lr"], kd["rho"], kd["eps"]) == (1e-3, 0.95, 1e-7)
    assert Optimizer(ADADELTA, preset="optax").hyper == Optimizer(ADADELTA).hyper
    assert Optimizer(RMSPROP).hyper == dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                                            centered=False, maximize=False)
    kr, orr = Optimizer(RMSPROP, preset="keras").hyper, Optimizer(RMSPROP, preset="optax").hyper
    assert (kr["lr"], kr["alpha"], kr["eps"]) == (1e-3, 0.9, 1e-7)
    assert (orr["lr"], orr["alpha"], orr["eps"]) == (1e-2, 0.9, 1e-8)
    assert Optimizer(NESTEROV).hyper == dict(lr=1e-3, momentum=0.9, weight_decay=0.0)
    with pytest.raises(ValueError, match="unknown preset 'sklearn'; available: torch, keras, optax"):
        Optimizer(RMSPROP, preset="sklearn")


@pytest.mark.parametrize("preset", ["torch", "keras", "optax"])
def test_rmsprop_active_slots_follow_momentum_and_centered(preset):
    def active(**h):
        return Optimizer(RMSPROP, preset=preset, **h).active

    assert active() == ("square_avg",)
    assert active(momentum=0.9) == ("square_avg", "momentum_buffer")
    assert active(centered=True) == ("square_avg", "grad_avg")
    assert active(momentum=0.5, centered=True) == ("square_avg", "momentum_buffer", "grad_avg")
    opt = Optimizer(RMSPROP, preset=preset, centered=True)
    opt.step(np.ones(4), np.full(4, 0.5))
    assert opt.state.shape == (2, 4)
    assert set(opt.state_dict()) >= {"square_avg", "grad_avg"} and "momentum_buffer" not in opt.state_dict()


def test_active_slots_of_the_other_rules():
    for pr in ("torch", "keras", "optax", "sklearn"):
        assert Optimizer(SGD, preset=pr, momentum=0.0, nesterov=False).active == ()
        assert Optimizer(SGD, preset=pr, momentum=0.9).active == ("momentum_buffer",)
    assert Optimizer(SGD, preset="sklearn").active == ("momentum_buffer",)  # momentum 0.9 by default
    assert Optimizer(NESTEROV).active == ("velocity",)
    for pr in ("torch", "keras", "optax"):
        assert Optimizer(ADAGRAD, preset=pr).active == ("sum",)
        assert Optimizer(ADADELTA, preset=pr).active == ("square_avg", "acc_delta")


def test_adagrad_initial_accumulator_and_lr_decay():
    # g = 1 each step, eps = 0: sum_t = s0 + t, clr_t = lr / (1 + (t-1)*lr_decay),
    # p_t = p_{t-1} - clr_t / sqrt(s0 + t)
    lr, lr_decay, s0 = 0.5, 0.25, 2.0
    opt = Optimizer(ADAGRAD, lr=lr, lr_decay=lr_decay, initial_accumulator_value=s0, eps=0.0)
    p = np.zeros(3)
    opt.init_state(3, np.float64)
    np.testing.assert_array_equal(opt.state, np.full((1, 3), s0))
    expected = 0.0
    for t in range(1, 5):
        opt.step(p, np.ones(3))
        expected -= lr / (1 + (t - 1) * lr_decay) / np.sqrt(s0 + t)
        np.testing.assert_allclose(p, expected, rtol=1e-14)
        np.testing.assert_allclose(opt.state[0], s0 + t, rtol=1e-15)
    assert opt.state_dict()["sum"].tolist() == [s0 + 4] * 3


def test_adagrad_eps_placement_per_preset():
    # one step from p = 0, g = 1, s0 = 0, eps = 0.5: PyTorch divides by sqrt(1) + eps, Keras and
    # optax by sqrt(1 + eps)
    out = {}
    for pr in ("torch", "keras", "optax"):
        p = np.zeros(2)
        Optimizer(ADAGRAD, preset=pr, lr=1.0, initial_accumulator_value=0.0, eps=0.5).step(p, np.ones(2))
        out[pr] = p[0]
    assert out["torch"] == pytest.approx(-1 / 1.5, rel=1e-15)
    assert out["keras"] == out["optax"] == pytest.approx(-1 / np.sqrt(1.5), rel=1e-15)


def test_optax_adagrad_takes_no_step_where_the_sum_is_zero():
    # optax.scale_by_rss: where(sum > 0, rsqrt(sum + eps), 0); PyTorch gives 0 / (0 + 0) = nan
    g = np.array([0.0, 2.0])
    p = np.array([1.0, 1.0])
    Optimizer(ADAGRAD, preset="optax", lr=0.1, initial_accumulator_value=0.0, eps=0.0).step(p, g)
    np.testing.assert_allclose(p, [1.0, 0.9], rtol=1e-15)
    q = np.array([1.0, 1.0])
    Optimizer(ADAGRAD, lr=0.1, eps=0.0).step(q, g)
    assert np.isnan(q[0]) and q[1] == pytest.approx(0.9, rel=1e-15)


def test_keras_weight_decay_is_decoupled():
    # Zero gradient: Keras shrinks p by (1 - lr*wd) directly; PyTorch's L2 term goes through
    # the adaptive denominator (Adagrad normalises it to a step of about lr * sign(p)).
    p0 = np.array([2.0, -0.5])
    for spec in (ADAGRAD, RMSPROP, ADADELTA, SGD):
        p = p0.copy()
        Optimizer(spec, preset="keras", lr=0.1, weight_decay=0.2).step(p, np.zeros(2))
        np.testing.assert_allclose(p, p0 * (1 - 0.1 * 0.2), rtol=1e-15, err_msg=spec.name)
    q = p0.copy()
    Optimizer(ADAGRAD, lr=0.1, weight_decay=0.2).step(q, np.zeros(2))
    np.testing.assert_allclose(q, p0 - 0.1 * np.sign(p0), rtol=1e-9)


def test_rmsprop_centered_with_momentum_by_hand():
    lr, alpha, eps, mu = 0.1, 0.5, 1e-3, 0.9
    g1, g2 = 2.0, -1.0
    opt = Optimizer(RMSPROP, lr=lr, alpha=alpha, eps=eps, momentum=mu, centered=True)
    p = np.array([1.0])
    opt.step(p, np.array([g1]))
    v1, a1 = (1 - alpha) * g1**2, (1 - alpha) * g1
    b1 = g1 / (np.sqrt(v1 - a1**2) + eps)
    np.testing.assert_allclose(p, [1.0 - lr * b1], rtol=1e-14)
    opt.step(p, np.array([g2]))
    v2, a2 = alpha * v1 + (1 - alpha) * g2**2, alpha * a1 + (1 - alpha) * g2
    b2 = mu * b1 + g2 / (np.sqrt(v2 - a2**2) + eps)
    np.testing.assert_allclose(p, [1.0 - lr * b1 - lr * b2], rtol=1e-14)
    d = opt.state_dict()
    np.testing.assert_allclose([d["square_avg"][0], d["momentum_buffer"][0], d["grad_avg"][0]], [v2, b2, a2],
                               rtol=1e-14)


def test_rmsprop_eps_placement_and_momentum_buffer_per_preset():
    # one step from p = 0, g = 1, alpha = 0.5 (v = 0.5), eps = 0.25, momentum 0.9
    out = {}
    for pr in ("torch", "keras", "optax"):
        opt = Optimizer(RMSPROP, preset=pr, lr=0.1, alpha=0.5, eps=0.25, momentum=0.9)
        p = np.zeros(1)
        opt.step(p, np.ones(1))
        out[pr] = (p[0], opt.state_dict()["momentum_buffer"][0])
    torch_buf = 1 / (np.sqrt(0.5) + 0.25)
    np.testing.assert_allclose(out["torch"], [-0.1 * torch_buf, torch_buf], rtol=1e-15)
    step = 0.1 / np.sqrt(0.5 + 0.25)  # Keras and optax: eps inside, lr inside the buffer
    np.testing.assert_allclose(out["keras"], [-step, step], rtol=1e-15)
    np.testing.assert_allclose(out["optax"], [-step, step], rtol=1e-15)


def test_velocity_presets_match_torch_at_constant_lr_and_scale_the_buffer(rng):
    # Keras / scikit-learn velocity = -lr * PyTorch's momentum_buffer; same parameters
    p0 = rng.standard_normal(N)
    grads = _gradients(rng, steps=40)
    for nesterov in (False, True):
        torch_opt = Optimizer(SGD, lr=0.05, momentum=0.9, nesterov=nesterov)
        p_t = _kernel_run(torch_opt, p0, grads)
        for pr in ("keras", "sklearn"):
            opt = Optimizer(SGD, preset=pr, lr=0.05, momentum=0.9, nesterov=nesterov)
            np.testing.assert_allclose(_kernel_run(opt, p0, grads), p_t, rtol=1e-11, atol=1e-13)
            np.testing.assert_allclose(opt.state[0], -0.05 * torch_opt.state[0], rtol=1e-10, atol=1e-13)
        nest = Optimizer(NESTEROV, lr=0.05, momentum=0.9)
        if nesterov:
            np.testing.assert_allclose(_kernel_run(nest, p0, grads), p_t, rtol=1e-11, atol=1e-13)
            np.testing.assert_allclose(nest.state[0], -0.05 * torch_opt.state[0], rtol=1e-10, atol=1e-13)


def test_optax_sgd_preset_is_the_torch_rule(rng):
    p0 = rng.standard_normal(N)
    grads = _gradients(rng, steps=30)
    for h in (dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), dict(lr=0.1, momentum=0.5)):
        a = Optimizer(SGD, **h)
        b = Optimizer(SGD, preset="optax", **h)
        assert b.spec.rule is a.spec.rule and b.spec.reference is not a.spec.reference
        np.testing.assert_array_equal(_kernel_run(a, p0, grads), _kernel_run(b, p0, grads))


@pytest.mark.parametrize(
    "spec,hyper,fragment",
    [
        (ADAGRAD, dict(lr=-0.1), "Invalid learning rate: -0.1"),
        (ADAGRAD, dict(lr_decay=-0.01), "Invalid lr_decay value: -0.01"),
        (ADAGRAD, dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (ADAGRAD, dict(initial_accumulator_value=-0.5), "Invalid initial_accumulator_value value: -0.5"),
        (ADAGRAD, dict(eps=-1e-10), "Invalid epsilon value: -1e-10"),
        (ADADELTA, dict(lr=-1.0), "Invalid learning rate: -1.0"),
        (ADADELTA, dict(rho=1.5), "Invalid rho value: 1.5"),
        (ADADELTA, dict(rho=-0.1), "Invalid rho value: -0.1"),
        (ADADELTA, dict(eps=-1e-6), "Invalid epsilon value: -1e-06"),
        (ADADELTA, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (RMSPROP, dict(lr=-0.01), "Invalid learning rate: -0.01"),
        (RMSPROP, dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (RMSPROP, dict(momentum=-0.9), "Invalid momentum value: -0.9"),
        (RMSPROP, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (RMSPROP, dict(alpha=-0.5), "Invalid alpha value: -0.5"),
        (RMSPROP, dict(alpha=1.5), "Invalid alpha value: 1.5"),
        (RMSPROP, dict(centered="yes"), "Invalid centered value: 'yes'"),
        (NESTEROV, dict(lr=-0.1), "Invalid learning rate: -0.1"),
        (NESTEROV, dict(momentum=1.0), "Invalid momentum value: 1.0"),
        (NESTEROV, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (NESTEROV, dict(maximize=True), "unknown hyperparameter 'maximize'"),
        (SGD, dict(momentum=0.0), "Nesterov momentum requires a momentum"),  # sklearn: nesterov=True
    ],
)
def test_invalid_hyperparameters_raise_pytorch_messages(spec, hyper, fragment):
    preset = "sklearn" if spec is SGD else None
    with pytest.raises(ValueError, match=spec.name) as exc:
        Optimizer(spec, preset=preset, **hyper)
    assert fragment in str(exc.value)
    if preset is None:  # every preset validates the same way
        for pr in spec.presets:
            with pytest.raises(ValueError, match=spec.name):
                Optimizer(spec, preset=pr, **hyper)

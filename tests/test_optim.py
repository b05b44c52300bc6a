"""Optimizer rules: compiled kernels against float64 NumPy references and PyTorch."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from gdlab.optim import Optimizer, compile_with, create, get_spec

CASES = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd", dict(lr=0.02, weight_decay=0.1, maximize=True)),
    ("adam", dict()),
    ("adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("adam", dict(lr=0.01, weight_decay=0.05)),
    ("adam", dict(lr=0.003, maximize=True, weight_decay=0.01)),
    ("adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in h.items()) or 'defaults'}" for n, h in CASES]
N_STEPS = 120


def _gradients(rng, n, steps):
    # include exact zeros and a wide range of magnitudes
    g = rng.standard_normal((steps, n)) * np.exp(rng.uniform(-4, 2, (steps, n)))
    g[:, :3] = 0.0
    return g


def _reference_run(spec, hyper, p0, grads):
    p = p0.astype(np.float64)
    state = {k: np.zeros_like(p) for k in spec.state}
    for t, g in enumerate(grads, start=1):
        p, state = spec.reference(p, g, state, t, **hyper)
    return p, state


@pytest.mark.parametrize("name,hyper", CASES, ids=IDS)
def test_float64_kernel_matches_reference(name, hyper, rng):
    opt = create(name, **hyper)
    p0 = rng.standard_normal(257)
    grads = _gradients(rng, 257, N_STEPS)
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    p_ref, st_ref = _reference_run(opt.spec, opt.hyper, p0, grads)
    assert opt.t == N_STEPS
    np.testing.assert_allclose(p, p_ref, rtol=1e-10, atol=1e-12)
    for k, slot in enumerate(opt.active):
        np.testing.assert_allclose(opt.state[k], st_ref[slot], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,hyper", CASES, ids=IDS)
def test_float32_kernel_close_to_float64_reference(name, hyper, rng):
    opt = create(name, **hyper)
    p0 = rng.standard_normal(300).astype(np.float32)
    grads = _gradients(rng, 300, 50).astype(np.float32)
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    p_ref, _ = _reference_run(opt.spec, opt.hyper, p0, grads.astype(np.float64))
    assert p.dtype == np.float32
    np.testing.assert_allclose(p, p_ref, rtol=1e-5, atol=1e-6)


def test_sgd_first_step_buffer_is_the_gradient_not_dampened():
    # PyTorch: at step 1 the buffer is a copy of the gradient; dampening applies from step 2.
    opt = create("sgd", lr=0.5, momentum=0.9, dampening=0.5)
    p = np.array([1.0, -2.0])
    g1, g2 = np.array([0.2, 0.4]), np.array([1.0, -1.0])
    opt.step(p, g1)
    np.testing.assert_array_equal(opt.state[0], g1)
    np.testing.assert_allclose(p, [1.0 - 0.5 * 0.2, -2.0 - 0.5 * 0.4])
    opt.step(p, g2)
    buf = 0.9 * g1 + 0.5 * g2
    np.testing.assert_allclose(opt.state[0], buf)
    np.testing.assert_allclose(p, [0.9 - 0.5 * buf[0], -2.2 - 0.5 * buf[1]])


def test_adam_first_step_moves_each_element_by_lr():
    # With bias correction, |step 1| = lr * |g| / (|g| + eps') ~= lr for |g| >> eps.
    opt = create("adam", lr=0.01)
    p = np.zeros(4)
    opt.step(p, np.array([3.0, -0.5, 1e-3, -40.0]))
    np.testing.assert_allclose(p, [-0.01, 0.01, -0.01, 0.01], rtol=1e-4)


def test_segment_update_equals_parallel_whole_vector_step(rng):
    spec = get_spec("adam")
    opt = Optimizer(spec, lr=0.01, weight_decay=0.1)
    mod = compile_with(spec, active=opt.active)
    p = rng.standard_normal(1000)
    g = rng.standard_normal(1000)
    st = np.zeros((len(opt.active), 1000))
    p2, st2 = p.copy(), st.copy()
    for t in (1, 2, 3):
        mod.opt_step(p, g, st, opt.hyper_array, t, np.array([0]), np.array([1000]))
        sc = mod.opt_scalars(t, opt.hyper_array)
        for lo, hi in ((0, 7), (7, 500), (500, 1000)):
            mod.opt_update(p2, g, st2, opt.hyper_array, sc, lo, hi)
    np.testing.assert_array_equal(p, p2)
    np.testing.assert_array_equal(st, st2)


def test_second_call_does_not_recompile(rng):
    spec = get_spec("sgd")
    opt = Optimizer(spec, lr=0.1, momentum=0.5)
    mod = compile_with(spec, active=opt.active, dtype=np.float32)
    assert compile_with(spec, active=opt.active, dtype="float32") is mod
    p = rng.standard_normal(50).astype(np.float32)
    opt.step(p, np.ones(50, np.float32))
    n_sigs = len(mod.opt_step.signatures)
    opt.step(p, np.ones(50, np.float32))
    create("sgd", lr=0.3, momentum=0.9).step(p, np.ones(50, np.float32))  # same kernel
    assert len(mod.opt_step.signatures) == n_sigs


def test_second_process_loads_kernels_from_disk_cache(tmp_path):
    code = textwrap.dedent("""
        import json, numpy as np
        from gdlab.optim import create, compile_with
        from gdlab.optim._optimizer import SERIAL_BELOW
        opt = create("adam", lr=0.01)
        opt.step(np.zeros(8), np.ones(8))                        # serial: opt_update
        opt = create("adam", lr=0.01)
        opt.step(np.zeros(SERIAL_BELOW), np.ones(SERIAL_BELOW))  # parallel: opt_step
        mod = compile_with(opt.spec, active=opt.active)
        st = [mod.opt_update.stats, mod.opt_step.stats]
        print(json.dumps([sum(sum(s.cache_hits.values()) for s in st),
                          sum(sum(s.cache_misses.values()) for s in st)]))
    """)
    env = dict(os.environ, GDLAB_CACHE_DIR=str(tmp_path), GDLAB_CACHE="1")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1] for _ in range(2)]
    first, second = (eval(r) for r in runs)
    assert first[1] >= 1  # compiled
    assert second == [2, 0], f"second process should hit the cache, got hits/misses {second}"


@pytest.mark.parametrize(
    "name,hyper,fragment",
    [
        ("sgd", dict(lr=-0.1), "Invalid learning rate: -0.1"),
        ("sgd", dict(momentum=1.0), "Invalid momentum value: 1.0"),
        ("sgd", dict(momentum=-0.1), "Invalid momentum value: -0.1"),
        ("sgd", dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        ("sgd", dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening=0.1"),
        ("sgd", dict(weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
        ("sgd", dict(lr=float("nan")), "Invalid learning rate: nan"),
        ("sgd", dict(nesterov="yes"), "Invalid nesterov value: 'yes'"),
        ("sgd", dict(momentum_typo=0.9), "momentum_typo"),
        ("adam", dict(beta1=1.0), "Invalid beta parameter at index 0: 1.0"),
        ("adam", dict(beta2=-0.5), "Invalid beta parameter at index 1: -0.5"),
        ("adam", dict(betas=(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5"),
        ("adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
        ("adam", dict(lr="0.1"), "Invalid learning rate: '0.1'"),
    ],
)
def test_invalid_hyperparameters_raise_valueerror_naming_them(name, hyper, fragment):
    with pytest.raises(ValueError, match=name) as exc:
        create(name, **hyper)
    assert fragment in str(exc.value)


def test_unknown_optimizer_lists_registered_names():
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; registered optimizers: .*adam.*sgd"):
        create("adamm")


def test_step_rejects_bad_arrays_and_keeps_params_on_nonfinite_gradient():
    opt = create("sgd", lr=0.1, momentum=0.9)
    p = np.ones(5)
    with pytest.raises(ValueError, match="shape"):
        opt.step(p, np.ones(4))
    with pytest.raises(TypeError, match="dtype"):
        opt.step(p, np.ones(5, np.float32))
    with pytest.raises(ValueError, match="1-D"):
        opt.step(np.ones((5, 1)), np.ones((5, 1)))
    with pytest.raises(TypeError, match="float32 or float64"):
        opt.step(np.ones(5, np.int64), np.ones(5, np.int64))
    opt.step(p, np.full(5, 0.5))
    before, state_before = p.copy(), opt.state.copy()
    g = np.full(5, 0.5)
    g[3] = np.nan
    with pytest.raises(FloatingPointError, match="at index 3.*before step 2"):
        opt.step(p, g)
    np.testing.assert_array_equal(p, before)
    np.testing.assert_array_equal(opt.state, state_before)
    assert opt.t == 1



@pytest.mark.parametrize("name,hyper", CASES, ids=IDS)
def test_live_parity_with_pytorch(name, hyper, rng):
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install torch==2.13.0)")
    opt = create(name, **hyper)
    h = opt.hyper
    p0 = rng.standard_normal(64)
    grads = _gradients(rng, 64, 60)
    tp = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
    if name == "sgd":
        topt = torch.optim.SGD([tp], lr=h["lr"], momentum=h["momentum"], dampening=h["dampening"],
                               weight_decay=h["weight_decay"], nesterov=h["nesterov"],
                               maximize=h["maximize"], foreach=False)
    else:
        topt = torch.optim.Adam([tp], lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                weight_decay=h["weight_decay"], amsgrad=h["amsgrad"],
                                maximize=h["maximize"], foreach=False)
    p = p0.copy()
    for g in grads:
        tp.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
        opt.step(p, g)
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-13)

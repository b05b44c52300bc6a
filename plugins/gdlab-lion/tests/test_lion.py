"""gdlab-lion: conformance kit, registration, a worked example, and parity with optax, Keras and
lion-pytorch (live when importable, and gdlab's recorded golden trajectories)."""

import contextlib
import importlib.metadata
import json
from pathlib import Path

import numpy as np
import pytest

from gdlab.optim import Optimizer
from gdlab.testing import check_optimizer
from gdlab_lion import LION


def _installed() -> bool:
    """True when the gdlab-lion distribution (and so its entry point) is installed."""
    return any(ep.name == "lion" and ep.value == "gdlab_lion.plugin"
               for ep in importlib.metadata.entry_points(group="gdlab"))


needs_install = pytest.mark.skipif(
    not _installed(), reason="gdlab-lion is not installed (pip install -e plugins/gdlab-lion)")


# -- gdlab's conformance kit --------------------------------------------------------------
def test_passes_gdlab_conformance_checks():
    # lr 1e-3: Lion moves each element by at most lr per step, and the parabola check
    # starts ~1 from its minimum.
    passed = check_optimizer(LION, hyper={"lr": 1e-3})
    assert set(passed) == {"torch", "optax", "keras"}


# -- registration through the entry point ------------------------------------------------
@needs_install
def test_entry_point_registers_lion(monkeypatch):
    from gdlab.registry import Registry

    monkeypatch.delenv("GDLAB_DISABLE_PLUGINS", raising=False)
    reg = Registry()
    assert "lion" in reg.specs("optimizers")
    assert reg.optimizer("lion") is LION
    assert reg.provider("optimizers", "lion") == "lion"
    info = {i.name: i for i in reg.plugins()}["lion"]
    assert info.source.startswith("gdlab-lion 0.1.0 (entry point lion = gdlab_lion.plugin)")
    assert info.contributes["optimizers"] == ["lion"]


@needs_install
def test_disabled_by_environment(monkeypatch):
    from gdlab.registry import Registry

    monkeypatch.setenv("GDLAB_DISABLE_PLUGINS", "lion")
    assert "lion" not in Registry().specs("optimizers")


@needs_install
def test_cli_lists_the_plugin_and_the_optimizer(monkeypatch):
    from click.testing import CliRunner

    from gdlab.cli import main
    from gdlab.registry import reset_registry

    monkeypatch.delenv("GDLAB_DISABLE_PLUGINS", raising=False)
    reset_registry()
    try:
        plugins = CliRunner().invoke(main, ["plugins"])
        listing = CliRunner().invoke(main, ["list", "optimizers"])
    finally:
        reset_registry()
    assert plugins.exit_code == 0, plugins.output
    assert "lion  (gdlab-lion 0.1.0 (entry point lion = gdlab_lion.plugin))  optimizers: lion" in plugins.output
    assert listing.exit_code == 0, listing.output
    assert "lion  [lion]  Lion" in listing.output
    assert "beta2" in listing.output


# -- the update rule, by hand --------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_two_steps_worked_by_hand(dtype):
    # Powers of two throughout, so every intermediate value is exact in float32 and float64.
    # lr = 1/8, beta1 = 1/2, beta2 = 3/4, weight_decay = 1/2, m0 = 0.
    opt = Optimizer(LION, lr=0.125, betas=(0.5, 0.75), weight_decay=0.5)
    p = np.array([1.0, -2.0, 0.5], dtype)
    # step 1: c = 0.5 * g1 = [0.25, -2, 0] -> sign [1, -1, 0]
    #   p1 = p0 - 0.125 * (sign + 0.5 * p0)
    #      = [1 - 0.125 * 1.5, -2 - 0.125 * (-2), 0.5 - 0.125 * 0.25] = [0.8125, -1.75, 0.46875]
    #   m1 = 0.25 * g1 = [0.125, -1, 0]
    opt.step(p, np.array([0.5, -4.0, 0.0], dtype))
    np.testing.assert_array_equal(p, [0.8125, -1.75, 0.46875])
    np.testing.assert_array_equal(opt.state_dict()["exp_avg"], [0.125, -1.0, 0.0])
    # step 2: c = 0.5 * m1 + 0.5 * g2 = [0.0625 - 0.5, -0.5 + 0.5, 0 + 1] = [-0.4375, 0, 1]
    #   -> sign [-1, 0, 1]
    #   p2 = p1 - 0.125 * (sign + 0.5 * p1)
    #      = [0.8125 + 0.125 * 0.59375, -1.75 + 0.125 * 0.875, 0.46875 - 0.125 * 1.234375]
    #      = [0.88671875, -1.640625, 0.314453125]
    #   m2 = 0.75 * m1 + 0.25 * g2 = [0.09375 - 0.25, -0.75 + 0.25, 0 + 0.5] = [-0.15625, -0.5, 0.5]
    opt.step(p, np.array([-1.0, 1.0, 2.0], dtype))
    np.testing.assert_array_equal(p, [0.88671875, -1.640625, 0.314453125])
    np.testing.assert_array_equal(opt.state_dict()["exp_avg"], [-0.15625, -0.5, 0.5])
    assert opt.t == 2 and opt.active == ("exp_avg",)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_first_step_moves_each_element_by_lr_times_the_sign(weight_decay):
    # With m0 = 0, c = (1 - beta1) g has the sign of g, whatever its magnitude.
    lr = 1e-4
    p0 = np.array([1.0, -3.0, 0.25, 2.0, 0.0])
    g = np.array([3.0, -1e-30, 0.0, -40.0, 5.0])
    p = p0.copy()
    Optimizer(LION, lr=lr, weight_decay=weight_decay).step(p, g)
    np.testing.assert_allclose(p, p0 - lr * (np.sign(g) + weight_decay * p0), rtol=1e-15, atol=0)


def test_defaults_and_presets():
    opt = Optimizer(LION)
    assert opt.hyper == {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}
    assert LION.preset_names == ("torch", "optax", "keras")
    assert Optimizer(LION, preset="keras").hyper["lr"] == 1e-3
    assert Optimizer(LION, preset="optax").hyper["weight_decay"] == 1e-3
    assert LION.with_preset("optax").rule is LION.rule  # same update equations


@pytest.mark.parametrize(
    "hyper,fragment",
    [
        (dict(lr=-0.1), "lion: Invalid learning rate: -0.1"),
        (dict(lr=float("nan")), "Invalid learning rate: nan"),
        (dict(beta1=1.0), "Invalid beta parameter at index 0: 1.0"),
        (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (dict(weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
        (dict(eps=1e-8), "unknown hyperparameter 'eps'"),
    ],
)
def test_invalid_hyperparameters(hyper, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        Optimizer(LION, **hyper)


# -- live parity with other implementations ------------------------------------------------
CASES = [
    dict(lr=1e-3, betas=(0.9, 0.99), weight_decay=0.0),
    dict(lr=3e-3, betas=(0.8, 0.95), weight_decay=0.1),
    dict(lr=1e-2, betas=(0.0, 0.5), weight_decay=1.0),
]


def _problem(n=257, steps=60, seed=7):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(n)
    grads = rng.standard_normal((steps, n)) * np.exp(rng.uniform(-4, 2, (steps, n)))
    grads[:, :3] = 0.0  # exact zeros: sign(0) = 0
    return p0, grads


def _run_gdlab(hyper, p0, grads, preset=None):
    opt = Optimizer(LION, preset=preset, **hyper)
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    return p, opt.state_dict()["exp_avg"]


def _golden_cases():
    """Lion cases of gdlab's golden trajectories (tests/golden/*.npz of the gdlab checkout this
    plugin sits in): optax.lion and keras.optimizers.Lion, recorded in float64."""
    here = Path(__file__).resolve()
    folder = next((d / "tests" / "golden" for d in here.parents[1:]
                   if (d / "tests" / "golden" / "optax.npz").is_file()), None)
    if folder is None:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no gdlab tests/golden here"))]
    cases = []
    for lib in ("optax", "keras"):
        path = folder / f"{lib}.npz"
        if path.is_file():
            with np.load(path) as z:
                for k, text in enumerate(z["cases"]):
                    if json.loads(str(text))["optimizer"] == "lion":
                        cases.append(pytest.param(path, k, id=f"{lib}-case{k}"))
    return cases or [pytest.param(None, None, marks=pytest.mark.skip(reason="no Lion golden cases"))]


# the libraries' argument names -> gdlab's
_ARGS = {"learning_rate": "lr", "b1": "beta1", "b2": "beta2", "beta_1": "beta1", "beta_2": "beta2",
         "weight_decay": "weight_decay"}


@pytest.mark.parametrize("path,k", _golden_cases())
def test_replays_golden_trajectories(path, k):
    # Offline parity: trajectories recorded from optax 0.2.8 and Keras 3 (see tests/golden/README.md).
    with np.load(path) as z:
        case = json.loads(str(z["cases"][k]))
        p0, grads, expected = z[f"case{k}_p0"], z[f"case{k}_grads"], z[f"case{k}_params"]
    hyper = {_ARGS[name]: value for name, value in case["hyper"].items()}
    opt = Optimizer(LION, preset="optax" if case["preset"] == "optax" else None, **hyper)
    p = p0.copy()
    for t, g in enumerate(grads):
        opt.step(p, np.ascontiguousarray(g))
        np.testing.assert_allclose(p, expected[t], rtol=1e-10, atol=1e-12, err_msg=f"step {t + 1}")


@contextlib.contextmanager
def _jax_x64(jax):
    if hasattr(jax, "enable_x64"):  # jax >= 0.7
        with jax.enable_x64(True):
            yield
    else:
        from jax.experimental import enable_x64

        with enable_x64():
            yield


def _run_optax(tx, p0, grads):
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    with _jax_x64(jax):
        import jax.numpy as jnp

        params = jnp.asarray(p0, dtype=jnp.float64)
        state = tx.init(params)
        for g in grads:
            updates, state = tx.update(jnp.asarray(g, dtype=jnp.float64), state, params)
            params = optax.apply_updates(params, updates)
        assert params.dtype == jnp.float64
        return np.asarray(params), np.asarray(state[0].mu)  # chain(scale_by_lion, ...)[0]


@pytest.mark.parametrize("hyper", CASES)
def test_matches_optax_lion(hyper):
    optax = pytest.importorskip("optax")
    pytest.importorskip("jax")
    p0, grads = _problem()
    b1, b2 = hyper["betas"]
    tx = optax.lion(learning_rate=hyper["lr"], b1=b1, b2=b2, weight_decay=hyper["weight_decay"])
    p_ref, m_ref = _run_optax(tx, p0, grads)
    p, m = _run_gdlab(hyper, p0, grads)
    np.testing.assert_allclose(p, p_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m, m_ref, rtol=1e-10, atol=1e-12)


def test_optax_preset_matches_optax_defaults():
    optax = pytest.importorskip("optax")
    pytest.importorskip("jax")
    p0, grads = _problem(steps=40)
    p_ref, m_ref = _run_optax(optax.lion(learning_rate=1e-3), p0, grads)  # weight_decay 1e-3
    p, m = _run_gdlab({"lr": 1e-3}, p0, grads, preset="optax")
    np.testing.assert_allclose(p, p_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m, m_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("hyper", CASES)
def test_matches_lion_pytorch(hyper):
    # lucidrains' lion-pytorch (pip install lion-pytorch), which applies the decay first,
    # as p *= 1 - lr * wd, like the paper's official PyTorch code: equal up to rounding.
    torch = pytest.importorskip("torch")
    lion_pytorch = pytest.importorskip("lion_pytorch")
    p0, grads = _problem()
    w = torch.nn.Parameter(torch.tensor(p0, dtype=torch.float64))
    opt = lion_pytorch.Lion([w], **hyper)
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    p, m = _run_gdlab(hyper, p0, grads)
    np.testing.assert_allclose(p, w.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m, opt.state[w]["exp_avg"].numpy(), rtol=1e-10, atol=1e-12)

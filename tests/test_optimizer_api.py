"""The NumPy-facing Optimizer: state dicts, save/load/resume, non-finite policy, CUDA, bad input."""

import numpy as np
import pytest

from gdlab.optim import Optimizer, create, cuda_available, get_spec


def _run(opt, p, grads):
    for g in grads:
        opt.step(p, g)
    return p


@pytest.mark.parametrize("name,hyper", [("sgd", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                        ("adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1))])
def test_stop_save_load_resume_is_bit_identical(name, hyper, rng, tmp_path):
    p0 = rng.standard_normal(100).astype(np.float32)
    grads = rng.standard_normal((40, 100)).astype(np.float32)
    full = _run(create(name, **hyper), p0.copy(), grads)

    first = create(name, **hyper)
    p = _run(first, p0.copy(), grads[:17])
    path = first.save(tmp_path / "opt.npz")
    resumed = create(name)  # default hyperparameters: load restores the saved ones
    resumed.load(path)
    assert resumed.t == 17 and resumed.hyper == first.hyper
    _run(resumed, p, grads[17:])
    np.testing.assert_array_equal(p, full)


def test_state_dict_uses_torch_key_names_and_only_active_slots(rng):
    opt = create("adam", lr=0.01)
    opt.step(np.ones(5), np.ones(5))
    d = opt.state_dict()
    assert d["step"] == 1 and set(d) >= {"exp_avg", "exp_avg_sq"} and "max_exp_avg_sq" not in d
    assert create("adam", amsgrad=True).active == ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    assert create("sgd", lr=0.1).active == () and create("sgd", momentum=0.5).active == ("momentum_buffer",)
    d["exp_avg"][:] = 99  # a copy: the optimizer's state is unchanged
    assert opt.state[0, 0] != 99


def test_load_state_dict_rejects_mismatches():
    opt = create("adam")
    opt.step(np.ones(4), np.ones(4))
    d = opt.state_dict()
    with pytest.raises(ValueError, match=r"is for adam\[torch\], not sgd\[torch\]"):
        create("sgd").load_state_dict(d)
    bad = dict(d)
    del bad["exp_avg_sq"]
    with pytest.raises(ValueError, match="misses the state slot"):
        create("adam").load_state_dict(bad)
    bad = dict(d, exp_avg=np.zeros(3))
    with pytest.raises(ValueError, match="differ in shape"):
        create("adam").load_state_dict(bad)


def test_load_rejects_a_foreign_npz(tmp_path):
    np.savez(tmp_path / "x.npz", a=np.ones(3))
    with pytest.raises(ValueError, match="not a gdlab optimizer state file"):
        create("adam").load(tmp_path / "x.npz")


def test_nonfinite_policies():
    g = np.array([1.0, np.inf, 2.0])
    p = np.zeros(3)
    skip = create("sgd", lr=0.1, on_nonfinite="skip")
    skip.step(p, g)
    assert skip.t == 0 and skip.skipped_steps == 1 and np.all(p == 0)
    raise_ = create("sgd", lr=0.1)
    with pytest.raises(FloatingPointError, match=r"1 non-finite gradient value\(s\), the first at index 1"):
        raise_.step(p, g)
    ignore = create("sgd", lr=0.1, on_nonfinite="ignore")
    ignore.step(p, g)
    assert ignore.t == 1 and np.isinf(p[1])


def test_factories_and_presets_by_name():
    import gdlab.optim as optim

    opt = optim.adam(lr=0.02)
    assert opt.spec.name == "adam" and opt.hyper["lr"] == 0.02
    with pytest.raises(AttributeError):
        optim.adamm  # noqa: B018
    with pytest.raises(ValueError, match="unknown preset 'pytorch'; available: torch"):
        create("adam", preset="pytorch")


def test_segments_must_tile_the_vector():
    opt = create("sgd", lr=0.1)
    for segs in ([(0, 3)], [(0, 2), (3, 5)], [(1, 5)], [(0, 0), (0, 5)], []):
        with pytest.raises(ValueError, match="segments must tile"):
            opt.step(np.ones(5), np.ones(5), segments=segs)


@pytest.mark.skipif(not cuda_available(), reason="no CUDA (install numba-cuda; the simulator needs NUMBA_ENABLE_CUDASIM=1)")
@pytest.mark.parametrize("name,hyper", [("sgd", dict(lr=0.1, momentum=0.9, dampening=0.1)),
                                        ("adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True))])
def test_cuda_backend_matches_cpu_with_device_and_host_arrays(name, hyper, rng):
    from numba import cuda

    p0 = rng.standard_normal(50)
    grads = rng.standard_normal((4, 50))
    cpu = _run(create(name, **hyper), p0.copy(), grads)
    dev = create(name, **hyper)
    d_p = cuda.to_device(p0.copy())
    for g in grads:
        dev.step(d_p, cuda.to_device(g))
    np.testing.assert_allclose(d_p.copy_to_host(), cpu, rtol=1e-12)
    host = create(name, backend="cuda", **hyper)  # host arrays are copied in and out
    p = p0.copy()
    _run(host, p, grads)
    np.testing.assert_allclose(p, cpu, rtol=1e-12)
    assert set(host.state_dict()) >= set(dev.active)


def test_cuda_requested_without_cuda_is_a_clear_error(monkeypatch):
    import gdlab.optim._optimizer as mod

    monkeypatch.setattr(mod, "cuda_available", lambda: False)
    with pytest.raises(RuntimeError, match="backend='cuda' needs numba-cuda"):
        create("sgd", backend="cuda")


RO = np.ones(4)
RO.flags.writeable = False

BAD_STEPS = [
    (np.ones(4), np.ones(3), ValueError, "grads has shape"),
    (np.ones(4), np.ones(4, np.float32), TypeError, "expected float64"),
    (np.ones((2, 2)), np.ones((2, 2)), ValueError, "must be 1-D"),
    (np.ones(4, np.int64), np.ones(4, np.int64), TypeError, "float32 or float64"),
    (np.ones(4, np.float16), np.ones(4, np.float16), TypeError, "float32 or float64"),
    ([1.0, 2.0], np.ones(2), TypeError, "numpy.ndarray"),
    (np.ones(4), [1.0] * 4, TypeError, "numpy.ndarray"),
    (np.ones(8)[::2], np.ones(4), ValueError, "C-contiguous"),
    (np.ones(4), np.ones(8)[::2], ValueError, "C-contiguous"),
    (RO, np.ones(4), ValueError, "read-only"),
    (np.ones(0), np.ones(0), ValueError, "empty"),
    (np.ones(4, complex), np.ones(4, complex), TypeError, "float32 or float64"),
]


@pytest.mark.parametrize("params,grads,exc,match", BAD_STEPS)
def test_bad_arrays_raise_clear_errors(params, grads, exc, match):
    with pytest.raises(exc, match=match):
        create("adam").step(params, grads)


BAD_OPTIONS = [
    (dict(backend="gpu"), "backend must be one of auto, cpu, cuda"),
    (dict(on_nonfinite="warn"), "on_nonfinite must be one of raise, skip, ignore"),
    (dict(preset="tensorflow"), "unknown preset 'tensorflow'"),
    (dict(betas=0.9), "betas must be a pair"),
    (dict(betas=(0.9, 0.99, 0.999)), "betas must be a pair"),
    (dict(lr=None), "Invalid learning rate: None"),
    (dict(lr=float("inf")), "Invalid learning rate: inf"),
    (dict(lr=[0.1]), "Invalid learning rate: \\[0.1\\]"),
    (dict(amsgrad=2), "Invalid amsgrad value: 2"),
    (dict(amsgrad=0.5), "Invalid amsgrad value: 0.5"),
    (dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (dict(eps=float("nan")), "Invalid epsilon value: nan"),
]


@pytest.mark.parametrize("kwargs,match", BAD_OPTIONS)
def test_bad_options_raise_valueerror(kwargs, match):
    with pytest.raises(ValueError, match=match):
        create("adam", **kwargs)


def test_state_made_for_another_size_is_refused():
    opt = create("adam")
    opt.step(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="state was made for 4 float64 parameters, got 5 float64"):
        opt.step(np.ones(5), np.ones(5))
    with pytest.raises(TypeError, match="float32"):
        opt.step(np.ones(4, np.float32), np.ones(4))


def test_spec_construction_errors():
    from gdlab.optim import Hyper, OptimizerSpec

    def rule(p, g, lr):
        return (p - lr * g,)

    with pytest.raises(ValueError, match="exactly one of rule"):
        OptimizerSpec(name="x", rule=None, hyper={})
    with pytest.raises(TypeError, match="rule must be callable"):
        OptimizerSpec(name="x", rule="p - lr*g", hyper={})
    with pytest.raises(TypeError, match="must be a gdlab.optim.Hyper"):
        OptimizerSpec(name="x", rule=rule, hyper={"lr": 0.1})
    with pytest.raises(ValueError, match="slot names repeat"):
        OptimizerSpec(name="x", rule=rule, hyper={"lr": Hyper(0.1)}, state=("m", "m"))
    assert Optimizer(OptimizerSpec(name="x", rule=rule, hyper={"lr": Hyper(0.1, 0.0)})).hyper == {"lr": 0.1}
    assert get_spec("sgd").with_preset(None) is get_spec("sgd")

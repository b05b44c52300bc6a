"""Every rule x preset against golden float64 trajectories recorded from the real libraries.

The ``.npz`` files in ``tests/golden/`` were made by ``tests/golden/generate.py`` with
torch 2.13.0, Keras 3 (torch backend), optax (jax CPU, x64) and scikit-learn; each case feeds a
fixed gradient sequence to the library and records the parameters after every step. Here gdlab
replays the same gradients with the preset named after the library and must agree to 1e-10
relative. ``python tests/test_golden.py`` prints the parity table.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from gdlab.optim import Optimizer
from gdlab.registry import get_registry

GOLDEN = Path(__file__).parent / "golden"
LIBS = ("torch", "keras", "optax", "sklearn")

# library argument -> gdlab hyperparameter ((optimizer, arg) keys take precedence)
RENAME = {
    "torch": {},
    "keras": {"learning_rate": "lr", "beta_1": "beta1", "beta_2": "beta2", "epsilon": "eps",
              ("rmsprop", "rho"): "alpha"},
    "optax": {"learning_rate": "lr", "b1": "beta1", "b2": "beta2", ("rmsprop", "decay"): "alpha"},
    "sklearn": {"learning_rate_init": "lr", "beta_1": "beta1", "beta_2": "beta2", "epsilon": "eps"},
}
IGNORED = {("torch", "foreach"), ("sklearn", "lr_schedule"), ("sklearn", "power_t")}


def load_cases():
    cases = []
    for lib in LIBS:
        path = GOLDEN / f"{lib}.npz"
        with np.load(path) as f:
            for k, meta in enumerate(f["cases"]):
                meta = json.loads(str(meta))
                cases.append((lib, k, meta, f[f"case{k}_p0"], f[f"case{k}_grads"], f[f"case{k}_params"]))
    return cases


CASES = load_cases()


def to_gdlab(lib, meta):
    """``(spec, hyper)`` for a case, or a string saying why gdlab cannot replay it."""
    specs = get_registry().specs("optimizers")
    name = meta["optimizer"]
    if name not in specs:
        return f"gdlab has no optimizer {name!r}"
    spec = specs[name]
    if lib not in spec.preset_names:
        return f"{name} has no {lib!r} preset"
    spec = spec.with_preset(lib)
    hyper = {}
    for arg, value in meta["hyper"].items():
        if (lib, arg) in IGNORED:
            if arg == "lr_schedule" and value != "constant":
                return f"lr_schedule={value!r} is not a constant learning rate"
            continue
        if lib == "torch" and arg == "betas":
            hyper["beta1"], hyper["beta2"] = value
            continue
        key = RENAME[lib].get((name, arg), RENAME[lib].get(arg, arg))
        if key not in spec.hyper:
            return f"{lib} argument {arg}={value!r} has no gdlab counterpart in {name}[{lib}]"
        hyper[key] = value
    return spec, hyper


def replay(lib, meta, p0, grads, dtype=np.float64):
    got = to_gdlab(lib, meta)
    if isinstance(got, str):
        return got
    spec, hyper = got
    opt = Optimizer(spec, **hyper)
    p = p0.astype(dtype)
    grads = grads.astype(dtype)
    traj = np.empty((grads.shape[0], p.shape[0]))
    n = p.shape[0]
    segments = [(0, n)] if spec.update is not None else None
    for t, g in enumerate(grads):
        opt.step(p, np.ascontiguousarray(g), segments=segments)
        traj[t] = p
    return traj


def rel_diff(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


@pytest.mark.parametrize("lib,k,meta,p0,grads,params", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]['optimizer']}" for c in CASES])
def test_golden_trajectory(lib, k, meta, p0, grads, params):
    traj = replay(lib, meta, p0, grads)
    if isinstance(traj, str):
        pytest.skip(traj)
    np.testing.assert_allclose(traj, params, rtol=1e-10, atol=1e-12,
                               err_msg=f"{meta['library_call']} (seed {meta['seed']})")


@pytest.mark.parametrize("lib,k,meta,p0,grads,params", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]['optimizer']}" for c in CASES])
def test_golden_trajectory_float32(lib, k, meta, p0, grads, params):
    """The float32 kernel stays within 1e-5 (norm-wise, every step) of the library's float64
    trajectory; the golden inputs have 12 significant bits, so they are exact in float32."""
    traj = replay(lib, meta, p0, grads, np.float32)
    if isinstance(traj, str):
        pytest.skip(traj)
    err = np.max(np.abs(traj - params), axis=1) / np.max(np.abs(params), axis=1)
    assert err.max() <= 1e-5, f"{meta['library_call']}: float32 relative error {err.max():.2e}"


def parity_table() -> str:
    """Per optimizer x preset: max relative difference of the float64 kernel from the library,
    and norm-wise relative difference of the float32 kernel from the library's float64 path
    (the golden inputs have 12 significant bits, so they are exact in float32)."""
    rows, counts = {}, {}
    for lib, k, meta, p0, grads, params in CASES:
        key = (meta["optimizer"], lib)
        counts[key] = counts.get(key, 0) + 1
        traj = replay(lib, meta, p0, grads)
        if isinstance(traj, str):
            rows.setdefault(key, ("not covered: " + traj, ""))
            continue
        t32 = replay(lib, meta, p0, grads, np.float32)
        d64 = rel_diff(traj, params)
        d32 = float(np.max(np.max(np.abs(t32 - params), axis=1) / np.max(np.abs(params), axis=1)))
        prev = rows.get(key)
        if prev and not isinstance(prev[0], str):
            d64, d32 = max(d64, prev[0]), max(d32, prev[1])
        rows[key] = (d64, d32)
    out = ["| optimizer | preset | cases | float64 kernel vs library (max rel.) "
           "| float32 kernel vs library float64 (norm-wise rel.) |", "|---|---|---:|---:|---:|"]
    for (name, lib), (d64, d32) in sorted(rows.items()):
        if isinstance(d64, str):
            out.append(f"| {name} | {lib} | {counts[(name, lib)]} | {d64} | |")
        else:
            out.append(f"| {name} | {lib} | {counts[(name, lib)]} | {d64:.1e} | {d32:.1e} |")
    return "\n".join(out)


if __name__ == "__main__":
    print(parity_table())

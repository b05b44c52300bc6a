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


def replay(lib, meta, p0, grads):
    got = to_gdlab(lib, meta)
    if isinstance(got, str):
        return got
    spec, hyper = got
    opt = Optimizer(spec, **hyper)
    p = p0.copy()
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


def parity_table() -> str:
    rows = {}
    for lib, k, meta, p0, grads, params in CASES:
        traj = replay(lib, meta, p0, grads)
        key = (meta["optimizer"], lib)
        if isinstance(traj, str):
            rows.setdefault(key, ["not covered: " + traj])
            continue
        prev = rows.get(key)
        d = rel_diff(traj, params)
        rows[key] = [max(d, prev[0]) if prev and not isinstance(prev[0], str) else d]
    out = ["| optimizer | preset | cases | max rel. diff vs library (float64) |", "|---|---|---:|---:|"]
    counts = {}
    for lib, k, meta, *_ in CASES:
        counts[(meta["optimizer"], lib)] = counts.get((meta["optimizer"], lib), 0) + 1
    for (name, lib), (d,) in sorted(rows.items()):
        out.append(f"| {name} | {lib} | {counts[(name, lib)]} | {d if isinstance(d, str) else f'{d:.1e}'} |")
    return "\n".join(out)


if __name__ == "__main__":
    print(parity_table())

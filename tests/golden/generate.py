"""Generate float64 "golden" optimizer trajectories from the real libraries.

What it does
------------
For every library gdlab claims to match (PyTorch, Keras 3, Optax, scikit-learn) and for a set
of configurations of each optimizer (every flag the library offers, non-default learning rates,
weight decay where the library has it), this script feeds the *library's own optimizer* a fixed,
seeded sequence of gradients and records the parameter vector after every step.  The result is
one small ``<lib>.npz`` per library that gdlab's tests replay without any of these libraries
installed.

Protocol (identical for every library, so gdlab can replay it exactly):

* a problem is fully determined by its ``seed`` (see :func:`make_problem`): a start vector
  ``p0`` (float64, n = 16) and a gradient sequence ``G`` (float64, shape (60, 16)).  The gradients
  are NOT computed from the parameters: at step t the library is handed ``G[t]`` directly.
  Gradients span magnitudes (standard normal times ``exp(uniform(-3, 2))``), coordinate 3 is
  always exactly zero, about 5 % of the other entries are exactly zero and step 10 is an all-zero
  gradient.  Values of ``p0`` and ``G`` are rounded to 12 significant bits (still float64, still
  spanning ~e^-3..e^2 scales); this keeps the files small (they compress) and makes no
  difference to what is tested;
* every configuration is run on the same three seeds (0, 1, 2);
* ``params[t]`` is the parameter vector after step t+1 (shape (60, 16)); ``p0`` is before step 1.
* float64 everywhere: ``torch.set_default_dtype(torch.float64)`` (so the optimizers' scalar
  state, e.g. NAdam's ``mu_product``, is float64 too), ``keras.config.set_floatx("float64")``
  with float64 variables, ``jax.config.update("jax_enable_x64", True)``, NumPy float64 for
  scikit-learn.
* how each library is driven:
    - torch: ``p.grad = torch.tensor(G[t]); opt.step()`` (``foreach=False``: the single-tensor
      reference path);
    - keras (3.x, ``KERAS_BACKEND=torch``): ``opt.apply_gradients([(torch.tensor(G[t]), v)])``
      on a ``keras.Variable`` of dtype float64 (Keras' torch backend swaps in its
      ``keras.src.backend.torch.optimizers.*`` classes: that is the code that runs);
    - optax: ``updates, state = tx.update(g, state, params)``;
      ``params = optax.apply_updates(params, updates)`` (eager, not jitted);
    - sklearn: ``sklearn.neural_network._stochastic_optimizers.SGDOptimizer`` /
      ``AdamOptimizer`` with ``opt.update_params([p], [G[t]])`` (in place).  The
      ``lr_schedule="invscaling"`` case also calls ``opt.iteration_ends(t)`` after update t
      (1-based), so update s uses ``learning_rate_init / s**power_t``.

File layout (``<lib>.npz``, no pickles): for each case index k, ``case{k}_p0`` (16,),
``case{k}_grads`` (60, 16) and ``case{k}_params`` (60, 16), all float64; and ``cases``, a
NumPy unicode array of JSON strings, one per case, with keys ``optimizer`` (gdlab name),
``preset`` (the library), ``hyper`` (the library's own argument names and values exactly as
passed; the one exception is optax.amsgrad, recorded as gdlab ``adam`` with the marker
``"amsgrad": true`` added to ``hyper``), ``library_call``, ``library_function``, ``seed``,
``version``, ``steps``, ``n``, companion versions (optax: ``jax_version``; keras:
``keras_backend``, ``torch_version``) and, where the protocol has an extra step or a marker,
``protocol``.

Library versions used for the committed files: torch 2.13.0 (CPU), keras 3.15.1 (torch
backend), optax 0.2.8 with jax/jaxlib 0.10.2 (CPU), scikit-learn 1.9.1; NumPy 2.4.6.

How to re-run
-------------
::

    pip install torch==2.13.0 keras jax optax scikit-learn
    python tests/golden/generate.py                  # all four libraries -> tests/golden/
    python tests/golden/generate.py --only torch     # one library
    python tests/golden/generate.py --out /tmp/g     # elsewhere
    python tests/golden/generate.py --check          # only verify the existing files

A library that is not installed is skipped (its existing file is left alone); a configuration
whose call fails is skipped and reported.  After writing, the script re-loads every file and
checks shapes, dtypes, finiteness and metadata (:func:`check_file`), and checks the plain-SGD
cases against a NumPy reference (``p0 - lr * cumsum(G)``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

import numpy as np

N = 16
STEPS = 60
SEEDS = (0, 1, 2)
ZERO_COORD = 3
ZERO_STEP = 10
MANTISSA_BITS = 12
LIBRARIES = ("torch", "keras", "optax", "sklearn")
MAX_FILE_BYTES = 1_000_000


# --------------------------------------------------------------------------------------------
# problems
# --------------------------------------------------------------------------------------------
def _round_mantissa(x: np.ndarray, bits: int = MANTISSA_BITS) -> np.ndarray:
    """Round to ``bits`` significant bits, keeping float64 and the full exponent range."""
    m, e = np.frexp(x)
    return np.ldexp(np.round(m * 2.0**bits) / 2.0**bits, e)


def make_problem(seed: int, n: int = N, steps: int = STEPS) -> tuple[np.ndarray, np.ndarray]:
    """The start vector ``p0`` (n,) and gradient sequence ``G`` (steps, n) of problem ``seed``."""
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(n)
    scale = np.exp(rng.uniform(-3.0, 2.0, size=(steps, n)))
    G = rng.standard_normal((steps, n)) * scale
    G[rng.random((steps, n)) < 0.05] = 0.0
    G[:, ZERO_COORD] = 0.0
    G[ZERO_STEP, :] = 0.0
    return _round_mantissa(p0), _round_mantissa(G)


# --------------------------------------------------------------------------------------------
# configurations: (gdlab name, library function or class, hyper exactly as passed)
# --------------------------------------------------------------------------------------------
def torch_configs():
    F = {"foreach": False}
    return [
        ("sgd", "SGD", dict(lr=0.05, **F)),
        ("sgd", "SGD", dict(lr=0.05, momentum=0.9, **F)),
        ("sgd", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, **F)),
        ("sgd", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, **F)),
        ("sgd", "SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1, **F)),
        ("sgd", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05,
                            maximize=True, **F)),
        ("adagrad", "Adagrad", dict(lr=0.1, **F)),
        ("adagrad", "Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5, **F)),
        ("adagrad", "Adagrad", dict(lr=0.1, eps=1e-3, weight_decay=0.1, maximize=True, **F)),
        ("adadelta", "Adadelta", dict(lr=1.0, **F)),
        ("adadelta", "Adadelta", dict(lr=0.5, rho=0.95, eps=1e-4, **F)),
        ("adadelta", "Adadelta", dict(lr=1.0, weight_decay=0.1, maximize=True, **F)),
        ("rmsprop", "RMSprop", dict(lr=0.01, **F)),
        ("rmsprop", "RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-4, momentum=0.9, **F)),
        ("rmsprop", "RMSprop", dict(lr=0.01, centered=True, **F)),
        ("rmsprop", "RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1,
                                    maximize=True, **F)),
        ("adam", "Adam", dict(lr=0.01, **F)),
        ("adam", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-4, amsgrad=True, **F)),
        ("adam", "Adam", dict(lr=0.01, weight_decay=0.1, **F)),
        ("adam", "Adam", dict(lr=0.01, weight_decay=0.05, amsgrad=True, maximize=True, **F)),
        ("adamw", "AdamW", dict(lr=0.01, weight_decay=0.1, **F)),
        ("adamw", "AdamW", dict(lr=0.01, betas=(0.85, 0.995), eps=1e-5, weight_decay=0.05,
                                amsgrad=True, **F)),
        ("adamax", "Adamax", dict(lr=0.02, **F)),
        ("adamax", "Adamax", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1,
                                  maximize=True, **F)),
        ("nadam", "NAdam", dict(lr=0.01, **F)),
        ("nadam", "NAdam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-4, momentum_decay=0.04, **F)),
        ("nadam", "NAdam", dict(lr=0.01, weight_decay=0.1, **F)),
        ("nadam", "NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, **F)),
        ("radam", "RAdam", dict(lr=0.01, **F)),
        ("radam", "RAdam", dict(lr=0.01, betas=(0.9, 0.99), eps=1e-4, weight_decay=0.1, **F)),
        ("radam", "RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, **F)),
    ]


def keras_configs():
    return [
        ("sgd", "SGD", dict(learning_rate=0.05)),
        ("sgd", "SGD", dict(learning_rate=0.05, momentum=0.9)),
        ("sgd", "SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
        ("sgd", "SGD", dict(learning_rate=0.05, momentum=0.9, weight_decay=0.1)),
        ("adagrad", "Adagrad", dict(learning_rate=0.1)),
        ("adagrad", "Adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.0,
                                    epsilon=1e-4)),
        ("adagrad", "Adagrad", dict(learning_rate=0.1, initial_accumulator_value=1.0,
                                    weight_decay=0.1)),
        ("adadelta", "Adadelta", dict(learning_rate=1.0)),
        ("adadelta", "Adadelta", dict(learning_rate=0.5, rho=0.9, epsilon=1e-4)),
        ("rmsprop", "RMSprop", dict(learning_rate=0.01)),
        ("rmsprop", "RMSprop", dict(learning_rate=0.01, rho=0.8, momentum=0.9, epsilon=1e-4)),
        ("rmsprop", "RMSprop", dict(learning_rate=0.01, centered=True)),
        ("rmsprop", "RMSprop", dict(learning_rate=0.01, centered=True, momentum=0.5)),
        ("adam", "Adam", dict(learning_rate=0.01)),
        ("adam", "Adam", dict(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-4,
                              amsgrad=True)),
        ("adam", "Adam", dict(learning_rate=0.01, weight_decay=0.1)),
        ("adamw", "AdamW", dict(learning_rate=0.01, weight_decay=0.1)),
        ("adamw", "AdamW", dict(learning_rate=0.01, weight_decay=0.05, epsilon=1e-5,
                                amsgrad=True)),
        ("adamax", "Adamax", dict(learning_rate=0.02)),
        ("adamax", "Adamax", dict(learning_rate=0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-3)),
        ("nadam", "Nadam", dict(learning_rate=0.01)),
        ("nadam", "Nadam", dict(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-4)),
        ("lamb", "Lamb", dict(learning_rate=0.01)),
        ("lamb", "Lamb", dict(learning_rate=0.01, beta_1=0.8, epsilon=1e-4, weight_decay=0.1)),
        ("lion", "Lion", dict(learning_rate=0.01)),
        ("lion", "Lion", dict(learning_rate=0.01, beta_1=0.8, beta_2=0.95, weight_decay=0.1)),
    ]


def optax_configs():
    return [
        ("sgd", "sgd", dict(learning_rate=0.05)),
        ("sgd", "sgd", dict(learning_rate=0.05, momentum=0.9)),
        ("sgd", "sgd", dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
        ("adagrad", "adagrad", dict(learning_rate=0.1)),
        ("adagrad", "adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.0, eps=1e-4)),
        ("adadelta", "adadelta", dict(learning_rate=1.0)),
        ("adadelta", "adadelta", dict(learning_rate=0.5, rho=0.95, eps=1e-4, weight_decay=0.1)),
        ("rmsprop", "rmsprop", dict(learning_rate=0.01)),
        ("rmsprop", "rmsprop", dict(learning_rate=0.01, decay=0.99, eps=1e-4, initial_scale=1.0,
                                    momentum=0.9)),
        ("rmsprop", "rmsprop", dict(learning_rate=0.01, centered=True)),
        ("rmsprop", "rmsprop", dict(learning_rate=0.01, centered=True, momentum=0.5,
                                    nesterov=True)),
        ("rmsprop", "rmsprop", dict(learning_rate=0.01, eps=1e-4, eps_in_sqrt=False,
                                    bias_correction=True)),
        ("adam", "adam", dict(learning_rate=0.01)),
        ("adam", "adam", dict(learning_rate=0.01, b1=0.8, b2=0.99, eps=1e-4)),
        ("adam", "adam", dict(learning_rate=0.01, eps=1e-6, eps_root=1e-6)),
        ("adamw", "adamw", dict(learning_rate=0.01, weight_decay=0.1)),
        ("adamw", "adamw", dict(learning_rate=0.01, b1=0.8, eps=1e-5, weight_decay=0.05,
                                nesterov=True)),
        ("adamax", "adamax", dict(learning_rate=0.02)),
        ("adamax", "adamax", dict(learning_rate=0.02, b1=0.8, b2=0.99, eps=1e-3)),
        ("nadam", "nadam", dict(learning_rate=0.01)),
        ("nadam", "nadam", dict(learning_rate=0.01, b1=0.8, b2=0.99, eps=1e-4, eps_root=1e-8)),
        ("radam", "radam", dict(learning_rate=0.01)),
        ("radam", "radam", dict(learning_rate=0.01, b2=0.99, eps=1e-4, threshold=10.0,
                                nesterov=True)),
        ("lamb", "lamb", dict(learning_rate=0.01)),
        ("lamb", "lamb", dict(learning_rate=0.01, b1=0.8, eps=1e-4, weight_decay=0.1)),
        ("lars", "lars", dict(learning_rate=1.0)),
        ("lars", "lars", dict(learning_rate=1.0, weight_decay=0.1, trust_coefficient=0.01,
                              eps=1e-6, momentum=0.8, nesterov=True)),
        ("lion", "lion", dict(learning_rate=0.01, weight_decay=0.0)),
        ("lion", "lion", dict(learning_rate=0.01, b1=0.8, b2=0.95, weight_decay=0.1)),
        ("adam", "amsgrad", dict(learning_rate=0.01)),
        ("adam", "amsgrad", dict(learning_rate=0.01, b1=0.8, b2=0.99, eps=1e-4)),
    ]


def sklearn_configs():
    return [
        ("sgd", "SGDOptimizer", dict(learning_rate_init=0.1, momentum=0.9, nesterov=True)),
        ("sgd", "SGDOptimizer", dict(learning_rate_init=0.1, momentum=0.9, nesterov=False)),
        ("sgd", "SGDOptimizer", dict(learning_rate_init=0.1, momentum=0.0, nesterov=False)),
        ("sgd", "SGDOptimizer", dict(learning_rate_init=0.1, lr_schedule="invscaling",
                                     momentum=0.9, nesterov=True, power_t=0.5)),
        ("adam", "AdamOptimizer", dict(learning_rate_init=0.01)),
        ("adam", "AdamOptimizer", dict(learning_rate_init=0.01, beta_1=0.8, beta_2=0.99,
                                       epsilon=1e-4)),
    ]


# --------------------------------------------------------------------------------------------
# runners: (function name, hyper, p0, G) -> params (STEPS, N)
# --------------------------------------------------------------------------------------------
def _torch_runner():
    import torch

    torch.set_default_dtype(torch.float64)

    def run(fn, hyper, p0, G):
        p = torch.nn.Parameter(torch.tensor(p0, dtype=torch.float64))
        opt = getattr(torch.optim, fn)([p], **hyper)
        out = np.empty_like(G)
        for t in range(G.shape[0]):
            p.grad = torch.tensor(G[t], dtype=torch.float64)
            opt.step()
            out[t] = p.detach().numpy()
        return out

    return run, torch.__version__, "torch.optim", {}


def _keras_runner():
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
    import keras
    import torch

    if keras.backend.backend() != "torch":
        raise RuntimeError(f"keras backend is {keras.backend.backend()!r}, need 'torch'")
    keras.config.set_floatx("float64")

    def run(fn, hyper, p0, G):
        v = keras.Variable(p0.copy(), dtype="float64")
        opt = getattr(keras.optimizers, fn)(**hyper)
        out = np.empty_like(G)
        for t in range(G.shape[0]):
            opt.apply_gradients([(torch.tensor(G[t], dtype=torch.float64), v)])
            out[t] = np.asarray(keras.ops.convert_to_numpy(v), dtype=np.float64)
        if v.dtype != "float64":
            raise RuntimeError(f"variable dtype became {v.dtype}")
        return out

    return run, keras.__version__, "keras.optimizers", {"keras_backend": "torch",
                                                         "torch_version": torch.__version__}


def _optax_runner():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax

    def run(fn, hyper, p0, G):
        tx = getattr(optax, fn)(**hyper)
        params = jnp.asarray(p0, dtype=jnp.float64)
        state = tx.init(params)
        out = np.empty_like(G)
        for t in range(G.shape[0]):
            g = jnp.asarray(G[t], dtype=jnp.float64)
            updates, state = tx.update(g, state, params)
            params = optax.apply_updates(params, updates)
            if params.dtype != jnp.float64:
                raise RuntimeError(f"params dtype became {params.dtype}")
            out[t] = np.asarray(params, dtype=np.float64)
        return out

    return run, optax.__version__, "optax", {"jax_version": jax.__version__}


def _sklearn_runner():
    import sklearn
    from sklearn.neural_network import _stochastic_optimizers as so

    def run(fn, hyper, p0, G):
        p = p0.copy()
        opt = getattr(so, fn)([p], **hyper)
        out = np.empty_like(G)
        for t in range(G.shape[0]):
            opt.update_params([p], [G[t].copy()])
            if hyper.get("lr_schedule") == "invscaling":
                opt.iteration_ends(t + 1)
            out[t] = p
        return out

    return run, sklearn.__version__, "sklearn.neural_network._stochastic_optimizers", {}


LIB = {
    "torch": (_torch_runner, torch_configs),
    "keras": (_keras_runner, keras_configs),
    "optax": (_optax_runner, optax_configs),
    "sklearn": (_sklearn_runner, sklearn_configs),
}


def _fmt(v):
    return repr(v)


def library_call(lib: str, prefix: str, fn: str, hyper: dict) -> str:
    args = ", ".join(f"{k}={_fmt(v)}" for k, v in hyper.items())
    if lib == "torch":
        return f"{prefix}.{fn}([p], {args})"
    if lib == "sklearn":
        return f"{prefix}.{fn}([p], {args})"
    return f"{prefix}.{fn}({args})"


def generate(lib: str, out_dir: Path) -> tuple[Path | None, list[str]]:
    """Run every configuration of ``lib`` on every seed; write ``out_dir/<lib>.npz``."""
    make_runner, configs = LIB[lib]
    failures: list[str] = []
    try:
        run, version, prefix, extra = make_runner()
    except Exception as exc:  # library missing or broken: skip it, keep the old file
        return None, [f"{lib}: cannot import/set up ({type(exc).__name__}: {exc})"]
    problems = {s: make_problem(s) for s in SEEDS}
    arrays: dict[str, np.ndarray] = {}
    meta: list[str] = []
    for name, fn, hyper in configs():
        call = library_call(lib, prefix, fn, hyper)
        results = []
        try:
            for seed in SEEDS:
                p0, G = problems[seed]
                P = run(fn, dict(hyper), p0, G)
                if P.shape != G.shape or not np.all(np.isfinite(P)):
                    raise RuntimeError("non-finite or mis-shaped trajectory")
                results.append((seed, p0, G, P))
        except Exception as exc:
            failures.append(f"{lib}: {call} failed: {type(exc).__name__}: {exc}")
            traceback.print_exc()
            continue
        for seed, p0, G, P in results:
            k = len(meta)
            arrays[f"case{k}_p0"] = p0
            arrays[f"case{k}_grads"] = G
            arrays[f"case{k}_params"] = P
            rec_hyper = dict(hyper)
            if lib == "optax" and fn == "amsgrad":
                rec_hyper["amsgrad"] = True
            entry = {
                "optimizer": name,
                "preset": lib,
                "hyper": rec_hyper,
                "library_call": call,
                "library_function": f"{prefix}.{fn}",
                "seed": seed,
                "version": version,
                "steps": STEPS,
                "n": N,
                **extra,
            }
            if lib == "sklearn" and hyper.get("lr_schedule") == "invscaling":
                entry["protocol"] = ("after update t (1-based) opt.iteration_ends(t) is called, "
                                     "so update s uses learning_rate_init / s**power_t")
            if lib == "optax" and fn == "amsgrad":
                entry["protocol"] = ("optax.amsgrad; hyper['amsgrad'] is a marker added for "
                                     "gdlab, not an argument of optax.amsgrad")
            meta.append(json.dumps(entry, sort_keys=True))
    arrays["cases"] = np.array(meta)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{lib}.npz"
    np.savez_compressed(path, **arrays)
    return path, failures


# --------------------------------------------------------------------------------------------
# self-check
# --------------------------------------------------------------------------------------------
def check_file(path: Path) -> list[str]:
    """Problems found in one golden file (empty list: fine)."""
    errs: list[str] = []
    lib = path.stem
    if path.stat().st_size >= MAX_FILE_BYTES:
        errs.append(f"{path}: {path.stat().st_size} bytes >= {MAX_FILE_BYTES}")
    with np.load(path, allow_pickle=False) as z:
        keys = set(z.files)
        cases = [json.loads(s) for s in z["cases"]]
        expected = {"cases"} | {f"case{k}_{x}" for k in range(len(cases))
                                for x in ("p0", "grads", "params")}
        if keys != expected:
            errs.append(f"{path}: keys differ from the layout: {sorted(keys ^ expected)[:5]}")
            return errs
        for k, c in enumerate(cases):
            for key in ("optimizer", "preset", "hyper", "library_call", "seed", "version"):
                if key not in c:
                    errs.append(f"{path} case{k}: missing {key!r}")
            if c.get("preset") != lib:
                errs.append(f"{path} case{k}: preset {c.get('preset')!r} != {lib!r}")
            p0, G, P = z[f"case{k}_p0"], z[f"case{k}_grads"], z[f"case{k}_params"]
            for nm, a, shp in (("p0", p0, (N,)), ("grads", G, (STEPS, N)),
                               ("params", P, (STEPS, N))):
                if a.dtype != np.float64 or a.shape != shp:
                    errs.append(f"{path} case{k}: {nm} {a.dtype}{a.shape}, want float64{shp}")
                elif not np.all(np.isfinite(a)):
                    errs.append(f"{path} case{k}: {nm} not finite")
            if errs:
                continue
            ref_p0, ref_G = make_problem(c["seed"])
            if not (np.array_equal(p0, ref_p0) and np.array_equal(G, ref_G)):
                errs.append(f"{path} case{k}: p0/grads differ from make_problem({c['seed']})")
            if np.array_equal(P[-1], p0):
                errs.append(f"{path} case{k}: parameters never moved")
            # plain SGD has a closed form: p0 - lr * cumsum(G)
            h = c["hyper"]
            lr = h.get("lr", h.get("learning_rate", h.get("learning_rate_init")))
            plain = (c["optimizer"] == "sgd" and not h.get("momentum")
                     and not h.get("weight_decay") and not h.get("maximize")
                     and h.get("lr_schedule", "constant") == "constant")
            if plain:
                ref = p0 - lr * np.cumsum(G, axis=0)
                err = np.max(np.abs(P - ref) / (1.0 + np.abs(ref)))
                if err > 1e-12:
                    errs.append(f"{path} case{k}: plain SGD off the NumPy reference by {err:.2e}")
    return errs


def summarize(path: Path) -> str:
    with np.load(path, allow_pickle=False) as z:
        cases = [json.loads(s) for s in z["cases"]]
    counts: dict[str, int] = {}
    for c in cases:
        counts[c["optimizer"]] = counts.get(c["optimizer"], 0) + 1
    per = ", ".join(f"{k} {v}" for k, v in counts.items())
    return (f"{path} ({path.stat().st_size} bytes, {len(cases)} cases, "
            f"version {cases[0]['version'] if cases else '?'}): {per}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate float64 golden optimizer trajectories (torch, keras, optax, "
                    "sklearn) for gdlab's tests, then check the files.")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                    help="output directory (default: the folder of this script, tests/golden)")
    ap.add_argument("--only", choices=LIBRARIES, action="append",
                    help="generate only this library (repeatable); default: all")
    ap.add_argument("--check", action="store_true",
                    help="do not generate; only check the existing files in --out")
    args = ap.parse_args(argv)
    libs = args.only or list(LIBRARIES)
    failures: list[str] = []
    if not args.check:
        for lib in libs:
            print(f"[{lib}] generating ...", flush=True)
            path, fails = generate(lib, args.out)
            failures += fails
            for f in fails:
                print(f"  FAILED: {f}", flush=True)
    errors: list[str] = []
    for lib in libs:
        path = args.out / f"{lib}.npz"
        if not path.exists():
            errors.append(f"{path}: missing")
            continue
        errs = check_file(path)
        errors += errs
        print(("OK   " if not errs else "BAD  ") + summarize(path))
    for e in errors:
        print(f"  CHECK: {e}")
    if failures:
        print(f"{len(failures)} configuration(s) skipped:")
        for f in failures:
            print(f"  - {f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

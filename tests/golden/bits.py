"""Golden runs, checked bit for bit on every machine (issue 13).

Short deterministic runs whose exact outputs are committed in ``bits.json``: the SHA-256 of
every final array and the ``float.hex`` of every recorded loss. ``tests/test_reproducible.py``
recomputes them and asserts equality, so any change of rounding anywhere (a reordered sum, a
matrix product that depends on the CPU's OpenBLAS kernel or on the thread count, an FMA
contracted or not) fails the suite on every machine, not only on the one that drifted.

``python tests/golden/bits.py`` prints the current values; ``--write`` stores them in
``bits.json`` (do that only for an intended change of arithmetic, and say so in the commit).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BITS = HERE / "bits.json"


def digest(a) -> str:
    """SHA-256 of an array's dtype, shape and C-ordered bytes."""
    a = np.ascontiguousarray(a)
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()


def _hex(values) -> list[str]:
    return [float(v).hex() for v in values]


def mlp_mnist(optimizer: str) -> dict:
    """2 epochs of the MNIST MLP 784-256-128-64-20-10 on the first 6,000 training rows."""
    from gdlab.datasets import load_mnist, scale_images
    from gdlab.models import MLP
    from gdlab.optim import create
    from gdlab.training import train

    hyper = {"sgd": dict(lr=0.1), "nesterov": dict(lr=0.01, momentum=0.9, nesterov=True),
             "adam": dict(lr=1e-3)}[optimizer]
    X, y = load_mnist("train")
    Xt, yt = load_mnist("test")
    X, y = scale_images(X[:6000]), y[:6000]
    Xt, yt = scale_images(Xt[:1000]), yt[:1000]
    model = MLP((784, 256, 128, 64, 20, 10), "relu", seed=0)
    opt = create("adam" if optimizer == "adam" else "sgd", **hyper)
    h = train(model, opt, X, y, X_test=Xt, y_test=yt, epochs=2, batch_size=64, seed=0,
              deterministic=True)
    return {"params": digest(model.params), "state": digest(opt.state),
            "train_loss": _hex(h.column("train_loss")), "test_loss": _hex(h.column("test_loss")),
            "running_loss": _hex(h.column("running_loss"))}


def mlp_classifier_digits() -> dict:
    """gdlab.sklearn.MLPClassifier (adam, 20 epochs, float64 and float32) on digits."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from gdlab.datasets import load_digits
    from gdlab.sklearn import MLPClassifier

    out = {}
    for dtype in (np.float64, np.float32):
        X, y = load_digits(dtype=dtype)
        clf = MLPClassifier((64, 32), max_iter=20, random_state=0, deterministic=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        name = np.dtype(dtype).name
        out[f"coefs_{name}"] = digest(np.concatenate([c.ravel() for c in clf.coefs_ + clf.intercepts_]))
        out[f"loss_curve_{name}"] = _hex(clf.loss_curve_)
        out[f"proba_{name}"] = digest(clf.predict_proba(X))
    return out


def surface_sweep() -> dict:
    """Adam and SGD with momentum on Rosenbrock from a 16 x 16 grid of starts, 300 steps."""
    from gdlab import surfaces

    starts = surfaces.grid_starts("rosenbrock", 16)
    res = surfaces.sweep("rosenbrock", {"adam": {"lr": [0.01, 0.1]}, "sgd": {"lr": [1e-4], "momentum": [0.9]}},
                         starts=starts, n_steps=300, backend="cpu")
    cols = [c for c in res.table.dtype.names if c != "optimizer"]
    return {c: digest(res.table[c]) for c in cols}


def dssm_wikiqa() -> dict | None:
    """One DSSM epoch on WikiQA (train), then the dev metrics; None without the data."""
    data = os.environ.get("GDLAB_DATA_DIR")
    if not data or not (Path(data) / "wikiqa").is_dir():
        return None
    from gdlab.datasets import load_wikiqa
    from gdlab.models import DSSM, evaluate_dssm, train_dssm
    from gdlab.optim import create
    from gdlab.text import WordHashing

    tr, dev = load_wikiqa("train"), load_wikiqa("dev")
    hasher = WordHashing().fit(list(tr.questions) + list(tr.sentences))
    model = DSSM(hasher.n_features, seed=0)
    opt = create("adam", lr=1e-3)
    h = train_dssm(model, opt, hasher, tr, epochs=1, seed=0, deterministic=True)
    m = evaluate_dssm(model, hasher, dev, deterministic=True)
    return {"params": digest(model.params), "train_loss": _hex(h.column("train_loss")),
            "dev_map": float(m["map"]).hex()}


RUNS = {
    "mlp_mnist_sgd": lambda: mlp_mnist("sgd"),
    "mlp_mnist_nesterov": lambda: mlp_mnist("nesterov"),
    "mlp_mnist_adam": lambda: mlp_mnist("adam"),
    "mlp_classifier_digits": mlp_classifier_digits,
    "surface_sweep": surface_sweep,
    "dssm_wikiqa": dssm_wikiqa,
}


def committed() -> dict:
    return json.loads(BITS.read_text())


def main(argv) -> int:
    names = [a for a in argv if not a.startswith("--")] or list(RUNS)
    results = {}
    for name in names:
        got = RUNS[name]()
        if got is None:
            print(f"{name}: skipped (no data)", file=sys.stderr)
            continue
        results[name] = got
        print(name, json.dumps(got, indent=1))
    if "--write" in argv:
        old = committed() if BITS.exists() else {}
        old.update(results)
        BITS.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n")
        print(f"wrote {BITS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

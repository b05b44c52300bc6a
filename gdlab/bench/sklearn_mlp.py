"""gdlab's ``MLPClassifier``/``MLPRegressor`` against scikit-learn's, side by side.

What is measured
----------------
1. **Scores** with identical hyperparameters (same ``random_state``, hence the same initial
   weights, shuffles and splits in both libraries): test accuracy on iris, digits and MNIST,
   test R² on the exp curve (y = exp(x), x in [-3, 3] step 0.1; every other point held out)
   and on diabetes. Inputs are standardised (MNIST: scaled to [-1, 1]; the diabetes target
   too), in float64, so that the two libraries follow the same trajectory up to rounding
   and the scores compare the algorithms rather than float32 rounding noise. One thread.
2. **Fit time on MNIST**: hidden layers (256, 128), ReLU, batch 200 (scikit-learn's 'auto')
   and 64, 10 epochs (``max_iter=10``, so the no-improvement rule cannot stop earlier), float32, for
   ``solver="sgd"`` (lr 0.05, Nesterov momentum 0.9) and ``solver="adam"`` (lr 1e-3). gdlab is
   warmed up first by a one-epoch fit on 1000 rows (so JIT compilation is not timed); each
   fit is repeated ``--repeats`` times, alternating the libraries, and the minimum kept. Both libraries run in this one
   process, one after the other, on the same BLAS (NumPy's OpenBLAS), at each thread count
   of ``--threads`` (BLAS and Numba threads limited alike with threadpoolctl). The *floor* is
   the 8 matrix products of each mini-batch step alone (3 forward, 3 weight gradients, 2 input
   gradients, through gdlab's BLAS call) for the same number of steps: no MLP implementation
   that uses this BLAS can be faster, so ``sklearn / floor`` bounds the possible speed-up.

Run it on an otherwise idle machine (the load average is printed)::

    python -m gdlab.bench.sklearn_mlp [--threads 1] [--batch-sizes 200,64] [--repeats 1]
                                      [--datasets iris,...] [--skip-timing] [--out results.json]

Timings depend on the machine and are only printed and saved, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

DATASETS = ("iris", "digits", "mnist", "exp", "diabetes")


def _configs():
    """Per data set: (task, estimator keyword arguments shared by both libraries)."""
    return {
        "iris": ("clf", dict(hidden_layer_sizes=(32,), solver="adam", max_iter=1000,
                             learning_rate_init=1e-2, random_state=0)),
        "digits": ("clf", dict(hidden_layer_sizes=(64,), solver="adam", max_iter=200,
                               random_state=0)),
        "mnist": ("clf", dict(hidden_layer_sizes=(256, 128), solver="adam", max_iter=10,
                              batch_size=200, random_state=0)),
        "exp": ("reg", dict(hidden_layer_sizes=(32,), activation="tanh", solver="lbfgs",
                            max_iter=2000, random_state=0)),
        "diabetes": ("reg", dict(hidden_layer_sizes=(8,), solver="lbfgs", alpha=10.0,
                                 max_iter=500, random_state=0)),
    }


def _data(name):
    import numpy as np
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from gdlab.datasets._toy import exp_curve, load_diabetes, load_digits, load_iris, load_mnist_flat

    if name in ("mnist", "mnist64"):
        dtype = np.float64 if name == "mnist64" else np.float32
        X, y = load_mnist_flat("train", dtype=dtype)
        Xt, yt = load_mnist_flat("test", dtype=dtype)
        return X, Xt, y, yt
    if name == "exp":
        X, y = exp_curve()
        return X[::2], X[1::2], y[::2], y[1::2]
    X, y = {"iris": load_iris, "digits": load_digits, "diabetes": load_diabetes}[name]()
    strat = y if name != "diabetes" else None
    X, Xt, y, yt = train_test_split(X, y, test_size=0.3, random_state=0, stratify=strat)
    sc = StandardScaler().fit(X)
    if name == "diabetes":  # standardised target (R² does not change under an affine map of y)
        m, s = y.mean(), y.std()
        y, yt = (y - m) / s, (yt - m) / s
    return sc.transform(X), sc.transform(Xt), y, yt


def scores(names):
    """Test accuracy / R² of both libraries on each data set; list of dicts."""
    import gdlab.sklearn as gds
    import sklearn.neural_network as skn
    from sklearn.exceptions import ConvergenceWarning

    rows = []
    for name in names:
        task, kw = _configs()[name]
        cls = "MLPClassifier" if task == "clf" else "MLPRegressor"
        # float64 (also MNIST): both libraries then follow the same trajectory up to rounding,
        # so the scores compare the algorithms, not float32 rounding noise
        X, Xt, y, yt = _data("mnist64" if name == "mnist" else name)
        row = {"dataset": name, "metric": "accuracy" if task == "clf" else "R2", "params": kw}
        for lib, mod in (("gdlab", gds), ("sklearn", skn)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                t0 = time.perf_counter()
                est = getattr(mod, cls)(**kw).fit(X, y)
                row[f"{lib}_fit_s"] = time.perf_counter() - t0
            row[lib] = float(est.score(Xt, yt))
        rows.append(row)
        print(f"{name:9s} {row['metric']:8s} gdlab {row['gdlab']:.4f}  sklearn {row['sklearn']:.4f}  "
              f"diff {row['gdlab'] - row['sklearn']:+.4f}   (fit s: gdlab {row['gdlab_fit_s']:.2f}, "
              f"sklearn {row['sklearn_fit_s']:.2f}; gdlab's first fit of a kernel includes its compilation)",
              flush=True)
    return rows


_FLOOR = """
@njit(cache=True, nogil=True)
def matmul_floor(A0, W0, W1, W2, n_batches):
    \"\"\"The 8 matrix products of one (784, 256, 128, 10) mini-batch step, ``n_batches`` times.\"\"\"
    bs, f = A0.shape[0], A0.dtype
    A1, A2, A3 = np.empty((bs, 256), f), np.empty((bs, 128), f), np.empty((bs, 10), f)
    G0, G1, G2 = np.empty((784, 256), f), np.empty((256, 128), f), np.empty((128, 10), f)
    D1, D2 = np.empty((bs, 256), f), np.empty((bs, 128), f)
    for _ in range(n_batches):
        gemm(A0, W0, A1, False, False, 0.0)
        gemm(A1, W1, A2, False, False, 0.0)
        gemm(A2, W2, A3, False, False, 0.0)
        gemm(A2, A3, G2, True, False, 0.0)
        gemm(A3, W2, D2, False, True, 0.0)
        gemm(A1, D2, G1, True, False, 0.0)
        gemm(D2, W1, D1, False, True, 0.0)
        gemm(A0, D1, G0, True, False, 0.0)
"""


def timings(repeats, threads, batch_sizes):
    """Seconds of a 10-epoch MNIST fit for both libraries, both solvers, each batch size and
    thread count, with the matrix-product floor of the same epochs."""
    from gdlab._threads import limit_threads

    rows = []
    for n in threads:
        with limit_threads(n):
            for bs in batch_sizes:
                for row in _timings(repeats, bs):
                    row["threads"] = n
                    rows.append(row)
                    print(f"MNIST fit, {n} thread(s), batch {bs:3d}, solver={row['solver']:4s}: gdlab "
                          f"{row['gdlab']:6.2f} s, sklearn {row['sklearn']:6.2f} s -> gdlab "
                          f"{row['speedup']:.2f}x faster; matrix products alone {row['floor']:.2f} s "
                          f"(gdlab {row['gdlab'] / row['floor']:.2f}x, sklearn "
                          f"{row['sklearn'] / row['floor']:.2f}x the floor); final loss gdlab "
                          f"{row['gdlab_final_loss']:.4f}, sklearn {row['sklearn_final_loss']:.4f}",
                          flush=True)
    return rows


def _timings(repeats, batch_size):
    import numpy as np
    import gdlab.sklearn as gds
    import sklearn.neural_network as skn
    from sklearn.exceptions import ConvergenceWarning

    from gdlab._jit import kernel_module

    X, _, y, _ = _data("mnist")
    floor = kernel_module("bench_sklearn_mlp_floor", (), _FLOOR).matmul_floor
    rng = np.random.default_rng(0)
    Ws = [rng.uniform(-0.05, 0.05, s).astype(np.float32) for s in ((784, 256), (256, 128), (128, 10))]
    A0 = np.ascontiguousarray(X[:batch_size])
    n_batches = 10 * -(-len(X) // batch_size)
    floor(A0, *Ws, 1)  # compile
    solvers = {"sgd": dict(solver="sgd", learning_rate_init=0.05, momentum=0.9),
               "adam": dict(solver="adam", learning_rate_init=1e-3)}
    rows = []
    for solver, extra in solvers.items():
        kw = dict(hidden_layer_sizes=(256, 128), batch_size=batch_size, max_iter=10, random_state=0,
                  **extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            gds.MLPClassifier(**{**kw, "max_iter": 1}).fit(X[:1000], y[:1000])  # JIT warm-up
            warm = time.perf_counter() - t0
            row = {"solver": solver, "params": kw, "warmup_s": warm, "gdlab_all": [],
                   "sklearn_all": [], "floor_all": []}
            for _ in range(repeats):  # alternate the peers, so that all see the same load
                for lib, mod in (("gdlab", gds), ("sklearn", skn)):
                    t0 = time.perf_counter()
                    est = mod.MLPClassifier(**kw).fit(X, y)
                    row[f"{lib}_all"].append(time.perf_counter() - t0)
                    row[f"{lib}_final_loss"] = float(est.loss_)
                t0 = time.perf_counter()
                floor(A0, *Ws, n_batches)
                row["floor_all"].append(time.perf_counter() - t0)
            for lib in ("gdlab", "sklearn", "floor"):
                row[lib] = min(row[f"{lib}_all"])
        row["speedup"] = row["sklearn"] / row["gdlab"]
        rows.append(row)
    return rows


def main(argv=None):
    """Command-line entry point; see the module docstring and ``--help``."""
    p = argparse.ArgumentParser(prog="python -m gdlab.bench.sklearn_mlp",
                                description=__doc__.split("\n")[0])
    p.add_argument("--datasets", default=",".join(DATASETS),
                   help="comma-separated subset of " + ",".join(DATASETS))
    p.add_argument("--repeats", type=int, default=1, help="timed fits per library and solver (default 1)")
    p.add_argument("--threads", default="1", help="comma-separated thread counts of the timing (default 1)")
    p.add_argument("--batch-sizes", default="200,64",
                   help="comma-separated mini-batch sizes of the timing (default 200,64)")
    p.add_argument("--skip-timing", action="store_true", help="scores only")
    p.add_argument("--out", help="write all results and machine info as JSON to this file")
    args = p.parse_args(argv)
    names = [s.strip() for s in args.datasets.split(",") if s.strip()]
    bad = [s for s in names if s not in DATASETS]
    try:
        threads = [int(t) for t in args.threads.split(",")]
        batch_sizes = [int(t) for t in args.batch_sizes.split(",")]
    except ValueError:
        p.error("--threads and --batch-sizes must be comma-separated integers")
    if bad or args.repeats < 1 or min(threads) < 1 or min(batch_sizes) < 1:
        p.error(f"unknown datasets {bad}" if bad else "--repeats, --threads, --batch-sizes must be >= 1")
    from .mlp_mnist import machine_info, write_report

    info = machine_info()
    print(f"{info['cpu']}, {info['logical_cpus']} logical CPUs, load average "
          f"{', '.join(f'{x:.2f}' for x in info['load_avg'])} (busy if near the CPU count)\n")
    from gdlab._threads import limit_threads

    with limit_threads(1):
        report = {"machine": info, "scores": scores(names)}
    if not args.skip_timing:
        print()
        report["timings"] = timings(args.repeats, threads, batch_sizes)
    report["load_avg_after"] = os.getloadavg()
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

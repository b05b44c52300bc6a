"""Seconds per epoch of training the MNIST MLP 784-256-128-64-20-10: gdlab against its peers.

What is measured
----------------
One epoch = one shuffled pass over the 60 000 MNIST training images (scaled to [-1, 1],
float32) in mini-batches of 64 (937 of 64 and one of 32), plain SGD with lr 0.1 (no momentum,
no weight decay), ReLU hidden layers, softmax cross-entropy. Peers:

``gdlab``
    :func:`gdlab.training.train`; the ``seconds`` of each epoch's record (training only). Two
    variants: ``deterministic`` (gdlab's fixed-order GEMM, the default) and ``fast``
    (``deterministic=False``: OpenBLAS).
``floor``
    The 14 matrix products of each mini-batch alone (5 forward ``A_l @ W_l``, 5 weight
    gradients ``A_l.T @ D_{l+1}``, 4 input gradients ``D_{l+1} @ W_l.T``) into preallocated
    outputs: variant ``openblas`` with NumPy's ``np.dot(a, b, out=c)`` (a lower bound no MLP
    library can beat with the same BLAS), variant ``gemm`` with gdlab's deterministic GEMM
    (:func:`gdlab._gemm.gemm`, called from Python: each call also pays Numba's dispatch).
``torch``
    PyTorch eager on CPU (``nn.Linear`` + ReLU, ``F.cross_entropy``, ``optim.SGD``), once per
    optimizer implementation (for-loop default, ``foreach=True``, ``fused=True``).
``sklearn``
    ``MLPClassifier(solver="sgd", ...)``; one epoch = one ``partial_fit`` on the whole set.

Every (peer, thread count) runs in its own fresh subprocess, one after another, with
``OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS`` set before any library loads, plus the library's own
thread limit. Each warms up with one epoch (compilation, first-call effects), then times
``--repeats`` epochs and keeps the minimum and the median. The gdlab compile time is measured
apart: two subprocesses sharing a fresh ``GDLAB_CACHE_DIR`` (and ``NUMBA_CACHE_DIR``); in the
first, first epoch minus a steady epoch is the cold compilation, in the second the cache load.

Run on an otherwise idle machine (a busy core stalls the 2-thread runs)::

    python -m gdlab.bench.mlp_mnist [--threads 1,2] [--repeats 3]
                                    [--peers gdlab,floor,torch,sklearn] [--out results.json]

PyTorch comes from ``pip install torch==2.13.0`` (CPU wheel), scikit-learn from the ``bench``
extra; a peer that is not installed is skipped. Timings depend on the machine and are only
printed and saved, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata

SIZES = (784, 256, 128, 64, 20, 10)
BATCH, LR = 64, 0.1
PEERS = ("gdlab", "floor", "torch", "sklearn")
MODULES = {"gdlab": "numba", "floor": "numpy", "torch": "torch", "sklearn": "sklearn"}
TORCH_VARIANTS = ("default", "foreach", "fused")
VARIANTS = {"gdlab": ("deterministic", "fast"), "floor": ("openblas", "gemm"), "torch": TORCH_VARIANTS,
            "sklearn": ("",)}
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


# --------------------------------------------------------------------------- workers
# Each runs in a fresh process started on this file (so the gdlab package, hence Numba, is not
# imported by the other peers); only the standard library is imported at module level.

def _timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def _gdlab(X, y, threads, repeats, variant):
    import numba
    import numpy as np
    from gdlab._threads import limit_threads
    from gdlab.models import MLP
    from gdlab.optim import create
    from gdlab.training import train

    model = MLP(SIZES, "relu", dtype=np.float32, seed=0)
    with limit_threads(threads):
        t0 = time.perf_counter()
        h = train(model, create("sgd", lr=LR), X, y, epochs=1 + repeats, batch_size=BATCH, seed=0,
                  deterministic=variant != "fast")
        total = time.perf_counter() - t0
        got = numba.get_num_threads()
    rec = h.records
    out = {"times": [r["seconds"] for r in rec[1:]], "final_train_loss": rec[-1]["train_loss"],
           "threads_seen": got, "threading_layer": numba.threading_layer()}
    if variant == "compile":  # what the first epoch costs beyond a steady one
        first_train = rec[0]["seconds"] - min(out["times"])
        first_eval = rec[0]["eval_seconds"] - min(r["eval_seconds"] for r in rec[1:])
        setup = total - sum(r["seconds"] + r["eval_seconds"] for r in rec)  # before epoch 1
        out["compile"] = {"first_epoch_minus_steady_s": first_train,
                          "first_call_extra_s": first_train + first_eval + setup}
    return out


def _floor(X, y, threads, repeats, variant):
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    f32 = np.float32
    W = [rng.standard_normal((a, b), dtype=f32) for a, b in zip(SIZES[:-1], SIZES[1:])]

    def products(bs):  # the 14 (a, b, out) triples of one mini-batch of bs rows
        A = [rng.standard_normal((bs, s), dtype=f32) for s in SIZES[:-1]]   # A_0 .. A_4
        D = [rng.standard_normal((bs, s), dtype=f32) for s in SIZES[1:]]    # D_1 .. D_5
        ops = [(A[l], W[l], np.empty((bs, SIZES[l + 1]), f32), False, False) for l in range(5)]
        ops += [(A[l], D[l], np.empty(W[l].shape, f32), True, False) for l in range(5)]
        ops += [(D[l], W[l], np.empty((bs, SIZES[l]), f32), False, True) for l in range(1, 5)]
        if variant == "gemm":
            return ops
        return [(a.T if ta else a, b.T if tb else b, c) for a, b, c, ta, tb in ops]

    n = X.shape[0]
    full, rest = products(BATCH), products(n % BATCH) if n % BATCH else []
    if variant == "gemm":
        import numba
        from gdlab._gemm import gemm

        numba.set_num_threads(threads)
        for a, b, c, ta, tb in full + rest:  # compile outside the timing
            gemm(a, b, c, ta, tb, 0.0)

        def epoch():
            for _ in range(n // BATCH):
                for a, b, c, ta, tb in full:
                    gemm(a, b, c, ta, tb, 0.0)
            for a, b, c, ta, tb in rest:
                gemm(a, b, c, ta, tb, 0.0)
    else:
        dot = np.dot

        def epoch():
            for _ in range(n // BATCH):
                for a, b, c in full:
                    dot(a, b, out=c)
            for a, b, c in rest:
                dot(a, b, out=c)

    with threadpool_limits(threads):
        epoch()
        return {"times": _timed(epoch, repeats)}


def _torch(X, y, threads, repeats, variant):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype("int64"))
    layers = []
    for a, b in zip(SIZES[:-1], SIZES[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    kw = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}[variant]
    opt = torch.optim.SGD(model.parameters(), lr=LR, **kw)
    n = Xt.shape[0]

    def epoch():
        perm = torch.randperm(n)
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    epoch()
    times = _timed(epoch, repeats)
    with torch.no_grad():
        loss = F.cross_entropy(model(Xt), yt).item()
    return {"times": times, "final_train_loss": loss, "threads_seen": torch.get_num_threads(),
            "mkl": torch.backends.mkl.is_available()}  # static MKL: threadpoolctl cannot see it


def _sklearn(X, y, threads, repeats, variant):
    import numpy as np
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    clf = MLPClassifier(hidden_layer_sizes=SIZES[1:-1], activation="relu", solver="sgd",
                        batch_size=BATCH, learning_rate_init=LR, momentum=0.0,
                        nesterovs_momentum=False, alpha=0.0, shuffle=True, random_state=0)
    with threadpool_limits(threads):
        clf.partial_fit(X, y, classes=np.arange(SIZES[-1]))
        times = _timed(lambda: clf.partial_fit(X, y), repeats)
        loss = log_loss(y, clf.predict_proba(X), labels=np.arange(SIZES[-1]))
    return {"times": times, "final_train_loss": float(loss)}


def worker(peer, threads, repeats, data, variant):
    """Measure one peer at one thread count in this process; the result as a dict.

    Parameters
    ----------
    peer : {"gdlab", "floor", "torch", "sklearn"}
    threads : int
    repeats : int
        Timed epochs after one warm-up epoch.
    data : str
        Directory holding ``X.npy`` (float32, (n, 784)) and ``y.npy`` (labels).
    variant : str
        ``"compile"`` for gdlab's compile-time run, a :data:`TORCH_VARIANTS` entry for torch.

    Returns
    -------
    dict
        ``times`` (seconds per timed epoch) and peer-specific extras, plus ``threadpools``.
    """
    for var in THREAD_VARS:  # normally already set by the parent, before interpreter start
        os.environ.setdefault(var, str(threads))
    import numpy as np

    X, y = np.load(os.path.join(data, "X.npy")), np.load(os.path.join(data, "y.npy"))
    out = {"_gdlab": _gdlab, "_floor": _floor, "_torch": _torch, "_sklearn": _sklearn}[
        "_" + peer](X, y, threads, repeats, variant)
    from threadpoolctl import threadpool_info

    keys = ("user_api", "internal_api", "version", "num_threads", "threading_layer", "filepath")
    out["threadpools"] = [{k: p.get(k) for k in keys} for p in threadpool_info()]
    return out


# --------------------------------------------------------------------------- driver

def run_worker(peer, threads, repeats, data, variant="", env=None):
    """Run :func:`worker` in a fresh subprocess and return its dict (``error`` on failure)."""
    env = {**os.environ, **(env or {}), **{v: str(threads) for v in THREAD_VARS}}
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", peer, "--worker-threads",
           str(threads), "--repeats", str(repeats), "--data", data, "--variant", variant]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_report(report: dict, path) -> None:
    """Write a benchmark report as JSON to ``path`` (nothing when ``path`` is None)."""
    if path:
        with open(path, "w") as f:
            json.dump(report, f, indent=2)
        print(f"\nwrote {path}")


def machine_info():
    """CPU model, core count, load average and library versions of this machine."""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    versions = {}
    for name in ("numpy", "scipy", "numba", "llvmlite", "torch", "scikit-learn", "threadpoolctl", "gdlab"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"cpu": cpu, "logical_cpus": os.cpu_count(), "load_avg": os.getloadavg(),
            "python": platform.python_version(), "platform": platform.platform(), "versions": versions}


def _best(runs, peer, threads=None, variant=None):
    """Fastest successful run of ``peer`` (of ``variant``, None: any) at ``threads`` (None: at any)."""
    rs = [r for r in runs if r["peer"] == peer and "min" in r and threads in (None, r["threads"])
          and variant in (None, r.get("variant"))]
    return min(rs, key=lambda r: r["min"]) if rs else None


def _ratio(a, b):
    return a["min"] / b["min"] if a and b else None


def summarize(report, threads):
    """Print the table, the ratios and the compile times; store the ratios in ``report``.

    Parameters
    ----------
    report : dict
        With ``machine``, ``settings``, ``runs`` and ``compile`` as built by :func:`main`.
    threads : list of int
    """
    runs, fmt = report["runs"], lambda x: "n/a" if x is None else f"{x:.2f}"
    print(f"\n{report['machine']['cpu']}, {report['machine']['logical_cpus']} logical CPUs, "
          f"load average at start {report['machine']['load_avg'][0]:.2f}; "
          f"{report['settings']['repeats']} timed epochs per run\n")
    print(f"{'peer':<18}{'threads':>8}{'min s/ep':>11}{'median':>9}{'train loss':>12}")
    for r in runs:
        name = r["peer"] + (f" ({r['variant']})" if r.get("variant") else "")
        if "min" not in r:
            print(f"{name:<18}{r.get('threads', ''):>8}   {r.get('status') or r.get('error')}")
            continue
        loss = f"{r['final_train_loss']:.4f}" if "final_train_loss" in r else ""
        print(f"{name:<18}{r['threads']:>8}{r['min']:>11.3f}{r['median']:>9.3f}{loss:>12}")

    ratios = {}
    print("\nratios of minimum seconds per epoch (gdlab = its deterministic default):")
    for t in threads:
        g, gf = _best(runs, "gdlab", t, "deterministic"), _best(runs, "gdlab", t, "fast")
        tb = _best(runs, "torch", t)
        fo, fg = _best(runs, "floor", t, "openblas"), _best(runs, "floor", t, "gemm")
        ratios[str(t)] = q = {"gdlab/floor": _ratio(g, fo), "gdlab_fast/floor": _ratio(gf, fo),
                              "deterministic/fast": _ratio(g, gf), "gemm/openblas": _ratio(fg, fo),
                              "torch/gdlab": _ratio(tb, g), "sklearn/gdlab": _ratio(_best(runs, "sklearn", t), g)}
        print(f"  {t} thread(s): deterministic/fast epoch {fmt(q['deterministic/fast'])} (target <= 1.2)   "
              f"14 products gemm/openblas {fmt(q['gemm/openblas'])}   gdlab/floor {fmt(q['gdlab/floor'])}   "
              f"torch/gdlab {fmt(q['torch/gdlab'])}   sklearn/gdlab {fmt(q['sklearn/gdlab'])}"
              + (f"   [fastest torch: {tb['variant']}]" if tb else ""))
    g, tb = _best(runs, "gdlab", variant="deterministic"), _best(runs, "torch")
    if g and tb:
        ratios["best"] = {"torch/gdlab": _ratio(tb, g), "gdlab_threads": g["threads"],
                          "torch_threads": tb["threads"], "torch_variant": tb["variant"]}
        print(f"  torch at its best ({tb['variant']}, {tb['threads']} threads) / deterministic gdlab "
              f"at its best ({g['threads']} threads): {fmt(ratios['best']['torch/gdlab'])} (target >= 1.5)")
    report["ratios"] = ratios
    for phase, c in report["compile"].items():
        if "first_epoch_minus_steady_s" in c:
            print(f"gdlab compile, {phase.replace('_', ' ')}: first epoch - steady epoch "
                  f"{c['first_epoch_minus_steady_s']:.2f} s (whole first train() call: "
                  f"{c['first_call_extra_s']:.2f} s extra)")
        else:
            print(f"gdlab compile, {phase.replace('_', ' ')}: error: {c.get('error')}")


def main(argv=None):
    """Command-line entry point; see the module docstring and ``--help``."""
    p = argparse.ArgumentParser(prog="python -m gdlab.bench.mlp_mnist",
                                description=__doc__.split("\n")[0])
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--repeats", type=int, default=3, help="timed epochs per run (default 3)")
    p.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ",".join(PEERS))
    p.add_argument("--out", help="write all results and machine info as JSON to this file")
    for hidden in ("--worker", "--worker-threads", "--data", "--variant"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, int(args.worker_threads), args.repeats, args.data,
                                args.variant)))
        return 0
    try:
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error(f"--threads must be comma-separated integers, got {args.threads!r}")
    peers = [s.strip() for s in args.peers.split(",") if s.strip()]
    bad = [s for s in peers if s not in PEERS]
    if bad or args.repeats < 1 or min(threads) < 1:
        p.error(f"unknown peers {bad}" if bad else "--repeats and --threads must be >= 1")

    import numpy as np
    from gdlab.datasets import load_mnist, scale_images

    report = {"machine": machine_info(), "settings": vars(args) | {"threads": threads},
              "runs": [], "compile": {}}
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="gdlab-bench-") as tmp:
        images, labels = load_mnist("train")
        np.save(os.path.join(tmp, "X.npy"), scale_images(images, np.float32))
        np.save(os.path.join(tmp, "y.npy"), labels)
        for peer in peers:
            if importlib.util.find_spec(MODULES[peer]) is None:
                log(f"{peer}: not installed, skipped")
                report["runs"].append({"peer": peer, "status": "not installed"})
                continue
            for variant in VARIANTS[peer]:
                for t in threads:
                    r = run_worker(peer, t, args.repeats, tmp, variant)
                    r.update(peer=peer, variant=variant, threads=t)
                    if "times" in r:
                        r.update(min=min(r["times"]), median=statistics.median(r["times"]))
                    report["runs"].append(r)
                    log(f"{peer} {variant} threads={t}: " + (f"{r['min']:.3f} s/epoch"
                        if "min" in r else f"error: {r.get('error')}"))
        if "gdlab" in peers and importlib.util.find_spec("numba"):
            cache = os.path.join(tmp, "cache")  # fresh: the first run compiles, the second loads
            env = {"GDLAB_CACHE_DIR": cache, "NUMBA_CACHE_DIR": cache}
            for phase in ("cold", "from_cache"):
                r = run_worker("gdlab", threads[0], 2, tmp, "compile", env)
                report["compile"][phase] = r.get("compile", r)
                log(f"gdlab compile ({phase}): {report['compile'][phase]}")

    pools = {p["filepath"]: p for r in report["runs"] for p in r.get("threadpools", ())}
    report["machine"]["threadpools"] = list(pools.values())
    summarize(report, threads)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

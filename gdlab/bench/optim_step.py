"""Time and memory bandwidth of one optimizer step on a flat float32 vector: gdlab and peers.

What is measured
----------------
One step of Adam (lr 1e-3, PyTorch defaults otherwise), SGD with momentum 0.9 (lr 1e-3) and
RMSProp (lr 1e-3, alpha 0.99, eps 1e-8, not centered) on one float32 parameter vector of n
elements (``--sizes``), the gradient fixed and the state already made. Peers:

``gdlab``
    ``create(name, ...).step(p, g)`` without the non-finite check (the user-facing call) and
    with it (``check_finite``: one more pass over ``g``); an optimizer gdlab does not
    register is reported "not available".
``numpy``
    The same rule vectorised with in-place ufuncs (``out=``) and one scratch vector
    (NumPy's ufuncs are single-threaded whatever the thread count).
``torch``
    ``torch.optim.Adam/SGD/RMSprop`` over one parameter tensor, ``.grad`` set once, as
    ``default`` (``foreach=None``: the per-tensor loop on CPU), ``foreach=True`` and
    ``fused=True``; a variant torch refuses is reported n/a.
``ref``
    Numba ``@njit(parallel=True)`` kernels doing trivial arithmetic: ``rw4/3`` reads 4
    float32 vectors and writes 3 (Adam's traffic), ``rw3/2`` reads 3 and writes 2
    (SGD-momentum's and RMSProp's), ``copy`` reads 1 and writes 1.

Effective bandwidth = (vectors read + written) x 4 bytes x n / minimum time, counting Adam
4 + 3, SGD-momentum and RMSProp 3 + 2, whatever a library really moves (scratch vectors,
the finite check). "Many tensors": Adam over 200 tensors of log-uniform sizes (seed 0)
totalling ``--many-total`` elements in PyTorch, against gdlab's Adam over one flat vector of
that size (gdlab keeps all of a model's parameters in one flat buffer).

Each (peer, thread count) runs in a fresh subprocess with ``OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS``
set before anything loads (PyTorch's spinning OpenMP threads would slow Numba's down in a
shared process), plus ``torch.set_num_threads``. Each case warms up with 3 steps (compilation,
state creation), then times ``--repeats`` single steps with ``time.perf_counter`` (half as
many, at least 3, above 10M elements); the minimum and median are kept. On an idle machine::

    python -m gdlab.bench.optim_step [--sizes 1000000,10000000,50000000] [--threads 1,2]
                                     [--repeats 10] [--peers gdlab,numpy,torch,ref]
                                     [--many-total 25000000] [--out results.json]

Needs about 1.5 GB of memory at 50M; PyTorch from ``pip install torch==2.13.0`` (CPU wheel),
a peer not installed is skipped. Timings are printed and saved, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import time

OPTS = ("adam", "sgd", "rmsprop")
HYPER = {"adam": {"lr": 1e-3}, "sgd": {"lr": 1e-3, "momentum": 0.9}, "rmsprop": {"lr": 1e-3}}
TRAFFIC = {"adam": 7, "sgd": 5, "rmsprop": 5, "rw4/3": 7, "rw3/2": 5, "copy": 2}  # vectors moved
REF_OF = {"adam": "rw4/3", "sgd": "rw3/2", "rmsprop": "rw3/2"}
PEERS = ("gdlab", "numpy", "torch", "ref")
MODULES = {"gdlab": "numba", "numpy": "numpy", "torch": "torch", "ref": "numba"}
TORCH_VARIANTS = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
WARMUP = 3


# --------------------------------------------------------------------------- workers
# Run in a fresh process started on this file; only the standard library at module level.

def _case(rows, opt, n, lib, variant, make, repeats, **extra):
    """Append one row: ``make()`` builds the step callable, which is warmed up, then timed."""
    row = {"opt": opt, "n": n, "lib": lib, "variant": variant, **extra}
    rows.append(row)
    try:
        step = make()
    except Exception as e:  # an optimizer or variant the library does not offer
        row.update(status="not available" if lib == "gdlab" else "n/a", reason=f"{type(e).__name__}: {e}")
        return
    try:
        for _ in range(WARMUP):
            step()
        row["times"] = []
        for _ in range(repeats if n <= 10_000_000 else max(3, repeats // 2)):
            t0 = time.perf_counter()
            step()
            row["times"].append(time.perf_counter() - t0)
    except Exception as e:
        row.pop("times", None)
        row.update(status="error", reason=f"{type(e).__name__}: {e}")


def _vectors(n, k=2, seed=None):
    import numpy as np

    rng = np.random.default_rng(n if seed is None else seed)
    return [rng.standard_normal(n, dtype=np.float32) for _ in range(k)]


def _many_sizes(count=200, total=25_000_000, seed=0):
    """``count`` sizes drawn log-uniformly in [1e2, 1e6], scaled to sum to ``total``."""
    import numpy as np

    s = np.exp(np.random.default_rng(seed).uniform(math.log(1e2), math.log(1e6), count))
    s = np.maximum(1, np.round(s * total / s.sum())).astype(np.int64)
    s[np.argmax(s)] += total - s.sum()
    return [int(x) for x in s]


def _gdlab(sizes, repeats, threads, many_total):
    import inspect

    from gdlab.optim import Optimizer, create

    per_step = "check_finite" in inspect.signature(Optimizer.step).parameters

    def make(name, n, check):  # create raises ValueError for an optimizer gdlab lacks
        if per_step:
            opt, kw = create(name, **HYPER[name]), {"check_finite": check}
        else:  # the API where the non-finite policy is chosen at creation
            opt, kw = create(name, on_nonfinite="raise" if check else "ignore", **HYPER[name]), {}
        p, g = _vectors(n)
        return lambda: opt.step(p, g, **kw)

    rows = []
    for name in OPTS:
        for n in sizes:
            for check in (False, True):
                _case(rows, name, n, "gdlab", "check_finite" if check else "",
                      lambda: make(name, n, check), repeats)
    if many_total:
        _case(rows, "adam", many_total, "gdlab", "flat", lambda: make("adam", many_total, False),
              repeats, case="many")
    return rows


def _numpy_step(name, p, g):
    """The step of ``name`` with in-place ufuncs (float32 throughout: NEP 50 weak scalars)."""
    import numpy as np

    s1, s2, tmp, t = np.zeros_like(p), np.zeros_like(p), np.empty_like(p), [0]
    lr, mul, add, div = HYPER[name]["lr"], np.multiply, np.add, np.divide

    def adam(b1=0.9, b2=0.999, eps=1e-8):
        t[0] += 1
        add(mul(s1, b1, out=s1), mul(g, 1 - b1, out=tmp), out=s1)           # m = b1 m + (1-b1) g
        add(mul(s2, b2, out=s2), mul(mul(g, g, out=tmp), 1 - b2, out=tmp), out=s2)  # v likewise
        div(np.sqrt(s2, out=tmp), math.sqrt(1 - b2 ** t[0]), out=tmp)       # sqrt(v) / bc2s
        div(s1, add(tmp, eps, out=tmp), out=tmp)
        add(p, mul(tmp, -lr / (1 - b1 ** t[0]), out=tmp), out=p)

    def sgd(mu=0.9):
        t[0] += 1
        if t[0] == 1:
            np.copyto(s1, g)
        else:
            add(mul(s1, mu, out=s1), g, out=s1)                               # buf = mu buf + g
        add(p, mul(s1, -lr, out=tmp), out=p)

    def rmsprop(alpha=0.99, eps=1e-8):
        add(mul(s1, alpha, out=s1), mul(mul(g, g, out=tmp), 1 - alpha, out=tmp), out=s1)
        div(g, add(np.sqrt(s1, out=tmp), eps, out=tmp), out=tmp)           # g / (sqrt(s) + eps)
        add(p, mul(tmp, -lr, out=tmp), out=p)

    return {"adam": adam, "sgd": sgd, "rmsprop": rmsprop}[name]


def _numpy(sizes, repeats, threads, many_total):
    rows = []
    for name in OPTS:
        for n in sizes:
            _case(rows, name, n, "numpy", "", lambda: _numpy_step(name, *_vectors(n)), repeats)
    return rows


def _torch(sizes, repeats, threads, many_total):
    import torch

    torch.set_num_threads(threads)
    classes = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}

    def make(name, variant, arrays):
        params = [torch.nn.Parameter(torch.from_numpy(a)) for a in arrays]
        for q in params:
            q.grad = torch.randn_like(q)
        return classes[name](params, **HYPER[name], **TORCH_VARIANTS[variant]).step

    rows = []
    for name in OPTS:
        for n in sizes:
            for v in TORCH_VARIANTS:
                _case(rows, name, n, "torch", v, lambda: make(name, v, _vectors(n, 1)), repeats)
    if many_total:
        shapes = _many_sizes(total=many_total)
        for v in TORCH_VARIANTS:
            _case(rows, "adam", many_total, "torch", v, lambda: make(
                "adam", v, [_vectors(s, 1, i)[0] for i, s in enumerate(shapes)]), repeats, case="many")
    return rows


def _ref(sizes, repeats, threads, many_total):
    import numba
    from numba import njit, prange

    @njit(parallel=True)
    def rw43(p, g, m, v):
        for i in prange(p.shape[0]):
            a, b, c, d = p[i], g[i], m[i], v[i]
            m[i], v[i], p[i] = c + b, d + b * b, a - c

    @njit(parallel=True)
    def rw32(p, g, m):
        for i in prange(p.shape[0]):
            a, b, c = p[i], g[i], m[i]
            m[i], p[i] = c + b, a - c

    @njit(parallel=True)
    def copy(a, b):
        for i in prange(a.shape[0]):
            b[i] = a[i]

    def make(kernel, k, n):
        arrays = _vectors(n, k)
        return lambda: kernel(*arrays)

    numba.set_num_threads(threads)
    rows = []
    for n in sizes:
        for name, kernel, k in (("rw4/3", rw43, 4), ("rw3/2", rw32, 3), ("copy", copy, 2)):
            _case(rows, "ref", n, "ref", name, lambda: make(kernel, k, n), repeats)
    return rows + [{"threading_layer": numba.threading_layer(), "numba_threads": numba.get_num_threads()}]


def worker(peer, threads, sizes, repeats, many_total):
    """Measure one peer at one thread count in this process.

    Parameters
    ----------
    peer : {"gdlab", "numpy", "torch", "ref"}
    threads : int
    sizes : list of int
        Vector lengths.
    repeats : int
        Timed steps per case after 3 warm-up steps (half as many, at least 3, above 10M).
    many_total : int
        Total elements of the 200-tensor Adam case; 0 skips it.

    Returns
    -------
    list of dict
        One row per case: ``opt``, ``n``, ``lib``, ``variant`` and ``times`` (seconds per step)
        or ``status`` and ``reason``; ``case`` is ``"many"`` for the 200-tensor case.
    """
    for var in THREAD_VARS:  # normally already set by the parent, before interpreter start
        os.environ.setdefault(var, str(threads))
    fn = {"gdlab": _gdlab, "numpy": _numpy, "torch": _torch, "ref": _ref}[peer]
    return fn(sizes, repeats, threads, many_total)


# --------------------------------------------------------------------------- driver

def _run_worker(peer, threads, args):
    """:func:`worker`'s rows from a fresh subprocess (thread variables set), or an error row."""
    env = {**os.environ, **{v: str(threads) for v in THREAD_VARS}}
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", peer, "--worker-threads",
           str(threads), "--sizes", args.sizes, "--repeats", str(args.repeats),
           "--many-total", str(args.many_total)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return [{"lib": peer, "status": "error", "reason": (proc.stderr.strip().splitlines() or ["?"])[-1]}]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _find(rows, **key):
    return next((r for r in rows if "min" in r and all(r.get(k) == v for k, v in key.items())), None)


def _x(q):
    return "n/a" if q is None else f"{q:.2f}x"


def summarize(report):
    """Print the table and the ratio lines of ``report`` and store the ratios in it.

    Parameters
    ----------
    report : dict
        With ``machine``, ``settings`` and ``runs`` as built by :func:`main`.
    """
    rows, s, m = report["runs"], report["settings"], report["machine"]
    print(f"\n{m['cpu']}, {m['logical_cpus']} logical CPUs, load average {m['load_avg'][0]:.2f} at "
          f"start, {m.get('load_avg_end', [math.nan])[0]:.2f} at end; min and median of "
          f"{s['repeats']} single steps (fewer above 10M); GB/s from the min\n")
    print(f"{'optimizer':<10}{'n':>12}  {'library/variant':<22}{'threads':>7}{'min ms':>10}"
          f"{'median':>10}{'GB/s':>8}")
    order = {o: i for i, o in enumerate(("ref",) + OPTS)}
    key = lambda r: (r.get("case", ""), order.get(r.get("opt"), 9), r.get("n", 0), r["threads"])  # noqa: E731
    for r in sorted(rows, key=key):
        name = r["lib"] + (f" {r['variant']}" if r.get("variant") else "")
        opt = r.get("opt", "?") + (" x200" if r.get("case") == "many" and r["lib"] == "torch" else "")
        head = f"{opt:<10}{r.get('n', 0):>12,}  {name:<22}{r['threads']:>7}"
        print(f"{head}{r['min'] * 1e3:>10.3f}{r['median'] * 1e3:>10.3f}{r['gbps']:>8.1f}" if "min" in r
              else f"{head}   {r['status']} ({r.get('reason', '')[:60]})")

    ratios = report["ratios"] = {"gdlab_pct_of_ref": [], "torch_fused_over_gdlab_1M": [],
                                 "many_torch_over_gdlab": []}
    print("\ngdlab GB/s as % of the same-traffic kernel's (rw4/3 for Adam, rw3/2 for SGD and "
          "RMSProp), n >= 10M (target >= 95 %):")
    for t in s["threads"]:
        for opt in OPTS:
            for n in [n for n in s["sizes"] if n >= 10_000_000]:
                g = _find(rows, opt=opt, n=n, lib="gdlab", variant="", threads=t)
                gc = _find(rows, opt=opt, n=n, lib="gdlab", variant="check_finite", threads=t)
                ref = _find(rows, n=n, lib="ref", variant=REF_OF[opt], threads=t)
                pct = [100 * x["gbps"] / ref["gbps"] if x and ref else None for x in (g, gc)]
                ratios["gdlab_pct_of_ref"].append({"opt": opt, "n": n, "threads": t, "pct": pct[0],
                                                   "pct_check_finite": pct[1]})
                print(f"  {opt:<8} n={n:>11,} {t} thread(s): " + ("n/a" if pct[0] is None else
                      f"{pct[0]:5.1f} %  (gdlab {g['gbps']:.1f} GB/s, {REF_OF[opt]} {ref['gbps']:.1f} GB/s"
                      + (f"; with the finite check {pct[1]:.1f} %)" if pct[1] else ")")))
    print("gdlab vs PyTorch fused at n = 1M, torch fused min / gdlab min (target >= 1.3x):")
    for t in s["threads"]:
        for opt in OPTS:
            g = _find(rows, opt=opt, n=1_000_000, lib="gdlab", variant="", threads=t)
            f = _find(rows, opt=opt, n=1_000_000, lib="torch", variant="fused", threads=t)
            q = f["min"] / g["min"] if f and g else None
            ratios["torch_fused_over_gdlab_1M"].append({"opt": opt, "threads": t, "ratio": q})
            print(f"  {opt:<8} {t} thread(s): {_x(q)}")
    if s["many_total"]:
        print(f"many tensors, Adam: torch over 200 tensors / gdlab over one flat vector, "
              f"{s['many_total']:,} elements (target >= 2x against foreach):")
        for t in s["threads"]:
            g = _find(rows, case="many", lib="gdlab", threads=t)
            q = {v: (r["min"] / g["min"] if g and r else None) for v in TORCH_VARIANTS
                 for r in [_find(rows, case="many", lib="torch", variant=v, threads=t)]}
            ratios["many_torch_over_gdlab"].append({"threads": t, **q})
            print(f"  {t} thread(s): " + "   ".join(f"{v} {_x(x)}" for v, x in q.items()))


def main(argv=None):
    """Command-line entry point; see the module docstring and ``--help``."""
    p = argparse.ArgumentParser(prog="python -m gdlab.bench.optim_step",
                                description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000000,10000000,50000000",
                   help="comma-separated vector lengths (default 1M,10M,50M)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--repeats", type=int, default=10, help="timed steps per case (default 10)")
    p.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ",".join(PEERS))
    p.add_argument("--many-total", type=int, default=25_000_000,
                   help="total elements of the 200-tensor Adam case, 0 to skip (default 25M)")
    p.add_argument("--out", help="write all results and machine info as JSON to this file")
    for hidden in ("--worker", "--worker-threads"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    try:
        sizes = [int(float(x)) for x in args.sizes.split(",")]
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error("--sizes and --threads must be comma-separated integers")
    if args.worker:
        print(json.dumps(worker(args.worker, int(args.worker_threads), sizes, args.repeats, args.many_total)))
        return 0
    peers = [x.strip() for x in args.peers.split(",") if x.strip()]
    bad = [x for x in peers if x not in PEERS]
    if bad or args.repeats < 1 or min(threads) < 1 or min(sizes) < 1 or args.many_total < 0:
        p.error(f"unknown peers {bad}" if bad else "--repeats, --threads and --sizes must be >= 1")

    from gdlab.bench.mlp_mnist import machine_info, write_report

    report = {"machine": machine_info(), "settings": vars(args) | {"threads": threads, "sizes": sizes},
              "runs": [], "numba": {}}
    for peer in peers:
        if importlib.util.find_spec(MODULES[peer]) is None:
            print(f"{peer}: not installed, skipped", file=sys.stderr)
            continue
        for t in threads:
            t0 = time.perf_counter()
            for r in _run_worker(peer, t, args):
                if "lib" not in r:  # the ref worker's Numba threading information
                    report["numba"][str(t)] = r
                    continue
                r["threads"] = t
                if "times" in r:
                    r.update(min=min(r["times"]), median=statistics.median(r["times"]))
                    moved = TRAFFIC[r["variant"] if r["lib"] == "ref" else r["opt"]] * 4 * r["n"]
                    r["gbps"] = moved / r["min"] / 1e9
                report["runs"].append(r)
            print(f"{peer} threads={t}: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr,
                  flush=True)
    report["machine"]["load_avg_end"] = os.getloadavg()
    summarize(report)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

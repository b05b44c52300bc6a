"""Benchmark: Adam on Rosenbrock, 10,000 configurations x 1,000 steps, side by side in one run.

Peers, measured in the same process one after the other:

* **gdlab** ``surfaces.sweep`` (one compiled call, vectorised across configurations), with 1
  and with all threads; timed end to end (validation, state set-up, kernel, table) after a
  warm-up call that compiles the kernel;
* **NumPy** vectorised over configurations (one array operation per step for all of them),
  the fastest way to write it in plain NumPy;
* **PyTorch** per-configuration loop (``torch.optim.Adam`` on a 2-element tensor with
  autograd, one Python loop per configuration, as the popular optimizer-visualisation scripts
  run): a subset is timed and extrapolated to all configurations.

The peers' final points are compared with gdlab's (they run the same rule from the same
starts). Prints optimizer steps per second and the ratios; ``--json`` writes the report.
With ``--backend cuda`` (a real GPU), also times the CUDA sweep on ``--gpu-configs``
configurations.

    python -m gdlab.bench.surfaces_sweep [--configs 10000] [--steps 1000] [--torch-subset 20]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from .mlp_mnist import machine_info, write_report


def _lrs(n):
    return np.geomspace(1e-4, 1e-1, n)


def _gdlab(n, steps, threads, repeats):
    import numba

    from gdlab import surfaces

    numba.set_num_threads(threads)
    lrs = _lrs(n)
    surfaces.sweep("rosenbrock", {"adam": {"lr": lrs}}, n_steps=2)  # compile / load the timed kernel
    best, res = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = surfaces.sweep("rosenbrock", {"adam": {"lr": lrs}}, n_steps=steps)
        best = min(best, time.perf_counter() - t0)
    return best, np.stack([res.table["x_0"], res.table["x_1"]], axis=1)


def _numpy(n, steps, repeats, b1=0.9, b2=0.999, eps=1e-8):
    lrs = _lrs(n)

    def run():
        x = np.tile([-1.5, 2.0], (n, 1))
        m = np.zeros_like(x)
        v = np.zeros_like(x)
        g = np.empty_like(x)
        lr = lrs[:, None]
        for t in range(1, steps + 1):
            w = x[:, 1] - x[:, 0] ** 2
            g[:, 0] = -2.0 * (1.0 - x[:, 0]) - 400.0 * x[:, 0] * w
            g[:, 1] = 200.0 * w
            m += (g - m) * (1 - b1)
            v *= b2
            v += (1 - b2) * g * g
            denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
            x -= (lr / (1 - b1 ** t)) * m / denom
        return x

    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        x = run()
        best = min(best, time.perf_counter() - t0)
    return best, x


def _torch(n, steps, subset):
    import torch

    torch.set_num_threads(1)
    lrs = _lrs(n)
    idx = np.linspace(0, n - 1, subset).astype(int)
    finals = []
    t0 = time.perf_counter()
    for k in idx:
        x = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([x], lr=float(lrs[k]))
        for _ in range(steps):
            opt.zero_grad()
            loss = (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            opt.step()
        finals.append(x.detach().numpy().copy())
    seconds = time.perf_counter() - t0
    return seconds * n / subset, idx, np.array(finals)


def _agree(a, b):
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    if not ok.any():
        return float("nan")
    return float(np.max(np.abs(a[ok] - b[ok]) / np.maximum(1.0, np.abs(b[ok]))))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", type=int, default=10_000, help="configurations (default 10000)")
    ap.add_argument("--steps", type=int, default=1000, help="steps per configuration (default 1000)")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats; the best is kept (default 5)")
    ap.add_argument("--torch-subset", type=int, default=20,
                    help="configurations timed for the PyTorch loop, extrapolated (default 20)")
    ap.add_argument("--backend", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--gpu-configs", type=int, default=1_000_000)
    ap.add_argument("--json", default=None, help="write the report to this JSON file")
    args = ap.parse_args(argv)
    n, steps = args.configs, args.steps
    total = n * steps
    report = {"machine": machine_info(), "configs": n, "steps": steps, "results": {}}
    print(f"Adam on Rosenbrock from (-1.5, 2), lr log-spaced 1e-4..1e-1: {n} configurations x {steps} steps "
          f"= {total / 1e6:.0f} M optimizer steps (float64)")
    print(f"machine: {report['machine']['cpu']}, {report['machine']['logical_cpus']} logical CPUs, "
          f"load {report['machine']['load_avg'][0]:.2f}")
    rows = []
    cores = os.cpu_count() or 1
    x_ref = None
    for threads in sorted({1, cores}):
        sec, x = _gdlab(n, steps, threads, args.repeats)
        x_ref = x if x_ref is None else x_ref
        rows.append((f"gdlab sweep, {threads} thread{'s' if threads > 1 else ''}", sec, 0.0))
    sec, x = _numpy(n, steps, max(1, args.repeats // 2))
    rows.append(("NumPy vectorised over configurations", sec, _agree(x, x_ref)))
    try:
        sec, idx, xt = _torch(n, steps, args.torch_subset)
        rows.append((f"PyTorch loop per configuration (extrapolated from {args.torch_subset})", sec,
                     _agree(xt, x_ref[idx])))
    except ImportError:
        print("(PyTorch not installed: pip install torch==2.13.0 to include it)")
    fastest = min(r[1] for r in rows if r[0].startswith("gdlab"))
    print(f"\n{'peer':<58} {'seconds':>10} {'M steps/s':>10} {'vs gdlab':>10} {'max diff':>9}")
    for name, sec, diff in rows:
        ratio = sec / fastest
        print(f"{name:<58} {sec:>10.4f} {total / sec / 1e6:>10.1f} {ratio:>9.1f}x {diff:>9.1e}")
        report["results"][name] = {"seconds": sec, "steps_per_s": total / sec, "slower_than_gdlab": ratio,
                                   "max_rel_diff_final_point": diff}
    if args.backend == "cuda":
        from gdlab import surfaces

        lrs = np.geomspace(1e-4, 1e-1, args.gpu_configs)
        surfaces.sweep("rosenbrock", {"adam": {"lr": lrs[:1024]}}, n_steps=2, backend="cuda")
        t0 = time.perf_counter()
        surfaces.sweep("rosenbrock", {"adam": {"lr": lrs}}, n_steps=steps, backend="cuda",
                       chunk_size=args.gpu_configs)
        sec = time.perf_counter() - t0
        rate = args.gpu_configs * steps / sec
        print(f"\nCUDA sweep: {args.gpu_configs} configurations x {steps} steps in {sec:.3f} s = "
              f"{rate / 1e9:.2f} G steps/s (end to end, host<->device copies included)")
        report["results"]["gdlab sweep, CUDA"] = {"seconds": sec, "steps_per_s": rate}
    write_report(report, args.json)


if __name__ == "__main__":
    main()

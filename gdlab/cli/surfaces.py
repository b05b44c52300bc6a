"""``gdlab trajectory`` and ``gdlab sweep``: optimizers on loss surfaces from the command line."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import click

from ._options import progress_option
import numpy as np


def _parse(text: str, *, ranges: bool):
    """``NAME[@PRESET][:k=v,...]`` through gdlab's one parser; click's error on bad text."""
    from ..optim._syntax import parse_optimizer

    try:
        return parse_optimizer(text, ranges=ranges)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--optimizer") from None


def _kv(items, what) -> dict:
    from ..optim._syntax import parse_number

    out = {}
    for item in items:
        if "=" not in item:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=what)
        k, v = (s.strip() for s in item.split("=", 1))
        try:
            out[k] = parse_number(v, f"{what} {k}")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=what) from None
    return out


def _point(text: str | None, what: str):
    if text is None:
        return None
    try:
        return np.array([float(v) for v in text.split(",")])
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}", param_hint=what) from None


def _surface(name, dim, sparams):
    from ..surfaces import get_surface

    return get_surface(name, dim, **_kv(sparams, "--surface-param"))


_common = [
    click.argument("surface"),
    click.option("-o", "--optimizer", "optimizers", multiple=True, required=True, metavar="SPEC",
                 help="NAME[@PRESET][:k=v,...], repeatable, e.g. -o adam:lr=0.05 "
                      "-o 'sgd:lr=1e-3,momentum=0.9' -o adam@keras."),
    click.option("--dim", type=int, default=None, help="Dimension of an n-D surface [default: its own]."),
    click.option("-s", "--surface-param", "sparams", multiple=True, metavar="NAME=VALUE",
                 help="Surface parameter, e.g. -s kappa=100 for the valley (repeatable)."),
    click.option("--steps", "n_steps", type=int, default=1000, show_default=True, help="Optimizer steps per run."),
    click.option("--tol", type=float, default=1e-6, show_default=True,
                 help="A run reaches the minimum when loss <= fmin + tol."),
    click.option("--noise", type=float, default=0.0, show_default=True,
                 help="Std of Gaussian noise added to each gradient component."),
    click.option("--seed", type=int, default=0, show_default=True, help="Seed of the gradient noise."),
    click.option("--backend", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True),
    click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                 help="Folder for the CSV and PNG outputs [default: print only]."),
]


def _with_common(f):
    for deco in reversed(_common):
        f = deco(f)
    return f


@click.command()
@_with_common
@click.option("--x0", default=None, help="Start, comma-separated [default: the surface's].")
def trajectory(surface, optimizers, dim, sparams, n_steps, tol, noise, seed, backend, out_dir, x0):
    """Run optimizers from one start on SURFACE; print where they end, write paths and a plot.

    Each -o gives one optimizer and its hyperparameters (one value each). With --out, writes
    trajectory_<optimizer>.csv (step, x, loss, gradient norm) per optimizer and
    trajectories.png (contour plot with the paths; a curve for 1-D surfaces).

    \b
        gdlab trajectory rosenbrock -o adam:lr=0.05 -o 'sgd:lr=1e-3,momentum=0.9' --steps 2000 --out runs/rosen

    Exit status: 0 on success, 2 for invalid arguments. Diverging runs are reported, not errors.
    """
    from ..surfaces import StartOutsideBoundsWarning
    from ..surfaces import trajectory as run

    try:
        surf = _surface(surface, dim, sparams)
        start = _point(x0, "--x0")
        runs = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StartOutsideBoundsWarning)
            for spec in optimizers:
                _parse(spec, ranges=False)  # one value per hyperparameter ('gdlab sweep' takes lists)
                runs.append(run(spec, surf, start, n_steps, tol=tol, noise=noise, seed=seed,
                                backend=backend))
        for w in caught:
            click.echo(f"warning: {w.message}", err=True)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise click.UsageError(str(exc)) from None
    labels = [s.strip() for s in optimizers]  # as the user named them
    width = max(16, *map(len, labels))
    click.echo(f"{surf!r}: fmin {surf.fmin:g}, start {runs[0].path[0].tolist()}, {n_steps} steps")
    click.echo(f"{'optimizer':<{width}} {'final loss':>12} {'steps to tol':>12}  final point")
    for label, r in zip(labels, runs):
        hit = str(r.steps_to_tol) if r.steps_to_tol >= 0 else "-"
        status = "  DIVERGED" if r.diverged else ""
        click.echo(f"{label:<{width}} {r.loss[-1]:>12.4e} {hit:>12}  "
                   f"[{', '.join(f'{v:.6g}' for v in r.final)}]{status}")
    if out_dir is not None:
        from ..surfaces.plot import plot_contour

        out_dir.mkdir(parents=True, exist_ok=True)
        paths = [r.to_csv(out_dir / f"trajectory_{k}_{_safe(label)}.csv")
                 for k, (label, r) in enumerate(zip(labels, runs))]
        plot_contour(surf, runs, path=out_dir / "trajectories.png")
        paths.append(out_dir / "trajectories.png")
        click.echo("wrote " + ", ".join(map(str, paths)))


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.@" else "_" for c in text)


@click.command()
@_with_common
@click.option("--starts", default="default", show_default=True,
              help="Start points: 'default' (the surface's x0), 'grid:N' (N per axis over the "
                   "bounds), 'random:N' (uniform in the bounds), or 'x,y;x,y;...'.")
@click.option("--start-seed", type=int, default=0, show_default=True, help="Seed of random:N starts.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786): run the chunks on that cluster.")
@click.option("--chunk-size", type=int, default=65536, show_default=True,
              help="Configurations per compiled call (and per Dask task).")
@click.option("--heatmap", default=None, metavar="X,Y[,VALUE]",
              help="With --out: heatmap of VALUE (loss, steps or distance; default loss) over columns X and Y.")
@progress_option
def sweep(surface, optimizers, dim, sparams, n_steps, tol, noise, seed, backend, out_dir, starts,
          start_seed, scheduler, chunk_size, heatmap, progress):
    """Run every (start x hyperparameters x optimizer) configuration on SURFACE.

    Hyperparameter values in -o may be lists 'a|b|c' or ranges 'log:LOW:HIGH:N' and
    'lin:LOW:HIGH:N'; every combination is run from every start. Prints a summary per
    optimizer; with --out writes sweep.csv (one row per configuration: start, hyperparameters,
    final loss and point, distance to and index of the nearest known minimum, steps to
    tolerance, diverged), plus heatmap.png (--heatmap) and basins.png (2-D grid starts).

    \b
        gdlab sweep rosenbrock -o 'sgd:lr=log:1e-4:5e-3:24,momentum=lin:0:0.99:24' --steps 2000 \\
            --heatmap lr,momentum --out runs/sweep

    Exit status: 0 on success, 2 for invalid arguments.
    """
    from ..surfaces import grid_starts, random_starts
    from ..surfaces import sweep as run

    try:
        surf = _surface(surface, dim, sparams)
        grid_n = None
        if starts == "default":
            X0 = None
        elif starts.startswith("grid:"):
            grid_n = int(starts[5:]) if starts[5:].isdigit() else -1
            X0 = grid_starts(surf, grid_n)
        elif starts.startswith("random:"):
            n = int(starts[7:]) if starts[7:].isdigit() else -1
            X0 = random_starts(surf, n, seed=start_seed)
        else:
            X0 = np.array([_point(p, "--starts") for p in starts.split(";")])
        grid = {}
        for spec in optimizers:
            text = _parse(spec, ranges=True)
            key = text.name + (f"@{text.preset}" if text.preset else "")
            if key in grid:
                raise click.BadParameter(f"optimizer {key!r} given twice; put all its values in one -o",
                                         param_hint="--optimizer")
            grid[key] = text.hyper
        t0 = time.perf_counter()
        res = run(surf, grid, starts=X0, n_steps=n_steps, tol=tol, noise=noise, seed=seed,
                  backend=backend, scheduler=scheduler, chunk_size=chunk_size, progress=progress)
        seconds = time.perf_counter() - t0
        hm = heatmap.split(",") if heatmap else None
        if hm is not None and len(hm) not in (2, 3):
            raise click.BadParameter(f"expected X,Y or X,Y,VALUE, got {heatmap!r}", param_hint="--heatmap")
    except (ValueError, TypeError, RuntimeError) as exc:
        raise click.UsageError(str(exc)) from None
    t = res.table
    click.echo(f"{surf!r}: {len(res)} configurations x {n_steps} steps on {res.meta['backend']} in "
               f"{seconds:.2f} s wall time (compilation of new kernels included)")
    click.echo(f"{'optimizer':<16} {'runs':>7} {'reached':>8} {'diverged':>8} {'best loss':>12}  best hyperparameters")
    for opt in dict.fromkeys(t["optimizer"].tolist()):
        sel = t[t["optimizer"] == opt]
        ok = np.where(np.isfinite(sel["loss"]), sel["loss"], np.inf)
        best = sel[int(np.argmin(ok))]
        hyper = [h for h in res.hyper_names(opt) if np.unique(sel[h]).size > 1]
        click.echo(f"{opt:<16} {len(sel):>7} {int((sel['steps'] >= 0).sum()):>8} {int(sel['diverged'].sum()):>8} "
                   f"{best['loss']:>12.4e}  " + ", ".join(f"{h}={best[h]:.4g}" for h in hyper))
    if out_dir is not None:
        from ..surfaces import plot

        out_dir.mkdir(parents=True, exist_ok=True)
        written = [res.to_csv(out_dir / "sweep.csv")]
        try:
            if hm is not None:
                value = hm[2] if len(hm) == 3 else "loss"
                plot.plot_heatmap(res, hm[0], hm[1], value, path=out_dir / "heatmap.png")
                written.append(out_dir / "heatmap.png")
            if grid_n is not None and surf.dim == 2 and len(set(t["optimizer"].tolist())) == 1 \
                    and len(res) == grid_n * grid_n:
                plot.plot_basins(res, path=out_dir / "basins.png")
                written.append(out_dir / "basins.png")
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo("wrote " + ", ".join(map(str, written)))

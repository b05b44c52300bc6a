"""Click options shared by several ``gdlab`` commands (imported by the command modules)."""

from __future__ import annotations

import sys

import click

#: Exit status of a training command whose loss became NaN/inf (2 is click's usage error).
EXIT_DIVERGED = 3


#: ``--progress/--no-progress`` of every command with long work (tqdm decides when None).
progress_option = click.option("--progress/--no-progress", default=None,
                               help="Show a progress bar [default: when stderr is a terminal].")


def run_dir_option(default: str):
    """``--out`` of a training command: the folder of history.json, history.csv, curves.png and
    model.npz (default ``default``)."""
    from pathlib import Path

    return click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path(default), show_default=True,
                        help="Folder for history.json, history.csv, curves.png and model.npz.")


def deterministic_option(f):
    """``--deterministic/--fast``: which matrix products a training or evaluation command uses."""
    return click.option(
        "--deterministic/--fast", "deterministic", default=None,
        help="Matrix products in gdlab's fixed-order GEMM: the same numbers on every x86-64 CPU "
             "and at any --threads (default, unless GDLAB_DETERMINISTIC=0); or in OpenBLAS "
             "(--fast: a few percent faster, but its rounding depends on the CPU and thread "
             "count).")(f)


def make_optimizer(text: str, params=(), lr: float | None = None):
    """The optimizer of ``--optimizer TEXT`` (``NAME[@PRESET][:k=v,...]``), ``-p NAME=VALUE``
    (repeatable; ``-p preset=NAME`` is ``@NAME``) and ``--lr``: a hyperparameter given in two of
    them is an error, not a silent override.

    Raises
    ------
    click.UsageError
        For a bad text, value, name, preset or a hyperparameter given twice.
    """
    from ..optim import create
    from ..optim._syntax import merge_hyper, parse_optimizer, parse_value

    try:
        opt = parse_optimizer(text)
        preset, extra = opt.preset, {}
        for item in params:
            if "=" not in item:
                raise ValueError(f"-p: expected NAME=VALUE, got {item!r}")
            k, v = (s.strip() for s in item.split("=", 1))
            if k in extra or (k == "preset" and preset is not None):
                raise ValueError(f"{k} is given twice (in {text!r} or -p)")
            if k == "preset":  # -p preset=keras is NAME@keras
                preset = v
                continue
            extra[k] = parse_value(v, f"-p {k}")
        hyper = merge_hyper(opt.hyper, extra, "-p")
        if lr is not None:
            hyper = merge_hyper(hyper, {"lr": lr}, "--lr")
        return create(opt.name, preset=preset, **hyper)
    except (ValueError, TypeError) as exc:
        raise click.UsageError(str(exc)) from None


def parse_sizes(text: str | None, hint: str = "--hidden"):
    """``"256,128"`` -> (256, 128); ``"none"`` or ``""`` -> () (no hidden layer); None -> None
    (the model's default).

    Raises
    ------
    click.BadParameter
        For anything but comma-separated integers >= 1.
    """
    if text is None:
        return None
    if text.strip() in {"", "none"}:
        return ()
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise click.BadParameter(f"expected comma-separated integers, got {text!r}", param_hint=hint) from None
    if min(sizes) < 1:
        raise click.BadParameter(f"layer sizes must be >= 1, got {text!r}", param_hint=hint)
    return sizes


def run_training(fit, *, threads, bar):
    """``fit()`` with ``threads`` Numba and BLAS threads; the progress ``bar`` is closed in any
    case. A ValueError becomes click's usage error (exit 2), a diverging loss one line on stderr
    and exit status :data:`EXIT_DIVERGED`."""
    from .._threads import limit_threads
    from ..engine import TrainingDiverged

    try:
        with limit_threads(threads):
            return fit()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except TrainingDiverged as exc:
        bar.close()
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_DIVERGED)
    finally:
        bar.close()

"""The ``gdlab`` command line (click): ``gdlab --help`` lists the commands.

One module per command group: this one holds the ``gdlab`` group, ``train`` with the MLP on a
dataset, ``list``, ``plugins`` and the ``eval`` group; :mod:`.dssm` (``train dssm``, ``eval
dssm``), :mod:`.surfaces` (``trajectory``, ``sweep``), :mod:`.figures` (``figures``);
:mod:`._options` the options and parsers they share.
"""

from __future__ import annotations

import sys
import time

import click

from .. import __version__
from ._options import (deterministic_option, make_optimizer, parse_sizes, progress_option, run_dir_option,
                       run_training)


class _Group(click.Group):
    """A broken installed plugin is skipped with one ``warning:`` line on stderr per problem (the
    command goes on); an invalid plugin error is one line (exit status 1), never a traceback."""

    def invoke(self, ctx):
        import warnings

        from ..registry import PluginError, PluginWarning

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", PluginWarning)
                from ..registry import get_registry

                get_registry().specs("optimizers")  # load and check the plugins once, here
            for w in caught:
                if issubclass(w.category, PluginWarning):
                    click.echo(f"warning: {w.message}", err=True)
                else:  # not ours: show it as Python would
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            return super().invoke(ctx)
        except PluginError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gdlab")
def main():
    """gdlab: a Numba-JIT laboratory for gradient-descent research."""


class _TrainGroup(click.Group):
    """``gdlab train NAME``: a model with its own command (e.g. ``dssm``), or else an MLP
    classifier on the registered dataset NAME (default mnist), run by ``train_mlp``."""

    def parse_args(self, ctx, args):
        if not args or (args[0].startswith("-") and args[0] not in ctx.help_option_names):
            args = ["mnist", *args]
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx, args):
        if args and args[0] == "mlp":  # 'gdlab train mlp [DATASET]': the same command
            args = args[1:] or ["mnist"]
        if args and args[0] not in self.commands:  # a dataset name: the MLP command takes it
            return "mlp", train_mlp, args
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter):
        super().format_commands(ctx, formatter)
        with formatter.section("Datasets"):
            formatter.write_text("Any other NAME is a registered dataset ('gdlab list datasets') on which "
                                 "an MLP classifier is trained; 'gdlab train mnist --help' shows its options.")


@main.group(cls=_TrainGroup)
def train():
    """Train a model: 'gdlab train DATASET [OPTIONS]' (an MLP classifier, default mnist)
    or 'gdlab train MODEL [OPTIONS]' for the models listed below."""


class _MLPCommand(click.Command):
    """Its usage line reads as it is typed: ``gdlab train [DATASET] [OPTIONS]``."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.parent.command_path if ctx.parent else "gdlab train",
                              "[DATASET] [OPTIONS]")


@click.command(name="mlp", cls=_MLPCommand)
@click.argument("dataset", default="mnist")
@click.option("--hidden", default="256,128,64,20", show_default=True,
              help="Hidden layer sizes, comma-separated ('none' for softmax regression).")
@click.option("--activation", default="relu", show_default=True,
              type=click.Choice(["relu", "tanh", "logistic", "identity"]),
              help="Activation of the hidden layers.")
@click.option("--optimizer", "optimizer_name", default="sgd", show_default=True, metavar="SPEC",
              help="NAME[@PRESET][:k=v,...], e.g. sgd, adam@keras, 'sgd:lr=0.1,momentum=0.9' "
                   "(see 'gdlab list optimizers').")
@click.option("--lr", type=float, default=None,
              help="Learning rate [default: the optimizer's own default].")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Other optimizer hyperparameter, e.g. -p momentum=0.9 -p nesterov=true "
                   "(repeatable).")
@click.option("--batch-size", default=64, show_default=True, type=int, help="Rows per mini-batch.")
@click.option("--epochs", default=20, show_default=True, type=int, help="Passes over the training set.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the initialisation and of the shuffles.")
@click.option("--threads", type=int, default=None,
              help="Threads for Numba and BLAS [default: all cores].")
@click.option("--dtype", default="float32", show_default=True, type=click.Choice(["float32", "float64"]))
@click.option("--train-size", type=int, default=None,
              help="Use only the first N training rows (quick runs).")
@click.option("--test-size", type=int, default=None, help="Use only the first N test rows.")
@run_dir_option("runs/mnist")
@progress_option
@deterministic_option
def train_mlp(dataset, hidden, activation, optimizer_name, lr, params, batch_size, epochs, seed,
          threads, dtype, train_size, test_size, out_dir, progress, deterministic):
    """Train an MLP classifier on DATASET (default: mnist) by mini-batch gradient descent.

    Inputs are scaled as (x/255 - 0.5)/0.5. After every epoch the train and test loss and
    accuracy are printed; the history, a plot of the four curves and the final parameters
    are written to --out. The classic experiment (784-256-128-64-20-10 ReLU, SGD lr 0.1,
    batch 64, 20 epochs):

    \b
        gdlab train mnist --optimizer sgd --lr 0.1 --batch-size 64 --epochs 20 --out runs/mnist

    Exit status: 0 on success, 2 for invalid arguments, 3 if the loss became NaN/inf.
    """
    import numpy as np
    from tqdm.auto import tqdm

    from ..datasets import scale_images
    from ..models import MLP
    from ..registry import get_registry
    from ..training import train as fit

    opt = make_optimizer(optimizer_name, params, lr)
    try:
        spec = get_registry().dataset(dataset)
        for name, v in (("--batch-size", batch_size), ("--epochs", epochs)):
            if v < 1:
                raise ValueError(f"{name} must be >= 1, got {v}")
        for name, v in (("--train-size", train_size), ("--test-size", test_size)):
            if v is not None and v < 1:
                raise ValueError(f"{name} must be >= 1, got {v}")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    t_start = time.perf_counter()
    X, y = spec.load("train")
    X_test, y_test = spec.load("test")
    X, y = scale_images(X[:train_size], np.dtype(dtype)), y[:train_size]
    X_test, y_test = scale_images(X_test[:test_size], np.dtype(dtype)), y_test[:test_size]
    sizes = (X.shape[1], *parse_sizes(hidden), spec.n_classes)
    model = MLP(sizes, activation, dtype=dtype, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"gdlab {__version__}: {dataset} {X.shape[0]}/{X_test.shape[0]} rows, "
               f"MLP {'-'.join(map(str, sizes))} {activation} {dtype}, {opt}, "
               f"batch {batch_size}, seed {seed}")

    n_batches = -(-X.shape[0] // batch_size)
    bar = tqdm(total=epochs * n_batches, unit="batch", disable=(not progress) if progress is not None else None,
               leave=False, dynamic_ncols=True, file=sys.stderr)
    header = f"{'epoch':>5} {'train loss':>10} {'train acc':>9} {'test loss':>10} {'test acc':>9} {'seconds':>8}"
    tqdm.write(header)

    def on_epoch(r):
        tqdm.write(f"{r['epoch']:>5d} {r['train_loss']:>10.4f} {100 * r['train_acc']:>8.2f}% "
                   f"{r['test_loss']:>10.4f} {100 * r['test_acc']:>8.2f}% {r['seconds']:>8.2f}")
        bar.set_postfix(epoch=r["epoch"], test_acc=f"{100 * r['test_acc']:.2f}%")

    history = run_training(
        lambda: fit(model, opt, X, y, X_test=X_test, y_test=y_test, epochs=epochs,
                    batch_size=batch_size, seed=seed, on_batches=bar.update, on_epoch=on_epoch,
                    deterministic=deterministic),
        threads=threads, bar=bar)
    history.meta.update(dataset=dataset, threads=threads, total_seconds=time.perf_counter() - t_start)
    paths = [history.to_json(out_dir / "history.json"), history.to_csv(out_dir / "history.csv"),
             history.plot(out_dir / "curves.png",
                          title=f"{dataset}: MLP {'-'.join(map(str, sizes))}, {opt.spec.name}")]
    np.savez(out_dir / "model.npz", params=model.params, layer_sizes=np.array(sizes),
             activation=activation)
    paths.append(out_dir / "model.npz")
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@main.command(name="list")
@click.argument("kind", type=click.Choice(["optimizers", "presets", "surfaces", "datasets"]))
@click.option("--markdown", is_flag=True,
              help="For 'presets': print the docs page of the built-in optimizers (docs/optimizers.md).")
def list_(kind, markdown):
    """List registered optimizers (provider, presets, hyperparameters), presets, surfaces
    (dimension, parameters, minima) or datasets."""
    from ..registry import get_registry

    reg = get_registry()
    if kind == "presets":
        from ..optim._docs import optimizers_page, presets_table

        click.echo(optimizers_page() if markdown else presets_table())
        return
    for name, spec in sorted(reg.specs(kind).items()):
        click.echo(f"{name}  [{reg.provider(kind, name)}]  {spec.summary}")
        if kind == "optimizers":
            click.echo(f"    presets: {', '.join(spec.preset_names)}")
            for h, hp in spec.hyper.items():
                click.echo(f"    {h:<26} default {hp.default!r:<8} in {hp.describe_range():<14} {hp.doc}")
        if kind == "surfaces":
            s = spec.resolve()
            dim = f"{s.dim}-D" if spec.dim is not None else f"n-D (default {s.dim})"
            params = ", ".join(f"{k}={v!r}" for k, v in spec.params.items()) or "none"
            click.echo(f"    {dim}; parameters: {params}; fmin {s.fmin:.6g}; "
                       f"{s.minima.shape[0]} known minima; x0 {s.x0.tolist()[:4]}")


@main.command()
def plugins():
    """List every plugin, where it comes from and what it contributes; a broken one (skipped,
    entirely or in part) is listed with its error."""
    from ..registry import get_registry

    for info in get_registry().plugins():
        what = "; ".join(f"{k}: {', '.join(v)}" for k, v in info.contributes.items() if v) or "nothing"
        click.echo(f"{info.name}  ({info.source})  {what}" + (f"  BROKEN: {info.error}" if info.error else ""))


@main.group(name="eval")
def eval_():
    """Evaluate a saved model: 'gdlab eval MODEL [OPTIONS]' for the models listed below."""


from .dssm import eval_dssm, train_dssm  # noqa: E402
from .figures import figures  # noqa: E402
from .surfaces import sweep, trajectory  # noqa: E402

train.add_command(train_dssm)
eval_.add_command(eval_dssm)
main.add_command(trajectory)
main.add_command(sweep)
main.add_command(figures)

"""Command-line commands of DSSM / CLSM on WikiQA: ``gdlab train dssm`` and ``gdlab eval dssm``.

Both are click commands named ``dssm`` (``train_dssm`` and ``eval_dssm``), attached to the
``train`` and ``eval`` groups of :mod:`gdlab.cli`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .. import __version__
from ..datasets._wikiqa import PUBLISHED
from ._options import (deterministic_option, make_optimizer, parse_sizes, progress_option, run_dir_option,
                       run_training)


_PROTOCOL = "questions without a correct sentence excluded, the standard WikiQA protocol"


def _load_split(split, data_dir, verify):
    from ..datasets._idx import DatasetError
    from ..datasets._wikiqa import load_wikiqa

    try:
        return load_wikiqa(split, data_dir=data_dir, verify=verify)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None


def _metrics_lines(m: dict, ks) -> list[str]:
    head = "".join(f"{'NDCG@' + str(k):>9}" for k in ks) + f"{'MAP':>9}{'MRR':>9}"
    row = "".join(f"{m[f'ndcg@{k}']:>9.4f}" for k in ks) + f"{m['map']:>9.4f}{m['mrr']:>9.4f}"
    return [f"{'':<16}{head}", f"{'gdlab':<16}{row}"]


@click.command(name="dssm")
@click.option("--model", "arch", default="dssm", show_default=True, type=click.Choice(["dssm", "clsm"]),
              help="DSSM (dense tanh layers on the bag of letter trigrams) or CLSM (convolution "
                   "over word windows, max pooling).")
@click.option("--hidden", default=None,
              help="Tower layer sizes, comma-separated [default: 300,300,128 for dssm, 300,128 for clsm].")
@click.option("--window", type=int, default=None, help="CLSM: words per convolution window [default: 3].")
@click.option("--shared/--separate", default=False, show_default=True,
              help="One set of weights for the query and document towers, or two.")
@click.option("--optimizer", "optimizer_name", default="adam", show_default=True, metavar="SPEC",
              help="NAME[@PRESET][:k=v,...], e.g. adam, adam@keras, 'adamw:lr=1e-3' "
                   "(see 'gdlab list optimizers').")
@click.option("--lr", type=float, default=None, help="Learning rate [default: the optimizer's own].")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Other optimizer hyperparameter, e.g. -p weight_decay=1e-5 (repeatable).")
@click.option("--batch-size", default=64, show_default=True, type=int,
              help="Question/answer pairs per mini-batch.")
@click.option("--epochs", default=20, show_default=True, type=int, help="Maximum number of epochs.")
@click.option("--negatives", default=4, show_default=True, type=int,
              help="Sampled negative sentences per pair (K).")
@click.option("--gamma", default=10.0, show_default=True, type=float,
              help="Smoothing factor of the softmax over cosines.")
@click.option("--negative-pool", default="corpus", show_default=True,
              type=click.Choice(["corpus", "candidates"]),
              help="Negatives from every training sentence, or from the question's own wrong candidates.")
@click.option("--patience", default=5, show_default=True, type=int,
              help="Stop after this many epochs without a better dev MAP (0: never stop early).")
@click.option("--min-count", default=1, show_default=True, type=int, help="Keep trigrams seen at least this often.")
@click.option("--max-vocab", type=int, default=None, help="Keep only the most frequent trigrams.")
@click.option("--oov", default="drop", show_default=True, type=click.Choice(["drop", "hash"]),
              help="Out-of-vocabulary trigrams: dropped, or hashed into 1000 extra buckets.")
@click.option("--weighting", default="count", show_default=True, type=click.Choice(["count", "binary", "log"]),
              help="Trigram values: counts, 1, or 1 + log(count).")
@click.option("--max-words", type=int, default=None, help="CLSM: keep only the first N words of each text.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the initialisation, shuffles and negative sampling.")
@click.option("--threads", type=int, default=None, help="Threads for Numba and BLAS [default: all cores].")
@click.option("--dtype", default="float32", show_default=True, type=click.Choice(["float32", "float64"]))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory holding wikiqa/WikiQA-*.tsv [default: $GDLAB_DATA_DIR].")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Check the WikiQA files' SHA256 against the official release.")
@run_dir_option("runs/dssm")
@progress_option
@deterministic_option
def train_dssm(arch, hidden, window, shared, optimizer_name, lr, params, batch_size, epochs, negatives,
               gamma, negative_pool, patience, min_count, max_vocab, oov, weighting, max_words, seed,
               threads, dtype, data_dir, verify, out_dir, progress, deterministic):
    """Train DSSM or CLSM on WikiQA's (question, correct sentence) pairs; early stopping on dev MAP.

    The letter-trigram vocabulary is learnt from the training questions and sentences. Every
    epoch prints the mean training loss and the dev NDCG@3/5, MAP and MRR (questions without a
    correct sentence excluded); the weights of the best dev MAP are kept and written with the
    vocabulary to --out/model.npz, for 'gdlab eval dssm'. The paper's DSSM:

    \b
        gdlab train dssm --model dssm --optimizer adam --lr 1e-3 --gamma 10 --negatives 4 --seed 0

    Exit status: 0 on success, 1 for missing or malformed data, 2 for invalid arguments, 3 if
    the loss became NaN/inf.
    """
    import numpy as np
    from tqdm.auto import tqdm

    from ..models._dssm import DSSM, train
    from ..text import WordHashing

    opt = make_optimizer(optimizer_name, params, lr)
    sizes = parse_sizes(hidden)
    try:
        for name, v, lo in (("--batch-size", batch_size, 1), ("--epochs", epochs, 1),
                            ("--negatives", negatives, 1), ("--patience", patience, 0),
                            ("--min-count", min_count, 1)):
            if v < lo:
                raise ValueError(f"{name} must be >= {lo}, got {v}")
        for name, v in (("--max-vocab", max_vocab), ("--max-words", max_words), ("--window", window)):
            if v is not None and v < 1:
                raise ValueError(f"{name} must be >= 1, got {v}")
        if not (gamma > 0 and np.isfinite(gamma)):
            raise ValueError(f"--gamma must be a finite number > 0, got {gamma}")
        if arch == "dssm" and window not in (None, 1):
            raise ValueError("--window applies to --model clsm only")
        if arch == "dssm" and max_words is not None:
            raise ValueError("--max-words applies to --model clsm only")
        hasher = WordHashing(min_count=min_count, max_size=max_vocab, oov=oov, weighting=weighting)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    t_start = time.perf_counter()
    tr = _load_split("train", data_dir, verify)
    dev = _load_split("dev", data_dir, verify)
    try:
        hasher.fit(sorted(set(tr.questions) | set(tr.sentences)))
        model = DSSM(hasher.n_features, sizes, arch=arch, window=window, shared=shared, dtype=dtype,
                     seed=seed)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    n_pairs = len({(q, s) for q, s, y in zip(tr.question_ids, tr.sentences, tr.labels) if y > 0})
    click.echo(f"gdlab {__version__}: WikiQA train {n_pairs} pairs ({tr.n_answered} questions), "
               f"dev {dev.n_answered} of {dev.n_questions} questions evaluated ({_PROTOCOL})")
    click.echo(f"{arch.upper()} {hasher.n_features}-{'-'.join(map(str, model.hidden))}"
               f"{f' window {model.window}' if arch == 'clsm' else ''}, "
               f"{'shared' if shared else 'separate'} towers, {model.n_params} parameters, {dtype}; "
               f"{opt}, batch {batch_size}, K={negatives} {negative_pool} negatives, gamma {gamma:g}, "
               f"seed {seed}")

    n_batches = -(-n_pairs // batch_size)
    bar = tqdm(total=epochs * n_batches, unit="batch", disable=(not progress) if progress is not None else None,
               leave=False, dynamic_ncols=True, file=sys.stderr)
    tqdm.write(f"{'epoch':>5} {'train loss':>10} {'dev MAP':>8} {'NDCG@3':>8} {'NDCG@5':>8} "
               f"{'MRR':>8} {'seconds':>8}")
    best = {"map": -1.0}

    def on_epoch(r):
        mark = ""
        if r["dev_map"] > best["map"]:
            best["map"], mark = r["dev_map"], " *"
        tqdm.write(f"{r['epoch']:>5d} {r['train_loss']:>10.4f} {r['dev_map']:>8.4f} "
                   f"{r['dev_ndcg@3']:>8.4f} {r['dev_ndcg@5']:>8.4f} {r['dev_mrr']:>8.4f} "
                   f"{r['seconds']:>8.2f}{mark}")
        bar.set_postfix(epoch=r["epoch"], dev_map=f"{r['dev_map']:.4f}")

    history = run_training(
        lambda: train(model, opt, hasher, tr, dev_data=dev, epochs=epochs, batch_size=batch_size,
                      negatives=negatives, gamma=gamma, negative_pool=negative_pool, seed=seed,
                      patience=patience or None, max_words=max_words, on_batches=bar.update,
                      on_epoch=on_epoch, deterministic=deterministic),
        threads=threads, bar=bar)
    meta = history.meta
    meta.update(dataset="wikiqa", threads=threads, max_words=max_words,
                total_seconds=time.perf_counter() - t_start)
    best_rec = next(r for r in history.records if r["epoch"] == meta["best_epoch"])
    click.echo(f"best dev MAP {best_rec['dev_map']:.4f} at epoch {meta['best_epoch']}"
               f"{' (stopped early)' if meta['stopped_early'] else ''}; its weights are kept")
    paths = [history.to_json(out_dir / "history.json"), history.to_csv(out_dir / "history.csv"),
             history.plot(out_dir / "curves.png", title=f"WikiQA: {arch.upper()}, {opt.spec.name}"),
             model.save(out_dir / "model.npz", hasher)]
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@click.command(name="dssm")
@click.argument("model_path", type=click.Path(dir_okay=False, path_type=Path),
                default=Path("runs/dssm/model.npz"))
@click.option("--split", default="test", show_default=True, type=click.Choice(["train", "dev", "test"]),
              help="WikiQA split to rank.")
@click.option("--ties", default="average", show_default=True,
              type=click.Choice(["average", "pessimistic", "optimistic"]),
              help="Tie convention of the metrics (see gdlab.ranking).")
@click.option("--max-words", type=int, default=None, help="CLSM: keep only the first N words of each text.")
@click.option("--threads", type=int, default=None, help="Threads for Numba and BLAS [default: all cores].")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory holding wikiqa/WikiQA-*.tsv [default: $GDLAB_DATA_DIR].")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Check the WikiQA files' SHA256 against the official release.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the metrics as JSON here [default: metrics-SPLIT.json beside the model].")
@deterministic_option
def eval_dssm(model_path, split, ties, max_words, threads, data_dir, verify, out_path, deterministic):
    """Rank every WikiQA question's candidate sentences with a model saved by 'gdlab train dssm'.

    Prints NDCG@1/3/5/10, MAP and MRR over the questions that have a correct sentence (the
    others are excluded, as in the standard protocol), beside MatchZoo's published DSSM and
    CDSSM results on the test split, and writes them as JSON.

    Exit status: 0 on success, 1 for missing or malformed data, 2 for invalid arguments.
    """
    from .._threads import limit_threads
    from ..models._dssm import DSSM, evaluate

    if max_words is not None and max_words < 1:
        raise click.UsageError(f"--max-words must be >= 1, got {max_words}")
    if not model_path.is_file():
        raise click.UsageError(f"model file {model_path} not found (write one with 'gdlab train dssm')")
    try:
        model, hasher = DSSM.load(model_path)
    except (ValueError, OSError, KeyError) as exc:
        raise click.UsageError(f"cannot read {model_path}: {exc}") from None
    if hasher is None:
        raise click.UsageError(f"{model_path} holds no vocabulary (save it with DSSM.save(path, hasher))")
    data = _load_split(split, data_dir, verify)
    try:
        with limit_threads(threads):
            m = evaluate(model, hasher, data, ties=ties, max_words=max_words,
                         deterministic=deterministic)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    ks = (1, 3, 5, 10)
    click.echo(f"WikiQA {split}: {m['n_queries']} questions ranked, {m['n_excluded']} without a "
               f"correct sentence excluded; ties: {ties}; model {model!r}")
    for line in _metrics_lines(m, ks):
        click.echo(line)
    if split == "test":
        click.echo("published (MatchZoo, WikiQA test):")
        for name, ref in PUBLISHED.items():
            click.echo(f"{name:<16}" + "".join(
                f"{ref[f'ndcg@{k}']:>9.4f}" if f"ndcg@{k}" in ref else f"{'':>9}" for k in ks)
                + f"{ref['map']:>9.4f}")
    out_path = out_path or model_path.with_name(f"metrics-{split}.json")
    out_path.write_text(json.dumps({"split": split, "model": str(model_path), "protocol": _PROTOCOL,
                                    **m}, indent=2) + "\n")
    click.echo(f"wrote {out_path}")

"""Figure 15 — DSSM and CLSM on WikiQA: test NDCG@3, NDCG@5 and MAP beside MatchZoo's
published numbers.

gdlab trains the Deep Structured Semantic Model (Huang et al., CIKM 2013: letter-trigram word
hashing, two 300-300-128 tanh towers, cosine relevance, softmax over the correct sentence and
K = 4 random negatives with smoothing γ = 10, Adam 1e-3, batch 64) and its convolutional
variant CLSM (Shen et al., CIKM 2014: 3-word windows, 300 channels, max pooling, 128 units;
batch 32, γ = 5) on WikiQA's 1,040 training pairs, keeps the epoch with the best dev MAP
(patience 5), and ranks every candidate sentence of the 243 test questions that have a correct
one (the standard protocol). These are the settings and protocol of docs/dssm.md. Bars are
means over three seeds with their standard deviation; MatchZoo's numbers (Guo et al., SIGIR
2019 demo; its WikiQA benchmark table) are imported from ``gdlab.datasets._wikiqa.PUBLISHED``.

Needs ``$GDLAB_DATA_DIR/wikiqa/WikiQA-{train,dev,test}.tsv`` (the official release; the figure
is skipped when missing). Training runs on one thread, as in docs/dssm.md.

Run: ``python -m paper_figures.fig15_dssm_wikiqa OUT`` (or ``gdlab figures --only dssm_wikiqa``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from gdlab.datasets._wikiqa import PUBLISHED
from gdlab._threads import limit_threads
from gdlab.datasets import load_wikiqa
from gdlab.models import DSSM, evaluate_dssm, train_dssm
from gdlab.optim import create
from gdlab.text import WordHashing

from ._common import TIMING, data_dir, main, new_figure, save_figure, write_csv, write_json

NUMBER = 15
NAME = "dssm_wikiqa"
TITLE = "DSSM on WikiQA: NDCG/MAP table beside MatchZoo's published numbers"
CAPTION = ("gdlab's DSSM and CLSM, trained with the papers' settings, rank WikiQA's test answers "
           "better on average (three seeds, mean ± sd) than MatchZoo's published DSSM and CDSSM on "
           "NDCG@3, NDCG@5 and MAP; DSSM with every seed, CLSM not with every seed.")
NEEDS = ("wikiqa",)

SEEDS, SEEDS_QUICK = (0, 1, 2), (0,)
EPOCHS, EPOCHS_QUICK = 20, 1
PATIENCE = 5
#: the documented settings (docs/dssm.md): model, batch size, gamma; Adam 1e-3, K = 4 corpus negatives
MODELS = (("DSSM", "dssm", 64, 10.0), ("CLSM", "clsm", 32, 5.0))
REFERENCE = {"DSSM": "MatchZoo DSSM", "CLSM": "MatchZoo CDSSM"}
LR, NEGATIVES = 1e-3, 4
METRICS = ("ndcg@3", "ndcg@5", "map")
LABELS = {"ndcg@3": "NDCG@3", "ndcg@5": "NDCG@5", "map": "MAP"}
COLORS = {"gdlab DSSM": "#1f77b4", "MatchZoo DSSM": "#aec7e8",
          "gdlab CLSM": "#d62728", "MatchZoo CDSSM": "#ff9896"}


def run_one(arch, batch_size, gamma, seed, epochs, hasher, tr, dev, test):
    """Train one model with early stopping on dev MAP and return its test metrics and history."""
    model = DSSM(hasher.n_features, arch=arch, seed=seed)
    history = train_dssm(model, create("adam", lr=LR), hasher, tr, dev_data=dev, epochs=epochs,
                         batch_size=batch_size, negatives=NEGATIVES, gamma=gamma, seed=seed,
                         patience=PATIENCE)
    return evaluate_dssm(model, hasher, test), history


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig15_dssm_wikiqa.{png,pdf}``, ``fig15_dssm_wikiqa.csv`` (test metrics per model
    and seed), ``fig15_dssm_wikiqa.json`` (the same, means, standard deviations, best epochs,
    MatchZoo's numbers, settings) and ``fig15_dssm_wikiqa.timing.csv`` (seconds per run) into
    ``out``. ``quick``: seed 0 only and 1 epoch.

    Raises
    ------
    MissingData
        If ``$GDLAB_DATA_DIR/wikiqa`` does not exist.
    """
    root = data_dir("wikiqa").parent
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    seeds, epochs = (SEEDS_QUICK, EPOCHS_QUICK) if quick else (SEEDS, EPOCHS)
    tr, dev, test = (load_wikiqa(s, data_dir=root) for s in ("train", "dev", "test"))
    # the trigram vocabulary of the training questions and sentences (sorted: a fixed order)
    hasher = WordHashing().fit(sorted(set(tr.questions) | set(tr.sentences)))

    rows, timing, runs = [], [], {}
    with limit_threads(1):   # one thread, as docs/dssm.md measured (fastest on a busy 2-core machine)
        for name, arch, batch_size, gamma in MODELS:
            runs[name] = []
            for seed in seeds:
                t0 = time.perf_counter()
                m, history = run_one(arch, batch_size, gamma, seed, epochs, hasher, tr, dev, test)
                timing.append((name, seed, time.perf_counter() - t0))
                best = history.meta["best_epoch"]
                runs[name].append({"seed": seed, "best_epoch": best, "epochs_run": len(history.records),
                                   "best_dev_map": history.meta["best_dev_map"], "test": m})
                rows.append([name, seed, best, m["n_queries"]] + [m[k] for k in
                            ("ndcg@1", "ndcg@3", "ndcg@5", "ndcg@10", "map", "mrr")])

    # bars: gdlab mean ± sd over the seeds beside MatchZoo's published value
    bars = {}
    for name, _, _, _ in MODELS:
        vals = np.array([[r["test"][k] for k in METRICS] for r in runs[name]])
        sd = vals.std(axis=0, ddof=1) if len(vals) > 1 else np.zeros(len(METRICS))
        bars[f"gdlab {name}"] = (vals.mean(axis=0), sd)
        bars[REFERENCE[name]] = (np.array([PUBLISHED[REFERENCE[name]][k] for k in METRICS]), None)

    fig, (ax, ax_tab) = new_figure(12.0, 4.8, 1, 2, width_ratios=(1.25, 1.0))
    width = 0.2
    x = np.arange(len(METRICS))
    for i, (label, (mean, sd)) in enumerate(bars.items()):
        pos = x + (i - 1.5) * width
        ax.bar(pos, mean, width, yerr=sd if len(seeds) > 1 else None, capsize=3, color=COLORS[label],
               edgecolor="k", linewidth=0.5,
               label=label + (" (published)" if sd is None else f" (mean ± sd, dots: {len(seeds)} seeds)"
                              if len(seeds) > 1 else f" (seed {seeds[0]})"))
        for p, v in zip(pos, mean):
            ax.text(p, 0.405, f"{v:.3f}", rotation=90, ha="center", va="bottom", fontsize=7.5)
        if sd is not None and len(seeds) > 1:   # each seed's value as a dot
            name = label.split()[-1]
            vals = np.array([[r["test"][k] for k in METRICS] for r in runs[name]])
            for p, col in zip(pos, vals.T):
                ax.plot(np.full(col.size, p), col, "o", ms=3, mfc="white", mec="k", mew=0.8, zorder=3)
    ax.set_xticks(x, [LABELS[k] for k in METRICS])
    ax.set(ylim=(0.4, 0.72), ylabel="WikiQA test metric (243 questions)",
           title="Test ranking quality, best dev-MAP epoch")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", ncols=2, fontsize=7.5)

    # the same numbers as a table
    cells = []
    for label, (mean, sd) in bars.items():
        cells.append([label] + [f"{m:.4f}" + (f" ± {s:.4f}" if sd is not None and len(seeds) > 1 else "")
                                for m, s in zip(mean, sd if sd is not None else mean)])
    ax_tab.axis("off")
    table = ax_tab.table(cellText=cells, colLabels=["model"] + [LABELS[k] for k in METRICS],
                         loc="upper center", cellLoc="center", colWidths=[0.3, 0.22, 0.22, 0.22])
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1.0, 1.6)
    per_seed = "; ".join(f"{name} best dev epochs {[r['best_epoch'] for r in runs[name]]}"
                         for name, *_ in MODELS)
    ax_tab.set_title(f"WikiQA test, seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}, "
                     f"at most {epochs} epoch{'s' * (epochs > 1)}\n{per_seed}",
                     fontsize=9)
    fig.suptitle("DSSM and CLSM on WikiQA (gdlab, Adam 1e-3, K = 4 negatives) beside MatchZoo's "
                 "published DSSM and CDSSM")

    paths = save_figure(fig, out, stem)
    paths.append(write_csv(out / f"{stem}.csv", ["model", "seed", "best_epoch", "n_queries", "ndcg@1",
                                                 "ndcg@3", "ndcg@5", "ndcg@10", "map", "mrr"], rows))
    paths.append(write_json(out / f"{stem}.json", {
        "settings": {name: {"arch": arch, "batch_size": bs, "gamma": g, "optimizer": "adam", "lr": LR,
                            "negatives": NEGATIVES, "negative_pool": "corpus", "patience": PATIENCE,
                            "max_epochs": epochs, "threads": 1} for name, arch, bs, g in MODELS},
        "n_features": hasher.n_features, "seeds": list(seeds), "runs": runs,
        "summary": {label: {"mean": dict(zip(METRICS, mean)),
                            "sd": None if sd is None else dict(zip(METRICS, sd))}
                    for label, (mean, sd) in bars.items()},
        "published": PUBLISHED,
    }))
    paths.append(write_csv(out / f"{stem}{TIMING}csv", ["model", "seed", "seconds"], timing))
    return paths


if __name__ == "__main__":
    main(sys.modules[__name__])

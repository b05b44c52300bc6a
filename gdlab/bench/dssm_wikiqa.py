"""Training throughput (question/answer pairs per second) of DSSM / CLSM on WikiQA: gdlab
against PyTorch on the CPU, same model, same batches, same optimizer.

What is measured
----------------
One epoch = the 1,040 (question, correct sentence) pairs of WikiQA's train split, shuffled, in
mini-batches of 64 pairs, each pair scored against K = 4 negative sentences sampled from the
training sentences (the same permutations and negatives for every peer: they come from the
same seeded generator as :func:`gdlab.models._dssm.train`). Model: DSSM 300-300-128 on the
letter-trigram vocabulary of the training text (9,978 trigrams), separate query and document
towers, tanh, cosine, softmax with gamma = 10, float32, the same initial weights; Adam
(lr 1e-3, PyTorch's rule) by default. ``--model clsm`` times CLSM (300 convolution channels
over 3-word windows, max pooling, 128-unit semantic layer) instead. Peers:

``gdlab``
    :func:`gdlab.models._dssm.train` without dev evaluation; the ``seconds`` of each epoch
    record (sampling the negatives on the host plus the compiled chunks of mini-batches).
``torch``
    PyTorch eager on the CPU: the first layer a sparse x dense product of the batch's
    trigram matrix, one run per first-layer implementation (``sparse_csr``:
    ``torch.sparse.mm`` of a CSR tensor, ``sparse_coo``: the same with COO, ``embedding_bag``:
    ``F.embedding_bag(mode="sum", per_sample_weights=...)``, the fastest sparse product
    PyTorch offers) and per optimizer implementation (``default`` for-loop, ``foreach``,
    ``fused``). The batch tensors of an epoch are built *before* its timer starts (gdlab's
    timing includes its batch assembly), so the comparison favours PyTorch.

Every (peer, variant, thread count) runs in its own fresh subprocess with
``OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS`` set before any library loads; each warms up with one
epoch (compilation, first-call effects, not timed), then times ``--epochs`` epochs; the table
shows pairs/s of the fastest and the median epoch and the mean training loss of the last epoch
(equal between peers up to float32 rounding: a check that they train the same model).

Run on an otherwise idle machine (a busy core stalls 2-thread runs)::

    GDLAB_DATA_DIR=... python -m gdlab.bench.dssm_wikiqa [--threads 1,2] [--epochs 3]
        [--model dssm|clsm] [--optimizer adam|sgd] [--peers gdlab,torch] [--out results.json]

PyTorch comes from ``pip install torch==2.13.0`` (CPU wheel); when it is missing the torch
rows are skipped. Timings are printed and saved, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

PEERS = ("gdlab", "torch")
FIRST_LAYERS = ("sparse_csr", "sparse_coo", "embedding_bag")
TORCH_OPTIMS = ("default", "foreach", "fused")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
BATCH, NEGATIVES, GAMMA, SEED = 64, 4, 10.0, 0
LR = {"adam": 1e-3, "sgd": 0.1}


# --------------------------------------------------------------------------- shared setup
def _setup(model_kind):
    """WikiQA train pairs, hashed texts and a gdlab model with its initial weights."""
    import numpy as np

    from gdlab.datasets._wikiqa import load_wikiqa
    from gdlab.models._dssm import DSSM, _Pairs
    from gdlab.text import WordHashing

    tr = load_wikiqa("train")
    hasher = WordHashing().fit(sorted(set(tr.questions) | set(tr.sentences)))
    model = DSSM(hasher.n_features, arch=model_kind, seed=SEED, dtype=np.float32)
    pairs = _Pairs(tr)
    return tr, hasher, model, pairs


def _epochs_of_batches(pairs, n_epochs):
    """The permutations and negatives of each epoch, drawn exactly as gdlab's train() does."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    out = []
    for _ in range(n_epochs):
        perm = rng.permutation(len(pairs.pair_q)).astype(np.int64)
        out.append((perm, pairs.sample_negatives(rng, NEGATIVES, "corpus")))
    return out


# --------------------------------------------------------------------------- workers
def _gdlab(model_kind, optimizer, threads, epochs, variant):
    import numba

    from gdlab._threads import limit_threads
    from gdlab.models._dssm import train
    from gdlab.optim import create

    tr, hasher, model, _ = _setup(model_kind)
    with limit_threads(threads):
        h = train(model, create(optimizer, lr=LR[optimizer]), hasher, tr, epochs=1 + epochs,
                  batch_size=BATCH, negatives=NEGATIVES, gamma=GAMMA, seed=SEED)
    rec = h.records
    return {"times": [r["seconds"] for r in rec[1:]], "first_epoch_s": rec[0]["seconds"],
            "final_train_loss": rec[-1]["train_loss"], "n_pairs": h.meta["n_pairs"],
            "threads_seen": numba.get_num_threads()}


def _torch(model_kind, optimizer, threads, epochs, variant):
    import numpy as np
    import scipy.sparse as sp
    import torch
    import torch.nn.functional as F

    first_layer, optim_impl = variant.split("+")
    torch.set_num_threads(threads)
    tr, hasher, model, pairs = _setup(model_kind)
    Q = model.hash(hasher, pairs.q.texts)
    D = model.hash(hasher, pairs.d.texts)
    C, window = model.hidden[0], model.window

    def side_params(side):
        ps = []
        for l in range(model.n_layers):
            W, b = model.layer(l, side)
            ps += [torch.nn.Parameter(torch.from_numpy(W.copy())), torch.nn.Parameter(torch.from_numpy(b.copy()))]
        return ps

    towers = {"query": side_params("query"), "doc": side_params("doc")}
    params = towers["query"] + towers["doc"]
    kw = {"default": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}[optim_impl]
    opt = (torch.optim.Adam(params, lr=LR[optimizer], **kw) if optimizer == "adam"
           else torch.optim.SGD(params, lr=LR[optimizer], **kw))

    def sparse_input(H, rows):
        """The word rows of texts ``rows`` as the first layer's input, plus CLSM windows."""
        starts, stops = H.tptr[rows], H.tptr[rows + 1]
        words = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops)]).astype(np.int64)
        M = sp.csr_matrix((H.data, H.indices, H.indptr), shape=(len(H.indptr) - 1, model.n_features))[words]
        if first_layer == "embedding_bag":
            x = (torch.from_numpy(M.indices.astype(np.int64)), torch.from_numpy(M.indptr[:-1].astype(np.int64)),
                 torch.from_numpy(M.data))
        elif first_layer == "sparse_csr":
            x = torch.sparse_csr_tensor(torch.from_numpy(M.indptr.astype(np.int64)),
                                        torch.from_numpy(M.indices.astype(np.int64)),
                                        torch.from_numpy(M.data), size=M.shape)
        else:
            c = M.tocoo()
            x = torch.sparse_coo_tensor(np.vstack([c.row, c.col]), c.data, size=M.shape).coalesce()
        if window == 1:
            return x, None
        # CLSM: one window per word position (one all-padding window for a text without words):
        # the batch word row at each of the window's offsets (-1 outside the text), and the text
        # of each window, for a max over each text's windows (no padding to the longest text).
        lens = (stops - starts).astype(np.int64)
        n_win = np.maximum(lens, 1)
        owner = np.repeat(np.arange(len(rows)), n_win)
        first_win = np.concatenate([[0], np.cumsum(n_win)[:-1]])
        t = np.arange(len(owner)) - first_win[owner]  # position of each window in its text
        first_word = np.concatenate([[0], np.cumsum(lens)[:-1]])
        pad = (window - 1) // 2
        idx = np.empty((len(owner), window), np.int64)
        for k in range(window):
            j = t + k - pad
            idx[:, k] = np.where((j >= 0) & (j < lens[owner]), first_word[owner] + j, -1)
        return x, (torch.from_numpy(idx), torch.from_numpy(owner), len(rows))

    def tower(ps, inp):
        x, win = inp
        W0, b0 = ps[0], ps[1]
        if first_layer == "embedding_bag":
            P = F.embedding_bag(x[0], W0, x[1], mode="sum", per_sample_weights=x[2])
        else:
            P = torch.sparse.mm(x, W0)
        if win is None:
            h = torch.tanh(P + b0)
        else:
            idx, owner, n_texts = win
            Pz = torch.cat([P, P.new_zeros(1, P.shape[1])])  # row -1: a zero (padding) word
            z = b0 + sum(Pz[idx[:, k], k * C:(k + 1) * C] for k in range(window))
            h = torch.full((n_texts, C), -2.0).scatter_reduce(
                0, owner[:, None].expand(-1, C), torch.tanh(z), reduce="amax", include_self=False)
        for l in range(1, model.n_layers):
            h = torch.tanh(h @ ps[2 * l] + ps[2 * l + 1])
        return h

    def build(perm, negs):
        batches = []
        for lo in range(0, len(perm), BATCH):
            p = perm[lo:lo + BATCH]
            drows = np.concatenate([pairs.pair_d[p, None], negs[p]], axis=1).reshape(-1)
            batches.append((sparse_input(Q, pairs.pair_q[p]), sparse_input(D, drows), len(p)))
        return batches

    def epoch(batches):
        total = 0.0
        for qin, din, nb in batches:
            yq = tower(towers["query"], qin)
            yd = tower(towers["doc"], din).view(nb, NEGATIVES + 1, -1)
            cos = F.cosine_similarity(yq[:, None, :], yd, dim=-1, eps=1e-12)
            loss = F.cross_entropy(GAMMA * cos, torch.zeros(nb, dtype=torch.long))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * nb
        return total

    plan = _epochs_of_batches(pairs, 1 + epochs)
    times, loss = [], None
    for e, (perm, negs) in enumerate(plan):
        batches = build(perm, negs)  # outside the timer
        t0 = time.perf_counter()
        total = epoch(batches)
        dt = time.perf_counter() - t0
        if e:
            times.append(dt)
        loss = total / len(perm)
    return {"times": times, "final_train_loss": loss, "n_pairs": int(len(plan[0][0])),
            "threads_seen": torch.get_num_threads()}


def worker(peer, model_kind, optimizer, threads, epochs, variant):
    """Measure one (peer, variant) at one thread count in this process; a dict of results."""
    for var in THREAD_VARS:  # normally set by the parent before the interpreter started
        os.environ.setdefault(var, str(threads))
    fn = {"gdlab": _gdlab, "torch": _torch}[peer]
    return fn(model_kind, optimizer, threads, epochs, variant)


# --------------------------------------------------------------------------- driver
def run_worker(args, peer, threads, variant=""):
    """Run :func:`worker` in a fresh subprocess; its dict, or ``{"error": ...}``."""
    env = {**os.environ, **{v: str(threads) for v in THREAD_VARS}}
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", peer, "--worker-threads", str(threads),
           "--variant", variant, "--model", args.model, "--optimizer", args.optimizer,
           "--epochs", str(args.epochs)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarize(report, threads):
    """Print the table and the ratios; store the ratios in ``report``."""
    runs = report["runs"]
    s = report["settings"]
    print(f"\n{report['machine']['cpu']}, {report['machine']['logical_cpus']} logical CPUs, load average at "
          f"start {report['machine']['load_avg'][0]:.2f}; {s['model'].upper()}, {s['optimizer']}, batch "
          f"{BATCH} pairs x (1 + {NEGATIVES}) sentences, {s['epochs']} timed epochs per run\n")
    print(f"{'peer':<34}{'threads':>8}{'best pairs/s':>14}{'median':>9}{'last loss':>11}")
    for r in runs:
        name = r["peer"] + (f" ({r['variant']})" if r.get("variant") else "")
        if "best" not in r:
            print(f"{name:<34}{r.get('threads', ''):>8}   {r.get('status') or r.get('error')}")
            continue
        print(f"{name:<34}{r['threads']:>8}{r['best']:>14.0f}{r['median']:>9.0f}{r['final_train_loss']:>11.4f}")

    def best(peer, t=None):
        rs = [r for r in runs if r["peer"] == peer and "best" in r and t in (None, r["threads"])]
        return max(rs, key=lambda r: r["best"]) if rs else None

    ratios = {}
    print("\nratios of the best pairs/s (gdlab / fastest PyTorch variant):")
    for t in threads:
        g, tb = best("gdlab", t), best("torch", t)
        q = g["best"] / tb["best"] if g and tb else None
        ratios[str(t)] = {"gdlab/torch": q, "torch_variant": tb["variant"] if tb else None}
        print(f"  {t} thread(s): {'n/a' if q is None else f'{q:.2f}x'}"
              + (f"   [fastest torch: {tb['variant']}]" if tb else ""))
    g, tb = best("gdlab"), best("torch")
    if g and tb:
        ratios["best"] = {"gdlab/torch": g["best"] / tb["best"], "gdlab_threads": g["threads"],
                          "torch_threads": tb["threads"], "torch_variant": tb["variant"]}
        print(f"  gdlab at its best ({g['threads']} threads) / torch at its best ({tb['variant']}, "
              f"{tb['threads']} threads): {ratios['best']['gdlab/torch']:.2f}x (target >= 3)")
    report["ratios"] = ratios


def main(argv=None):
    """Command-line entry point; see the module docstring and ``--help``."""
    p = argparse.ArgumentParser(prog="python -m gdlab.bench.dssm_wikiqa", description=__doc__.split("\n")[0])
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per run, after one warm-up epoch")
    p.add_argument("--rounds", type=int, default=1,
                   help="run every (peer, variant, threads) this many times, interleaved, and keep "
                        "each one's fastest epochs (robust to a machine shared with other work)")
    p.add_argument("--model", default="dssm", choices=["dssm", "clsm"])
    p.add_argument("--optimizer", default="adam", choices=sorted(LR))
    p.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of gdlab,torch")
    p.add_argument("--first-layers", default=",".join(FIRST_LAYERS),
                   help="PyTorch first-layer implementations to time (default: all three)")
    p.add_argument("--torch-optims", default=",".join(TORCH_OPTIMS),
                   help="PyTorch optimizer implementations to time (default: all three)")
    p.add_argument("--out", help="write all results and machine info as JSON to this file")
    for hidden in ("--worker", "--worker-threads", "--variant"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.model, args.optimizer, int(args.worker_threads),
                                args.epochs, args.variant)))
        return 0
    try:
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error(f"--threads must be comma-separated integers, got {args.threads!r}")
    peers = [x for x in args.peers.split(",") if x]
    layers = [x for x in args.first_layers.split(",") if x]
    optims = [x for x in args.torch_optims.split(",") if x]
    bad = ([x for x in peers if x not in PEERS] + [x for x in layers if x not in FIRST_LAYERS]
           + [x for x in optims if x not in TORCH_OPTIMS])
    if bad or args.epochs < 1 or args.rounds < 1 or min(threads) < 1:
        p.error(f"unknown names {bad}" if bad else "--epochs, --rounds and --threads must be >= 1")
    if not os.environ.get("GDLAB_DATA_DIR"):
        p.error("set GDLAB_DATA_DIR to the directory holding wikiqa/WikiQA-train.tsv")

    from gdlab.bench.mlp_mnist import machine_info, write_report

    report = {"machine": machine_info(), "settings": vars(args) | {"threads": threads}, "runs": []}
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    jobs = []
    for peer in peers:
        if peer == "torch" and importlib.util.find_spec("torch") is None:
            log("torch: not installed, skipped")
            report["runs"].append({"peer": "torch", "status": "not installed"})
            continue
        variants = [f"{a}+{b}" for a in layers for b in optims] if peer == "torch" else [""]
        jobs += [(peer, variant, t) for variant in variants for t in threads]
    results = {job: {"peer": job[0], "variant": job[1], "threads": job[2], "times": [], "rounds": []}
               for job in jobs}
    for rnd in range(args.rounds):
        for job in jobs:
            r = run_worker(args, job[0], job[2], job[1])
            res = results[job]
            res["rounds"].append(r)
            if "times" in r:
                res["times"] += r["times"]
                res.update({k: v for k, v in r.items() if k != "times"})
            log(f"round {rnd + 1}: {job[0]} {job[1]} threads={job[2]}: "
                + (f"{r['n_pairs'] / min(r['times']):.0f} pairs/s" if "times" in r else f"error: {r.get('error')}"))
    for res in results.values():
        if res["times"]:
            rates = [res["n_pairs"] / x for x in res["times"]]
            res.update(best=max(rates), median=statistics.median(rates))
        else:
            res["error"] = res["rounds"][-1].get("error")
        report["runs"].append(res)
    summarize(report, threads)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Mini-batch training of the MLP classifier through the one epoch driver (:mod:`gdlab.engine`).

Each epoch draws a permutation of the rows from a seeded :class:`numpy.random.Generator`;
chunks of mini-batches (forward, backward and the optimizer's compiled rule, no Python in
between) run in one compiled call, so a progress bar can move and Ctrl-C is honoured between
chunks. Runs with the same seed give identical histories.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from ._config import deterministic as deterministic_enabled
from ._config import deterministic_mode
from .engine import ChunkResult, History, TrainingDiverged, chance_level_check, ensure_state, run_epochs
from .engine._history import COLUMNS
from .models._mlp import _CORE, MLP, MLPKernelArgs, as_labels
from .optim import Optimizer, compile_with

__all__ = ["COLUMNS", "History", "TrainingDiverged", "train"]



def train(model: MLP, optimizer: Optimizer, X, y, *, epochs: int = 20, batch_size: int = 64,
          seed: int = 0, X_test=None, y_test=None, chunk: int = 50,
          on_batches: Callable[[int], None] | None = None,
          on_epoch: Callable[[dict], None] | None = None,
          deterministic: bool | None = None) -> History:
    """Train ``model`` by mini-batch gradient descent with ``optimizer``.

    Parameters
    ----------
    model : MLP
        Trained in place (its ``params``).
    optimizer : Optimizer
        Any registered rule; its state is created for ``model`` if absent and continued
        otherwise (so two calls of 10 epochs equal one of 20 with the same permutations
        only if the seed sequence is continued by the caller).
    X : array-like of shape (n, layer_sizes[0])
        Training inputs, converted to the model's dtype.
    y : array-like of shape (n,), int
        Training labels in [0, n_classes).
    epochs : int, default 20
    batch_size : int, default 64
        Rows per mini-batch; the last batch of an epoch may be smaller.
    seed : int, default 0
        Seed of the per-epoch shuffles.
    X_test, y_test : array-like, optional
        Evaluated after every epoch.
    chunk : int, default 50
        Mini-batches per compiled call (granularity of progress and Ctrl-C).
    on_batches : callable, optional
        Called with the number of mini-batches just done (drives a progress bar).
    on_epoch : callable, optional
        Called with each epoch's record.
    deterministic : bool, optional
        True: matrix products in gdlab's fixed-order GEMM, so the history is bit-identical on
        every x86-64 CPU and at any thread count; False: OpenBLAS (its rounding depends on the
        CPU kernel and thread count). Default: ``GDLAB_DETERMINISTIC`` (True unless set to 0).

    Returns
    -------
    History
        ``meta["deterministic"]`` records the mode used.

    Raises
    ------
    ValueError, TypeError
        For bad shapes, dtypes, labels, ``epochs < 0``, ``batch_size < 1`` or ``chunk < 1``.
    TrainingDiverged
        When a mini-batch loss is not finite; names the epoch and step. The update of that
        step is not applied.

    Warns
    -----
    gdlab.engine.ChanceLevelWarning
        Once, when two epochs in a row end at chance level (training loss ln K, accuracy at
        most 2/K): the network is not learning (learning rate too large, dead ReLUs).
    """
    with deterministic_mode(deterministic):
        return _train(model, optimizer, X, y, epochs=epochs, batch_size=batch_size, seed=seed,
                      X_test=X_test, y_test=y_test, chunk=chunk, on_batches=on_batches,
                      on_epoch=on_epoch)


def _train(model, optimizer, X, y, *, epochs, batch_size, seed, X_test, y_test, chunk, on_batches,
           on_epoch) -> History:
    for name, v, lo in (("epochs", epochs, 0), ("batch_size", batch_size, 1), ("chunk", chunk, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    X = model.check_X("X", X)
    y = as_labels("y", y, X.shape[0], model.n_classes)
    if X.shape[0] == 0:
        raise ValueError("X has no rows")
    has_test = X_test is not None
    if has_test:
        X_test = model.check_X("X_test", X_test)
        y_test = as_labels("y_test", y_test, X_test.shape[0], model.n_classes)
    ensure_state(optimizer, model.n_params, model.dtype)
    kernel = compile_with(optimizer.spec, _CORE, "models/_mlp_train.py", active=optimizer.active,
                          dtype=model.dtype).train_batches
    n = X.shape[0]
    args = MLPKernelArgs.build(model.params, optimizer, model.sizes, model.offsets, model.act_code,
                               min(batch_size, n))
    rng = np.random.default_rng(seed)
    history = History(meta={
        "layer_sizes": list(model.layer_sizes), "activation": model.activation,
        "dtype": str(model.dtype), "optimizer": optimizer.spec.name, "hyper": dict(optimizer.hyper),
        "batch_size": batch_size, "epochs": epochs, "seed": seed, "n_train": n,
        "n_test": int(X_test.shape[0]) if has_test else 0, "deterministic": deterministic_enabled(),
    })

    def run_chunk(perm, b, stop, t):
        ls, _, sn, t, bad = kernel(X, y, perm, b, stop, batch_size, t, args)
        return ChunkResult(ls, sn, t, bad)

    def end_epoch(epoch, loss_sum, seen, seconds):
        t1 = time.perf_counter()
        train_loss, train_acc = model.evaluate(X, y)
        test_loss, test_acc = model.evaluate(X_test, y_test) if has_test else (math.nan, math.nan)
        record = {
            "epoch": epoch, "train_loss": train_loss, "train_acc": train_acc,
            "test_loss": test_loss, "test_acc": test_acc, "running_loss": loss_sum / seen,
            "seconds": seconds, "eval_seconds": time.perf_counter() - t1,
        }
        history.records.append(record)
        stalled(record)
        if on_epoch is not None:
            on_epoch(record)

    stalled = chance_level_check(model.n_classes, optimizer)
    run_epochs(optimizer, run_chunk, n_batches=-(-n // batch_size), epochs=epochs, chunk=chunk,
               order=lambda epoch: rng.permutation(n).astype(np.int64), end_epoch=end_epoch,
               on_batches=on_batches,
               diverged_hint=f"Lower the learning rate ({optimizer.spec.name} "
                             f"lr={optimizer.hyper.get('lr')!r}) or check the inputs for NaN/inf.")
    return history

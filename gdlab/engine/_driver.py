"""The epoch driver (see :mod:`gdlab.engine`)."""

from __future__ import annotations

import time
from typing import Callable, NamedTuple

import numpy as np


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or infinite; the message names the epoch and step.

    The model's parameters and the optimizer state are those after the last finite step.
    """


class ChanceLevelWarning(UserWarning):
    """Training has stayed at chance level (loss ln K, accuracy about 1/K) for two epochs."""


def chance_level_check(n_classes: int, optimizer, epochs_needed: int = 2):
    """``check(record) -> None`` for a classifier's per-epoch records: warns once
    (:class:`ChanceLevelWarning`) when ``epochs_needed`` epochs in a row end with the training
    loss within 1 % of ln K and the training accuracy at most 2/K, naming the likely causes."""
    import math
    import warnings

    ln_k, run, warned = math.log(n_classes), [], [False]

    def check(record):
        dead = (abs(record["train_loss"] - ln_k) <= 0.01 * ln_k
                and record["train_acc"] <= 2.0 / n_classes)
        run[:] = run + [record["epoch"]] if dead else []
        if len(run) >= epochs_needed and not warned[0]:
            warned[0] = True
            h = optimizer.hyper
            step = ""
            if h.get("momentum", 0) and 0 < h["momentum"] < 1 and "lr" in h:
                step = (f" (lr={h['lr']:g} with momentum={h['momentum']:g} is an effective step of "
                        f"lr/(1-momentum) = {h['lr'] / (1 - h['momentum']):g})")
            warnings.warn(
                f"the training loss has stayed at chance level (ln {n_classes} = {ln_k:.4f}) with "
                f"chance accuracy for epochs {run[0]}-{run[-1]}: the network is not learning. "
                f"Likely causes: a learning rate too large for the initialisation{step}, which "
                f"kills the ReLUs in the first steps, or dead ReLUs from a bad initialisation; "
                f"try a smaller lr ({optimizer.spec.name}).", ChanceLevelWarning, stacklevel=3)

    return check


class ChunkResult(NamedTuple):
    """What a compiled chunk of mini-batches reports back to the driver.

    Attributes
    ----------
    loss_sum : float
        Sum over the chunk's batches of (batch loss × batch rows), before each update.
    seen : int
        Rows (or pairs) the chunk trained on.
    t : int
        The optimizer's step counter after the chunk.
    bad : int
        Index (within the epoch) of the batch whose loss was not finite, where the chunk
        stopped before updating; -1 when every loss was finite or the kernel does not check.
    """

    loss_sum: float
    seen: int
    t: int
    bad: int = -1


#: ``run_chunk(perm, b_start, b_stop, t) -> ChunkResult``: the model's compiled kernel applied to
#: mini-batches ``b_start .. b_stop - 1`` of the epoch order ``perm``, from optimizer step ``t``.
ChunkRunner = Callable[[np.ndarray, int, int, int], ChunkResult]


def ensure_state(optimizer, n_params: int, dtype) -> None:
    """Create ``optimizer``'s state for ``n_params`` parameters of ``dtype`` unless it already
    has state of that size and dtype (then training continues from it)."""
    st = optimizer.state
    if st is None or st.shape[1] != n_params or st.dtype != np.dtype(dtype):
        optimizer.init_state(n_params, dtype)


def run_epochs(optimizer, run_chunk: ChunkRunner, *, n_batches: int, epochs: int, chunk: int,
               order: Callable[[int], np.ndarray],
               end_epoch: Callable[[int, float, int, float], bool | None],
               on_batches: Callable[[int], None] | None = None,
               diverged_hint: str = "") -> int:
    """Train for up to ``epochs`` epochs; returns the number of epochs run.

    Parameters
    ----------
    optimizer : gdlab.optim.Optimizer
        Its step counter ``t`` is passed to every chunk and updated from its result.
    run_chunk : callable
        ``run_chunk(perm, b_start, b_stop, t) -> ChunkResult`` (see :data:`ChunkRunner`).
    n_batches : int
        Mini-batches per epoch.
    epochs : int
        Maximum number of epochs.
    chunk : int
        Mini-batches per compiled call (the granularity of progress and of Ctrl-C).
    order : callable
        ``order(epoch) -> perm``: the int64 order of the rows for epoch ``epoch`` (1-based),
        drawn from the model's seeded generator; it may prepare other per-epoch data too.
    end_epoch : callable
        ``end_epoch(epoch, loss_sum, seen, seconds)``: evaluation, history, early stopping;
        returns True to stop. ``seconds`` is the wall time of the epoch's training.
    on_batches : callable, optional
        Called with the number of mini-batches just done (progress bars).
    diverged_hint : str
        Appended to the :class:`TrainingDiverged` message (what to change).

    Raises
    ------
    TrainingDiverged
        When a chunk reports a non-finite batch loss; that batch's update is not applied.
    """
    done = 0
    for epoch in range(1, epochs + 1):
        perm = order(epoch)
        loss_sum, seen = 0.0, 0
        t0 = time.perf_counter()
        for b in range(0, n_batches, chunk):
            stop = min(b + chunk, n_batches)
            res = run_chunk(perm, b, stop, optimizer.t)
            optimizer.t = int(res.t)
            loss_sum += res.loss_sum
            seen += int(res.seen)
            if res.bad >= 0:
                raise TrainingDiverged(
                    f"non-finite training loss at epoch {epoch}, step {res.bad + 1} of {n_batches} "
                    f"(optimizer step {optimizer.t + 1}); the parameters are those after step "
                    f"{optimizer.t}. {diverged_hint}".rstrip())
            if on_batches is not None:
                on_batches(stop - b)
        done = epoch
        if end_epoch(epoch, loss_sum, seen, time.perf_counter() - t0):
            break
    return done

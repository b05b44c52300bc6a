"""MNIST MLP training (the workload of gdlab.bench.mlp_mnist), and its peers.

The network is 784-256-128-64-20-10 with ReLU, float32, trained by plain SGD (lr 0.1, no
momentum) in mini-batches of 64 on the 60 000 MNIST training images scaled as gdlab does.

``MnistEpoch.time_epoch`` is one whole ``gdlab.training.train(..., epochs=1)`` call (the
epoch plus the loss/accuracy evaluation on the training set that ``train`` does after it);
``track_epoch_seconds`` is the epoch's own ``seconds`` record (training only: the number the
README's table reports). The peers (PyTorch eager, scikit-learn ``MLPClassifier``) run in the
same process as gdlab, one epoch each after a warm-up, and the tracked value is
peer seconds / gdlab seconds (> 1: gdlab is faster). PyTorch's OpenMP threads may keep
spinning after its epoch; gdlab's epoch is therefore timed first.

``setup`` builds the model once per process and warms the compiled training loop with a
short ``train`` call on 640 rows, so no compilation is timed (the training loop's first
compilation takes 7-15 s, a cached load 0.2 s: see ``bench_compile``).
"""

from __future__ import annotations

import time

import numpy as np

from .common import (MLP_BATCH, MLP_LR, MLP_SIZES, cpu_count, mnist_arrays, not_available,
                     set_threads, torch_or_skip)

THREADS = [1, 2]
WARM_ROWS = 640

_state: dict = {}


def warm_model():
    """``(model, optimizer)`` for this process: built once, JIT warmed on ``WARM_ROWS`` rows
    (of the MNIST test split, so that a benchmark on the test split never loads the train one)."""
    if "model" not in _state:
        from gdlab.models import MLP
        from gdlab.optim import create
        from gdlab.training import train

        X, y = mnist_arrays("test")  # the small split: keeps MnistFit's peak memory honest
        model = MLP(MLP_SIZES, "relu", dtype=np.float32, seed=0)
        opt = create("sgd", lr=MLP_LR)
        train(model, opt, X[:WARM_ROWS], y[:WARM_ROWS], epochs=1, batch_size=MLP_BATCH, seed=0)
        _state["model"] = (model, opt)
    return _state["model"]


def gdlab_epoch(X, y, seed=0):
    """Train the cached model for one epoch; the History record of that epoch."""
    from gdlab.training import train

    model, opt = warm_model()
    return train(model, opt, X, y, epochs=1, batch_size=MLP_BATCH, seed=seed).records[0]


class MnistEpoch:
    """One epoch of the MNIST MLP with gdlab, and the peers' epoch over gdlab's."""

    params = [THREADS]
    param_names = ["threads"]
    timeout = 300          # a new commit compiles the training loop in setup (7-15 s)
    number = 1
    repeat = (2, 3, 20.0)  # (min, max samples, seconds): an epoch takes ~1 s
    rounds = 1

    def setup(self, threads):
        set_threads(threads)
        self.X, self.y = mnist_arrays()
        warm_model()

    def time_epoch(self, threads):
        gdlab_epoch(self.X, self.y)

    def track_epoch_seconds(self, threads):
        return min(gdlab_epoch(self.X, self.y, seed=s)["seconds"] for s in (1, 2))

    track_epoch_seconds.unit = "seconds"

    def track_torch_over_gdlab(self, threads):
        torch = torch_or_skip()
        import torch.nn.functional as F

        ours = gdlab_epoch(self.X, self.y)["seconds"]
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        Xt, yt = torch.from_numpy(self.X), torch.from_numpy(self.y)
        layers = []
        for a, b in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        opt = torch.optim.SGD(model.parameters(), lr=MLP_LR)
        n = Xt.shape[0]

        def epoch(rows):
            perm = torch.randperm(rows)
            for i in range(0, rows, MLP_BATCH):
                idx = perm[i:i + MLP_BATCH]
                opt.zero_grad(set_to_none=True)
                F.cross_entropy(model(Xt[idx]), yt[idx]).backward()
                opt.step()

        epoch(100 * MLP_BATCH)  # warm-up: first-call allocations, thread pool start
        t0 = time.perf_counter()
        epoch(n)
        return (time.perf_counter() - t0) / ours

    track_torch_over_gdlab.unit = "ratio"

    def track_sklearn_over_gdlab(self, threads):
        try:
            from sklearn.neural_network import MLPClassifier
        except ImportError:
            raise not_available("scikit-learn is not installed in this environment") from None
        import warnings

        ours = gdlab_epoch(self.X, self.y)["seconds"]
        clf = MLPClassifier(hidden_layer_sizes=MLP_SIZES[1:-1], activation="relu", solver="sgd",
                            batch_size=MLP_BATCH, learning_rate_init=MLP_LR, momentum=0.0,
                            nesterovs_momentum=False, alpha=0.0, shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(self.X[:WARM_ROWS], self.y[:WARM_ROWS], classes=np.arange(MLP_SIZES[-1]))
            t0 = time.perf_counter()
            clf.partial_fit(self.X, self.y)  # one epoch = one partial_fit over the whole set
            return (time.perf_counter() - t0) / ours

    track_sklearn_over_gdlab.unit = "ratio"


class MnistFit:
    """Peak memory (RSS of the whole benchmark process: Python, Numba, data included) of a
    1-epoch fit of a fresh model on 10 000 rows (the MNIST test split), 2 threads or fewer."""

    timeout = 300

    def setup(self):
        set_threads(min(2, cpu_count()))
        self.X, self.y = mnist_arrays("test")
        warm_model()  # compiles (or loads) the training loop outside the measurement

    def peakmem_fit(self):
        from gdlab.models import MLP
        from gdlab.optim import create
        from gdlab.training import train

        model = MLP(MLP_SIZES, "relu", dtype=np.float32, seed=0)
        train(model, create("sgd", lr=MLP_LR), self.X, self.y, epochs=1, batch_size=MLP_BATCH,
              seed=0)


"""Figure 13 — regularisation and initialisation: weight decay and dropout against
overfitting, and Xavier against naive initialisation through a deep tanh network.

(a, b) A 784-256-10 ReLU network trained with Adam on only 1,000 MNIST digits memorises them:
the training log loss keeps falling while the test log loss turns up after a few epochs. Four
runs from the same initial weights and shuffles (``gdlab.sklearn.MLPClassifier``, one
``partial_fit`` epoch at a time, losses of the whole training and test sets after each epoch,
without dropout and without the penalty): no regularisation, weight decay (scikit-learn's
``alpha``: the L2 term ``alpha/(2·batch)·ΣW²``), inverted dropout (rate 0.5 after the hidden
layer, ``dropout=``) and both. Each ends with a lower test loss than the unregularised run
(D2L §4.5 weight decay, §4.6 dropout; Srivastava et al., JMLR 2014).

(c, d) The variance of the activations h_l = tanh(h_{l−1} W_l) of a 20-layer tanh network of
width 256 fed standard normal inputs, forward (c), and of the back-propagated gradients
∂L/∂h_l for a standard normal output gradient, backward (d), for four initialisations of W:
naive N(0, 1) saturates every tanh (activations ±1, the gradients explode layer by layer
backwards: each Jacobian is a N(0, 1) matrix of width 256 times tanh′ ≈ 0), N(0, 0.01²)
shrinks both geometrically (factor 256·10⁻⁴ per layer), and Xavier/Glorot
(``gdlab.models.xavier_normal`` and ``xavier_uniform``, variance 2/(fan_in + fan_out))
keeps them within a factor of a few over 20 layers (D2L §4.8; Glorot & Bengio, AISTATS 2010,
Figs. 6–7).

Run: ``python -m paper_figures.fig13_regularization OUT`` (or ``gdlab figures --only regularization``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import log_loss

from gdlab._threads import limit_threads
from gdlab.models import xavier_normal, xavier_uniform
from gdlab.sklearn import MLPClassifier

from ._common import main, mnist, new_figure, save_figure, write_columns, write_json

NUMBER = 13
NAME = "regularization"
TITLE = ("Weight decay and dropout: train vs test loss with and without each; "
         "Xavier vs naive init activation variance through depth")
CAPTION = ("On 1,000 MNIST digits an unregularised MLP overfits (its test loss turns up while the "
           "training loss keeps falling) while weight decay, dropout and both end with a lower test loss; "
           "Xavier initialisation keeps activation and gradient variances steady through 20 tanh "
           "layers where N(0, 1) saturates and N(0, 0.01²) vanishes.")

SEED = 0
# (a, b) overfitting a small MNIST subset
N_TRAIN, N_TEST, EPOCHS = 1000, 2000, 80
N_TRAIN_QUICK, N_TEST_QUICK, EPOCHS_QUICK = 300, 1000, 8
NET = dict(hidden_layer_sizes=(256,), solver="adam", learning_rate_init=1e-3, batch_size=50)
WEIGHT_DECAY = 1.0    # scikit-learn's alpha
DROPOUT = 0.5
SETTINGS = (            # label, alpha, dropout, colour
    ("no regularisation", 0.0, 0.0, "#d62728"),
    (f"weight decay (alpha = {WEIGHT_DECAY:g})", WEIGHT_DECAY, 0.0, "#1f77b4"),
    (f"dropout {DROPOUT:g}", 0.0, DROPOUT, "#2ca02c"),
    ("both", WEIGHT_DECAY, DROPOUT, "#9467bd"),
)
# (c, d) variance through depth
DEPTH, WIDTH, N_INPUTS = 20, 256, 500
INITS = (               # label, weight matrix of one layer, colour, line style
    ("naive N(0, 1)", lambda rng: rng.normal(0.0, 1.0, (WIDTH, WIDTH)), "#d62728", "-"),
    ("small N(0, 0.01²)", lambda rng: rng.normal(0.0, 0.01, (WIDTH, WIDTH)), "#8c564b", "-"),
    ("Xavier normal", lambda rng: xavier_normal(WIDTH, WIDTH, seed=rng), "#1f77b4", "-"),
    ("Xavier uniform", lambda rng: xavier_uniform(WIDTH, WIDTH, seed=rng), "#17becf", "--"),
)


def train_curves(X, y, Xt, yt, alpha, dropout, epochs):
    """Train and test log loss after each of ``epochs`` one-epoch ``partial_fit`` calls.

    A ``RandomState`` instance (not an int) makes the shuffles continue from epoch to epoch;
    a fresh one per setting gives every setting the same initial weights and shuffles.
    """
    clf = MLPClassifier(**NET, alpha=alpha, dropout=dropout, random_state=np.random.RandomState(SEED))
    classes = np.arange(10)
    train, test = [], []
    for _ in range(epochs):
        clf.partial_fit(X, y, classes=classes)
        train.append(log_loss(y, clf.predict_proba(X), labels=classes))
        test.append(log_loss(yt, clf.predict_proba(Xt), labels=classes))
    return np.array(train), np.array(test), clf.score(Xt, yt)


def variance_through_depth(make_weight, seed):
    """Variance of the activations (forward) and of the back-propagated gradients (backward)
    at each of the ``DEPTH`` tanh layers, the biases zero."""
    rng = np.random.default_rng(seed)
    Ws = [make_weight(rng) for _ in range(DEPTH)]
    h = rng.normal(0.0, 1.0, (N_INPUTS, WIDTH))
    acts = []
    for W in Ws:
        h = np.tanh(h @ W)
        acts.append(h)
    g = rng.normal(0.0, 1.0, (N_INPUTS, WIDTH))   # dL/dh at the top layer
    grads = [None] * DEPTH
    for l in range(DEPTH - 1, -1, -1):
        grads[l] = g
        g = (g * (1.0 - acts[l] ** 2)) @ Ws[l].T  # through tanh, then the layer's matrix
    return np.array([a.var() for a in acts]), np.array([gr.var() for gr in grads])


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig13_regularization.{png,pdf}``, ``_loss.csv`` (per setting and epoch: train and
    test log loss), ``_variance.csv`` (per initialisation and layer: activation and gradient
    variance) and ``.json`` (settings, final test accuracy) into ``out``. ``quick`` uses 300
    training rows, 1,000 test rows and 8 epochs. Runs on one thread (Numba and BLAS)."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    n_train, n_test, epochs = (N_TRAIN_QUICK, N_TEST_QUICK, EPOCHS_QUICK) if quick \
        else (N_TRAIN, N_TEST, EPOCHS)
    X, y, Xt, yt = mnist(n_train, n_test)
    with limit_threads(1):   # batches of 50 rows are too small to share: one thread is fastest
        return _make(out, stem, X, y, Xt, yt, epochs)


def _make(out, stem, X, y, Xt, yt, epochs):
    n_train, n_test = len(X), len(Xt)

    fig, axes = new_figure(12.5, 8.6, 2, 2)
    (a_train, a_test), (a_act, a_grad) = axes
    ep = np.arange(1, epochs + 1)
    loss_cols = {k: [] for k in ("setting", "alpha", "dropout", "epoch", "train_log_loss", "test_log_loss")}
    accuracy = {}
    for label, alpha, dropout, color in SETTINGS:
        tr, te, acc = train_curves(X, y, Xt, yt, alpha, dropout, epochs)
        accuracy[label] = acc
        a_train.semilogy(ep, tr, color=color, label=label)
        a_test.plot(ep, te, color=color, label=f"{label}: best {te.min():.3f}, last {te[-1]:.3f}")
        for k, v in (("setting", [label] * epochs), ("alpha", np.full(epochs, alpha)),
                     ("dropout", np.full(epochs, dropout)), ("epoch", ep), ("train_log_loss", tr),
                     ("test_log_loss", te)):
            loss_cols[k].append(np.asarray(v))
    net = f"784-{NET['hidden_layer_sizes'][0]}-10, Adam, batch {NET['batch_size']}"
    a_train.set(xlabel="epoch", ylabel="training log loss (nats, log scale)",
                title=f"(a) training loss, {n_train:,} MNIST digits ({net})")
    a_test.set(xlabel="epoch", ylabel="test log loss (nats)",
               title=f"(b) test loss, {n_test:,} test digits")
    a_train.legend(loc="lower left")
    a_test.legend(loc="upper left")

    var_cols = {k: [] for k in ("init", "layer", "activation_variance", "gradient_variance")}
    layers = np.arange(1, DEPTH + 1)
    for k, (label, make_weight, color, ls) in enumerate(INITS):
        act_var, grad_var = variance_through_depth(make_weight, SEED + k)
        a_act.semilogy(layers, act_var, ls, color=color, marker="o", ms=3, label=label)
        a_grad.semilogy(layers, grad_var, ls, color=color, marker="o", ms=3, label=label)
        for key, v in (("init", [label] * DEPTH), ("layer", layers), ("activation_variance", act_var),
                       ("gradient_variance", grad_var)):
            var_cols[key].append(np.asarray(v))
    a_act.set(xlabel="layer $l$", ylabel="Var$[h_l]$ (log scale)",
              title=f"(c) forward: activation variance, {DEPTH} tanh layers of width {WIDTH}")
    a_grad.set(xlabel="layer $l$ (the gradient flows from layer 20 down)",
               ylabel="Var$[\\partial L/\\partial h_l]$ (log scale)",
               title="(d) backward: gradient variance")
    a_act.legend(loc="lower left")
    a_grad.legend(loc="upper right")
    for ax in (a_act, a_grad):
        ax.set_xticks([1, 5, 10, 15, 20])
    fig.suptitle("Regularisation against overfitting (top) and initialisation through depth (bottom)")

    paths = save_figure(fig, out, stem)
    for part, cols in (("loss", loss_cols), ("variance", var_cols)):
        cols = {k: np.concatenate(v) for k, v in cols.items()}
        paths.append(write_columns(out / f"{stem}_{part}.csv", cols))
    paths.append(write_json(out / f"{stem}.json", {
        "network": NET, "n_train": n_train, "n_test": n_test, "epochs": epochs, "seed": SEED,
        "settings": [{"label": lab, "alpha": a, "dropout": d} for lab, a, d, _ in SETTINGS],
        "final_test_accuracy": accuracy, "depth": DEPTH, "width": WIDTH, "n_inputs": N_INPUTS,
    }))
    return paths


if __name__ == "__main__":
    main(sys.modules[__name__])

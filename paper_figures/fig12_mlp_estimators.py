"""Figure 12 — gdlab's scikit-learn estimators: ``MLPRegressor`` on the exp curve and
``MLPClassifier`` decision regions on iris.

(a) ``gdlab.sklearn.MLPRegressor`` fits y = exp(x) on x = −3, −2.9, …, 3
(``gdlab.datasets.exp_curve``, 61 points) with Adam; scikit-learn's ``MLPRegressor`` with the
same parameters and ``random_state`` draws the same initial weights and shuffles, so (b) its
training loss curve lies on gdlab's (same trajectory up to rounding) and its fitted curve
coincides. (c) ``gdlab.sklearn.MLPClassifier`` on iris with two features (petal length and
width, standardised): the colours are the predicted class on a grid, the points the 150
flowers, the accuracy on them in the title. The estimators are drop-ins for scikit-learn's
(docs/estimators.md); only the training runs in gdlab's compiled code.

Run: ``python -m paper_figures.fig12_mlp_estimators OUT`` (or ``gdlab figures --only mlp_estimators``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
from matplotlib.colors import ListedColormap
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.preprocessing import StandardScaler

from gdlab.datasets import exp_curve, load_iris
from gdlab.sklearn import MLPClassifier, MLPRegressor

from ._common import main, new_figure, save_figure, write_columns, write_json

NUMBER = 12
NAME = "mlp_estimators"
TITLE = "MLPRegressor on the exp curve and MLPClassifier decision regions on iris"
CAPTION = ("gdlab's drop-in MLPRegressor fits exp(x) and follows exactly scikit-learn's training "
           "trajectory from the same random_state; gdlab's MLPClassifier separates the three iris "
           "species on petal length and width.")

SEED = 0
# (a) regression: two tanh layers, Adam (scikit-learn's defaults except the step size)
REG = dict(hidden_layer_sizes=(32, 32), activation="tanh", solver="adam", learning_rate_init=0.005,
           tol=0.0, n_iter_no_change=10**6, random_state=SEED)   # tol 0: run every epoch
# lr 0.005: at 0.01 Adam's loss spikes now and then, the rounding differences between the two
# libraries grow in a spike, and their curves separate for a while
REG_EPOCHS, REG_EPOCHS_QUICK = 1000, 300
# (c) classification: one hidden layer of 16 ReLU units on 2 standardised features
CLF = dict(hidden_layer_sizes=(16,), solver="adam", learning_rate_init=0.01, tol=0.0,
           n_iter_no_change=10**6, random_state=SEED)
CLF_EPOCHS, CLF_EPOCHS_QUICK = 500, 100
FEATURES = (2, 3)                    # petal length, petal width (cm)
FEATURE_NAMES = ("petal length", "petal width")
SPECIES = ("setosa", "versicolor", "virginica")
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
GRID, GRID_QUICK = 300, 100          # decision-region grid points per axis


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig12_mlp_estimators.{png,pdf}``, ``_regression.csv`` (x, truth, both fits),
    ``_loss.csv`` (both loss curves), ``_iris.csv`` (the points and predictions) and ``.json``
    (scores, largest differences) into ``out``. ``quick`` trains fewer epochs on a coarser grid."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    out = Path(out)
    reg_epochs = REG_EPOCHS_QUICK if quick else REG_EPOCHS
    clf_epochs = CLF_EPOCHS_QUICK if quick else CLF_EPOCHS
    n_grid = GRID_QUICK if quick else GRID

    # -- (a, b) regression, gdlab beside scikit-learn ------------------------------------
    x, y = exp_curve()
    with warnings.catch_warnings():      # a fixed number of epochs ends with ConvergenceWarning
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(**REG, max_iter=reg_epochs).fit(x, y)
        sk = SkMLPRegressor(**REG, max_iter=reg_epochs).fit(x, y)
    xs = np.linspace(-3.0, 3.0, 241)[:, None]
    fit_gd, fit_sk = reg.predict(xs), sk.predict(xs)
    curve_diff = float(np.abs(fit_gd - fit_sk).max())
    loss_diff = float(np.abs(np.array(reg.loss_curve_) - np.array(sk.loss_curve_)).max())

    fig, (a_fit, a_loss, a_iris) = new_figure(15.0, 4.6, 1, 3)
    a_fit.plot(xs[:, 0], np.exp(xs[:, 0]), color="0.55", lw=3.5, alpha=0.6, label="true exp(x)")
    a_fit.plot(xs[:, 0], fit_gd, color="#d62728", lw=1.8, label="gdlab MLPRegressor")
    a_fit.plot(xs[:, 0], fit_sk, color="k", ls=":", lw=1.8, label="scikit-learn MLPRegressor")
    a_fit.plot(x[::3, 0], y[::3], "o", ms=3.5, mfc="white", mec="#1f77b4",
               label="exp_curve data (every 3rd of 61)")
    a_fit.set(xlabel="$x$", ylabel="$y$",
              title=f"(a) fit, {reg_epochs} epochs of Adam: R² = {reg.score(x, y):.4f}")
    a_fit.legend(loc="upper left")
    epochs = np.arange(1, reg_epochs + 1)
    a_loss.semilogy(epochs, reg.loss_curve_, color="#d62728", lw=2.5, label="gdlab")
    a_loss.semilogy(epochs, sk.loss_curve_, color="k", ls=":", lw=1.8, label="scikit-learn")
    a_loss.set(xlabel="epoch", ylabel="training loss ½·mean squared error",
               title=f"(b) same trajectory: max |Δ loss| = {loss_diff:.1e}")
    a_loss.legend(loc="upper right")

    # -- (c) classification: decision regions on iris ------------------------------------
    X4, labels = load_iris()
    X = StandardScaler().fit_transform(X4[:, FEATURES])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(**CLF, max_iter=clf_epochs).fit(X, labels)
    acc = clf.score(X, labels)
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], n_grid), np.linspace(lo[1], hi[1], n_grid))
    regions = clf.predict(np.c_[g0.ravel(), g1.ravel()]).reshape(g0.shape)
    a_iris.contourf(g0, g1, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(COLORS),
                    alpha=0.25)
    for k, (name, color) in enumerate(zip(SPECIES, COLORS)):
        m = labels == k
        a_iris.scatter(X[m, 0], X[m, 1], s=18, color=color, edgecolor="k", linewidth=0.4, label=name)
    a_iris.set(xlabel=f"{FEATURE_NAMES[0]} (standardised)", ylabel=f"{FEATURE_NAMES[1]} (standardised)",
               title=f"(c) MLPClassifier on iris: accuracy {acc:.3f} ({clf_epochs} epochs)")
    a_iris.legend(loc="upper left", title="species (points)")
    fig.suptitle("gdlab.sklearn estimators: MLPRegressor (with scikit-learn's beside it) and MLPClassifier")

    pred = clf.predict(X)
    paths = save_figure(fig, out, stem)
    paths.append(write_columns(out / f"{stem}_regression.csv", {
        "x": xs[:, 0], "truth": np.exp(xs[:, 0]), "gdlab": fit_gd, "sklearn": fit_sk}))
    paths.append(write_columns(out / f"{stem}_loss.csv", {
        "epoch": epochs, "gdlab": reg.loss_curve_, "sklearn": sk.loss_curve_}))
    paths.append(write_columns(out / f"{stem}_iris.csv", {
        FEATURE_NAMES[0].replace(" ", "_"): X[:, 0], FEATURE_NAMES[1].replace(" ", "_"): X[:, 1],
        "species": labels, "predicted": pred}))
    paths.append(write_json(out / f"{stem}.json", {
        "regression": {"params": REG, "epochs": reg_epochs, "r2_gdlab": reg.score(x, y),
                       "r2_sklearn": sk.score(x, y), "max_abs_diff_fit": curve_diff,
                       "max_abs_diff_loss_curve": loss_diff},
        "iris": {"params": CLF, "epochs": clf_epochs, "features": FEATURE_NAMES, "accuracy": acc,
                 "n_misclassified": int((pred != labels).sum())},
    }))
    return paths


if __name__ == "__main__":
    main(sys.modules[__name__])

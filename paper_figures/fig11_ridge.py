"""Figure 11 — ridge regression three ways: gdlab's closed form, gdlab's gradient descent and
scikit-learn, against the true function.

Twenty noisy samples of y = sin(2πx) at evenly spaced x (seeded noise) are fitted with
degree-9 polynomial features (standardised) and the ridge penalty α‖w‖² for three values of
α: small (the polynomial follows the samples closely), medium and large (the curve is
flattened towards the mean). For each α
``gdlab.models.RidgeRegression(solver="closed_form")`` (a linear solve of the normal
equations), ``RidgeRegression(solver="gd")`` (compiled full-batch gradient descent with step
1/L until the step is below 1e-12 of the weights) and ``sklearn.linear_model.Ridge`` give the
same curve; the largest difference between them is printed in each panel and written to the
JSON file. The setting is Bishop's polynomial curve fitting (PRML §1.1, Fig. 1.7) and
D2L §3.7 (weight decay).

Gradient descent needs about κ·log(1/tol) steps, κ the condition number of the Hessian:
degree-9 features are nearly collinear (the smallest eigenvalue of XᵀX/n is ~1e-12), so the
penalty sets the smallest curvature and α = 1e-3 already needs ~2 million steps (about 2 s);
with α = 1e-6 gradient descent would not converge in any reasonable time.

Run: ``python -m paper_figures.fig11_ridge OUT`` (or ``gdlab figures --only ridge``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from gdlab.models import RidgeRegression

from ._common import main, new_figure, save_figure, write_columns, write_json

NUMBER = 11
NAME = "ridge"
TITLE = "Ridge regression: gdlab closed form, gdlab gradient descent, scikit-learn and the true function"
CAPTION = ("On 20 noisy samples of sin(2πx) with degree-9 polynomial features, gdlab's closed-form "
           "ridge, gdlab's gradient descent and scikit-learn's Ridge draw the same curve for every "
           "penalty α, from following the samples closely (small α) to flattened (large α).")

SEED = 0
N_POINTS = 20
NOISE = 0.25          # standard deviation of the label noise
DEGREE = 9
ALPHAS = (1e-3, 1e-1, 10.0)
GD_MAX_ITER = 10_000_000   # alpha = 1e-3 needs ~2.3 million steps
GRID = 400            # points of the drawn curves (quick: fewer)
AGREE = 1e-8          # closed form and scikit-learn must agree to this (they solve the same system)


def true_function(x):
    return np.sin(2 * np.pi * x)


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig11_ridge.{png,pdf}``, ``fig11_ridge.csv`` (the curves: alpha, x, truth and the
    three fits) and ``fig11_ridge.json`` (data, coefficients, gradient steps and the largest
    differences) into ``out``. ``quick`` draws the curves on fewer points (the fits are the same).

    Raises
    ------
    AssertionError
        If gdlab's closed form and scikit-learn differ by more than 1e-8.
    """
    stem = f"fig{NUMBER:02d}_{NAME}"
    rng = np.random.default_rng(SEED)
    x = np.linspace(0.0, 1.0, N_POINTS)   # evenly spaced, as in Bishop's Fig. 1.7
    y = true_function(x) + rng.normal(0.0, NOISE, N_POINTS)
    grid = np.linspace(0.0, 1.0, 100 if quick else GRID)
    # the same features for the three estimators: polynomial, then standardised
    features = make_pipeline(PolynomialFeatures(DEGREE, include_bias=False), StandardScaler())
    X = features.fit_transform(x[:, None])
    G = features.transform(grid[:, None])

    fig, axes = new_figure(13.5, 4.4, 1, len(ALPHAS), sharey=True)
    cols = {k: [] for k in ("alpha", "x", "truth", "closed_form", "gd", "sklearn")}
    record = {"seed": SEED, "noise": NOISE, "degree": DEGREE, "x": x, "y": y, "fits": []}
    for ax, alpha in zip(axes, ALPHAS):
        cf = RidgeRegression(alpha, solver="closed_form").fit(X, y)
        gd = RidgeRegression(alpha, solver="gd", max_iter=GD_MAX_ITER).fit(X, y)
        sk = Ridge(alpha=alpha).fit(X, y)
        curves = {"closed_form": cf.predict(G), "gd": gd.predict(G), "sklearn": sk.predict(G)}
        diff_cf_sk = float(np.abs(curves["closed_form"] - curves["sklearn"]).max())
        diff_cf_gd = float(np.abs(curves["closed_form"] - curves["gd"]).max())
        diff_gd_sk = float(np.abs(curves["gd"] - curves["sklearn"]).max())
        assert diff_cf_sk <= AGREE, f"closed form and scikit-learn differ by {diff_cf_sk:g} (alpha={alpha})"
        worst = max(diff_cf_sk, diff_cf_gd, diff_gd_sk)

        ax.plot(grid, true_function(grid), color="0.55", lw=3.0, alpha=0.6, label="true sin(2πx)")
        ax.plot(grid, curves["closed_form"], color="#1f77b4", lw=2.2, label="gdlab closed form")
        ax.plot(grid, curves["gd"], color="#ff7f0e", ls="--", lw=1.8,
                label="gdlab gradient descent")
        ax.plot(grid, curves["sklearn"], color="k", ls=":", lw=1.8, label="scikit-learn Ridge")
        ax.plot(x, y, "o", ms=5, mfc="white", mec="#d62728", mew=1.4, label=f"{N_POINTS} samples")
        ax.set(xlabel="$x$", title=f"α = {alpha:g}: max |difference| = {worst:.1e}", ylim=(-1.8, 1.8))
        ax.text(0.98, 0.97, f"gradient descent: {gd.n_iter_:,} steps", transform=ax.transAxes,
                ha="right", va="top", fontsize=8.5)
        for k, v in curves.items():
            cols[k].append(v)
        cols["alpha"].append(np.full(grid.size, alpha))
        cols["x"].append(grid)
        cols["truth"].append(true_function(grid))
        record["fits"].append({
            "alpha": alpha, "gd_steps": gd.n_iter_,
            "coef": {"closed_form": cf.coef_, "gd": gd.coef_, "sklearn": sk.coef_},
            "intercept": {"closed_form": cf.intercept_, "gd": gd.intercept_, "sklearn": sk.intercept_},
            "max_abs_diff_on_grid": {"closed_form_vs_sklearn": diff_cf_sk,
                                     "closed_form_vs_gd": diff_cf_gd, "gd_vs_sklearn": diff_gd_sk},
        })
    axes[0].set_ylabel("$y$")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=5)
    fig.suptitle(f"Ridge regression, degree-{DEGREE} polynomial features (standardised), "
                 f"{N_POINTS} noisy samples of sin(2πx): three solvers, one curve")
    record["max_abs_diff_all"] = max(max(f["max_abs_diff_on_grid"].values()) for f in record["fits"])
    paths = save_figure(fig, out, stem)
    paths.append(write_columns(Path(out) / f"{stem}.csv", {k: np.concatenate(v) for k, v in cols.items()}))
    paths.append(write_json(Path(out) / f"{stem}.json", record))
    return paths


if __name__ == "__main__":
    main(sys.modules[__name__])

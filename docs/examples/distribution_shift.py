"""Correcting distribution shift with importance weights (D2L 4.9) on the digits data set.

Two shifted splits of scikit-learn's digits (1797 8x8 images):

* **label shift** — the training set is class-balanced, the target set about 80 % digits 0-2.
  The target prior is estimated from a confusion matrix on held-out source data by solving
  ``C p(y) = mu(y_hat)`` (:func:`gdlab.shift.label_shift_weights`), and the classifier is
  refitted with ``sample_weight = p(y) / q(y)``.
* **covariate shift** — the training set holds mostly light strokes (little ink), the target
  set mostly heavy ones; p(x)/q(x) is estimated by a logistic regression telling source from
  target rows (:func:`gdlab.shift.covariate_shift_weights`) and used as ``sample_weight``.

Small models are used on purpose: a model that fits every region of the input space equally
well needs no correction; the weights matter when capacity must be spent where the target
data lie. Every number printed comes from this run.

Run: ``python docs/examples/distribution_shift.py`` (under a minute).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from gdlab.datasets._toy import load_digits
from gdlab.shift import covariate_shift_weights, label_shift_weights
from gdlab.sklearn import MLPClassifier


def label_shift(X, y, rng):
    idx = rng.permutation(len(y))
    train, val, rest = idx[:700], idx[700:1000], idx[1000:]
    target = rest[rng.uniform(size=len(rest)) < np.where(y[rest] <= 2, 1.0, 0.1)]
    kw = dict(hidden_layer_sizes=(4,), max_iter=40, random_state=0, learning_rate_init=0.01)
    plain = MLPClassifier(**kw).fit(X[train], y[train])
    q = np.bincount(y[train], minlength=10) / len(train)
    est = label_shift_weights(y[val], plain.predict(X[val]), plain.predict(X[target]), source_prior=q)
    weighted = MLPClassifier(**kw).fit(X[train], y[train], sample_weight=est.sample_weight(y[train]))
    true_p = np.bincount(y[target], minlength=10) / len(target)
    oracle = MLPClassifier(**kw).fit(X[train], y[train], sample_weight=(true_p / q)[y[train]])
    print(f"label shift: {len(train)} training rows (balanced), {len(target)} target rows "
          f"({100 * np.isin(y[target], [0, 1, 2]).mean():.0f} % digits 0-2)")
    print(f"  estimated target prior {np.round(est.target_prior, 3)}")
    print(f"  true target prior      {np.round(true_p, 3)}")
    print(f"  target accuracy: unweighted {plain.score(X[target], y[target]):.3f}, "
          f"estimated weights {weighted.score(X[target], y[target]):.3f}, "
          f"true weights {oracle.score(X[target], y[target]):.3f}")


def covariate_shift(X, y, rng):
    idx = rng.permutation(len(y))
    ink = X.sum(axis=1)
    light = ink < np.median(ink)
    pool_s, pool_t = idx[:1200], idx[1200:]
    source = pool_s[rng.uniform(size=len(pool_s)) < np.where(light[pool_s], 0.9, 0.1)]
    target = pool_t[rng.uniform(size=len(pool_t)) < np.where(light[pool_t], 0.1, 0.9)]
    kw = dict(hidden_layer_sizes=(4,), max_iter=60, random_state=0, learning_rate_init=0.01)
    plain = MLPClassifier(**kw).fit(X[source], y[source])
    w = covariate_shift_weights(X[source], X[target], clip=10.0)
    weighted = MLPClassifier(**kw).fit(X[source], y[source], sample_weight=w)
    print(f"\ncovariate shift: {len(source)} source rows ({100 * light[source].mean():.0f} % light), "
          f"{len(target)} target rows ({100 * light[target].mean():.0f} % light)")
    print(f"  importance weights: mean {w.mean():.2f}, light rows {w[light[source]].mean():.2f}, "
          f"heavy rows {w[~light[source]].mean():.2f}")
    print(f"  target accuracy: unweighted {plain.score(X[target], y[target]):.3f}, "
          f"weighted {weighted.score(X[target], y[target]):.3f}")


def main():
    X, y = load_digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        label_shift(X, y, np.random.default_rng(0))
        covariate_shift(X, y, np.random.default_rng(0))


if __name__ == "__main__":
    main()

"""Distribution-shift correction (D2L 4.9): importance weights for covariate and label shift.

Both helpers return weights to pass as ``sample_weight`` to ``fit`` (every gdlab estimator
and most of scikit-learn's accept it), so that the weighted training risk on the source
data estimates the risk on the target distribution.

* :func:`covariate_shift_weights` — ``p(x) / q(x)`` (target over source density) from a
  probabilistic classifier trained to tell source rows from target rows
  (D2L 4.9.3.1; Shimodaira, 2000; Bickel, Brückner & Scheffer, ICML 2007).
* :func:`label_shift_weights` — ``p(y) / q(y)`` from a confusion matrix: with ``C[i, j] =
  P(prediction i | label j)`` measured on labelled source data, and ``mu[i]`` the fraction
  of target rows predicted as ``i``, the target label distribution solves ``C p(y) = mu``
  (D2L 4.9.3.3; Lipton, Wang & Smola, ICML 2018, "black box shift estimation").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LabelShiftWeights", "covariate_shift_weights", "label_shift_weights"]


def _two_d(name, X):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be numeric, got dtype {X.dtype}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def covariate_shift_weights(X_source, X_target, *, classifier=None, clip: float | None = None,
                            normalize: bool = True) -> np.ndarray:
    """Importance weights ``beta_i = p(x_i) / q(x_i)`` of the source rows, target density p
    over source density q, estimated by a probabilistic classifier.

    The classifier learns to tell source rows (label 0) from target rows (label 1); by
    Bayes' rule ``p(x) / q(x) = [P(1 | x) / P(0 | x)] * (n_source / n_target)``.

    Parameters
    ----------
    X_source : array-like of shape (n_source, n_features)
        Training inputs (labelled, from q).
    X_target : array-like of shape (n_target, n_features)
        Inputs of the distribution to predict on (unlabelled, from p).
    classifier : scikit-learn classifier with ``predict_proba``, optional
        Default: standardisation followed by ``sklearn.linear_model.LogisticRegression``
        (D2L's choice; its log-odds are linear in x). It is cloned, not modified.
    clip : float or None, default None
        Upper bound of the weights (D2L's ``min(exp(h(x)), c)``); limits the variance that a
        few large weights cause.
    normalize : bool, default True
        Rescale the weights to mean 1 (after clipping), so that the effective sample size
        and the scale of the loss stay those of the source set.

    Returns
    -------
    ndarray of shape (n_source,), float64, non-negative

    Raises
    ------
    ValueError
        Empty or non-2-D inputs, different feature counts, NaN/inf, ``clip <= 0``; TypeError
        for non-numeric inputs or a classifier without ``predict_proba``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> w = covariate_shift_weights(rng.normal(0, 1, (500, 1)), rng.normal(1, 1, (500, 1)))
    >>> bool(w[:10].std() > 0) and round(float(w.mean()), 6)
    1.0
    """
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    Xs, Xt = _two_d("X_source", X_source), _two_d("X_target", X_target)
    if Xs.shape[1] != Xt.shape[1]:
        raise ValueError(f"X_source has {Xs.shape[1]} features but X_target has {Xt.shape[1]}")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be > 0 or None, got {clip!r}")
    if classifier is None:
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    if not hasattr(classifier, "predict_proba"):
        raise TypeError(f"classifier must have predict_proba, got {type(classifier).__name__}")
    clf = clone(classifier)
    X = np.vstack([Xs, Xt])
    z = np.r_[np.zeros(len(Xs), int), np.ones(len(Xt), int)]
    clf.fit(X, z)
    proba = clf.predict_proba(Xs)
    col = list(clf.classes_).index(1)
    p1 = np.clip(proba[:, col], 1e-12, 1 - 1e-12)
    w = p1 / (1 - p1) * (len(Xs) / len(Xt))
    if clip is not None:
        w = np.minimum(w, clip)
    if normalize:
        w = w / w.mean()
    return w


@dataclass(frozen=True)
class LabelShiftWeights:
    """Result of :func:`label_shift_weights`.

    Attributes
    ----------
    classes : ndarray of shape (k,)
        Class labels, sorted.
    weights : ndarray of shape (k,)
        ``p(y) / q(y)`` for each class (target over source prior); 0 for a class absent
        from the target.
    target_prior : ndarray of shape (k,)
        Estimated target label distribution p(y) (non-negative, sums to 1).
    source_prior : ndarray of shape (k,)
        Source label distribution q(y).
    confusion : ndarray of shape (k, k)
        ``C[i, j] = P(prediction i | label j)`` on the labelled source rows.
    """

    classes: np.ndarray
    weights: np.ndarray
    target_prior: np.ndarray
    source_prior: np.ndarray
    confusion: np.ndarray

    def sample_weight(self, y) -> np.ndarray:
        """Per-row weights ``weights[class of y_i]`` for labels ``y`` of shape (n,).

        Raises
        ------
        ValueError
            A label that is not in :attr:`classes`.
        """
        y = np.asarray(y)
        idx = np.searchsorted(self.classes, y)
        idx = np.clip(idx, 0, len(self.classes) - 1)
        bad = self.classes[idx] != y
        if bad.any():
            raise ValueError(f"y holds labels not in classes: {np.unique(y[bad])[:5]!r}")
        return self.weights[idx]


def label_shift_weights(y_true, y_pred, y_pred_target, *, classes=None,
                        source_prior=None) -> LabelShiftWeights:
    """Label-shift weights ``p(y) / q(y)`` by solving ``C p(y) = mu(y_hat)``.

    Parameters
    ----------
    y_true : array-like of shape (n_val,)
        Labels of held-out source rows.
    y_pred : array-like of shape (n_val,)
        A classifier's predictions on those rows.
    y_pred_target : array-like of shape (n_target,)
        The same classifier's predictions on the (unlabelled) target rows.
    classes : array-like of shape (k,), optional
        All classes (default: those in ``y_true``).
    source_prior : array-like of shape (k,), optional
        Source label distribution q(y) (default: the frequencies of ``y_true``; pass those of
        the whole training set when it is larger).

    Returns
    -------
    LabelShiftWeights
        Weights, the estimated target prior, the source prior and the confusion matrix.
        The linear system is solved by least squares (``numpy.linalg.lstsq``, exact when
        C is invertible); negative estimates, which noise can cause, are set to 0 and the
        prior renormalised.

    Raises
    ------
    ValueError
        Inputs of different lengths, empty inputs, predictions or labels outside
        ``classes``, a class with no source row, or a ``source_prior`` of the wrong length.

    Examples
    --------
    >>> r = label_shift_weights([0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 0])
    >>> r.target_prior.tolist(), r.weights.tolist()
    ([0.25, 0.75], [0.5, 1.5])
    """
    y_true, y_pred, y_tp = (np.asarray(a).ravel() for a in (y_true, y_pred, y_pred_target))
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred differ in length: {len(y_true)} != {len(y_pred)}")
    if len(y_true) == 0 or len(y_tp) == 0:
        raise ValueError("y_true and y_pred_target must not be empty")
    classes = np.unique(y_true) if classes is None else np.unique(np.asarray(classes))
    k = len(classes)

    def index(name, y):
        idx = np.clip(np.searchsorted(classes, y), 0, k - 1)
        bad = classes[idx] != y
        if bad.any():
            raise ValueError(f"{name} holds labels not in classes: {np.unique(y[bad])[:5]!r}")
        return idx

    it, ip, itp = index("y_true", y_true), index("y_pred", y_pred), index("y_pred_target", y_tp)
    counts = np.bincount(it, minlength=k).astype(np.float64)
    if (counts == 0).any():
        raise ValueError(f"classes {classes[counts == 0]!r} have no row in y_true: their column of "
                         "the confusion matrix cannot be estimated")
    C = np.zeros((k, k))
    np.add.at(C, (ip, it), 1.0)
    C /= counts  # column j: distribution of predictions given label j
    mu = np.bincount(itp, minlength=k) / len(itp)
    p = np.linalg.lstsq(C, mu, rcond=None)[0]
    p = np.clip(p, 0.0, None)
    p = p / p.sum() if p.sum() > 0 else np.full(k, 1.0 / k)
    q = counts / counts.sum() if source_prior is None else np.asarray(source_prior, np.float64)
    if q.shape != (k,) or (q <= 0).any():
        raise ValueError(f"source_prior must hold {k} positive values, got {q!r}")
    q = q / q.sum()
    return LabelShiftWeights(classes=classes, weights=p / q, target_prior=p, source_prior=q,
                             confusion=C)

"""Classical models of the D2L notes: linear, softmax and ridge regression.

* :class:`LinearRegressionGD` — linear regression trained by mini-batch SGD from scratch
  (D2L 3.2: ``synthetic_data``, ``data_iter``, ``linreg``, ``squared_loss``, ``sgd``), with
  optional weight decay (D2L 3.7).
* :class:`SoftmaxRegression` — softmax regression from scratch (D2L 4.4).
* :class:`RidgeRegression` — ridge regression, by the closed form (a linear solve, never an
  inverse; the same solution as ``sklearn.linear_model.Ridge``) or by full-batch gradient
  descent, which converges to it.

All three are scikit-learn estimators (``get_params``, ``fit``/``predict``/``score``), so
scikit-learn's splitters, ``cross_val_score`` and pipelines work with them. The mini-batch
loops are gdlab's compiled ones: a linear model is a network without hidden layer, trained by
``train_batches_ex`` (gdlab/models/_mlp_train.py) with any registered gdlab optimizer; the
default, ``sgd`` without momentum, is D2L's ``sgd``: ``param -= lr * grad`` with the gradient
of the batch-mean loss.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.linalg
from numba import njit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._config import jit_options
from ..engine import ChunkResult, run_epochs
from ..optim import compile_with, create
from ._codes import IDENTITY
from ._mlp import _CORE, MLPKernelArgsEx, core, layout
from ._outputs import OUT_IDENTITY, OUT_SOFTMAX

__all__ = ["LinearRegressionGD", "RidgeRegression", "SoftmaxRegression", "data_iter",
           "synthetic_data"]


def synthetic_data(w, b: float, num_examples: int, *, noise: float = 0.01, seed=None):
    """Features ``X ~ N(0, 1)`` and labels ``y = X @ w + b + N(0, noise**2)`` (D2L 3.2).

    Parameters
    ----------
    w : array-like of shape (n_features,)
        True weights.
    b : float
        True bias.
    num_examples : int
        Number of rows (>= 1).
    noise : float, default 0.01
        Standard deviation of the label noise (>= 0).
    seed : int, numpy.random.Generator or None

    Returns
    -------
    X : ndarray of shape (num_examples, n_features), float64
    y : ndarray of shape (num_examples,), float64

    Raises
    ------
    ValueError
        ``w`` not 1-D, ``num_examples < 1`` or ``noise < 0``.
    """
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D array, got shape {w.shape}")
    if isinstance(num_examples, bool) or not isinstance(num_examples, (int, np.integer)) \
            or num_examples < 1:
        raise ValueError(f"num_examples must be a positive integer, got {num_examples!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (num_examples, w.size))
    y = X @ w + b + rng.normal(0.0, noise, num_examples)
    return X, y


def data_iter(batch_size: int, features, labels, *, seed=None):
    """Yield shuffled mini-batches ``(features[idx], labels[idx])`` (D2L 3.2's ``data_iter``).

    The last batch may be smaller. This is the Python loop the compiled training loops
    replace (they draw the same kind of permutation once per epoch and gather the rows in
    compiled code).

    Parameters
    ----------
    batch_size : int
        Rows per batch (>= 1).
    features : ndarray of shape (n, ...)
    labels : ndarray of shape (n, ...)
    seed : int, numpy.random.Generator or None

    Raises
    ------
    ValueError
        ``batch_size < 1`` or features and labels of different lengths.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    features, labels = np.asarray(features), np.asarray(labels)
    if len(features) != len(labels):
        raise ValueError(f"features and labels differ in length: {len(features)} != {len(labels)}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    indices = rng.permutation(len(features))
    for i in range(0, len(features), batch_size):
        idx = indices[i : i + batch_size]
        yield features[idx], labels[idx]


@njit(**jit_options())
def _ridge_gd_steps(A, B, W, alpha, S, lr, steps):
    """``steps`` gradient steps ``W -= lr * (A^T (A W - B) + alpha W) / S`` in place (the
    gradient of ``(||A W - B||^2 + alpha ||W||^2) / (2 S)``); returns the largest change of
    the last step."""
    last = 0.0
    for _ in range(steps):
        R = A @ W - B
        G = (A.T @ R + alpha * W) * (lr / S)
        last = np.abs(G).max()
        W -= G
    return last


def _float_dtype(X):
    return np.float32 if X.dtype == np.float32 else np.float64


class _MiniBatchLinear(BaseEstimator):
    """Shared mini-batch loop of the linear models (not public)."""

    _parameter_constraints: dict = {
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [str],
        "optimizer_params": [None, dict],
        "init_std": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def _train(self, X, Y, sample_weight, kind):
        """Initialise ``W ~ N(0, init_std^2)``, ``b = 0`` and run ``epochs`` epochs."""
        dtype = _float_dtype(X)
        X = np.ascontiguousarray(X, dtype)
        Y = np.ascontiguousarray(Y, dtype)
        n, d = X.shape
        k = Y.shape[1]
        sw = np.ones(n, dtype) if sample_weight is None else np.ascontiguousarray(sample_weight, dtype)
        rng = np.random.default_rng(self.random_state if not isinstance(self.random_state, np.random.RandomState)
                                    else self.random_state.randint(2**31))
        sizes, offs, n_params = layout((d, k))
        params = np.zeros(n_params, dtype)
        params[: d * k] = rng.normal(0.0, self.init_std, d * k)
        opt = create(self.optimizer, lr=float(self.lr), **(self.optimizer_params or {}))
        opt.init_state(n_params, dtype)
        kernel = compile_with(opt.spec, _CORE, "models/_mlp_train.py", active=opt.active,
                              dtype=dtype).train_batches_ex
        bs = min(int(self.batch_size), n)
        n_batches = -(-n // bs)
        eps = float(np.finfo(dtype).eps)
        # one linear layer, identity activation; weight decay as a fixed L2 coefficient (not
        # divided by the batch's weight sum); no dropout
        args = MLPKernelArgsEx.build(params, opt, sizes, offs, IDENTITY, bs, y_width=k, kind=kind,
                                     kdiv=1.0, alpha=float(self.weight_decay), alpha_mean=False,
                                     rate=0.0, seed=0, eps=eps)
        self.loss_curve_ = []

        def run_chunk(perm, b, stop, t):
            ls, sn, t = kernel(X, Y, sw, perm, b, stop, bs, t, args)
            return ChunkResult(ls, sn, t)

        def end_epoch(epoch, loss_sum, seen, seconds):
            # D2L prints the loss of the whole training set after each epoch
            data, pen = core().loss_grad_full(params, np.empty(n_params, dtype), sizes, offs,
                                              IDENTITY, kind, X, Y, sw, 0.0, eps, 4096)
            self.loss_curve_.append(float(data))

        run_epochs(opt, run_chunk, n_batches=n_batches, epochs=int(self.epochs), chunk=n_batches,
                   order=lambda epoch: rng.permutation(n).astype(np.int64), end_epoch=end_epoch)
        if not np.isfinite(params).all():
            raise ValueError("training diverged (non-finite weights); lower lr or scale the inputs")
        self.n_iter_ = int(self.epochs)
        self.t_ = int(opt.t)
        W = params[: d * k].reshape(d, k)
        b = params[d * k :]
        return W.T.copy(), b.copy()

    def _linear_output(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        coef = np.atleast_2d(self.coef_)
        return X @ coef.T.astype(X.dtype, copy=False) + np.atleast_1d(self.intercept_).astype(X.dtype)


class LinearRegressionGD(RegressorMixin, _MiniBatchLinear):
    """Linear regression trained by mini-batch stochastic gradient descent, from scratch.

    D2L 3.2: ``w ~ N(0, init_std^2)``, ``b = 0``; each epoch shuffles the rows and, batch by
    batch, follows the gradient of the batch-mean squared loss ``(y_hat - y)^2 / 2`` plus
    ``weight_decay * ||w||^2 / 2`` (D2L 3.7; the bias is not decayed). The loop is compiled.

    Parameters
    ----------
    lr : float, default 0.03
        Learning rate (> 0).
    batch_size : int, default 10
        Rows per mini-batch; the last one of an epoch may be smaller (its gradient is its own
        mean; D2L's notebook divides it by ``batch_size`` instead).
    epochs : int, default 3
        Passes over the data.
    weight_decay : float, default 0.0
        L2 coefficient lambda on the weights.
    optimizer : str, default "sgd"
        Any registered gdlab optimizer (plain ``sgd`` is D2L's ``sgd``).
    optimizer_params : dict or None
        Further hyperparameters of the optimizer (e.g. ``{"momentum": 0.9}``).
    init_std : float, default 0.01
        Standard deviation of the initial weights.
    random_state : int, Generator, RandomState or None
        Initial weights and shuffles.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    loss_curve_ : list of float
        Mean squared loss ``(y_hat - y)^2 / 2`` (summed over targets) of the whole training
        set after each epoch, without the penalty.
    n_iter_ : int
        Epochs run.
    t_ : int
        Optimizer steps taken.

    Examples
    --------
    >>> import numpy as np
    >>> from gdlab.models import LinearRegressionGD, synthetic_data
    >>> X, y = synthetic_data(np.array([2.0, -3.4]), 4.2, 1000, seed=0)
    >>> est = LinearRegressionGD(random_state=0).fit(X, y)
    >>> np.round(est.coef_, 2), round(float(est.intercept_), 2)
    (array([ 2. , -3.4]), 4.2)
    """

    def __init__(self, *, lr=0.03, batch_size=10, epochs=3, weight_decay=0.0, optimizer="sgd",
                 optimizer_params=None, init_std=0.01, random_state=None):
        self.lr = lr
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.init_std = init_std
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit on ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,) or
        (n_samples, n_targets); ``sample_weight`` weights each row's loss. Returns self.

        Raises
        ------
        ValueError
            Invalid parameters, bad shapes, NaN/inf, or divergence.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32))
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        W, b = self._train(X, Y, sample_weight, OUT_IDENTITY)
        self.coef_, self.intercept_ = (W[0], float(b[0])) if y.ndim == 1 else (W, b)
        return self

    def predict(self, X):
        """Predictions ``X @ coef_.T + intercept_``, shape (n_samples,) or (n_samples, n_targets)."""
        out = self._linear_output(X)
        return out[:, 0] if np.ndim(self.coef_) == 1 else out


class SoftmaxRegression(ClassifierMixin, _MiniBatchLinear):
    """Softmax regression trained by mini-batch SGD, from scratch (D2L 4.4).

    ``W ~ N(0, init_std^2)``, ``b = 0``, probabilities ``softmax(X W + b)``, batch-mean
    cross-entropy plus ``weight_decay * ||W||^2 / 2``; compiled mini-batch loop.

    Parameters
    ----------
    lr : float, default 0.1
    batch_size : int, default 256
    epochs : int, default 10
    weight_decay : float, default 0.0
    optimizer : str, default "sgd"
    optimizer_params : dict or None
    init_std : float, default 0.01
    random_state : int, Generator, RandomState or None
        As in :class:`LinearRegressionGD`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_features)
    intercept_ : ndarray of shape (n_classes,)
    loss_curve_ : list of float
        Mean cross-entropy of the training set after each epoch.
    n_iter_, t_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from gdlab.models import SoftmaxRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> SoftmaxRegression(epochs=200, batch_size=16, random_state=0).fit(X, y).score(X, y) > 0.9
    True
    """

    def __init__(self, *, lr=0.1, batch_size=256, epochs=10, weight_decay=0.0, optimizer="sgd",
                 optimizer_params=None, init_std=0.01, random_state=None):
        self.lr = lr
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.init_std = init_std
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit on ``X`` (n_samples, n_features) and class labels ``y`` (n_samples,). Returns self.

        Raises
        ------
        ValueError
            Invalid parameters, bad shapes, NaN/inf, fewer than 2 classes, divergence.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        enc = LabelEncoder().fit(y)
        self.classes_ = enc.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"y needs at least 2 classes, got {len(self.classes_)} "
                             f"({self.classes_!r})")
        Y = np.eye(len(self.classes_))[enc.transform(y)]
        self.coef_, self.intercept_ = self._train(X, Y, sample_weight, OUT_SOFTMAX)
        return self

    def decision_function(self, X):
        """Logits ``X @ coef_.T + intercept_``, shape (n_samples, n_classes)."""
        return self._linear_output(X)

    def predict_proba(self, X):
        """Softmax probabilities, shape (n_samples, n_classes), in ``classes_`` order."""
        z = self.decision_function(X)
        z = z - z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        return z / z.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class of each row, shape (n_samples,)."""
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


class RidgeRegression(RegressorMixin, BaseEstimator):
    """Ridge regression: minimise ``||y - X w - b||^2 + alpha ||w||^2`` (b not penalised).

    ``solver="closed_form"`` solves the normal equations ``(Xc^T Xc + alpha I) w = Xc^T yc``
    with ``scipy.linalg.solve`` (Cholesky; never an inverse) on the (weighted) centred data,
    then ``b = y_mean - x_mean @ w``: the same solution as ``sklearn.linear_model.Ridge``
    (same intercept handling and sample weights). ``solver="gd"`` runs full-batch gradient
    descent on the same objective divided by ``2 * sum(sample_weight)`` (gdlab's compiled
    loop, one batch of all rows per step) from zero, with step ``lr`` (default ``1 / L``, L the
    largest curvature, by power iteration), until the largest parameter change of a step is
    below ``tol`` times the largest parameter; it converges to the closed form.

    Parameters
    ----------
    alpha : float, default 1.0
        Penalty strength (>= 0).
    fit_intercept : bool, default True
    solver : {"closed_form", "gd"}, default "closed_form"
    lr : float or None, default None
        Step of "gd" (default 1/L).
    max_iter : int, default 100000
        Maximum gradient steps of "gd".
    tol : float, default 1e-12
        Relative stopping tolerance of "gd".

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or None
        Gradient steps taken ("gd"); None for the closed form.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from gdlab.models import RidgeRegression
    >>> X, y = load_diabetes(return_X_y=True)
    >>> import numpy as np
    >>> bool(np.allclose(RidgeRegression(alpha=0.5).fit(X, y).coef_, Ridge(alpha=0.5).fit(X, y).coef_))
    True
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"closed_form", "gd"})],
        "lr": [None, Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, solver="closed_form", lr=None,
                 max_iter=100000, tol=1e-12):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.lr = lr
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None):
        """Fit on ``X`` (n_samples, n_features) and ``y`` (n_samples,) or (n_samples, n_targets).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Invalid parameters, bad shapes, NaN/inf, negative sample weights, a singular
            system (alpha = 0 with collinear features), or "gd" not converging in max_iter.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        Y = y.reshape(-1, 1) if y.ndim == 1 else np.asarray(y, np.float64)
        if self.fit_intercept:
            x_off = np.average(X, axis=0, weights=sw)
            y_off = np.average(Y, axis=0, weights=sw)
        else:
            x_off, y_off = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
        Xc, Yc = X - x_off, Y - y_off
        if self.solver == "closed_form":
            W, b = self._closed_form(Xc, Yc, sw), np.zeros(Y.shape[1])
            self.n_iter_ = None
        else:
            W, b = self._gradient_descent(Xc, Yc, sw)
        coef = W.T  # (n_targets, n_features)
        intercept = y_off - x_off @ W + b
        self.coef_, self.intercept_ = (coef[0], float(intercept[0])) if y.ndim == 1 else (coef, intercept)
        return self

    def _closed_form(self, Xc, Yc, sw):
        r = np.sqrt(sw)[:, None]
        A, B = Xc * r, Yc * r
        n, d = A.shape
        try:
            if d <= n:  # primal: (A^T A + alpha I) W = A^T B
                G = A.T @ A
                G[np.diag_indices_from(G)] += self.alpha
                return scipy.linalg.solve(G, A.T @ B, assume_a="pos")
            K = A @ A.T  # dual (fewer rows than features): W = A^T (A A^T + alpha I)^-1 B
            K[np.diag_indices_from(K)] += self.alpha
            return A.T @ scipy.linalg.solve(K, B, assume_a="pos")
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError) as e:
            raise ValueError(f"the ridge system is singular (alpha={self.alpha!r}); use alpha > 0 "
                             f"or remove collinear features ({e})") from None

    def _gradient_descent(self, Xc, Yc, sw):
        r = np.sqrt(sw)[:, None]
        A, B = np.ascontiguousarray(Xc * r), np.ascontiguousarray(Yc * r)
        S = float(sw.sum())
        lr = float(self.lr) if self.lr is not None else 1.0 / self._curvature(A, S)
        W = np.zeros((A.shape[1], B.shape[1]))
        steps, per_call = 0, 100
        while steps < self.max_iter:
            todo = min(per_call, self.max_iter - steps)
            last = _ridge_gd_steps(A, B, W, float(self.alpha), S, lr, todo)
            steps += todo
            if not np.isfinite(W).all():
                raise ValueError(f"gradient descent diverged (lr={lr!r}); use a smaller lr")
            if last <= self.tol * max(1.0, np.abs(W).max()):
                break
        else:
            raise ValueError(f"gradient descent did not converge in max_iter={self.max_iter} steps "
                             f"(tol={self.tol!r}); raise max_iter or tol")
        self.n_iter_ = steps
        return W, np.zeros(B.shape[1])

    def _curvature(self, A, S, iters: int = 100) -> float:
        """Largest eigenvalue of the Hessian ``(A^T A + alpha I) / S`` by power iteration,
        times 1.1 (a step 1/L then stays below 2/lambda_max even if L is underestimated)."""
        v = np.ones(A.shape[1]) / np.sqrt(A.shape[1])
        lam = 0.0
        for _ in range(iters):
            Hv = (A.T @ (A @ v) + self.alpha * v) / S
            lam = float(np.linalg.norm(Hv))
            if lam == 0.0:
                return 1.0
            v = Hv / lam
        return 1.1 * lam

    def predict(self, X):
        """Predictions ``X @ coef_.T + intercept_``, shape (n_samples,) or (n_samples, n_targets)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ np.asarray(self.coef_).T + self.intercept_

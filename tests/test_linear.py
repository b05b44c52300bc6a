"""Classical models (linear, softmax, ridge regression), initialisers, weight decay, dropout
pieces and the toy data sets."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.utils._param_validation import InvalidParameterError

from gdlab.datasets._toy import exp_curve, load_diabetes, load_digits, load_iris
from gdlab.models import (LinearRegressionGD, RidgeRegression, SoftmaxRegression, data_iter,
                          dropout_layer, dropout_mask, he_normal, he_uniform, l2_penalty,
                          synthetic_data, xavier_normal, xavier_uniform)


# --------------------------------------------------------------------------- ridge
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", ["tall", "wide", "two-targets"])
def test_ridge_closed_form_equals_sklearn(fit_intercept, weighted, shape, rng):
    n, d = {"tall": (60, 8), "wide": (12, 30), "two-targets": (50, 6)}[shape]
    X = rng.standard_normal((n, d)) * rng.uniform(0.1, 10, d) + rng.standard_normal(d)
    y = X @ rng.standard_normal(d) + 3.0 + rng.standard_normal(n)
    if shape == "two-targets":
        y = np.c_[y, rng.standard_normal(n)]
    sw = rng.uniform(0.1, 3.0, n) if weighted else None
    ours = RidgeRegression(alpha=0.7, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = Ridge(alpha=0.7, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert np.shape(ours.coef_) == np.shape(ref.coef_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("alpha", [0.1, 3.0])
def test_ridge_gradient_descent_converges_to_the_closed_form(alpha, rng):
    X, y = load_diabetes()
    sw = rng.uniform(0.2, 2.0, len(y))
    exact = RidgeRegression(alpha=alpha).fit(X, y, sample_weight=sw)
    gd = RidgeRegression(alpha=alpha, solver="gd").fit(X, y, sample_weight=sw)
    assert gd.n_iter_ > 10
    scale = np.abs(exact.coef_).max()
    np.testing.assert_allclose(gd.coef_, exact.coef_, rtol=0, atol=1e-8 * scale)
    assert gd.intercept_ == pytest.approx(exact.intercept_, abs=1e-8 * scale)
    # a fixed small step converges too, only slower; too few steps is an error
    with pytest.raises(ValueError, match="did not converge"):
        RidgeRegression(alpha=alpha, solver="gd", max_iter=20).fit(X, y)
    with pytest.raises(ValueError, match="diverged"):
        RidgeRegression(alpha=alpha, solver="gd", lr=1e4).fit(X, y)


def test_ridge_errors():
    X, y = load_diabetes()
    with pytest.raises(InvalidParameterError, match="'alpha' parameter"):
        RidgeRegression(alpha=-1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'solver' parameter"):
        RidgeRegression(solver="svd").fit(X, y)
    with pytest.raises(ValueError, match="singular"):
        RidgeRegression(alpha=0.0).fit(np.c_[X, X[:, :1]], y)
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        RidgeRegression().fit(X, y, sample_weight=-np.ones(len(y)))
    est = RidgeRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        est.predict(X[:, :3])


# --------------------------------------------------------------------------- linear and softmax regression
def test_linear_regression_recovers_the_true_weights():
    true_w, true_b = np.array([2.0, -3.4]), 4.2  # D2L 3.2
    X, y = synthetic_data(true_w, true_b, 1000, noise=0.01, seed=0)
    est = LinearRegressionGD(lr=0.03, batch_size=10, epochs=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(est.coef_, true_w, atol=2e-3)
    assert est.intercept_ == pytest.approx(true_b, abs=2e-3)
    assert est.loss_curve_[-1] < 1e-4 < est.loss_curve_[0] and len(est.loss_curve_) == 3
    assert est.t_ == 3 * 100
    assert est.score(X, y) > 0.9999


def test_weight_decay_equals_ridge_with_alpha_n_lambda(rng):
    """Full-batch GD on mean(r^2)/2 + lam ||w||^2/2 (the bias not decayed) minimises the ridge
    objective with alpha = n * lam."""
    X, y = synthetic_data(np.array([1.0, -2.0, 0.5]), 1.0, 200, noise=0.5, seed=1)
    lam = 0.3
    est = LinearRegressionGD(lr=0.2, batch_size=200, epochs=400, weight_decay=lam,
                             random_state=0).fit(X, y)
    ref = Ridge(alpha=200 * lam).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-8)
    assert est.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
    assert np.abs(est.coef_).sum() < np.abs(LinearRegressionGD(random_state=0).fit(X, y).coef_).sum()


def test_softmax_regression_recovers_known_weights():
    rng = np.random.default_rng(7)
    W = np.array([[2.0, -1.0, 0.0], [0.0, 1.5, -1.0], [-1.0, 0.0, 1.0], [0.5, 0.5, -2.0]])  # (d, k)
    b = np.array([0.5, -0.5, 0.0])
    X = rng.standard_normal((20000, 4))
    Z = X @ W + b
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = (rng.uniform(size=(len(X), 1)) > P.cumsum(axis=1)).sum(axis=1)
    est = SoftmaxRegression(lr=1.0, batch_size=5000, epochs=300, random_state=0).fit(X, y)
    # softmax weights are identified up to a vector added to every class: compare centred
    got, want = est.coef_.T - est.coef_.T.mean(axis=1, keepdims=True), W - W.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(got, want, atol=0.12)
    np.testing.assert_allclose(est.intercept_ - est.intercept_.mean(), b - b.mean(), atol=0.08)
    np.testing.assert_allclose(est.predict_proba(X[:5]).sum(axis=1), 1.0)
    assert est.score(X, y) > 0.7


def test_softmax_regression_on_iris_with_cross_validation():
    X, y = load_iris()
    X = (X - X.mean(0)) / X.std(0)
    cv = KFold(n_splits=5, shuffle=True, random_state=0)
    scores = cross_val_score(SoftmaxRegression(epochs=100, batch_size=16, random_state=0), X, y, cv=cv)
    assert scores.shape == (5,) and scores.mean() > 0.9


def test_linear_model_errors():
    X, y = synthetic_data(np.array([1.0]), 0.0, 20, seed=0)
    with pytest.raises(InvalidParameterError, match="'lr' parameter"):
        LinearRegressionGD(lr=0).fit(X, y)
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        LinearRegressionGD(optimizer_params={"nope": 1}).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SoftmaxRegression().fit(X, np.zeros(20, int))
    with pytest.raises(ValueError, match="diverged"):
        LinearRegressionGD(lr=1e3, epochs=50, random_state=0).fit(X * 100, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LinearRegressionGD().fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="w must be a non-empty 1-D array"):
        synthetic_data(np.ones((2, 2)), 0.0, 10)
    with pytest.raises(ValueError, match="batch_size"):
        next(data_iter(0, X, y))


def test_data_iter_visits_every_row_once():
    X, y = synthetic_data(np.array([1.0, 2.0]), 0.0, 23, seed=0)
    batches = list(data_iter(5, X, y, seed=1))
    assert [len(b[0]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(np.sort(seen), np.sort(y))


# --------------------------------------------------------------------------- pieces
@pytest.mark.parametrize("init", [xavier_uniform, xavier_normal, he_uniform, he_normal])
def test_initialisers_have_the_published_variance(init):
    fi, fo = 400, 300
    W = init(fi, fo, seed=0)
    assert W.shape == (fi, fo) and W.dtype == np.float64
    want = {xavier_uniform: 2 / (fi + fo), xavier_normal: 2 / (fi + fo),
            he_uniform: 2 / fi, he_normal: 2 / fi}[init]
    assert W.var() == pytest.approx(want, rel=0.02)
    assert abs(W.mean()) < 0.01 * np.sqrt(want) * 10
    if init in (xavier_uniform, he_uniform):
        assert np.abs(W).max() <= np.sqrt(3 * want)
    assert init(3, 2, seed=1, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="fan_in"):
        init(0, 3)


def test_dropout_layer_and_l2_penalty():
    X = np.arange(1.0, 10001.0).reshape(100, 100)
    assert np.array_equal(dropout_layer(X, 0.0), X)
    assert not dropout_layer(X, 1.0).any()
    Y = dropout_layer(X, 0.25, seed=0)
    kept = Y != 0
    np.testing.assert_allclose(Y[kept], X[kept] / 0.75)
    assert 0.22 < 1 - kept.mean() < 0.28
    assert Y.mean() == pytest.approx(X.mean(), rel=0.02)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\]"):
        dropout_layer(X, 1.5)
    assert l2_penalty(np.array([[3.0, 4.0]])) == 12.5
    m = dropout_mask((50, 40), 0.5, seed=1, step=2)
    assert set(np.unique(m)) == {0.0, 2.0} and 0.4 < (m == 0).mean() < 0.6
    np.testing.assert_array_equal(m, dropout_mask((50, 40), 0.5, seed=1, step=2))
    with pytest.raises(ValueError, match="step"):
        dropout_mask((2, 2), 0.5, seed=1, step=-1)


# --------------------------------------------------------------------------- toy data
def test_toy_datasets():
    x, y = exp_curve()
    assert x.shape == (61, 1) and y.shape == (61,)
    assert x[0, 0] == -3.0 and x[-1, 0] == 3.0 and x[30, 0] == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(y, np.exp(x[:, 0]))
    X, t = load_iris(dtype=np.float32)
    assert X.shape == (150, 4) and X.dtype == np.float32 and set(t) == {0, 1, 2}
    X, t = load_digits()
    assert X.shape == (1797, 64) and X.max() == 1.0 and t.dtype == np.int64
    X, t = load_diabetes()
    assert X.shape == (442, 10) and t.shape == (442,)
    with pytest.raises(ValueError, match="whole number"):
        exp_curve(0.0, 1.0, 0.3)
    with pytest.raises(TypeError, match="float32 or float64"):
        load_iris(dtype=np.int32)

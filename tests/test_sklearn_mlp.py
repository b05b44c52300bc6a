"""gdlab.sklearn's MLPClassifier/MLPRegressor: kernels against finite differences and NumPy,
trajectories against scikit-learn's own estimators, errors, the gdlab extensions."""

import pickle
import warnings

import numpy as np
import pytest
import sklearn.neural_network as skn
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import gdlab.sklearn as gds
from gdlab.models import dropout_mask
from gdlab.models._codes import ACTIVATIONS
from gdlab.models._mlp import core, layout, work_buffers
from gdlab.models._outputs import OUTPUTS

EPS64 = float(np.finfo(np.float64).eps)


# --------------------------------------------------------------------------- references
def _act(name, z):
    return {"relu": lambda: np.maximum(z, 0), "tanh": lambda: np.tanh(z),
            "logistic": lambda: 1 / (1 + np.exp(-z)), "identity": lambda: z}[name]()


def _dact(name, a):
    return {"relu": lambda: (a > 0).astype(float), "tanh": lambda: 1 - a**2,
            "logistic": lambda: a * (1 - a), "identity": lambda: np.ones_like(a)}[name]()


def _out(kind, z):
    if kind == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return {"logistic": lambda: 1 / (1 + np.exp(-z)), "exp": lambda: np.exp(z),
            "identity": lambda: z}[kind]()


def _row_loss(kind, P, Y):
    """scikit-learn's per-row losses (neural_network/_base.py), summed over outputs."""
    Pc = np.clip(P, EPS64, 1 - EPS64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "softmax":
            return -np.where(Y != 0, Y * np.log(Pc), 0).sum(axis=1)
        if kind == "logistic":
            return -(np.where(Y != 0, Y * np.log(Pc), 0)
                     + np.where(1 - Y != 0, (1 - Y) * np.log(1 - Pc), 0)).sum(axis=1)
        if kind == "exp":
            return (np.where(Y != 0, Y * np.log(Y / P), 0) - Y + P).sum(axis=1)
    return 0.5 * ((P - Y) ** 2).sum(axis=1)


def numpy_loss_grad(Ws, bs, activation, kind, X, Y, sw, alpha, masks=None):
    """Slow float64 NumPy version of scikit-learn's ``_backprop`` (weighted loss, L2 term
    alpha / (2 sum(sw)) on the weights), with optional inverted-dropout masks per hidden layer."""
    A = [X]
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = A[-1] @ W + b
        if l < len(Ws) - 1:
            Z = _act(activation, Z)
            if masks is not None:
                Z = Z * masks[l]
        A.append(Z)
    P = _out(kind, A[-1])
    S = sw.sum()
    loss = (sw * _row_loss(kind, P, Y)).sum() / S + 0.5 * alpha * sum((W**2).sum() for W in Ws) / S
    D = (P - Y) * sw[:, None]
    gWs, gbs = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        gWs[l] = (A[l].T @ D + alpha * Ws[l]) / S
        gbs[l] = D.sum(axis=0) / S
        if l > 0:
            D = D @ Ws[l].T
            if masks is not None:
                a0 = A[l] / np.where(masks[l - 1] > 0, masks[l - 1], 1)
                D = D * masks[l - 1] * _dact(activation, a0)
            else:
                D = D * _dact(activation, A[l])
    return loss, gWs, gbs


def _problem(kind, rng, sizes=(5, 7, 6, 3), n=13):
    X = rng.standard_normal((n, sizes[0]))
    k = sizes[-1]
    if kind == "softmax":
        Y = np.eye(k)[rng.integers(0, k, n)]
    elif kind == "logistic":
        Y = (rng.uniform(size=(n, k)) < 0.5).astype(float)
    elif kind == "exp":
        Y = rng.poisson(2.0, (n, k)).astype(float)
    else:
        Y = rng.standard_normal((n, k))
    sizes_, offs, n_params = layout(sizes)
    params = rng.uniform(-0.5, 0.5, n_params)
    return X, Y, sizes_, offs, params


def _kernel_loss_grad(params, sizes, offs, activation, kind, X, Y, sw, alpha, rate=0.0, seed=0,
                      step=0):
    grads = np.zeros_like(params)
    acts, aoffs, deltas = work_buffers(sizes, X.shape[0], np.float64)
    data, pen = core().loss_grad_ex(params, grads, sizes, offs, ACTIVATIONS[activation],
                                    OUTPUTS[kind], X, Y, sw, alpha, True, rate, seed, step, EPS64,
                                    acts, aoffs, deltas)
    return data + pen, grads


def _split(params, sizes, offs):
    Ws, bs = [], []
    for l in range(len(sizes) - 1):
        fi, fo, o = sizes[l], sizes[l + 1], offs[l]
        Ws.append(params[o : o + fi * fo].reshape(fi, fo))
        bs.append(params[o + fi * fo : o + fi * fo + fo])
    return Ws, bs


KINDS = ["softmax", "logistic", "identity", "exp"]


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_gradient_matches_central_finite_differences(kind, rate, rng):
    X, Y, sizes, offs, params = _problem(kind, rng)
    sw = rng.uniform(0.2, 2.0, X.shape[0])
    act = "tanh" if rate else "logistic"
    args = (sizes, offs, act, kind, X, Y, sw, 0.7, rate, 11, 5)
    loss, grad = _kernel_loss_grad(params, *args)
    h = 1e-6
    fd = np.empty_like(params)
    for i in range(params.size):
        p = params.copy()
        p[i] += h
        up = _kernel_loss_grad(p, *args)[0]
        p[i] -= 2 * h
        fd[i] = (up - _kernel_loss_grad(p, *args)[0]) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    assert np.abs(grad).max() > 1e-3


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_loss_and_gradient_match_numpy_reference(kind, activation, rng):
    X, Y, sizes, offs, params = _problem(kind, rng)
    sw = rng.uniform(0.2, 2.0, X.shape[0])
    loss, grad = _kernel_loss_grad(params, sizes, offs, activation, kind, X, Y, sw, 0.3)
    Ws, bs = _split(params, sizes, offs)
    ref_loss, gWs, gbs = numpy_loss_grad(Ws, bs, activation, kind, X, Y, sw, 0.3)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    ref = np.concatenate([np.r_[gW.ravel(), gb] for gW, gb in zip(gWs, gbs)])
    np.testing.assert_allclose(grad, ref, rtol=1e-10, atol=1e-14)
    # the full-batch (L-BFGS) kernel, in chunks of 4 rows, gives the same loss and gradient
    g2 = np.empty_like(params)
    data, pen = core().loss_grad_full(params, g2, sizes, offs, ACTIVATIONS[activation], OUTPUTS[kind],
                                      X, Y, sw, 0.3, EPS64, 4)
    assert data + pen == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(g2, ref, rtol=1e-10, atol=1e-14)


def test_dropout_forward_backward_match_numpy_with_the_same_masks(rng):
    X, Y, sizes, offs, params = _problem("softmax", rng, sizes=(4, 9, 8, 3), n=10)
    sw = np.ones(10)
    rate, seed, step = 0.4, 3, 7
    loss, grad = _kernel_loss_grad(params, sizes, offs, "relu", "softmax", X, Y, sw, 0.1, rate, seed, step)
    masks = [dropout_mask((10, int(sizes[l + 1])), rate, seed=seed, step=step, layer=l) for l in range(2)]
    for m in masks:  # inverted dropout: 0 or 1/(1-rate), a fraction ~rate of zeros
        assert set(np.unique(m)) <= {0.0, 1 / (1 - rate)}
        assert 0.15 < (m == 0).mean() < 0.65
    Ws, bs = _split(params, sizes, offs)
    ref_loss, gWs, gbs = numpy_loss_grad(Ws, bs, "relu", "softmax", X, Y, sw, 0.1, masks)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    ref = np.concatenate([np.r_[gW.ravel(), gb] for gW, gb in zip(gWs, gbs)])
    np.testing.assert_allclose(grad, ref, rtol=1e-9, atol=1e-13)
    other = dropout_mask((10, 9), rate, seed=seed, step=step + 1, layer=0)
    assert not np.array_equal(other, masks[0])  # a new mask every step


def test_predict_kernel_applies_the_output_activation(rng):
    for kind in KINDS:
        X, _, sizes, offs, params = _problem(kind, rng)
        Ws, bs = _split(params, sizes, offs)
        Z = X
        for l, (W, b) in enumerate(zip(Ws, bs)):
            Z = Z @ W + b
            Z = _act("relu", Z) if l < len(Ws) - 1 else _out(kind, Z)
        got = core().predict_out(params, sizes, offs, ACTIVATIONS["relu"], OUTPUTS[kind], X, 5)
        np.testing.assert_allclose(got, Z, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- against scikit-learn
def _digits():
    from gdlab.datasets._toy import load_digits

    X, y = load_digits()
    return X[:600], y[:600]


def _diabetes():
    from gdlab.datasets._toy import load_diabetes

    X, y = load_diabetes()
    return X, y / 100.0


def _both(cls, kw, X, y, sw=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = getattr(skn, cls)(**kw).fit(X, y, sample_weight=sw)
        b = getattr(gds, cls)(**kw).fit(X, y, sample_weight=sw)
    return a, b


def _assert_same_fit(a, b, atol=1e-10):
    assert b.n_iter_ == a.n_iter_
    assert b.out_activation_ == a.out_activation_
    for A, B in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert A.shape == B.shape and A.dtype == B.dtype
        np.testing.assert_allclose(B, A, rtol=0, atol=atol)
    assert b.loss_ == pytest.approx(a.loss_, rel=1e-10)
    if hasattr(a, "loss_curve_"):
        np.testing.assert_allclose(b.loss_curve_, a.loss_curve_, rtol=1e-10)
        assert b.t_ == a.t_
        assert (b.best_loss_ is None) == (a.best_loss_ is None)
        if a.validation_scores_ is not None:
            np.testing.assert_allclose(b.validation_scores_, a.validation_scores_, rtol=1e-12)
            assert b.best_validation_score_ == pytest.approx(a.best_validation_score_)


CLF_CASES = {
    "sgd-nesterov": dict(hidden_layer_sizes=(16,), solver="sgd", max_iter=4, learning_rate_init=0.05),
    "sgd-invscaling-tanh-2layers": dict(hidden_layer_sizes=(12, 8), activation="tanh", solver="sgd",
                                        learning_rate="invscaling", learning_rate_init=0.5,
                                        nesterovs_momentum=False, max_iter=4),
    "sgd-adaptive-early-stopping": dict(hidden_layer_sizes=(16,), solver="sgd", max_iter=12,
                                        early_stopping=True, learning_rate="adaptive",
                                        n_iter_no_change=2, learning_rate_init=0.05),
    "adam-batch-50-no-shuffle": dict(hidden_layer_sizes=(16,), solver="adam", max_iter=4,
                                     batch_size=50, shuffle=False, learning_rate_init=0.01),
    "lbfgs": dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=25),
}


@pytest.mark.parametrize("case", list(CLF_CASES))
def test_classifier_follows_sklearn_trajectory(case, rng):
    """Same random_state: same initial weights, shuffles and splits, hence the same weights
    after training as scikit-learn's MLPClassifier, up to rounding (float64)."""
    X, y = _digits()
    sw = rng.uniform(0.5, 2.0, len(y)) if "invscaling" in case else None
    a, b = _both("MLPClassifier", dict(CLF_CASES[case], random_state=0), X, y, sw)
    _assert_same_fit(a, b, atol=1e-9 if case == "lbfgs" else 1e-12)
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), atol=1e-9)
    np.testing.assert_array_equal(b.predict(X), a.predict(X))


def test_binary_and_multilabel_use_logistic_outputs_like_sklearn(rng):
    from sklearn.datasets import make_multilabel_classification

    X, y = _digits()
    sw = rng.uniform(0.5, 2.0, len(y))
    kw = dict(hidden_layer_sizes=(8,), activation="logistic", max_iter=4, random_state=1,
              early_stopping=True, learning_rate_init=0.01)
    a, b = _both("MLPClassifier", kw, X, y % 2, sw)  # binary, stratified split, weighted
    assert b.out_activation_ == "logistic" and b.coefs_[-1].shape[1] == 1
    _assert_same_fit(a, b, atol=1e-12)
    assert b.predict_proba(X).shape == (len(y), 2)
    Xm, ym = make_multilabel_classification(120, 6, n_classes=3, random_state=0)
    a, b = _both("MLPClassifier", dict(hidden_layer_sizes=(8,), max_iter=4, random_state=1), Xm, ym)
    _assert_same_fit(a, b, atol=1e-12)
    assert b.predict(Xm).shape == ym.shape


@pytest.mark.parametrize("case", ["adam-2-outputs", "sgd-poisson-weighted", "lbfgs-poisson"])
def test_regressor_follows_sklearn_trajectory(case, rng):
    X, y = _diabetes()
    sw = None
    if case == "adam-2-outputs":
        y = np.c_[y, np.sqrt(y)]
        kw = dict(hidden_layer_sizes=(16,), max_iter=5, learning_rate_init=0.01)
    elif case == "sgd-poisson-weighted":
        sw = rng.uniform(0.5, 2.0, len(y))
        kw = dict(loss="poisson", hidden_layer_sizes=(16,), solver="sgd", max_iter=5,
                  learning_rate_init=1e-3)
    else:
        kw = dict(loss="poisson", hidden_layer_sizes=(16,), solver="lbfgs", max_iter=40)
    a, b = _both("MLPRegressor", dict(kw, random_state=1), X, y, sw)
    _assert_same_fit(a, b, atol=1e-7 if "lbfgs" in case else 1e-12)
    np.testing.assert_allclose(b.predict(X), a.predict(X), rtol=1e-6)


def test_multi_output_squared_error_loss_is_reported_as_sklearn_reports_it():
    """With several outputs scikit-learn reports the squared error averaged over outputs (its
    gradient sums them); gdlab reports the same quantity, for L-BFGS and for the stochastic
    solvers, while its L-BFGS minimises the objective whose gradient it follows."""
    X, y = _diabetes()
    Y = np.c_[y, np.sqrt(y)]

    def reported(est):
        P = est.predict(X)
        pen = 0.5 * est.alpha * sum((W.astype(float) ** 2).sum() for W in est.coefs_) / len(X)
        return 0.5 * ((P - Y) ** 2).mean(axis=0).mean() + pen

    a, b = _both("MLPRegressor", dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300,
                                      random_state=1), X, Y)
    assert a.loss_ == pytest.approx(reported(a), rel=1e-9)
    assert b.loss_ == pytest.approx(reported(b), rel=1e-9)
    assert b.loss_ < 0.1 and abs(b.loss_ - a.loss_) < 0.05 * a.loss_


def test_partial_fit_equals_fit_epoch_by_epoch():
    X, y = _digits()
    kw = dict(hidden_layer_sizes=(16,), solver="sgd", shuffle=False, learning_rate_init=0.05,
              random_state=0)
    full = gds.MLPClassifier(max_iter=3, **kw)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        full.fit(X, y)
    inc = gds.MLPClassifier(**kw)
    inc.partial_fit(X, y, classes=np.unique(y))
    inc.partial_fit(X, y)
    inc.partial_fit(X, y)
    assert inc.n_iter_ == 1 and inc.t_ == 3 * len(y)
    sk = skn.MLPClassifier(**kw)
    for _ in range(3):
        sk.partial_fit(X, y, classes=np.unique(y))
    for A, B, C in zip(full.coefs_, inc.coefs_, sk.coefs_):
        np.testing.assert_allclose(B, A, atol=1e-13)
        np.testing.assert_allclose(B, C, atol=1e-12)


def test_warm_start_continues_from_the_previous_weights():
    X, y = _digits()
    kw = dict(hidden_layer_sizes=(16,), solver="adam", max_iter=2, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = skn.MLPClassifier(**kw).fit(X, y).fit(X, y)
        b = gds.MLPClassifier(**kw).fit(X, y).fit(X, y)
    for A, B in zip(a.coefs_, b.coefs_):
        np.testing.assert_allclose(B, A, atol=1e-12)
    with pytest.raises(ValueError, match="warm_start can only be used"):
        b.fit(X[y < 5], y[y < 5])


def test_float32_inputs_stay_float32_and_track_float64():
    X, y = _digits()
    kw = dict(hidden_layer_sizes=(16,), solver="adam", max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b32 = gds.MLPClassifier(**kw).fit(X.astype(np.float32), y)
        b64 = gds.MLPClassifier(**kw).fit(X, y)
        a32 = skn.MLPClassifier(**kw).fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in b32.coefs_ + b32.intercepts_)
    assert b32.predict_proba(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(b32.loss_curve_, b64.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(b32.loss_curve_, a32.loss_curve_, rtol=1e-4)
    for A, B in zip(a32.coefs_, b32.coefs_):
        np.testing.assert_allclose(B, A, atol=1e-4)


def test_convergence_warning_and_no_improvement_stop():
    X, y = _digits()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\) reached"):
        gds.MLPClassifier((8,), max_iter=2, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        gds.MLPClassifier((8,), solver="lbfgs", max_iter=2, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stops before max_iter: no warning
        est = gds.MLPClassifier((8,), max_iter=200, tol=10.0, n_iter_no_change=2,
                                random_state=0).fit(X, y)
    # epoch 1 sets best_loss_; epochs 2, 3, 4 fail to improve by tol: 3 > n_iter_no_change
    assert est.n_iter_ == 4 == len(est.loss_curve_)


# --------------------------------------------------------------------------- gdlab extensions
def test_any_registered_optimizer_and_preset():
    X, y = _digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = gds.MLPClassifier((16,), optimizer="sgd", learning_rate_init=0.2, max_iter=5,
                                  random_state=0).fit(X, y)
        sk = skn.MLPClassifier((16,), solver="sgd", momentum=0.0, learning_rate_init=0.2,
                               max_iter=5, random_state=0).fit(X, y)
        decayed = gds.MLPClassifier((16,), optimizer="sgd", learning_rate_init=0.2, max_iter=5,
                                    optimizer_params={"weight_decay": 0.05}, random_state=0).fit(X, y)
    # PyTorch's plain SGD (no momentum) is scikit-learn's SGD with momentum 0
    for A, B in zip(sk.coefs_, plain.coefs_):
        np.testing.assert_allclose(B, A, atol=1e-12)
    assert plain.loss_curve_[-1] < plain.loss_curve_[0]
    assert sum(np.abs(c).sum() for c in decayed.coefs_) < sum(np.abs(c).sum() for c in plain.coefs_)
    # the solver's own rule under another library's preset (built, not trained: one compile less)
    opt = gds.MLPClassifier((16,), preset="torch", beta_1=0.8)._make_optimizer()
    assert (opt.spec.name, opt.spec.preset, opt.hyper["beta1"]) == ("adam", "torch", 0.8)
    opt = gds.MLPClassifier(optimizer="rmsprop", optimizer_params={"centered": True},
                            learning_rate_init=0.01)._make_optimizer()
    assert (opt.spec.name, opt.hyper["lr"], opt.hyper["centered"]) == ("rmsprop", 0.01, True)


def test_dropout_trains_deterministically_and_is_off_at_predict():
    X, y = _digits()
    kw = dict(hidden_layer_sizes=(32,), dropout=0.3, max_iter=5, random_state=0,
              learning_rate_init=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = gds.MLPClassifier(**kw).fit(X, y)
        b = gds.MLPClassifier(**kw).fit(X, y)
        c = gds.MLPClassifier(**{**kw, "dropout": 0.0}).fit(X, y)
    for A, B, C in zip(a.coefs_, b.coefs_, c.coefs_):
        np.testing.assert_array_equal(A, B)
        assert np.abs(A - C).max() > 1e-3
    np.testing.assert_array_equal(a.predict_proba(X), a.predict_proba(X))
    assert a.score(X, y) > 0.8


def test_pickle_keeps_predictions_and_optimizer_state():
    X, y = _digits()
    est = gds.MLPClassifier((8,), solver="sgd", max_iter=1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(again._optimizer.state, est._optimizer.state)
    est.partial_fit(X, y)
    again.partial_fit(X, y)
    np.testing.assert_array_equal(again.coefs_[0], est.coefs_[0])


# --------------------------------------------------------------------------- errors
def test_scikit_learn_style_errors():
    X, y = _digits()
    est = gds.MLPClassifier((8,), max_iter=1, random_state=0)
    with pytest.raises(NotFittedError):
        est.predict(X)
    with pytest.raises(InvalidParameterError, match="'alpha' parameter"):
        gds.MLPClassifier(alpha=-1.0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'solver' parameter"):
        gds.MLPRegressor(solver="newton").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'dropout' parameter"):
        gds.MLPClassifier(dropout=1.0).fit(X, y)
    with pytest.raises(ValueError, match="unknown optimizer|registered|nope"):
        gds.MLPClassifier(optimizer="nope").fit(X, y)
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        gds.MLPClassifier(optimizer_params={"nope": 1}).fit(X, y)
    with pytest.raises(ValueError, match="needs a stochastic solver"):
        gds.MLPClassifier(solver="lbfgs", dropout=0.5).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        gds.MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    bad = X.copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        gds.MLPClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gds.MLPClassifier().fit(X, y[:-1])
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    with pytest.raises(ValueError, match="X has 10 features, but MLPClassifier is expecting 64"):
        est.predict(X[:, :10])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(bad)
    with pytest.raises(ValueError, match="classes not in"):
        est.partial_fit(X, y + 20)
    with pytest.raises(ValueError, match="Unknown label type"):
        gds.MLPClassifier().fit(X, np.linspace(0, 1, len(y)))
    assert not hasattr(gds.MLPClassifier(solver="lbfgs"), "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        gds.MLPRegressor(solver="lbfgs").partial_fit(X, y)
    with pytest.raises(ValueError, match="requires y >= 0"):
        gds.MLPRegressor(loss="poisson").fit(X, y - 5.0)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        gds.MLPClassifier(early_stopping=True).partial_fit(X, y, classes=np.unique(y))

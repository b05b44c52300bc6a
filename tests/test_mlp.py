"""The compiled MLP against central finite differences and a plain-NumPy implementation."""

import math

import numpy as np
import pytest

from gdlab.models import MLP
from gdlab.optim import create
from gdlab.training import TrainingDiverged, train

ACTS = {
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "logistic": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "identity": (lambda z: z, lambda a: np.ones_like(a)),
}


def numpy_loss_grad(model, params, X, y):
    """Slow, obvious float64 NumPy forward/backward of the same network."""
    f, df = ACTS[model.activation]
    Ws, bs = [], []
    for l in range(model.n_layers):
        W, b = model.layer(l, params)
        Ws.append(W.astype(np.float64))
        bs.append(b.astype(np.float64))
    A = [X.astype(np.float64)]
    for l in range(model.n_layers):
        Z = A[-1] @ Ws[l] + bs[l]
        A.append(f(Z) if l < model.n_layers - 1 else Z)
    Z = A[-1]
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    n = X.shape[0]
    loss = -logp[np.arange(n), y].mean()
    D = np.exp(logp)
    D[np.arange(n), y] -= 1
    D /= n
    grad = np.zeros(model.n_params)
    for l in range(model.n_layers - 1, -1, -1):
        gW, gb = model.layer(l, grad)
        gW[:] = A[l].T @ D
        gb[:] = D.sum(axis=0)
        if l > 0:
            D = (D @ Ws[l].T) * df(A[l])
    return loss, grad


def small_problem(rng, activation="relu", dtype=np.float64, sizes=(6, 9, 7, 4), n=23):
    model = MLP(sizes, activation, dtype=dtype, seed=3)
    X = rng.standard_normal((n, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], n)
    return model, X, y


@pytest.mark.parametrize("activation", list(ACTS))
def test_gradient_matches_central_finite_differences(activation, rng):
    model, X, y = small_problem(rng, activation)
    loss, grad = model.loss_and_grad(X, y)
    h = 1e-6
    fd = np.empty(model.n_params)
    for i in range(model.n_params):
        p = model.params.copy()
        p[i] += h
        up = model.loss_and_grad(X, y, p)[0]
        p[i] -= 2 * h
        down = model.loss_and_grad(X, y, p)[0]
        fd[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    assert np.abs(grad).max() > 1e-3  # the check is not vacuous


@pytest.mark.parametrize("activation", list(ACTS))
def test_loss_and_gradient_match_numpy(activation, rng):
    model, X, y = small_problem(rng, activation)
    loss, grad = model.loss_and_grad(X, y)
    ref_loss, ref_grad = numpy_loss_grad(model, model.params, X, y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-14)


def test_evaluate_and_predict_match_numpy(rng):
    model, X, y = small_problem(rng, "tanh", n=250)
    loss, acc = model.evaluate(X, y, chunk=64)  # several chunks, a partial last one
    ref_loss, _ = numpy_loss_grad(model, model.params, X, y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    proba = model.predict_proba(X, chunk=64)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert acc == pytest.approx(np.mean(model.predict(X) == y))
    assert -np.log(proba[np.arange(len(y)), y]).mean() == pytest.approx(ref_loss, rel=1e-10)


def numpy_sgd_training(model, X, y, *, lr, momentum, epochs, batch_size, seed):
    """Plain NumPy mini-batch SGD (PyTorch momentum rule) with gdlab's shuffling contract."""
    params = model.params.astype(np.float64).copy()
    buf = np.zeros_like(params)
    rng = np.random.default_rng(seed)
    t = 0
    for _ in range(epochs):
        perm = rng.permutation(X.shape[0])
        for lo in range(0, X.shape[0], batch_size):
            idx = perm[lo : lo + batch_size]
            _, g = numpy_loss_grad(model, params, X[idx], y[idx])
            t += 1
            buf = g.copy() if t == 1 else momentum * buf + g
            params -= lr * (buf if momentum else g)
    return params


def test_training_steps_equal_plain_numpy(rng):
    model, X, y = small_problem(rng, "relu", n=50)
    start = model.params.copy()
    ref = numpy_sgd_training(model, X, y, lr=0.2, momentum=0.9, epochs=3, batch_size=16, seed=7)
    opt = create("sgd", lr=0.2, momentum=0.9)
    hist = train(model, opt, X, y, epochs=3, batch_size=16, seed=7)
    assert opt.t == 3 * 4  # 50 rows: batches of 16, 16, 16, 2
    assert not np.allclose(model.params, start)
    np.testing.assert_allclose(model.params, ref, rtol=1e-9, atol=1e-12)
    assert len(hist.records) == 3


def test_same_seed_same_history_and_parameters(rng):
    X = rng.standard_normal((300, 12)).astype(np.float32)
    y = rng.integers(0, 3, 300)
    runs = []
    for _ in range(2):
        model = MLP((12, 16, 3), seed=5)
        h = train(model, create("adam", lr=0.01), X, y, X_test=X[:50], y_test=y[:50],
                  epochs=3, batch_size=32, seed=11)
        runs.append((h, model.params.copy()))
    (h1, p1), (h2, p2) = runs
    np.testing.assert_array_equal(p1, p2)
    for key in ("train_loss", "train_acc", "test_loss", "test_acc", "running_loss"):
        np.testing.assert_array_equal(h1.column(key), h2.column(key))
    model = MLP((12, 16, 3), seed=5)
    h3 = train(model, create("adam", lr=0.01), X, y, epochs=3, batch_size=32, seed=12)
    assert not np.array_equal(h3.column("train_loss"), h1.column("train_loss"))


def test_training_learns_a_separable_problem(rng):
    X = rng.standard_normal((600, 5)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + 2 * (X[:, 2] > 0)
    model = MLP((5, 32, 4), "relu", seed=0)
    h = train(model, create("sgd", lr=0.1, momentum=0.9), X, y, epochs=15, batch_size=32)
    assert h.records[-1]["train_acc"] > 0.95
    assert h.records[-1]["train_loss"] < 0.5 * h.records[0]["train_loss"]


def test_nonfinite_loss_stops_with_epoch_and_step_and_keeps_last_finite_params(rng):
    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = rng.integers(0, 2, 64)
    X[40] = np.nan  # in the 3rd batch of 16 of epoch 1 (after shuffling: some batch)
    model = MLP((4, 8, 2), seed=0)
    opt = create("sgd", lr=0.1)
    with pytest.raises(TrainingDiverged, match=r"epoch 1, step \d of 4") as exc:
        train(model, opt, X, y, epochs=2, batch_size=16, seed=0)
    assert np.isfinite(model.params).all()
    assert "optimizer step" in str(exc.value)
    # the step number in the message is the one that was not applied
    assert f"optimizer step {opt.t + 1}" in str(exc.value)


def test_exploding_learning_rate_raises_instead_of_nan_curve(rng):
    X = rng.standard_normal((256, 10)).astype(np.float32) * 10
    y = rng.integers(0, 3, 256)
    model = MLP((10, 64, 64, 3), seed=0)
    with pytest.raises(TrainingDiverged, match="epoch"):
        train(model, create("sgd", lr=1e8), X, y, epochs=5, batch_size=32)
    assert np.isfinite(model.params).all()


def test_glorot_uniform_initialisation_bounds():
    m = MLP((784, 256, 10), "relu", seed=0)
    W, b = m.layer(0)
    bound = math.sqrt(6 / (784 + 256))
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound
    assert np.abs(W.mean()) < 0.01 * bound
    m2 = MLP((784, 256, 10), "logistic", seed=0)
    assert np.abs(m2.layer(0)[0]).max() <= math.sqrt(2 / (784 + 256))
    lo, hi = m.segments()
    assert lo[0] == 0 and hi[-1] == m.n_params and np.all(lo[1:] == hi[:-1])


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(epochs=-1), ValueError, "epochs"),
        (dict(batch_size=2.5), ValueError, "batch_size"),
    ],
)
def test_train_rejects_bad_settings(kwargs, err, match, rng):
    model, X, y = small_problem(rng)
    with pytest.raises(err, match=match):
        train(model, create("sgd", lr=0.1), X, y, **kwargs)


def test_bad_model_and_data_inputs(rng):
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP((4, 3), "gelu")
    with pytest.raises(TypeError, match="float32 or float64"):
        MLP((4, 3), dtype=np.int32)
    with pytest.raises(ValueError, match="layer_sizes"):
        MLP((4,))
    model, X, y = small_problem(rng)
    opt = create("sgd", lr=0.1)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 6\)"):
        train(model, opt, X[:, :5], y)
    with pytest.raises(ValueError, match=r"labels in \[0, 4\)"):
        train(model, opt, X, np.full(len(y), 4))
    with pytest.raises(TypeError, match="integer class labels"):
        train(model, opt, X, y.astype(float))
    with pytest.raises(ValueError, match="y must have shape"):
        train(model, opt, X, y[:-1])


def test_softmax_gradient_has_no_subnormal_floats():
    # A confidently right row has probabilities ~e^-100 = 4e-44, subnormal in float32; such
    # values (and those that become subnormal once multiplied back through the layers, below
    # sqrt(tiny) ~ 1e-19) make every later product ~50x slower, so they are flushed to zero.
    from gdlab.models._mlp import core

    logits = np.array([[30.0, -20.0, 0.0, -60.0]], np.float32)
    delta = np.empty_like(logits)
    total, correct = core().softmax_xent(logits, np.array([0]), delta, 1.0)
    flush = np.sqrt(np.finfo(np.float32).tiny)
    assert not np.any((delta != 0) & (np.abs(delta) < flush))
    assert delta[0, 1] == 0.0 and delta[0, 3] == 0.0  # e^-50 and e^-90: flushed
    assert delta[0, 2] == pytest.approx(np.exp(-30.0), rel=1e-5)  # e^-30 = 9e-14 is kept
    assert correct == 1 and total == pytest.approx(np.log1p(np.exp(-30.0) + np.exp(-50.0) + np.exp(-90.0)))


def test_a_dead_network_gets_one_warning_naming_the_causes():
    """README's former example (SGD lr 0.1, momentum 0.9, Nesterov) stays at chance level."""
    import warnings

    from gdlab.datasets import load_mnist, scale_images
    from gdlab.engine import ChanceLevelWarning
    from gdlab.models import MLP
    from gdlab.optim import create

    X, y = load_mnist("train")
    X, y = scale_images(X[:3000]), y[:3000]
    with pytest.warns(ChanceLevelWarning, match=r"chance level \(ln 10 = 2\.3026\).*epochs 1-2.*"
                                                r"effective step of lr/\(1-momentum\) = 1") as rec:
        train(MLP((784, 256, 128, 64, 20, 10), "relu", seed=0),
              create("sgd", lr=0.1, momentum=0.9, nesterov=True), X, y, epochs=3, batch_size=64)
    assert sum(issubclass(w.category, ChanceLevelWarning) for w in rec) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChanceLevelWarning)
        train(MLP((784, 32, 10), "relu", seed=0), create("sgd", lr=0.01, momentum=0.9), X, y,
              epochs=2, batch_size=64)

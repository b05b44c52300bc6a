"""Multilayer perceptron classifier with every parameter in one flat vector."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _jit
from ._codes import ACTIVATIONS
from ._init import glorot_bound

_CORE = "models/_mlp_core.py"


def core():
    """The generated module of compiled MLP kernels (built and cached once)."""
    return _jit.kernel_module("mlp", (_CORE,))

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def layout(layer_sizes) -> tuple[np.ndarray, np.ndarray, int]:
    """Flat-vector layout of a dense network: ``(sizes, offsets, n_params)``.

    Layer ``l`` stores ``W_l`` of shape (layer_sizes[l], layer_sizes[l+1]) in C order at
    ``offsets[l]``, followed by ``b_l`` of shape (layer_sizes[l+1],). ``sizes`` and
    ``offsets`` are int64 arrays (what the compiled kernels take).
    """
    sizes = np.array([int(s) for s in layer_sizes], dtype=np.int64)
    counts = sizes[:-1] * sizes[1:] + sizes[1:]
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return sizes, offsets, int(counts.sum())


def tensor_segments(sizes, offsets) -> tuple[np.ndarray, np.ndarray]:
    """``(lo, hi)`` int64 bounds of every tensor (W_0, b_0, W_1, …) of a :func:`layout`."""
    lo, hi = [], []
    for l in range(len(sizes) - 1):
        o, nw = int(offsets[l]), int(sizes[l] * sizes[l + 1])
        lo += [o, o + nw]
        hi += [o + nw, o + nw + int(sizes[l + 1])]
    return np.array(lo, np.int64), np.array(hi, np.int64)


def work_buffers(sizes, batch_size: int, dtype):
    """``(acts, aoffs, deltas)`` work buffers of the kernels for batches of up to
    ``batch_size`` rows: layer ``l``'s (batch, sizes[l+1]) block starts at ``aoffs[l]``."""
    widths = np.asarray(sizes, np.int64)[1:]
    aoffs = np.concatenate([[0], np.cumsum(batch_size * widths)[:-1]]).astype(np.int64)
    total = int(batch_size * widths.sum())
    return np.empty(total, dtype), aoffs, np.empty(total, dtype)


class MLPKernelArgs(NamedTuple):
    """The named arguments of the compiled MLP loop ``train_batches`` (models/_mlp_train.py),
    built in one place (:meth:`build`) and read by name inside the kernel.

    ``params``/``grads`` (n_params,) and ``state`` (active slots, n_params) are updated in place;
    ``hyper`` is the optimizer's float64 hyperparameter vector; ``sizes``/``offs`` the
    :func:`layout`; ``act`` the hidden activation code; ``acts``/``aoffs``/``deltas`` the
    :func:`work_buffers`; ``xb`` (batch, n_in) and ``yb`` (batch,) or (batch, n_out) the gathered
    batch; ``seg_lo``/``seg_hi`` the :func:`tensor_segments` the optimizer steps over.
    """

    params: np.ndarray
    grads: np.ndarray
    state: np.ndarray
    hyper: np.ndarray
    sizes: np.ndarray
    offs: np.ndarray
    act: int
    acts: np.ndarray
    aoffs: np.ndarray
    deltas: np.ndarray
    xb: np.ndarray
    yb: np.ndarray
    seg_lo: np.ndarray
    seg_hi: np.ndarray

    @classmethod
    def build(cls, params, optimizer, sizes, offs, act: int, batch_size: int, y_width: int | None = None,
              **extra):
        """Arguments for batches of up to ``batch_size`` rows; ``y_width`` None: integer labels
        (``yb`` int64 (batch,)), else float targets (``yb`` (batch, y_width)). ``extra`` fills the
        further fields of :class:`MLPKernelArgsEx` (``cls``)."""
        dtype = params.dtype
        acts, aoffs, deltas = work_buffers(sizes, batch_size, dtype)
        seg_lo, seg_hi = tensor_segments(sizes, offs)
        yb = np.empty(batch_size, np.int64) if y_width is None else np.empty((batch_size, y_width), dtype)
        if "swb" in cls._fields:
            extra.setdefault("swb", np.empty(batch_size, dtype))
        return cls(params=params, grads=np.zeros(params.shape[0], dtype), state=optimizer.state,
                   hyper=optimizer.hyper_array, sizes=sizes, offs=offs, act=int(act), acts=acts,
                   aoffs=aoffs, deltas=deltas, xb=np.empty((batch_size, int(sizes[0])), dtype), yb=yb,
                   seg_lo=seg_lo, seg_hi=seg_hi, **extra)


MLPKernelArgsEx = NamedTuple("MLPKernelArgsEx", [
    *MLPKernelArgs.__annotations__.items(), ("kind", int), ("kdiv", float), ("alpha", float),
    ("alpha_mean", bool), ("rate", float), ("seed", int), ("eps", float), ("swb", np.ndarray)])
MLPKernelArgsEx.__doc__ = """:class:`MLPKernelArgs` plus what ``train_batches_ex`` adds (the
estimators' and linear models' loop): ``kind`` (output/loss code), ``kdiv`` (divisor of the
reported data loss), ``alpha`` (L2 coefficient), ``alpha_mean`` (divide it by the batch's weight
sum, as scikit-learn), ``rate`` (dropout), ``seed`` (dropout masks), ``eps`` (log-loss clipping)
and ``swb`` (batch,) sample weights. Build it with ``MLPKernelArgsEx.build``."""
MLPKernelArgsEx.build = classmethod(MLPKernelArgs.build.__func__)


def pack(coefs, intercepts, sizes, offsets, n_params: int, dtype) -> np.ndarray:
    """Copy per-layer ``coefs`` (W_l) and ``intercepts`` (b_l) into one flat vector of ``dtype``."""
    params = np.empty(n_params, dtype)
    for l, (W, b) in enumerate(zip(coefs, intercepts)):
        o, nw = int(offsets[l]), int(sizes[l] * sizes[l + 1])
        params[o : o + nw] = np.asarray(W).ravel()
        params[o + nw : o + nw + int(sizes[l + 1])] = b
    return params


def unpack(params, sizes, offsets) -> tuple[list, list]:
    """Per-layer copies ``(coefs, intercepts)`` of a flat vector (inverse of :func:`pack`)."""
    coefs, intercepts = [], []
    for l in range(len(sizes) - 1):
        fi, fo, o = int(sizes[l]), int(sizes[l + 1]), int(offsets[l])
        coefs.append(params[o : o + fi * fo].reshape(fi, fo).copy())
        intercepts.append(params[o + fi * fo : o + fi * fo + fo].copy())
    return coefs, intercepts


def as_labels(name: str, y, n_rows: int, n_classes: int) -> np.ndarray:
    """Labels as a C-contiguous int64 vector in [0, n_classes), else ValueError naming ``name``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_rows:
        raise ValueError(f"{name} must have shape ({n_rows},), got {y.shape}")
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if n_rows and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {n_classes}), got values in [{y.min()}, {y.max()}]"
        )
    return np.ascontiguousarray(y, dtype=np.int64)


class MLP:
    """Fully connected network with softmax cross-entropy output, parameters in one vector.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first and classes last, e.g. ``(784, 256, 128, 64, 20, 10)``.
    activation : {"relu", "tanh", "logistic", "identity"}, default "relu"
        Activation of every hidden layer.
    dtype : {numpy.float32, numpy.float64}, default numpy.float32
        Dtype of parameters, gradients and inputs (float64 for gradient checks).
    seed : int or numpy.random.Generator, default 0
        Seed of the Glorot-uniform initialisation.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        Every weight and bias. Layer ``l`` holds ``W_l`` of shape
        (layer_sizes[l], layer_sizes[l+1]) in C order, then ``b_l``.
    sizes : ndarray of shape (n_layers + 1,), int64
    offsets : ndarray of shape (n_layers,), int64
        Start of ``W_l`` in ``params``.

    Notes
    -----
    Initialisation follows scikit-learn's ``MLPClassifier``: weights and biases of each layer
    are drawn from U(-r, r) with r = sqrt(f / (fan_in + fan_out)), f = 2 for logistic and 6
    otherwise (Glorot & Bengio, 2010).

    Raises
    ------
    ValueError
        Fewer than two layer sizes, a size < 1, fewer than 2 classes, or an unknown
        activation; TypeError for a dtype other than float32/float64.
    """

    def __init__(self, layer_sizes, activation: str = "relu", *, dtype=np.float32, seed=0):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"layer_sizes must hold at least 2 positive sizes, got {tuple(layer_sizes)}")
        if sizes[-1] < 2:
            raise ValueError(f"the output layer needs at least 2 classes, got {sizes[-1]}")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; expected one of {', '.join(ACTIVATIONS)}"
            )
        dtype = np.dtype(dtype)
        if dtype not in _DTYPES:
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        self.layer_sizes = tuple(sizes)
        self.activation = activation
        self.dtype = dtype
        self.sizes = np.array(sizes, dtype=np.int64)
        counts = [sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(len(sizes) - 1)]
        self.offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.n_params = int(sum(counts))
        self.params = np.empty(self.n_params, dtype=dtype)
        self.init(seed)

    @property
    def n_layers(self) -> int:
        return len(self.layer_sizes) - 1

    @property
    def n_classes(self) -> int:
        return self.layer_sizes[-1]

    @property
    def act_code(self) -> int:
        return ACTIVATIONS[self.activation]

    def init(self, seed=0) -> None:
        """Glorot-uniform initialisation with scikit-learn's factor (see class notes)."""
        rng = np.random.default_rng(seed)
        for l in range(self.n_layers):
            fi, fo = self.layer_sizes[l], self.layer_sizes[l + 1]
            bound = glorot_bound(fi, fo, self.activation)
            W, b = self.layer(l)
            W[:] = rng.uniform(-bound, bound, (fi, fo))
            b[:] = rng.uniform(-bound, bound, fo)

    def layer(self, l: int, vector: np.ndarray | None = None):
        """Views ``(W, b)`` of layer ``l`` in ``params`` (or in a gradient ``vector``)."""
        v = self.params if vector is None else vector
        fi, fo, o = self.layer_sizes[l], self.layer_sizes[l + 1], int(self.offsets[l])
        return v[o : o + fi * fo].reshape(fi, fo), v[o + fi * fo : o + fi * fo + fo]

    def segments(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lo, hi)`` int64 bounds of every tensor (W_0, b_0, W_1, …) in the flat vector."""
        lo, hi = [], []
        for l in range(self.n_layers):
            o, nw = int(self.offsets[l]), self.layer_sizes[l] * self.layer_sizes[l + 1]
            lo += [o, o + nw]
            hi += [o + nw, o + nw + self.layer_sizes[l + 1]]
        return np.array(lo, np.int64), np.array(hi, np.int64)

    def check_X(self, name: str, X) -> np.ndarray:
        """``X`` as a C-contiguous (n, layer_sizes[0]) array of the model's dtype."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"{name} must have shape (n, {self.layer_sizes[0]}), got {X.shape}")
        if X.dtype.kind not in "fiu":
            raise TypeError(f"{name} must be numeric, got dtype {X.dtype}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def work_buffers(self, batch_size: int):
        """``(acts, aoffs, deltas)`` work buffers for batches of up to ``batch_size`` rows."""
        widths = self.sizes[1:]
        aoffs = np.concatenate([[0], np.cumsum(batch_size * widths)[:-1]]).astype(np.int64)
        total = int(batch_size * widths.sum())
        return np.empty(total, self.dtype), aoffs, np.empty(total, self.dtype)

    def loss_and_grad(self, X, y, params: np.ndarray | None = None):
        """Mean softmax cross-entropy over all rows and its gradient.

        Parameters
        ----------
        X : array-like of shape (n, layer_sizes[0])
        y : array-like of shape (n,), int, labels in [0, n_classes)
        params : ndarray of shape (n_params,), optional
            Evaluate at these parameters instead of :attr:`params`.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,), model dtype
        """
        X = self.check_X("X", X)
        y = as_labels("y", y, X.shape[0], self.n_classes)
        p = self.params if params is None else np.ascontiguousarray(params, self.dtype)
        grads = np.zeros(self.n_params, self.dtype)
        acts, aoffs, deltas = self.work_buffers(max(X.shape[0], 1))
        loss, _ = core().loss_grad_batch(p, grads, self.sizes, self.offsets, self.act_code,
                                       X, y, acts, aoffs, deltas)
        return float(loss), grads

    def evaluate(self, X, y, *, chunk: int = 1000) -> tuple[float, float]:
        """Mean softmax cross-entropy and accuracy over all rows, ``chunk`` rows at a time.

        Returns
        -------
        loss : float
        accuracy : float
            Fraction of rows whose arg-max logit is the label, in [0, 1].
        """
        X = self.check_X("X", X)
        y = as_labels("y", y, X.shape[0], self.n_classes)
        if X.shape[0] == 0:
            raise ValueError("X has no rows")
        total, correct = core().evaluate(self.params, self.sizes, self.offsets, self.act_code, X, y, chunk)
        return total / X.shape[0], correct / X.shape[0]

    def predict_proba(self, X, *, chunk: int = 1000) -> np.ndarray:
        """Class probabilities, ndarray of shape (n, n_classes), model dtype."""
        z = core().predict_logits(self.params, self.sizes, self.offsets, self.act_code,
                                self.check_X("X", X), chunk)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def predict(self, X, *, chunk: int = 1000) -> np.ndarray:
        """Predicted class of each row, ndarray of shape (n,), int64."""
        z = core().predict_logits(self.params, self.sizes, self.offsets, self.act_code,
                                self.check_X("X", X), chunk)
        return z.argmax(axis=1)

"""Small data sets for the estimators and the classical models, as plain arrays.

* :func:`load_iris`, :func:`load_digits`, :func:`load_diabetes` — scikit-learn's bundled
  copies (``sklearn.datasets``; no network): Fisher's iris (150 x 4, 3 classes), the UCI
  optical digits (1797 x 64 pixels in 0..16, 10 classes) and the diabetes regression set
  (442 x 10 standardised features, disease progression after one year).
* :func:`exp_curve` — the regression toy of the notes: ``x`` in [-3, 3] in steps of 0.1,
  ``y = exp(x)``.
* :func:`load_mnist_flat` — gdlab's bundled MNIST as flat vectors in [-1, 1]
  (:func:`gdlab.datasets.load_mnist` and :func:`gdlab.datasets.scale_images`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["exp_curve", "load_diabetes", "load_digits", "load_iris", "load_mnist_flat"]


def _dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def load_iris(*, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Iris (Fisher, 1936; ``sklearn.datasets.load_iris``).

    Returns
    -------
    X : ndarray of shape (150, 4), ``dtype`` (cm: sepal length/width, petal length/width)
    y : ndarray of shape (150,), int64, classes 0, 1, 2

    Raises
    ------
    TypeError
        ``dtype`` not float32/float64.
    """
    from sklearn.datasets import load_iris as _load

    X, y = _load(return_X_y=True)
    return X.astype(_dtype(dtype)), y.astype(np.int64)


def load_digits(*, dtype=np.float64, scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Optical recognition of handwritten digits (UCI; ``sklearn.datasets.load_digits``).

    Parameters
    ----------
    dtype : {float32, float64}, default float64
    scale : bool, default True
        Divide the pixel counts (0..16) by 16, into [0, 1].

    Returns
    -------
    X : ndarray of shape (1797, 64), ``dtype``
    y : ndarray of shape (1797,), int64, classes 0..9
    """
    from sklearn.datasets import load_digits as _load

    X, y = _load(return_X_y=True)
    X = X.astype(_dtype(dtype))
    return (X / X.dtype.type(16) if scale else X), y.astype(np.int64)


def load_diabetes(*, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Diabetes regression data (Efron et al., 2004; ``sklearn.datasets.load_diabetes``).

    Returns
    -------
    X : ndarray of shape (442, 10), ``dtype``; each column centred and scaled to unit norm
    y : ndarray of shape (442,), ``dtype``; disease progression (25..346)
    """
    from sklearn.datasets import load_diabetes as _load

    X, y = _load(return_X_y=True)
    dtype = _dtype(dtype)
    return X.astype(dtype), y.astype(dtype)


def exp_curve(start: float = -3.0, stop: float = 3.0, step: float = 0.1, *,
              dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The curve ``y = exp(x)`` on the grid ``start, start + step, ..., stop`` (both ends
    included; 61 points by default).

    Returns
    -------
    X : ndarray of shape (n, 1), ``dtype``
    y : ndarray of shape (n,), ``dtype``

    Raises
    ------
    ValueError
        ``step <= 0``, ``stop < start``, or a range that is not a whole number of steps.
    """
    if not step > 0 or not stop >= start:
        raise ValueError(f"need step > 0 and stop >= start, got start={start!r}, stop={stop!r}, step={step!r}")
    n = (stop - start) / step
    if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
        raise ValueError(f"(stop - start) / step must be a whole number, got {n!r}")
    x = np.linspace(start, stop, int(round(n)) + 1)
    dtype = _dtype(dtype)
    return x[:, None].astype(dtype), np.exp(x).astype(dtype)


def load_mnist_flat(split: str = "train", *, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """MNIST (bundled with gdlab) as flat vectors scaled to [-1, 1].

    Parameters
    ----------
    split : {"train", "test"}
    dtype : {float32, float64}, default float32

    Returns
    -------
    X : ndarray of shape (60000 or 10000, 784), ``dtype``
    y : ndarray of shape (n,), int64, classes 0..9

    Raises
    ------
    ValueError
        Unknown split; gdlab.datasets.DatasetError for a corrupt file.
    """
    from ._mnist import load_mnist, scale_images

    images, labels = load_mnist(split)
    return scale_images(images, dtype=_dtype(dtype)), labels.astype(np.int64)

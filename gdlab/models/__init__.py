"""Models trained by gradient descent in Numba: the MLP and the classical models of D2L.

The classical models (:class:`LinearRegressionGD`, :class:`SoftmaxRegression`,
:class:`RidgeRegression`) are scikit-learn estimators; they are imported on first use, so that
``import gdlab.models`` (and ``gdlab train``) does not pay for importing scikit-learn.
"""

from ._init import he_normal, he_uniform, xavier_normal, xavier_uniform
from ._mlp import MLP
from ._regularization import dropout_layer, dropout_mask, l2_penalty

_LINEAR = ("LinearRegressionGD", "RidgeRegression", "SoftmaxRegression", "data_iter", "synthetic_data")

__all__ = [
    "MLP",
    "LinearRegressionGD",
    "RidgeRegression",
    "SoftmaxRegression",
    "data_iter",
    "dropout_layer",
    "dropout_mask",
    "he_normal",
    "he_uniform",
    "l2_penalty",
    "synthetic_data",
    "xavier_normal",
    "xavier_uniform",
]


def __getattr__(name: str):
    if name in _LINEAR:
        from . import _linear

        return getattr(_linear, name)
    raise AttributeError(f"module 'gdlab.models' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LINEAR))

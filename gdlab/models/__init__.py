"""Models trained by gradient descent in Numba: the MLP and the classical models of D2L.

The classical models (:class:`LinearRegressionGD`, :class:`SoftmaxRegression`,
:class:`RidgeRegression`) are scikit-learn estimators; they and the DSSM/CLSM ranking model
(:class:`DSSM`, trained by :func:`train_dssm`, ranked by :func:`evaluate_dssm`; see
docs/dssm.md) are imported on first use, so that ``import gdlab.models`` (and ``gdlab train``)
does not pay for importing scikit-learn.
"""

from ._init import he_normal, he_uniform, xavier_normal, xavier_uniform
from ._mlp import MLP
from ._regularization import dropout_layer, dropout_mask, l2_penalty

_LAZY = {  # public name -> (module, attribute)
    **{n: ("_linear", n) for n in ("LinearRegressionGD", "RidgeRegression", "SoftmaxRegression",
                                   "data_iter", "synthetic_data")},
    "DSSM": ("_dssm", "DSSM"),
    "DSSMHistory": ("_dssm", "DSSMHistory"),
    "train_dssm": ("_dssm", "train"),
    "evaluate_dssm": ("_dssm", "evaluate"),
    "rank_candidates": ("_dssm", "rank_candidates"),
}

__all__ = [
    "MLP",
    "DSSM",
    "DSSMHistory",
    "evaluate_dssm",
    "rank_candidates",
    "train_dssm",
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
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module 'gdlab.models' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

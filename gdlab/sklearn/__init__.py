"""scikit-learn-compatible estimators trained by gdlab's compiled kernels.

:class:`MLPClassifier` and :class:`MLPRegressor` are drop-in replacements for scikit-learn
1.9's ``sklearn.neural_network`` estimators (same parameters, defaults, fitted attributes and
warnings; they pass ``sklearn.utils.estimator_checks``), with extra parameters ``optimizer``,
``optimizer_params``, ``preset`` (any registered gdlab optimizer) and ``dropout``. See
docs/estimators.md.
"""

from ._mlp import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]

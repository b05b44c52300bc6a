"""Weight initialisation: Xavier/Glorot and He (Kaiming), uniform and normal.

Shapes follow gdlab's layout: a weight matrix maps ``fan_in`` inputs to ``fan_out`` outputs and
has shape (fan_in, fan_out) (``x @ W``). The formulas are those of ``torch.nn.init``
(``xavier_uniform_``, ``xavier_normal_``, ``kaiming_uniform_``/``kaiming_normal_`` with
``a=0, mode="fan_in", nonlinearity="relu"``) and D2L 5.4:

=================  ===============================================================
xavier_uniform     U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
xavier_normal      N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))
he_uniform         U(-a, a), a = sqrt(6 / fan_in)
he_normal          N(0, s^2), s = sqrt(2 / fan_in)
=================  ===============================================================

scikit-learn's MLP (and :class:`gdlab.models.MLP`) uses ``xavier_uniform`` with gain 1, or
gain 1/sqrt(3) for logistic hidden units, for the biases too.

References: Glorot & Bengio, AISTATS 2010; He, Zhang, Ren & Sun, ICCV 2015, arXiv:1502.01852.
"""

from __future__ import annotations

import numpy as np

__all__ = ["glorot_bound", "he_normal", "he_uniform", "xavier_normal", "xavier_uniform"]


def _check(fan_in, fan_out, dtype):
    for name, v in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating dtype, got {dtype}")
    return dtype


def glorot_bound(fan_in: int, fan_out: int, activation: str = "relu") -> float:
    """Half-width ``a`` of the Glorot-uniform draw U(-a, a).

    The one place gdlab's models (MLP, DSSM/CLSM, the estimators) and :func:`xavier_uniform`
    compute it.

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    activation : str, default "relu"
        ``"logistic"`` uses factor 2, anything else factor 6 (scikit-learn's
        ``BaseMultilayerPerceptron._init_coef``).

    Returns
    -------
    float
        ``sqrt(factor / (fan_in + fan_out))``.

    References
    ----------
    Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
    networks", AISTATS 2010.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    return float(np.sqrt(factor / (fan_in + fan_out)))


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def xavier_uniform(fan_in: int, fan_out: int, *, gain: float = 1.0, seed=None,
                   dtype=np.float64) -> np.ndarray:
    """Xavier/Glorot uniform initialisation (Glorot & Bengio, 2010).

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer (>= 1).
    gain : float, default 1.0
        Scale (``torch.nn.init.calculate_gain``: 1 for linear/logistic, 5/3 for tanh, sqrt(2)
        for relu).
    seed : int, numpy.random.Generator or None
        Random source.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray of shape (fan_in, fan_out), drawn from U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)).

    Raises
    ------
    ValueError
        ``fan_in`` or ``fan_out`` not a positive integer; TypeError for a non-float dtype.
    """
    dtype = _check(fan_in, fan_out, dtype)
    a = gain * glorot_bound(fan_in, fan_out)
    return _rng(seed).uniform(-a, a, (fan_in, fan_out)).astype(dtype)


def xavier_normal(fan_in: int, fan_out: int, *, gain: float = 1.0, seed=None,
                  dtype=np.float64) -> np.ndarray:
    """Xavier/Glorot normal initialisation: N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out)).

    Parameters and errors as :func:`xavier_uniform`; returns an ndarray of shape (fan_in, fan_out).
    """
    dtype = _check(fan_in, fan_out, dtype)
    s = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return _rng(seed).normal(0.0, s, (fan_in, fan_out)).astype(dtype)


def he_uniform(fan_in: int, fan_out: int, *, seed=None, dtype=np.float64) -> np.ndarray:
    """He (Kaiming) uniform initialisation for ReLU layers (He et al., 2015):
    U(-a, a), a = sqrt(6 / fan_in) (``kaiming_uniform_(a=0, mode="fan_in")``).

    Parameters and errors as :func:`xavier_uniform`; returns an ndarray of shape (fan_in, fan_out).
    """
    dtype = _check(fan_in, fan_out, dtype)
    a = np.sqrt(6.0 / fan_in)
    return _rng(seed).uniform(-a, a, (fan_in, fan_out)).astype(dtype)


def he_normal(fan_in: int, fan_out: int, *, seed=None, dtype=np.float64) -> np.ndarray:
    """He (Kaiming) normal initialisation for ReLU layers: N(0, 2 / fan_in)
    (``kaiming_normal_(a=0, mode="fan_in")``).

    Parameters and errors as :func:`xavier_uniform`; returns an ndarray of shape (fan_in, fan_out).
    """
    dtype = _check(fan_in, fan_out, dtype)
    return _rng(seed).normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)).astype(dtype)

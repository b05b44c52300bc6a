"""Weight decay (L2) and dropout as reusable pieces (D2L 3.7 and 5.6).

The compiled kernels apply both inside the training loops (``l2_penalty_grad``,
``_dropout_forward`` and ``_times_derivative_dropout`` in ``gdlab/models/_mlp_core.py``);
the functions here are the same operations on NumPy arrays, for teaching, for models written
in NumPy and as references in the tests. :func:`dropout_mask` draws exactly the mask that the
compiled training loop uses at a given step, from the same counter-based hash.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dropout_layer", "dropout_mask", "l2_penalty"]


def _check_rate(rate, *, allow_one: bool) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        raise TypeError(f"rate must be a real number, got {type(rate).__name__}")
    hi_ok = rate <= 1 if allow_one else rate < 1
    if not (0 <= rate and hi_ok):
        raise ValueError(f"rate must be in [0, {'1]' if allow_one else '1)'}, got {rate!r}")
    return float(rate)


def l2_penalty(w) -> float:
    """Half the squared L2 norm, ``sum(w ** 2) / 2`` (D2L 3.7), over any array of weights.

    Adding ``lambda * l2_penalty(W)`` to a loss adds ``lambda * W`` to its gradient: weight
    decay. The MLP kernels penalise weight matrices only, never biases.
    """
    w = np.asarray(w, dtype=np.float64)
    return 0.5 * float(np.dot(w.ravel(), w.ravel()))


def dropout_layer(X, rate: float, *, seed=None) -> np.ndarray:
    """Inverted dropout of D2L 5.6: zero each entry with probability ``rate`` and scale the
    others by 1 / (1 - rate), so that the expectation is unchanged.

    Parameters
    ----------
    X : array-like
        Activations (any shape); float dtypes are kept.
    rate : float in [0, 1]
        Dropout probability; 0 returns X unchanged, 1 returns zeros.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    ndarray of X's shape.

    Raises
    ------
    ValueError
        ``rate`` outside [0, 1]; TypeError if it is not a number.

    References
    ----------
    Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, JMLR 15, 2014.
    """
    rate = _check_rate(rate, allow_one=True)
    X = np.asarray(X)
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    if rate == 0:
        return X.copy()
    if rate == 1:
        return np.zeros_like(X)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    mask = rng.uniform(size=X.shape) >= rate
    return (mask * X / X.dtype.type(1.0 - rate)).astype(X.dtype, copy=False)


def dropout_mask(shape, rate: float, *, seed: int, step: int, layer: int = 0) -> np.ndarray:
    """Keep-mask (float64 of 0 and 1/(1 - rate)) that the compiled training loops apply to
    hidden layer ``layer`` at optimizer step ``step`` for dropout seed ``seed``.

    Parameters
    ----------
    shape : tuple of int
        (batch rows, units) of the layer.
    rate : float in [0, 1)
    seed, step, layer : int
        The mask's key (see ``dropout_base`` in gdlab/models/_mlp_core.py).

    Returns
    -------
    ndarray of shape ``shape``; ``activations * mask`` is what the next layer sees.

    Raises
    ------
    ValueError
        ``rate`` outside [0, 1) or a negative key.
    """
    rate = _check_rate(rate, allow_one=False)
    for name, v in (("seed", seed), ("step", step), ("layer", layer)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
    from ._mlp import core

    n, m = (int(s) for s in shape)
    ones = np.ones((n, m), np.float64)
    if rate > 0:
        core()._dropout_forward(ones, rate, np.uint64(core().dropout_base(seed, step, layer)))
    return ones

"""NumPy-facing optimizer: create by name, step a flat parameter vector in place."""

from __future__ import annotations

import numpy as np
from numba import njit

from .._config import jit_options
from ._compile import compile_with
from ._spec import OptimizerSpec

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


@njit(**jit_options())
def _all_finite(x):
    for i in range(x.shape[0]):
        if not np.isfinite(x[i]):
            return False
    return True


def check_flat(name: str, a, dtype=None) -> np.ndarray:
    """Validate a flat float32/float64 C-contiguous vector, raising errors that name it."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(a).__name__}")
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (a flat parameter vector), got shape {a.shape}")
    if a.dtype not in _FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {a.dtype}")
    if dtype is not None and a.dtype != dtype:
        raise TypeError(f"{name} has dtype {a.dtype}, expected {dtype} like the parameters")
    if not a.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")
    return a


class Optimizer:
    """An optimizer rule with validated hyperparameters and its per-element state.

    Parameters
    ----------
    spec : OptimizerSpec
        The rule (see :func:`gdlab.optim.get_spec` to look one up by name).
    **hyper
        Hyperparameters; missing ones take the spec's defaults. ``betas=(b1, b2)`` is
        accepted for ``beta1``/``beta2`` as in PyTorch.

    Attributes
    ----------
    hyper : dict
        Validated hyperparameters, in rule order.
    state : ndarray of shape (n_state, n_params) or None
        Per-element state (rows named by ``spec.state``), created by the first :meth:`step`.
    t : int
        Number of steps taken (PyTorch's ``step``).

    Raises
    ------
    ValueError
        For an unknown hyperparameter or an invalid value, naming it.
    """

    def __init__(self, spec: OptimizerSpec, **hyper):
        if "betas" in hyper and "beta1" in spec.hyper:
            b1, b2 = hyper.pop("betas")
            hyper.update(beta1=b1, beta2=b2)
        self.spec = spec
        self.hyper = spec.validate(**hyper)
        self.hyper_array = spec.hyper_array(self.hyper)
        self.state: np.ndarray | None = None
        self.t = 0

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"Optimizer({self.spec.name}: {args})"

    def init_state(self, n: int, dtype=np.float32) -> np.ndarray:
        """Fresh zero state of shape ``(len(spec.state), n)`` and step counter 0."""
        self.state = np.zeros((len(self.spec.state), n), dtype=dtype)
        self.t = 0
        return self.state

    def step(self, params: np.ndarray, grads: np.ndarray, *, check_finite: bool = True) -> np.ndarray:
        """Apply one step to ``params`` in place, with the compiled parallel CPU kernel.

        Parameters
        ----------
        params : ndarray of shape (n,), float32 or float64
            Flat parameter vector, updated in place.
        grads : ndarray of shape (n,), same dtype
            Gradient of the loss at ``params``.
        check_finite : bool, default True
            Refuse a gradient holding NaN or inf (parameters and state are left untouched).

        Returns
        -------
        ndarray
            ``params``.

        Raises
        ------
        TypeError, ValueError
            For a wrong type, shape, dtype or layout, or state made for another shape;
            FloatingPointError for a non-finite gradient.
        """
        check_flat("params", params)
        check_flat("grads", grads, params.dtype)
        if grads.shape != params.shape:
            raise ValueError(f"grads has shape {grads.shape}, params has shape {params.shape}")
        if self.state is None:
            self.init_state(params.shape[0], params.dtype)
        elif self.state.shape[1] != params.shape[0] or self.state.dtype != params.dtype:
            raise ValueError(
                f"{self.spec.name}: state was made for {self.state.shape[1]} {self.state.dtype} "
                f"parameters, got {params.shape[0]} {params.dtype}"
            )
        if check_finite and not _all_finite(grads):
            bad = int(np.flatnonzero(~np.isfinite(grads))[0])
            raise FloatingPointError(
                f"{self.spec.name}: non-finite gradient at index {bad} ({grads[bad]!r}) "
                f"before step {self.t + 1}; parameters left unchanged"
            )
        self.t += 1
        compile_with(self.spec).opt_step(params, grads, self.state, self.hyper_array, self.t)
        return params

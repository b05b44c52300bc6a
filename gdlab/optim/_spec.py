"""Optimizer specifications: an update rule described once, as data plus a scalar function."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: default, allowed range and meaning.

    Parameters
    ----------
    default : float or bool
        Default value; a ``bool`` default makes this a flag (stored as 0.0/1.0 in kernels).
    low, high : float or None
        Bounds of the allowed range, None for unbounded.
    low_open, high_open : bool
        Whether ``low`` / ``high`` are excluded from the range.
    doc : str
        One-line meaning, shown by ``gdlab list optimizers``.
    """

    default: float | bool
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    doc: str = ""

    @property
    def is_flag(self) -> bool:
        return isinstance(self.default, bool)

    def describe_range(self) -> str:
        if self.is_flag:
            return "{False, True}"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "(" if self.low is None or self.low_open else "["
        right = ")" if self.high is None or self.high_open else "]"
        return f"{left}{lo}, {hi}{right}"

    def validate(self, owner: str, name: str, value) -> float | bool:
        """Return ``value`` as float/bool, or raise ValueError naming ``owner`` and ``name``."""
        if self.is_flag:
            if isinstance(value, (bool, np.bool_)) or value in (0, 1):
                return bool(value)
            raise ValueError(f"{owner}: invalid {name}={value!r}; must be True or False")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{owner}: invalid {name}={value!r}; must be a real number")
        v = float(value)
        ok = math.isfinite(v)
        if ok and self.low is not None:
            ok = v > self.low if self.low_open else v >= self.low
        if ok and self.high is not None:
            ok = v < self.high if self.high_open else v <= self.high
        if not ok:
            raise ValueError(f"{owner}: invalid {name}={value!r}; must be in {self.describe_range()}")
        return v


@dataclass(frozen=True, eq=False)  # identity hash: specs key the kernel cache
class OptimizerSpec:
    """An optimizer: per-element state, hyperparameters and one scalar update rule.

    Parameters
    ----------
    name : str
        Registry name (lower case, e.g. ``"adam"``).
    rule : callable
        Plain-Python scalar function, no NumPy inside, defined at module level::

            rule(p, g, *state, *hyper, *scalars) -> (p_new, *state_new)

        with ``state`` in the order of :attr:`state`, ``hyper`` in the order of
        :attr:`hyper` (flags arrive as 0.0/1.0) and ``scalars`` in the order of
        :attr:`scalars`. It is compiled with ``numba.njit(inline="always")`` into every
        kernel that applies the optimizer.
    hyper : mapping of str to Hyper
        Hyperparameters in rule order, with defaults and ranges.
    state : tuple of str
        Names of the per-element state slots (PyTorch's names where they exist).
    step_scalars : callable, optional
        ``step_scalars(t, *hyper) -> tuple`` of per-step values (bias corrections,
        schedules), ``t`` being the 1-based step number; compiled like ``rule`` and
        evaluated once per step.
    scalars : tuple of str
        Names of the values ``step_scalars`` returns.
    reference : callable
        Slow float64 NumPy twin used by the tests:
        ``reference(p, g, state: dict, t, **hyper) -> (p_new, state_new: dict)``.
    check : callable, optional
        ``check(owner, hyper: dict)`` raising ValueError for invalid combinations.
    references : tuple of str
        Papers and the library whose published rule is matched.
    summary : str
        One line for listings.
    """

    name: str
    rule: Callable
    hyper: Mapping[str, Hyper]
    state: tuple[str, ...] = ()
    step_scalars: Callable | None = None
    scalars: tuple[str, ...] = ()
    reference: Callable | None = None
    check: Callable | None = None
    references: tuple[str, ...] = ()
    summary: str = ""
    defaults: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.name or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"optimizer name must be alphanumeric (with - or _), got {self.name!r}")
        if not callable(self.rule):
            raise TypeError(f"optimizer {self.name!r}: rule must be callable, got {self.rule!r}")
        if bool(self.scalars) != (self.step_scalars is not None):
            raise ValueError(f"optimizer {self.name!r}: give both step_scalars and scalars, or neither")
        object.__setattr__(self, "defaults", {k: h.default for k, h in self.hyper.items()})

    def validate(self, **hyper) -> dict:
        """Complete ``hyper`` with defaults and validate it.

        Returns
        -------
        dict
            Every hyperparameter of the spec, in rule order.

        Raises
        ------
        ValueError
            For an unknown name, an out-of-range value or an invalid combination; the
            message names the optimizer, the parameter and the value.
        """
        unknown = sorted(set(hyper) - set(self.hyper))
        if unknown:
            raise ValueError(
                f"{self.name}: unknown hyperparameter {unknown[0]!r}; "
                f"expected one of {', '.join(self.hyper)}"
            )
        out = {k: h.validate(self.name, k, hyper.get(k, h.default)) for k, h in self.hyper.items()}
        if self.check is not None:
            self.check(self.name, out)
        return out

    def hyper_array(self, hyper: dict) -> np.ndarray:
        """Validated hyperparameters as the float64 vector the kernels take (rule order)."""
        return np.array([float(hyper[k]) for k in self.hyper], dtype=np.float64)

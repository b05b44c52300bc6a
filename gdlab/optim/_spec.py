"""Optimizer specifications: an update rule described once, as data plus a scalar function."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
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
    label : str, optional
        Words for error messages in PyTorch's style, e.g. ``"learning rate"`` gives
        "Invalid learning rate: -0.1"; default ``"<name> value"``.
    """

    default: float | bool
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    doc: str = ""
    label: str = ""

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
        """Return ``value`` as float/bool, or raise ValueError naming ``owner`` and ``name``.

        The message reads like PyTorch's, e.g. ``adam: Invalid learning rate: -0.1 (lr must
        be in [0, inf))``.
        """
        label = self.label or f"{name} value"
        if self.is_flag:
            if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
                return bool(value)
            raise ValueError(f"{owner}: Invalid {label}: {value!r} ({name} must be True or False)")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{owner}: Invalid {label}: {value!r} ({name} must be a real number)")
        v = float(value)
        ok = math.isfinite(v)
        if ok and self.low is not None:
            ok = v > self.low if self.low_open else v >= self.low
        if ok and self.high is not None:
            ok = v < self.high if self.high_open else v <= self.high
        if not ok:
            raise ValueError(f"{owner}: Invalid {label}: {value!r} ({name} must be in {self.describe_range()})")
        return v


@dataclass(frozen=True)
class Preset:
    """How one library's version of an optimizer differs from gdlab's default (PyTorch's).

    Parameters
    ----------
    changes : str
        One line for the docs table: what this preset changes.
    defaults : mapping of str to value
        Hyperparameter defaults of that library (only the ones that differ).
    rule, step_scalars, reference, state_init : callable, optional
        Replacements when the library's update equations differ (same signatures as in
        :class:`OptimizerSpec`).
    references : tuple of str
        The library's documentation or source that the preset reproduces.
    """

    changes: str
    defaults: Mapping[str, object] = field(default_factory=dict)
    rule: Callable | None = None
    step_scalars: Callable | None = None
    reference: Callable | None = None
    state_init: Callable | None = None
    references: tuple[str, ...] = ()


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
    active_state : callable, optional
        ``active_state(hyper) -> tuple of slot names`` actually used with these
        hyperparameters (PyTorch allocates no momentum buffer without momentum and no
        ``max_exp_avg_sq`` without amsgrad); the others are neither stored nor read (the
        rule receives 0.0 for them). Default: every slot.
    state_init : callable, optional
        ``state_init(hyper) -> tuple of floats``, the initial value of each slot (e.g.
        Adagrad's ``initial_accumulator_value``). Default: zeros.
    update : callable, optional
        For rules that are not element-wise (LARS, LAMB): a function compiled with
        ``numba.njit`` that updates one parameter tensor in place,
        ``update(params, grads, state, hyper, sc)`` with 1-D ``params``/``grads`` views of the
        tensor, ``state`` of shape (n_state, len(params)), ``hyper`` the float64 vector and
        ``sc`` the step scalars. Give either ``rule`` or ``update``.
    presets : mapping of str to Preset
        Other libraries' versions (``"keras"``, ``"optax"``, ``"sklearn"``); this spec itself
        is the ``"torch"`` preset unless :attr:`preset` says otherwise.
    preset : str
        Name of the preset this spec implements (default ``"torch"``).
    """

    name: str
    rule: Callable | None
    hyper: Mapping[str, Hyper]
    state: tuple[str, ...] = ()
    step_scalars: Callable | None = None
    scalars: tuple[str, ...] = ()
    reference: Callable | None = None
    check: Callable | None = None
    references: tuple[str, ...] = ()
    summary: str = ""
    active_state: Callable | None = None
    state_init: Callable | None = None
    update: Callable | None = None
    presets: Mapping[str, Preset] = field(default_factory=dict)
    preset: str = "torch"
    defaults: dict = field(init=False, repr=False, compare=False)
    _derived: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"optimizer name must be alphanumeric (with - or _), got {self.name!r}")
        if (self.rule is None) == (self.update is None):
            raise ValueError(f"optimizer {self.name!r}: give exactly one of rule (element-wise) or update")
        for what in ("rule", "update", "step_scalars", "reference", "check", "active_state", "state_init"):
            f = getattr(self, what)
            if f is not None and not callable(f):
                raise TypeError(f"optimizer {self.name!r}: {what} must be callable, got {f!r}")
        if bool(self.scalars) != (self.step_scalars is not None):
            raise ValueError(f"optimizer {self.name!r}: give both step_scalars and scalars, or neither")
        if not all(isinstance(h, Hyper) for h in self.hyper.values()):
            raise TypeError(f"optimizer {self.name!r}: every hyper value must be a gdlab.optim.Hyper")
        if len(set(self.state)) != len(self.state):
            raise ValueError(f"optimizer {self.name!r}: state slot names repeat: {self.state}")
        object.__setattr__(self, "defaults", {k: h.default for k, h in self.hyper.items()})
        object.__setattr__(self, "_derived", {})

    @property
    def preset_names(self) -> tuple[str, ...]:
        """``"torch"`` (or :attr:`preset`) followed by the other presets."""
        return (self.preset, *[p for p in self.presets if p != self.preset])

    def with_preset(self, preset: str | None) -> "OptimizerSpec":
        """The spec of another library's version of this optimizer (cached).

        Raises
        ------
        ValueError
            For a preset this optimizer does not have (the message lists those it has).
        """
        if preset is None or preset == self.preset:
            return self
        if preset not in self.presets:
            raise ValueError(
                f"{self.name}: unknown preset {preset!r}; available: {', '.join(self.preset_names)}"
            )
        if preset not in self._derived:
            p = self.presets[preset]
            hyper = {k: (replace(h, default=p.defaults[k]) if k in p.defaults else h)
                     for k, h in self.hyper.items()}
            unknown = set(p.defaults) - set(self.hyper)
            if unknown:
                raise ValueError(f"{self.name}: preset {preset!r} sets unknown hyperparameters {unknown}")
            over = {k: getattr(p, k) for k in ("rule", "step_scalars", "reference", "state_init")
                    if getattr(p, k) is not None}
            self._derived[preset] = replace(self, hyper=hyper, presets={}, preset=preset,
                                            references=self.references + p.references, **over)
        return self._derived[preset]

    def active(self, hyper: dict) -> tuple[str, ...]:
        """State slots used with these (validated) hyperparameters, in :attr:`state` order."""
        if self.active_state is None:
            return self.state
        used = set(self.active_state(hyper))
        return tuple(s for s in self.state if s in used)

    def initial_state(self, hyper: dict) -> dict:
        """``{slot: initial value}`` for every slot."""
        if self.state_init is None:
            return {s: 0.0 for s in self.state}
        return dict(zip(self.state, (float(v) for v in self.state_init(hyper))))

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

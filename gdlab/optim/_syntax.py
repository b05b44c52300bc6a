"""The one way to name an optimizer in text: ``NAME[@PRESET][:k=v,...]``.

Used by every command (``gdlab train``, ``train dssm``, ``trajectory``, ``sweep``), by
:func:`gdlab.optim.create`, by the estimators' ``optimizer=`` and by
:func:`gdlab.surfaces.sweep` / :func:`~gdlab.surfaces.trajectory`. Examples::

    sgd
    adam@keras
    sgd:lr=0.1,momentum=0.9,nesterov=true
    adam@optax:lr=1e-3,betas=(0.9,0.99)
    adam:lr=log:1e-4:1e-1:20          (sweeps: a geometric range of 20 values)
    sgd:lr=0.01|0.1,momentum=lin:0:0.9:4

Values are numbers (``1e-3``, ``10``), booleans (``true/false``, ``yes/no``, ``on/off``),
pairs ``(a,b)``, and — where a sweep takes them — lists ``a|b|c`` and ranges ``log:LO:HI:N``,
``lin:LO:HI:N``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
SYNTAX = "NAME[@PRESET][:k=v,...]"


class OptimizerText(NamedTuple):
    """A parsed ``NAME[@PRESET][:k=v,...]``: registry name, preset (None: the optimizer's
    default) and hyperparameters (values, or lists of values where ranges were allowed)."""

    name: str
    preset: str | None
    hyper: dict


def parse_number(text: str, what: str = "value"):
    """``"0.1"`` → 0.1, ``"10"`` → 10.0, ``"true"`` → True (also yes/on, false/no/off).

    Raises
    ------
    ValueError
        Naming ``what``, when ``text`` is neither a number nor a boolean word.
    """
    raw = str(text).strip()
    low = raw.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{what}: {raw!r} is not a number or true/false") from None


def parse_value(text: str, what: str = "value", *, ranges: bool = False):
    """One hyperparameter value: a number, a boolean, a pair ``(a,b)``, or with ``ranges`` a
    list ``a|b|c`` (returned as a list) or ``log:LO:HI:N`` / ``lin:LO:HI:N`` (an ndarray).

    Raises
    ------
    ValueError
        Naming ``what``: malformed text, or a list/range where ``ranges`` is False.
    """
    raw = str(text).strip()
    if raw.startswith(("log:", "lin:")):
        if not ranges:
            raise ValueError(f"{what}: a range ({raw!r}) needs a sweep (use 'gdlab sweep' or "
                             f"gdlab.surfaces.sweep); give one value here")
        parts = raw.split(":")
        if len(parts) != 4:
            raise ValueError(f"{what}: expected {parts[0]}:LOW:HIGH:N, got {raw!r}")
        lo, hi = parse_number(parts[1], what), parse_number(parts[2], what)
        n = parts[3].strip()
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"{what}: N must be a positive integer, got {n!r}")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{what}: LOW and HIGH must be finite, got {raw!r}")
        if parts[0] == "log":
            if lo <= 0 or hi <= 0:
                raise ValueError(f"{what}: log ranges need LOW, HIGH > 0, got {raw!r}")
            return np.geomspace(lo, hi, int(n))
        return np.linspace(lo, hi, int(n))
    if "|" in raw:
        if not ranges:
            raise ValueError(f"{what}: several values ({raw!r}) need a sweep (use 'gdlab sweep' or "
                             f"gdlab.surfaces.sweep); give one value here")
        return [parse_value(v, what) for v in raw.split("|")]
    if raw.startswith("(") and raw.endswith(")"):
        items = [s for s in _split(raw[1:-1], ",") if s.strip()]
        return tuple(parse_number(v, what) for v in items)
    return parse_number(raw, what)


def _split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def parse_optimizer(text: str, *, ranges: bool = False) -> OptimizerText:
    """Parse ``NAME[@PRESET][:k=v,...]`` (see the module docstring).

    Parameters
    ----------
    text : str
    ranges : bool, default False
        Accept lists and ranges of values (sweeps).

    Returns
    -------
    OptimizerText

    Raises
    ------
    ValueError
        For an empty name or preset, an item without ``=``, a hyperparameter given twice or a
        bad value; the message quotes the text.
    """
    if not isinstance(text, str):
        raise TypeError(f"an optimizer is named by a string {SYNTAX}, got {type(text).__name__}")
    head, colon, rest = text.strip().partition(":")
    name, at, preset = head.partition("@")
    name, preset = name.strip(), preset.strip()
    if not name or (at and not preset):
        raise ValueError(f"expected {SYNTAX}, got {text!r}")
    if colon and not rest.strip():
        raise ValueError(f"{text!r}: nothing after ':' (expected k=v,...)")
    hyper = {}
    for item in (s.strip() for s in _split(rest, ",")) if rest.strip() else ():
        if "=" not in item:
            raise ValueError(f"{text!r}: expected k=v, got {item!r}")
        k, v = (s.strip() for s in item.split("=", 1))
        if not k:
            raise ValueError(f"{text!r}: a hyperparameter name is missing in {item!r}")
        if k in hyper:
            raise ValueError(f"{text!r}: {k} is given twice")
        hyper[k] = parse_value(v, f"{name} {k}", ranges=ranges)
    return OptimizerText(name, preset or None, hyper)


def merge_hyper(base: dict, extra: dict, where: str) -> dict:
    """``base`` updated with ``extra``; ValueError naming ``where`` if a key is in both (an
    optimizer's lr given in its text and again by ``--lr``, say: neither silently wins)."""
    both = sorted(set(base) & set(extra))
    if both:
        raise ValueError(f"{', '.join(both)} given twice: in the optimizer text and in {where}")
    return {**base, **extra}


def format_optimizer(name: str, preset: str | None = None, hyper: dict | None = None) -> str:
    """Inverse of :func:`parse_optimizer` for single values: ``sgd:lr=0.001,momentum=0.9``."""
    def fmt(v):
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, tuple):
            return "(" + ",".join(fmt(x) for x in v) + ")"
        return f"{v:g}" if isinstance(v, (float, int, np.floating, np.integer)) else str(v)

    text = name + (f"@{preset}" if preset else "")
    if hyper:
        text += ":" + ",".join(f"{k}={fmt(v)}" for k, v in hyper.items())
    return text

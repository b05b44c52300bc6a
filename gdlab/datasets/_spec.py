"""Dataset specifications for the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, eq=False)
class DatasetSpec:
    """A classification dataset that loads as plain arrays.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"mnist"``.
    load : callable
        ``load(split) -> (images, labels)`` with ``split`` in :attr:`splits`; images of
        shape (n, ...) and labels of shape (n,), both uint8 for the IDX datasets.
    splits : tuple of str
        Splits ``load`` accepts (``("train", "test")``).
    n_classes : int
        Number of classes.
    ships_with_gdlab : bool
        True if the files are package data (works offline), False if they are looked up
        under ``GDLAB_DATA_DIR``.
    references : tuple of str
        Citations.
    summary : str
        One line for listings.
    """

    name: str
    load: Callable
    splits: tuple[str, ...] = ("train", "test")
    n_classes: int = 10
    ships_with_gdlab: bool = False
    references: tuple[str, ...] = ()
    summary: str = ""

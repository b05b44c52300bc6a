"""Optimizer update rules: written once as a scalar rule, compiled for every kernel.

Built-in rules (registered through the ``gdlab_register_optimizers`` hook like any plugin):
``sgd`` and ``adam``. Look one up by name with :func:`get_spec` or create one with
:func:`create`.
"""

from ._compile import compile_with, optimizer_glue
from ._optimizer import Optimizer
from ._spec import Hyper, OptimizerSpec

__all__ = ["Hyper", "Optimizer", "OptimizerSpec", "compile_with", "create", "get_spec", "optimizer_glue"]


def get_spec(name: str) -> OptimizerSpec:
    """The registered optimizer called ``name``; ValueError listing the names if unknown."""
    from ..registry import get_registry

    return get_registry().optimizer(name)


def create(name: str, **hyper) -> Optimizer:
    """Create a registered optimizer by name, e.g. ``create("sgd", lr=0.1, momentum=0.9)``.

    Raises
    ------
    ValueError
        Unknown optimizer name (the message lists the registered ones), unknown
        hyperparameter or invalid value.
    """
    return Optimizer(get_spec(name), **hyper)

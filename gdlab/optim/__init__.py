"""Optimizer update rules: written once as a scalar rule, compiled for every kernel.

Built-in rules (registered through the ``gdlab_register_optimizers`` hook like any plugin):
``sgd`` and ``adam``. Look one up by name with :func:`get_spec` or create one with
:func:`create`.
"""

from ._compile import compile_with, cuda_kernels, optimizer_glue
from ._optimizer import Optimizer, cuda_available
from ._spec import Hyper, OptimizerSpec, Preset

__all__ = ["Hyper", "Optimizer", "OptimizerSpec", "Preset", "compile_with", "create",
           "cuda_available", "cuda_kernels", "get_spec", "optimizer_glue"]


def get_spec(name: str) -> OptimizerSpec:
    """The registered optimizer called ``name``; ValueError listing the names if unknown."""
    from ..registry import get_registry

    return get_registry().optimizer(name)


def create(name: str, **kwargs) -> Optimizer:
    """Create a registered optimizer by name, e.g. ``create("sgd", lr=0.1, momentum=0.9)``.

    Keyword arguments are those of :class:`Optimizer` (``preset``, ``backend``,
    ``on_nonfinite``) and the optimizer's hyperparameters.

    Raises
    ------
    ValueError
        Unknown optimizer name (the message lists the registered ones), unknown preset or
        hyperparameter, or invalid value.
    """
    return Optimizer(get_spec(name), **kwargs)


def __getattr__(name: str):
    """``gdlab.optim.adam(lr=..., preset="keras")``: a factory for every registered optimizer."""
    if name.startswith("_"):
        raise AttributeError(name)
    from ..registry import get_registry

    names = get_registry().specs("optimizers")
    key = name if name in names else name.replace("_", "-")
    if key in names:

        def factory(**kwargs) -> Optimizer:
            return create(key, **kwargs)

        factory.__name__ = name
        factory.__doc__ = f"Create the {key!r} optimizer (see :func:`gdlab.optim.create`)."
        return factory
    raise AttributeError(f"module 'gdlab.optim' has no attribute {name!r}")

"""Optimizer update rules: written once as a scalar rule, compiled for every kernel.

Built-in rules (registered through the ``gdlab_register_optimizers`` hook like any plugin):
``sgd`` (momentum, dampening, Nesterov, weight decay), ``nesterov`` (Sutskever/Lasagne form),
``adagrad``, ``adadelta``, ``rmsprop``, ``adam`` (amsgrad), ``adamw``, ``adamax``, ``nadam``,
``radam`` and ``lamb``; plugins add more (``gdlab list optimizers``). Each has presets
(``torch``, ``keras``, ``optax``, ``sklearn``) reproducing those libraries' rules.

Name one everywhere as ``NAME[@PRESET][:k=v,...]`` (:func:`parse_optimizer`), look it up with
:func:`get_spec`, create it with :func:`create` or a factory such as ``gdlab.optim.adam(...)``.
"""

from ._compile import compile_with, cuda_kernels, optimizer_glue
from ._optimizer import Optimizer, cuda_available
from ._spec import Hyper, OptimizerSpec, Preset
from ._syntax import OptimizerText, format_optimizer, parse_optimizer

__all__ = ["Hyper", "Optimizer", "OptimizerSpec", "OptimizerText", "Preset", "compile_with",
           "create", "cuda_available", "cuda_kernels", "format_optimizer", "get_spec",
           "optimizer_glue", "parse_optimizer"]


def get_spec(name: str) -> OptimizerSpec:
    """The registered optimizer ``NAME`` or ``NAME@PRESET`` (with that preset applied).

    Raises
    ------
    ValueError
        Unknown optimizer (the message lists the registered ones) or preset (the message
        lists the optimizer's presets).
    """
    from ..registry import get_registry

    text = parse_optimizer(name)
    if text.hyper:
        raise ValueError(f"get_spec takes NAME[@PRESET]; {name!r} also sets hyperparameters (use create)")
    spec = get_registry().optimizer(text.name)
    return spec if text.preset is None else spec.with_preset(text.preset)


def create(name: str, **kwargs) -> Optimizer:
    """Create a registered optimizer: ``create("sgd", lr=0.1, momentum=0.9)``,
    ``create("adam@keras:lr=1e-3")``.

    Parameters
    ----------
    name : str
        ``NAME[@PRESET][:k=v,...]`` (see :func:`parse_optimizer`).
    **kwargs
        Those of :class:`Optimizer` (``preset``, ``backend``, ``on_nonfinite``) and the
        optimizer's hyperparameters, added to those of ``name``.

    Raises
    ------
    ValueError
        Unknown optimizer name (the message lists the registered ones), unknown preset or
        hyperparameter, a hyperparameter or preset given both in ``name`` and as a keyword,
        or an invalid value.
    """
    from ._syntax import merge_hyper

    text = parse_optimizer(name)
    if text.preset is not None:
        if kwargs.get("preset") not in (None, text.preset):
            raise ValueError(f"{name!r} names preset {text.preset!r}, preset={kwargs['preset']!r} was also given")
        kwargs["preset"] = text.preset
    from ..registry import get_registry

    return Optimizer(get_registry().optimizer(text.name), **merge_hyper(text.hyper, kwargs, "the keyword arguments"))


def __dir__():
    from ..registry import get_registry

    return sorted(set(globals()) | {n.replace("-", "_") for n in get_registry().specs("optimizers")})


def __getattr__(name: str):
    """``gdlab.optim.adam(lr=..., preset="keras")``: a factory for every registered optimizer."""
    if name.startswith("_"):
        raise AttributeError(name)
    from ..registry import get_registry

    names = get_registry().specs("optimizers")
    key = name if name in names else name.replace("_", "-")
    if key in names:

        import inspect

        spec = names[key]

        def factory(**kwargs) -> Optimizer:
            return create(key, **kwargs)

        kw = inspect.Parameter.KEYWORD_ONLY
        params = [inspect.Parameter(h, kw, default=hp.default) for h, hp in spec.hyper.items()]
        if "beta1" in spec.hyper:  # Optimizer's betas=(beta1, beta2) shorthand
            params.append(inspect.Parameter("betas", kw, default=None))
        params += [inspect.Parameter(k, kw, default=v) for k, v in
                   (("preset", None), ("backend", "auto"), ("on_nonfinite", "raise"))]
        factory.__signature__ = inspect.Signature(params, return_annotation=Optimizer)
        factory.__name__ = factory.__qualname__ = name
        factory.__doc__ = (f"Create the {key!r} optimizer: {spec.summary}\n\nHyperparameters:\n"
                           + "\n".join(f"    {h} = {hp.default!r}: {hp.doc}" for h, hp in spec.hyper.items())
                           + "\n\nSee :func:`gdlab.optim.create`; presets: "
                           + ", ".join(spec.preset_names) + ".")
        return factory
    raise AttributeError(f"module 'gdlab.optim' has no attribute {name!r}")

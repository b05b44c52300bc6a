"""The module the ``gdlab`` entry point ``lion`` names: gdlab calls its hook implementations."""

from gdlab.hookspecs import hookimpl

from ._lion import LION


@hookimpl
def gdlab_register_optimizers():
    return [LION]

"""Built-in surfaces, registered through the same hook as third-party plugins."""

from ..hookspecs import hookimpl
from ._library import BUILTIN


@hookimpl
def gdlab_register_surfaces():
    return list(BUILTIN)

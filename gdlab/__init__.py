"""gdlab: a Numba-JIT laboratory for gradient-descent research.

Optimizer update rules are written once as scalar functions and compiled by Numba into
parallel CPU kernels and into compiled training loops; models keep their parameters in one
flat vector; built-ins and third-party plugins register through the same pluggy hooks.
"""

__version__ = "0.1.0"

from . import optim  # noqa: E402
from .hookspecs import hookimpl  # noqa: E402
from .registry import PluginError, get_registry  # noqa: E402

__all__ = ["PluginError", "__version__", "get_registry", "hookimpl", "optim"]

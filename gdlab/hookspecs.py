"""Hook specifications of gdlab's plugin system (pluggy project name ``"gdlab"``).

A plugin is a module (or object) with functions named like the hooks below, decorated with
:data:`hookimpl`. Third-party plugins are found through the entry-point group ``gdlab``::

    [project.entry-points.gdlab]
    my_optimizers = "my_package.gdlab_plugin"

Registration hooks return lists of specs; gdlab flattens them and rejects two specs with one
name, naming both providers. No hook is ever called inside compiled code.
"""

import pluggy

hookspec = pluggy.HookspecMarker("gdlab")
hookimpl = pluggy.HookimplMarker("gdlab")


@hookspec
def gdlab_register_optimizers():
    """Return a list of :class:`gdlab.optim.OptimizerSpec` this plugin provides.

    Each spec's ``rule`` must be a plain-Python scalar function defined at module level;
    its module's source is hashed into the kernel cache key.
    """


@hookspec
def gdlab_register_surfaces():
    """Return a list of :class:`gdlab.surfaces.SurfaceSpec` this plugin provides.

    Each spec's ``f`` and ``grad`` must be plain-Python scalar functions defined at module
    level; they are compiled into the trajectory and sweep kernels (CPU and CUDA).
    """


@hookspec
def gdlab_register_datasets():
    """Return a list of :class:`gdlab.datasets.DatasetSpec` this plugin provides."""

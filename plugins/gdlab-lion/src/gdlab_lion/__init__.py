"""gdlab-lion: the Lion optimizer (Chen et al., 2023) as a gdlab plugin.

Installing the distribution registers ``lion`` through the ``gdlab`` entry-point group
(see :mod:`gdlab_lion.plugin`); :data:`LION` is the :class:`gdlab.optim.OptimizerSpec`.
"""

from ._lion import LION, lion_reference, lion_rule

__all__ = ["LION", "lion_reference", "lion_rule"]
__version__ = "0.1.0"

"""Models trained by mini-batch gradient descent in Numba."""

from ._mlp import MLP

__all__ = ["MLP"]

"""Hyperparameters that many optimizers share, declared once (PyTorch's ranges and messages)."""

from ._spec import Hyper

MAXIMIZE = Hyper(False, doc="ascend the objective instead of descending")


def lr_hyper(default: float, doc: str = "learning rate") -> Hyper:
    """The learning rate: ``[0, inf)``, "Invalid learning rate: ..." when outside."""
    return Hyper(default, 0.0, doc=doc, label="learning rate")


def betas_hyper(beta1: float = 0.9, beta2: float = 0.999,
                doc2: str = "decay of the second-moment average") -> dict:
    """``beta1`` and ``beta2`` in ``[0, 1)``, with PyTorch's "Invalid beta parameter at index i"."""
    return {
        "beta1": Hyper(beta1, 0.0, 1.0, high_open=True, doc="decay of the first-moment average",
                       label="beta parameter at index 0"),
        "beta2": Hyper(beta2, 0.0, 1.0, high_open=True, doc=doc2, label="beta parameter at index 1"),
    }

r"""Nesterov momentum in the Sutskever / Lasagne form, the velocity holding the step ``lr·g``.

.. math::

    g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    v_t &\leftarrow \mu v_{t-1} - \gamma g_t \\
    \theta_t &\leftarrow \theta_{t-1} + \mu v_t - \gamma g_t

with lr γ, momentum μ and weight_decay λ (an L2 term added to the gradient; Lasagne has no
weight decay of its own, it puts the penalty in the loss). The velocity ``v`` starts at zero.
This is ``lasagne.updates.nesterov_momentum`` (``x = μ v + (θ − γ g) − θ; v ← x;
θ ← μ x + θ − γ g``), the reformulation by Bengio, Boulanger-Lewandowski & Pascanu (2013) of
Sutskever et al.'s (2013) ``v ← μ v − γ ∇f(θ + μ v); θ ← θ + v`` in the look-ahead variable
Θ = θ + μ v. It is also ``keras.optimizers.SGD(nesterov=True)`` without weight decay and
scikit-learn's ``SGDOptimizer(nesterov=True)``.

With a constant learning rate it moves the parameters exactly as ``torch.optim.SGD(momentum=μ,
nesterov=True)`` (then v = −γ × PyTorch's ``momentum_buffer``); the two differ when lr changes
during training, since here past steps keep the learning rate they were taken with.

Defaults: lr=1e-3 (Lasagne has no default; gdlab's SGD default), momentum=0.9,
weight_decay=0. State: ``velocity`` (zero at the start).
Raises ValueError for lr < 0 ("Invalid learning rate"), momentum outside [0, 1) ("Invalid
momentum value") or weight_decay < 0 ("Invalid weight_decay value").

References
----------
Sutskever, Martens, Dahl & Hinton, 2013, On the importance of initialization and momentum in
deep learning, ICML. Bengio, Boulanger-Lewandowski & Pascanu, 2013, Advances in optimizing
recurrent networks, ICASSP, arXiv:1212.0901. Lasagne ``lasagne.updates.nesterov_momentum`` /
``apply_nesterov_momentum``.
"""

from __future__ import annotations

import numpy as np

from ._common import lr_hyper
from ._spec import Hyper, OptimizerSpec


def nesterov_rule(p, g, velocity, lr, momentum, weight_decay):
    """One Nesterov step on one element (Lasagne ``apply_nesterov_momentum`` on ``sgd``)."""
    if weight_decay != 0.0:
        g = g + weight_decay * p
    v = momentum * velocity - lr * g
    return p + (momentum * v - lr * g), v


def nesterov_reference(p, g, state, t, *, lr, momentum, weight_decay):
    """Float64 NumPy twin of :func:`nesterov_rule`, written from Lasagne's
    ``apply_nesterov_momentum(sgd(...))``: ``x = momentum*v + (p - lr*g) - p; p = momentum*x +
    (p - lr*g)``."""
    p = np.asarray(p, np.float64)
    g = np.asarray(g, np.float64) + weight_decay * p
    sgd_update = p - lr * g
    x = momentum * np.asarray(state["velocity"], np.float64) + sgd_update - p
    return momentum * x + sgd_update, {"velocity": x}


NESTEROV = OptimizerSpec(
    name="nesterov",
    rule=nesterov_rule,
    hyper={
        "lr": lr_hyper(1e-3),
        "momentum": Hyper(0.9, 0.0, 1.0, high_open=True, doc="momentum factor"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient"),
    },
    state=("velocity",),
    reference=nesterov_reference,
    references=(
        "Sutskever, Martens, Dahl & Hinton, 2013, ICML (Nesterov momentum for deep learning)",
        "Bengio, Boulanger-Lewandowski & Pascanu, 2013, arXiv:1212.0901 (the reformulation used)",
        "Lasagne lasagne.updates.nesterov_momentum (rule matched)",
    ),
    summary="Nesterov momentum, Sutskever/Lasagne velocity form (velocity holds lr*g)",
)

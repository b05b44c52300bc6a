r"""Stochastic gradient descent, exactly as ``torch.optim.SGD``.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    b_t &\leftarrow g_t \ (t = 1), \qquad b_t \leftarrow \mu b_{t-1} + (1-\tau) g_t \ (t > 1) \\
    g_t &\leftarrow g_t + \mu b_t \ \text{(nesterov)}, \qquad g_t \leftarrow b_t \ \text{(otherwise)} \\
    \theta_t &\leftarrow \theta_{t-1} - \gamma g_t

with lr γ, momentum μ, dampening τ and weight_decay λ; the buffer steps are skipped when μ = 0.
Defaults: lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False.
Raises ValueError for lr < 0, momentum outside [0, 1), dampening outside [0, 1], weight_decay < 0,
or nesterov without momentum or with dampening.
"""

from __future__ import annotations

import numpy as np

from ._spec import Hyper, OptimizerSpec


def sgd_rule(p, g, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize, first_step):
    """One SGD step on one element, as ``torch.optim.SGD`` (``_single_tensor_sgd``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    buf = momentum_buffer
    if momentum != 0.0:
        if first_step:
            buf = g
        else:
            buf = momentum * momentum_buffer + (1.0 - dampening) * g
        if nesterov:
            g = g + momentum * buf
        else:
            g = buf
    return p - lr * g, buf


def sgd_scalars(t, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """``first_step``: 1.0 at step 1, when PyTorch creates the buffer as a copy of the gradient."""
    return (1.0 if t == 1 else 0.0,)


def sgd_reference(p, g, state, t, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """Float64 NumPy twin of :func:`sgd_rule`, written from PyTorch's documented algorithm."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    buf = np.asarray(state["momentum_buffer"], np.float64)
    if momentum != 0:
        buf = g.copy() if t == 1 else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return p - lr * g, {"momentum_buffer": buf}


def _check_sgd(owner, h):
    if h["nesterov"] and (h["momentum"] <= 0 or h["dampening"] != 0):
        raise ValueError(
            f"{owner}: Nesterov momentum requires a momentum and zero dampening "
            f"(got momentum={h['momentum']!r}, dampening={h['dampening']!r})"
        )


SGD = OptimizerSpec(
    name="sgd",
    rule=sgd_rule,
    hyper={
        "lr": Hyper(1e-3, 0.0, doc="learning rate", label="learning rate"),
        "momentum": Hyper(0.0, 0.0, 1.0, high_open=True, doc="momentum factor"),
        "dampening": Hyper(0.0, 0.0, 1.0, doc="dampening of the gradient added to the buffer"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient"),
        "nesterov": Hyper(False, doc="Nesterov momentum (PyTorch form)"),
        "maximize": Hyper(False, doc="ascend the objective instead of descending"),
    },
    state=("momentum_buffer",),
    active_state=lambda h: ("momentum_buffer",) if h["momentum"] != 0 else (),
    step_scalars=sgd_scalars,
    scalars=("first_step",),
    reference=sgd_reference,
    check=_check_sgd,
    references=(
        "Robbins & Monro, 1951, doi:10.1214/aoms/1177729586",
        "Sutskever, Martens, Dahl & Hinton, 2013, ICML (momentum and Nesterov)",
        "PyTorch torch.optim.SGD (rule matched, including the first-step buffer)",
    ),
    summary="SGD with momentum, dampening, Nesterov and L2 weight decay (PyTorch semantics)",
)

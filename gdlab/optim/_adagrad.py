r"""Adagrad, exactly as ``torch.optim.Adagrad``, with Keras and optax presets.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    \tilde\gamma_t &\leftarrow \gamma / (1 + (t - 1)\,\eta) \\
    s_t &\leftarrow s_{t-1} + g_t^2 \\
    \theta_t &\leftarrow \theta_{t-1} - \tilde\gamma_t\, \frac{g_t}{\sqrt{s_t} + \epsilon}

with lr γ, lr_decay η, weight_decay λ (an L2 term added to the gradient), eps ε, and the
accumulator ``sum`` s starting at ``initial_accumulator_value`` s₀. PyTorch adds ε *outside*
the square root.
Defaults: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
maximize=False. State: ``sum``.
Raises ValueError for lr < 0 ("Invalid learning rate"), lr_decay < 0 ("Invalid lr_decay
value"), weight_decay < 0 ("Invalid weight_decay value"), initial_accumulator_value < 0
("Invalid initial_accumulator_value value") or eps < 0 ("Invalid epsilon value").

Presets
-------
``keras`` (``keras.optimizers.Adagrad``, Keras 3): ε *inside* the square root and Keras'
decoupled weight decay before the update:

.. math::

    \theta \leftarrow \theta\,(1 - \tilde\gamma_t\lambda), \quad
    s_t \leftarrow s_{t-1} + g_t^2, \quad
    \theta_t \leftarrow \theta - \tilde\gamma_t g_t / \sqrt{s_t + \epsilon}

Defaults: lr=1e-3 (``learning_rate``), initial_accumulator_value=0.1, eps=1e-7 (``epsilon``).
Keras has no lr_decay: γ̃ₜ is what Keras computes with
``keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=lr_decay)``.

``optax`` (``optax.adagrad`` = ``scale_by_rss`` + ``scale_by_learning_rate``): ε inside the
square root, and no step where the accumulator is zero:

.. math::

    s_t \leftarrow s_{t-1} + g_t^2, \quad
    \theta_t \leftarrow \theta_{t-1} - \tilde\gamma_t\, g_t / \sqrt{s_t + \epsilon}
    \ \ (s_t > 0), \quad \theta_t \leftarrow \theta_{t-1} \ \ (s_t = 0)

Defaults: initial_accumulator_value=0.1, eps=1e-7; optax has no default learning rate (gdlab
keeps 1e-2). weight_decay is ``optax.add_decayed_weights(λ)`` chained before (L2 in the
gradient, as PyTorch); lr_decay is the schedule ``lambda count: lr / (1 + count*lr_decay)``.
maximize (negated gradient) is a gdlab extension in both presets.

References
----------
Duchi, Hazan & Singer, 2011, Adaptive Subgradient Methods for Online Learning and Stochastic
Optimization, JMLR 12. ``torch.optim.Adagrad``; ``keras.optimizers.Adagrad``; ``optax.adagrad``.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def adagrad_rule(p, g, state_sum, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize,
                 clr):
    """One Adagrad step on one element, as ``torch.optim.Adagrad`` (``_single_tensor_adagrad``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    s = state_sum + g * g
    std = math.sqrt(s) + eps
    return p - clr * g / std, s


def adagrad_scalars(t, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize):
    """``clr = lr / (1 + (t - 1) * lr_decay)``, PyTorch's decayed learning rate of step ``t``."""
    return (lr / (1.0 + (t - 1) * lr_decay),)


def adagrad_reference(p, g, state, t, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps,
                      maximize):
    """Float64 NumPy twin of :func:`adagrad_rule`, written from PyTorch's documented algorithm."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s = np.asarray(state["sum"], np.float64) + g**2
    return p - clr * g / (np.sqrt(s) + eps), {"sum": s}


def adagrad_keras_rule(p, g, state_sum, lr, lr_decay, weight_decay, initial_accumulator_value, eps,
                       maximize, clr):
    """One step of ``keras.optimizers.Adagrad``: eps inside the sqrt, decoupled weight decay."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - weight_decay * clr)  # Keras' _apply_weight_decay, before update_step
    s = state_sum + g * g
    return p - clr * g / math.sqrt(s + eps), s


def adagrad_keras_reference(p, g, state, t, *, lr, lr_decay, weight_decay, initial_accumulator_value,
                            eps, maximize):
    """Float64 NumPy twin of :func:`adagrad_keras_rule`, from ``keras.optimizers.Adagrad.update_step``
    (``accumulator += g**2; p -= lr*g / sqrt(accumulator + epsilon)``) after
    ``BaseOptimizer._apply_weight_decay`` (``p -= p*wd*lr``)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    clr = lr / (1 + (t - 1) * lr_decay)
    p = p - p * weight_decay * clr
    s = np.asarray(state["sum"], np.float64) + np.square(g)
    return p - clr * g / np.sqrt(s + eps), {"sum": s}


def adagrad_optax_rule(p, g, state_sum, lr, lr_decay, weight_decay, initial_accumulator_value, eps,
                       maximize, clr):
    """One step of ``optax.adagrad``: eps inside the sqrt, no step where the sum is zero."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    s = state_sum + g * g
    if s > 0.0:
        return p - clr * (g / math.sqrt(s + eps)), s
    return p, s


def adagrad_optax_reference(p, g, state, t, *, lr, lr_decay, weight_decay, initial_accumulator_value,
                            eps, maximize):
    """Float64 NumPy twin of :func:`adagrad_optax_rule`, from ``optax.scale_by_rss``
    (``where(s > 0, rsqrt(s + eps), 0) * g``) followed by ``scale_by_learning_rate``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s = np.asarray(state["sum"], np.float64) + np.square(g)
    with np.errstate(divide="ignore"):
        scale = np.where(s > 0, 1.0 / np.sqrt(s + eps), 0.0)
    return p - clr * (scale * g), {"sum": s}


ADAGRAD = OptimizerSpec(
    name="adagrad",
    rule=adagrad_rule,
    hyper={
        "lr": lr_hyper(1e-2),
        "lr_decay": Hyper(0.0, 0.0, doc="learning rate decay: lr / (1 + (t-1)*lr_decay)"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient"),
        "initial_accumulator_value": Hyper(0.0, 0.0, doc="initial value of the sum of squares"),
        "eps": Hyper(1e-10, 0.0, doc="added to the denominator for stability", label="epsilon value"),
        "maximize": MAXIMIZE,
    },
    state=("sum",),
    state_init=lambda h: (h["initial_accumulator_value"],),
    step_scalars=adagrad_scalars,
    scalars=("clr",),
    reference=adagrad_reference,
    references=(
        "Duchi, Hazan & Singer, 2011, Adaptive Subgradient Methods for Online Learning and "
        "Stochastic Optimization, JMLR 12:2121-2159",
        "PyTorch torch.optim.Adagrad (rule matched, eps outside the square root)",
    ),
    summary="Adagrad with lr decay, initial accumulator and L2 weight decay (PyTorch semantics)",
    presets={
        "keras": Preset(
            changes="eps inside the sqrt: p -= lr*g/sqrt(sum + eps); weight_decay decoupled "
                    "(p *= 1 - lr*wd before the update); lr 1e-3, initial_accumulator_value 0.1, eps 1e-7",
            defaults={"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7},
            rule=adagrad_keras_rule,
            reference=adagrad_keras_reference,
            references=("keras.optimizers.Adagrad (Keras 3.x): learning_rate -> lr, epsilon -> eps, "
                        "initial_accumulator_value, weight_decay (decoupled); lr_decay = "
                        "InverseTimeDecay(decay_steps=1, decay_rate=lr_decay)",),
        ),
        "optax": Preset(
            changes="eps inside the sqrt: p -= lr*g/sqrt(sum + eps), no step where sum == 0; "
                    "initial_accumulator_value 0.1, eps 1e-7",
            defaults={"initial_accumulator_value": 0.1, "eps": 1e-7},
            rule=adagrad_optax_rule,
            reference=adagrad_optax_reference,
            references=("optax.adagrad (optax 0.2.x, scale_by_rss): learning_rate -> lr, eps, "
                        "initial_accumulator_value; optax.add_decayed_weights -> weight_decay",),
        ),
    },
)

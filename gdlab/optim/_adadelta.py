r"""Adadelta, exactly as ``torch.optim.Adadelta``, with Keras and optax presets.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    v_t &\leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
    \Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
    u_t &\leftarrow \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
    \theta_t &\leftarrow \theta_{t-1} - \gamma \Delta_t

with lr γ, rho ρ, eps ε (inside both square roots), weight_decay λ (an L2 term added to the
gradient), ``square_avg`` v and ``acc_delta`` u, both zero at the start. The accumulated
update u is of Δ, before the learning rate.
Defaults: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False.
Raises ValueError for lr < 0 ("Invalid learning rate"), rho outside [0, 1] ("Invalid rho
value"), eps < 0 ("Invalid epsilon value") or weight_decay < 0 ("Invalid weight_decay value").

Presets
-------
``keras`` (``keras.optimizers.Adadelta``, Keras 3): the same Δ, u and v, but Keras'
``weight_decay`` is decoupled, applied to the parameter before the update:

.. math::

    \theta \leftarrow \theta\,(1 - \gamma\lambda), \quad
    \theta_t \leftarrow \theta - \gamma \Delta_t \ \ (\Delta_t \text{ from the raw gradient})

Defaults: lr=1e-3 (``learning_rate``), rho=0.95, eps=1e-7 (``epsilon``).

``optax`` (``optax.adadelta`` = ``add_decayed_weights`` + ``scale_by_adadelta`` +
``scale_by_learning_rate``): the same rule as PyTorch (L2 weight decay in the gradient, ε
inside both roots, u of the update before the learning rate) with the same defaults
(``learning_rate=None`` scales by 1, as lr=1.0).
maximize (negated gradient) is a gdlab extension in both presets.

References
----------
Zeiler, 2012, ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701.
``torch.optim.Adadelta``; ``keras.optimizers.Adadelta``; ``optax.adadelta``.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def adadelta_rule(p, g, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step on one element, as ``torch.optim.Adadelta`` (``_single_tensor_adadelta``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    v = square_avg * rho + (1.0 - rho) * g * g
    std = math.sqrt(v + eps)
    delta = math.sqrt(acc_delta + eps) / std * g
    u = acc_delta * rho + (1.0 - rho) * delta * delta
    return p - lr * delta, v, u


def adadelta_reference(p, g, state, t, *, lr, rho, eps, weight_decay, maximize):
    """Float64 NumPy twin of :func:`adadelta_rule`, written from Algorithm 1 of Zeiler (2012)
    with PyTorch's learning rate and weight decay."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    v = rho * np.asarray(state["square_avg"], np.float64) + (1 - rho) * g**2
    u_prev = np.asarray(state["acc_delta"], np.float64)
    delta = np.sqrt(u_prev + eps) / np.sqrt(v + eps) * g
    u = rho * u_prev + (1 - rho) * delta**2
    return p - lr * delta, {"square_avg": v, "acc_delta": u}


def adadelta_keras_rule(p, g, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    """One step of ``keras.optimizers.Adadelta`` (Keras 3): decoupled weight decay."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - weight_decay * lr)  # Keras' _apply_weight_decay, before update_step
    v = square_avg * rho + (1.0 - rho) * g * g
    delta = math.sqrt(acc_delta + eps) * g / math.sqrt(v + eps)
    u = acc_delta * rho + (1.0 - rho) * delta * delta
    return p - lr * delta, v, u


def adadelta_keras_reference(p, g, state, t, *, lr, rho, eps, weight_decay, maximize):
    """Float64 NumPy twin of :func:`adadelta_keras_rule`, from ``keras.optimizers.Adadelta.update_step``
    (``rms(x) = sqrt(x + epsilon)``; ``delta_var = -rms(acc_delta)*g / rms(acc_grad)``;
    ``p += lr*delta_var``) after ``BaseOptimizer._apply_weight_decay`` (``p -= p*wd*lr``)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    p = p - p * weight_decay * lr

    def rms(x):
        return np.sqrt(x + eps)

    acc_grad = rho * np.asarray(state["square_avg"], np.float64) + (1 - rho) * np.square(g)
    acc_delta = np.asarray(state["acc_delta"], np.float64)
    delta_var = -(rms(acc_delta) * g) / rms(acc_grad)
    acc_delta = rho * acc_delta + (1 - rho) * np.square(delta_var)
    return p + lr * delta_var, {"square_avg": acc_grad, "acc_delta": acc_delta}


def adadelta_optax_reference(p, g, state, t, *, lr, rho, eps, weight_decay, maximize):
    """Float64 NumPy twin of ``optax.adadelta``: ``add_decayed_weights``, then
    ``scale_by_adadelta`` (``e_g``, ``e_x`` as ``update_moment(.., rho, 2)``), then ``-lr``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    e_g = (1 - rho) * g**2 + rho * np.asarray(state["square_avg"], np.float64)
    e_x_prev = np.asarray(state["acc_delta"], np.float64)
    u = np.sqrt(e_x_prev + eps) / np.sqrt(e_g + eps) * g
    e_x = (1 - rho) * u**2 + rho * e_x_prev
    return p + (-lr) * u, {"square_avg": e_g, "acc_delta": e_x}


ADADELTA = OptimizerSpec(
    name="adadelta",
    rule=adadelta_rule,
    hyper={
        "lr": lr_hyper(1.0, "learning rate (scales the Adadelta step)"),
        "rho": Hyper(0.9, 0.0, 1.0, doc="decay of the running averages"),
        "eps": Hyper(1e-6, 0.0, doc="added inside both square roots", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient"),
        "maximize": MAXIMIZE,
    },
    state=("square_avg", "acc_delta"),
    reference=adadelta_reference,
    references=(
        "Zeiler, 2012, ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701",
        "PyTorch torch.optim.Adadelta (rule matched)",
    ),
    summary="Adadelta with a learning rate and L2 weight decay (PyTorch semantics)",
    presets={
        "keras": Preset(
            changes="weight_decay decoupled (p *= 1 - lr*wd before the update); lr 1e-3, rho 0.95, eps 1e-7",
            defaults={"lr": 1e-3, "rho": 0.95, "eps": 1e-7},
            rule=adadelta_keras_rule,
            reference=adadelta_keras_reference,
            references=("keras.optimizers.Adadelta (Keras 3.x): learning_rate -> lr, rho, epsilon -> eps, "
                        "weight_decay (decoupled)",),
        ),
        "optax": Preset(
            changes="same rule and defaults as torch (learning_rate=None is lr 1.0)",
            defaults={},
            reference=adadelta_optax_reference,
            references=("optax.adadelta (optax 0.2.x): learning_rate -> lr, rho, eps, weight_decay "
                        "(add_decayed_weights, an L2 term)",),
        ),
    },
)

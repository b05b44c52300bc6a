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

Presets
-------
``keras`` (``keras.optimizers.SGD``, Keras 3): velocity form, the buffer holds the step itself
(``momentum_buffer`` = Keras' ``momentum`` variable = −γ × PyTorch's buffer), and Keras'
``weight_decay`` is *decoupled*, applied to the parameter before the update:

.. math::

    \theta &\leftarrow \theta\,(1 - \gamma\lambda) \\
    v_t &\leftarrow \mu v_{t-1} - (1-\tau)\,\gamma g_t \\
    \theta_t &\leftarrow \theta + v_t, \qquad
    \theta_t \leftarrow \theta + \mu v_t - \gamma g_t \ \text{(nesterov)}

(no momentum: θ ← θ − γ g). Defaults: lr=0.01 (``learning_rate``), momentum=0,
nesterov=False. Dampening and maximize are gdlab extensions (Keras has neither; τ = 0 gives
Keras' rule exactly). With a constant lr and no weight decay this equals PyTorch's rule.

``optax`` (``optax.sgd``): trace t ← g + μ t from zeros, update −γ t, or −γ (g + μ t) with
nesterov: the same rule as PyTorch with dampening 0 (PyTorch's first-step copy of the
gradient equals a trace started at zero). ``momentum=None`` in optax is momentum=0;
weight_decay is ``optax.add_decayed_weights(λ)`` chained before ``optax.sgd`` (an L2 term in
the gradient, as in PyTorch). Optax has no default learning rate; gdlab keeps 1e-3.

``sklearn`` (``sklearn.neural_network._stochastic_optimizers.SGDOptimizer``): the velocity
form of ``keras`` (v ← μ v − γ g; θ ← θ + v, or θ ← θ + μ v − γ g with nesterov) with
weight_decay an L2 term added to the gradient (scikit-learn's MLP adds ``alpha``·W to the
gradient itself). Defaults: lr=0.1 (``learning_rate_init``), momentum=0.9, nesterov=True
(so momentum=0 needs nesterov=False). Only the ``"constant"`` learning-rate schedule.

References: Robbins & Monro (1951); Sutskever et al. (2013); ``torch.optim.SGD``;
``keras.optimizers.SGD``; ``optax.sgd``; scikit-learn ``SGDOptimizer``.
"""

from __future__ import annotations

import numpy as np

from ._common import MAXIMIZE, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


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


def sgd_keras_rule(p, g, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize,
                   first_step):
    """One step of ``keras.optimizers.SGD`` (Keras 3, velocity form, decoupled weight decay)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - weight_decay * lr)  # Keras' _apply_weight_decay, before update_step
    v = momentum_buffer
    if momentum != 0.0:
        v = momentum * momentum_buffer - (1.0 - dampening) * lr * g
        if nesterov:
            return p + (momentum * v - lr * g), v
        return p + v, v
    return p - lr * g, v


def sgd_keras_reference(p, g, state, t, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """Float64 NumPy twin of :func:`sgd_keras_rule`, from ``keras.optimizers.SGD.update_step``
    and ``BaseOptimizer._apply_weight_decay``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    p = p - p * weight_decay * lr
    v = np.asarray(state["momentum_buffer"], np.float64)
    if momentum == 0:
        return p - lr * g, {"momentum_buffer": v}
    v = momentum * v - (1 - dampening) * lr * g
    step = momentum * v - lr * g if nesterov else v
    return p + step, {"momentum_buffer": v}


def sgd_sklearn_rule(p, g, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize,
                     first_step):
    """One step of scikit-learn's ``SGDOptimizer`` (velocity form; L2 weight decay in the gradient)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    v = momentum_buffer
    if momentum != 0.0:
        v = momentum * momentum_buffer - (1.0 - dampening) * lr * g
        if nesterov:
            return p + (momentum * v - lr * g), v
        return p + v, v
    return p - lr * g, v


def sgd_sklearn_reference(p, g, state, t, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """Float64 NumPy twin of :func:`sgd_sklearn_rule`, from ``SGDOptimizer._get_updates``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    v = np.asarray(state["momentum_buffer"], np.float64)
    if momentum == 0:
        return p - lr * g, {"momentum_buffer": v}
    v = momentum * v - (1 - dampening) * lr * g
    update = momentum * v - lr * g if nesterov else v
    return p + update, {"momentum_buffer": v}


def sgd_optax_reference(p, g, state, t, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """Float64 NumPy twin of ``optax.chain(optax.add_decayed_weights(wd), optax.sgd(lr, momentum,
    nesterov))``: trace t <- g + momentum * t from zeros (dampening, a gdlab extension, scales
    the gradient added to the trace from step 2 on, as PyTorch's)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    tr = np.asarray(state["momentum_buffer"], np.float64)
    if momentum != 0:
        tr = g + momentum * tr if t == 1 else (1 - dampening) * g + momentum * tr
        g = g + momentum * tr if nesterov else tr
    return p - lr * g, {"momentum_buffer": tr}


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
        "lr": lr_hyper(1e-3),
        "momentum": Hyper(0.0, 0.0, 1.0, high_open=True, doc="momentum factor"),
        "dampening": Hyper(0.0, 0.0, 1.0, doc="dampening of the gradient added to the buffer"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient"),
        "nesterov": Hyper(False, doc="Nesterov momentum (PyTorch form)"),
        "maximize": MAXIMIZE,
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
    presets={
        "keras": Preset(
            changes="velocity form v = momentum*v - lr*g (momentum_buffer holds the step); "
                    "weight_decay decoupled (p *= 1 - lr*wd before the update); lr 0.01",
            defaults={"lr": 0.01},
            rule=sgd_keras_rule,
            reference=sgd_keras_reference,
            references=("keras.optimizers.SGD (Keras 3.x): learning_rate -> lr, momentum, nesterov, "
                        "weight_decay (decoupled, BaseOptimizer._apply_weight_decay)",),
        ),
        "optax": Preset(
            changes="same rule as torch (trace from zeros); weight_decay as optax.add_decayed_weights "
                    "chained before optax.sgd; momentum=None is momentum=0",
            defaults={},
            reference=sgd_optax_reference,
            references=("optax.sgd (optax 0.2.x): learning_rate -> lr, momentum, nesterov; "
                        "optax.add_decayed_weights -> weight_decay",),
        ),
        "sklearn": Preset(
            changes="velocity form v = momentum*v - lr*g, nesterov p += momentum*v - lr*g; lr 0.1, "
                    "momentum 0.9, nesterov True; weight_decay an L2 term in the gradient",
            defaults={"lr": 0.1, "momentum": 0.9, "nesterov": True},
            rule=sgd_sklearn_rule,
            reference=sgd_sklearn_reference,
            references=("sklearn.neural_network._stochastic_optimizers.SGDOptimizer (scikit-learn 1.x): "
                        "learning_rate_init -> lr, momentum, nesterov (lr_schedule='constant')",),
        ),
    },
)

r"""RMSprop, exactly as ``torch.optim.RMSprop``, with Keras and optax presets.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
    \bar g_t &\leftarrow \alpha \bar g_{t-1} + (1 - \alpha) g_t \ \text{(centered)} \\
    d_t &\leftarrow \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \qquad
    d_t \leftarrow \sqrt{v_t} + \epsilon \ \text{(otherwise)} \\
    b_t &\leftarrow \mu b_{t-1} + g_t / d_t, \quad \theta_t \leftarrow \theta_{t-1} - \gamma b_t
    \ (\mu > 0), \qquad \theta_t \leftarrow \theta_{t-1} - \gamma g_t / d_t \ (\mu = 0)

with lr γ, alpha α, eps ε (added *outside* the square root), weight_decay λ (an L2 term added
to the gradient) and momentum μ. State: ``square_avg`` v, ``momentum_buffer`` b (only when
μ > 0) and ``grad_avg`` ḡ (only when centered), all zero at the start, allocated exactly as
PyTorch does.
Defaults: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
maximize=False.
Raises ValueError for lr < 0 ("Invalid learning rate"), eps < 0 ("Invalid epsilon value"),
momentum < 0 ("Invalid momentum value"), weight_decay < 0 ("Invalid weight_decay value") or
alpha < 0 ("Invalid alpha value"); gdlab also rejects alpha > 1 and momentum ≥ 1, which
PyTorch accepts (α > 1 makes v negative; μ ≥ 1 diverges), with the same messages.

Presets
-------
``keras`` (``keras.optimizers.RMSprop``, Keras 3): ε *inside* the square root, the momentum
buffer accumulates the step with the learning rate in it, and Keras' decoupled weight decay:

.. math::

    \theta \leftarrow \theta (1 - \gamma\lambda), \quad
    \Delta_t = \gamma g_t / \sqrt{v_t + \epsilon - \bar g_t^2}, \quad
    b_t \leftarrow \mu b_{t-1} + \Delta_t, \quad \theta_t \leftarrow \theta - b_t

(θₜ ← θ − Δₜ without momentum; without centering ḡ = 0). Defaults: lr=1e-3
(``learning_rate``), alpha=0.9 (``rho``), eps=1e-7 (``epsilon``).

``optax`` (``optax.rmsprop`` with its default ``eps_in_sqrt=True``, ``initial_scale=0``,
``bias_correction=False``, ``nesterov=False``): ε inside the square root and the momentum
trace taken after the learning rate:

.. math::

    \Delta_t = \gamma g_t / \sqrt{v_t - \bar g_t^2 + \epsilon}, \quad
    b_t \leftarrow \Delta_t + \mu b_{t-1}, \quad \theta_t \leftarrow \theta_{t-1} - b_t

with ``momentum_buffer`` b = −(optax's ``trace``). Defaults: alpha=0.9 (``decay``),
eps=1e-8; optax has no default learning rate (gdlab keeps 1e-2); ``momentum=None`` is
momentum=0. weight_decay is ``optax.add_decayed_weights(λ)`` chained before (L2 in the
gradient, as PyTorch). maximize (negated gradient) is a gdlab extension in both presets.
Keras and optax give the same parameters as PyTorch's momentum form only at a constant lr.

References
----------
Hinton, Srivastava & Swersky, 2012, Neural Networks for Machine Learning, lecture 6e.
Graves, 2013, Generating Sequences With Recurrent Neural Networks, arXiv:1308.0850 (centered).
``torch.optim.RMSprop``; ``keras.optimizers.RMSprop``; ``optax.rmsprop``.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def rmsprop_rule(p, g, square_avg, momentum_buffer, grad_avg, lr, alpha, eps, weight_decay, momentum,
                 centered, maximize):
    """One RMSprop step on one element, as ``torch.optim.RMSprop`` (``_single_tensor_rmsprop``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    v = square_avg * alpha + (1.0 - alpha) * g * g
    ga = grad_avg
    if centered:
        ga = grad_avg + (g - grad_avg) * (1.0 - alpha)  # torch: grad_avg.lerp_(grad, 1 - alpha)
        avg = math.sqrt(v - ga * ga) + eps
    else:
        avg = math.sqrt(v) + eps
    buf = momentum_buffer
    if momentum > 0.0:
        buf = momentum_buffer * momentum + g / avg
        return p - lr * buf, v, buf, ga
    return p - lr * g / avg, v, buf, ga


def rmsprop_reference(p, g, state, t, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """Float64 NumPy twin of :func:`rmsprop_rule`, written from PyTorch's documented algorithm."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    v = alpha * np.asarray(state["square_avg"], np.float64) + (1 - alpha) * g**2
    ga = np.asarray(state["grad_avg"], np.float64)
    if centered:
        ga = alpha * ga + (1 - alpha) * g
        denom = np.sqrt(v - ga**2) + eps
    else:
        denom = np.sqrt(v) + eps
    buf = np.asarray(state["momentum_buffer"], np.float64)
    if momentum > 0:
        buf = momentum * buf + g / denom
        p_new = p - lr * buf
    else:
        p_new = p - lr * g / denom
    return p_new, {"square_avg": v, "momentum_buffer": buf, "grad_avg": ga}


def rmsprop_keras_rule(p, g, square_avg, momentum_buffer, grad_avg, lr, alpha, eps, weight_decay,
                       momentum, centered, maximize):
    """One step of ``keras.optimizers.RMSprop`` (Keras 3): eps inside the sqrt, lr inside the
    momentum buffer, decoupled weight decay."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - weight_decay * lr)  # Keras' _apply_weight_decay, before update_step
    v = square_avg * alpha + (1.0 - alpha) * g * g
    ga = grad_avg
    if centered:
        ga = grad_avg * alpha + (1.0 - alpha) * g
        denom = (v + eps) - ga * ga
    else:
        denom = v + eps
    increment = g * lr / math.sqrt(denom)
    buf = momentum_buffer
    if momentum > 0.0:
        buf = momentum_buffer * momentum + increment
        return p - buf, v, buf, ga
    return p - increment, v, buf, ga


def rmsprop_keras_reference(p, g, state, t, *, lr, alpha, eps, weight_decay, momentum, centered,
                            maximize):
    """Float64 NumPy twin of :func:`rmsprop_keras_rule`, from ``keras.optimizers.RMSprop.update_step``
    (``velocity``, ``average_gradient``, ``momentum`` = square_avg, grad_avg, momentum_buffer)
    after ``BaseOptimizer._apply_weight_decay`` (``p -= p*wd*lr``)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    rho = alpha
    p = p - p * weight_decay * lr
    velocity = rho * np.asarray(state["square_avg"], np.float64) + (1 - rho) * np.square(g)
    average_grad = np.asarray(state["grad_avg"], np.float64)
    if centered:
        average_grad = rho * average_grad + (1 - rho) * g
        denominator = velocity - np.square(average_grad) + eps
    else:
        denominator = velocity + eps
    increment = lr * g / np.sqrt(denominator)
    mom = np.asarray(state["momentum_buffer"], np.float64)
    if momentum > 0:
        mom = momentum * mom + increment
        p = p - mom
    else:
        p = p - increment
    return p, {"square_avg": velocity, "momentum_buffer": mom, "grad_avg": average_grad}


def rmsprop_optax_rule(p, g, square_avg, momentum_buffer, grad_avg, lr, alpha, eps, weight_decay,
                       momentum, centered, maximize):
    """One step of ``optax.rmsprop`` (``eps_in_sqrt=True``): eps inside the sqrt, momentum trace
    after the learning rate (stored with the opposite sign of optax's trace)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    v = (1.0 - alpha) * g * g + alpha * square_avg
    ga = grad_avg
    if centered:
        ga = (1.0 - alpha) * g + alpha * grad_avg
        scale = 1.0 / math.sqrt(v - ga * ga + eps)
    else:
        scale = 1.0 / math.sqrt(v + eps)
    step = lr * (scale * g)
    buf = momentum_buffer
    if momentum > 0.0:
        buf = step + momentum * momentum_buffer
        return p - buf, v, buf, ga
    return p - step, v, buf, ga


def rmsprop_optax_reference(p, g, state, t, *, lr, alpha, eps, weight_decay, momentum, centered,
                            maximize):
    """Float64 NumPy twin of :func:`rmsprop_optax_rule`, from ``optax.chain(add_decayed_weights(wd),
    rmsprop(lr, decay=alpha, eps, centered=..., momentum=...))``: ``scale_by_rms`` /
    ``scale_by_stddev`` (nu, mu), ``scale_by_learning_rate``, ``trace``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    decay = alpha
    nu = (1 - decay) * g**2 + decay * np.asarray(state["square_avg"], np.float64)
    mu = np.asarray(state["grad_avg"], np.float64)
    if centered:
        mu = (1 - decay) * g + decay * mu
        u = g / np.sqrt(nu - mu**2 + eps)
    else:
        u = g / np.sqrt(nu + eps)
    u = -lr * u
    trace = -np.asarray(state["momentum_buffer"], np.float64)
    if momentum > 0:
        trace = u + momentum * trace
        u = trace
    return p + u, {"square_avg": nu, "momentum_buffer": -trace, "grad_avg": mu}


def _rmsprop_active(h):
    return (("square_avg",) + (("momentum_buffer",) if h["momentum"] > 0 else ())
            + (("grad_avg",) if h["centered"] else ()))


RMSPROP = OptimizerSpec(
    name="rmsprop",
    rule=rmsprop_rule,
    hyper={
        "lr": lr_hyper(1e-2),
        "alpha": Hyper(0.99, 0.0, 1.0, doc="decay of the squared-gradient average (Keras rho, optax decay)"),
        "eps": Hyper(1e-8, 0.0, doc="added to the denominator for stability", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient"),
        "momentum": Hyper(0.0, 0.0, 1.0, high_open=True, doc="momentum factor"),
        "centered": Hyper(False, doc="divide by the estimated standard deviation (Graves, 2013)"),
        "maximize": MAXIMIZE,
    },
    state=("square_avg", "momentum_buffer", "grad_avg"),
    active_state=_rmsprop_active,
    reference=rmsprop_reference,
    references=(
        "Hinton, Srivastava & Swersky, 2012, Neural Networks for Machine Learning, lecture 6e",
        "Graves, 2013, Generating Sequences With Recurrent Neural Networks, arXiv:1308.0850 (centered)",
        "PyTorch torch.optim.RMSprop (rule matched, eps outside the square root)",
    ),
    summary="RMSprop with momentum, centering and L2 weight decay (PyTorch semantics)",
    presets={
        "keras": Preset(
            changes="eps inside the sqrt: lr*g/sqrt(v + eps - grad_avg**2); momentum_buffer holds lr*steps "
                    "(p -= buf); weight_decay decoupled; lr 1e-3, alpha (rho) 0.9, eps 1e-7",
            defaults={"lr": 1e-3, "alpha": 0.9, "eps": 1e-7},
            rule=rmsprop_keras_rule,
            reference=rmsprop_keras_reference,
            references=("keras.optimizers.RMSprop (Keras 3.x): learning_rate -> lr, rho -> alpha, "
                        "epsilon -> eps, momentum, centered, weight_decay (decoupled)",),
        ),
        "optax": Preset(
            changes="eps inside the sqrt (eps_in_sqrt=True): lr*g/sqrt(v - grad_avg**2 + eps); "
                    "momentum trace after lr (p -= buf); alpha (decay) 0.9, eps 1e-8",
            defaults={"alpha": 0.9, "eps": 1e-8},
            rule=rmsprop_optax_rule,
            reference=rmsprop_optax_reference,
            references=("optax.rmsprop (optax 0.2.x, eps_in_sqrt=True): learning_rate -> lr, decay -> "
                        "alpha, eps, momentum, centered; optax.add_decayed_weights -> weight_decay",),
        ),
    },
)

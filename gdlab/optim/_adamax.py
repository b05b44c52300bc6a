r"""Adamax (Adam with the infinity norm), exactly as ``torch.optim.Adamax``.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
    u_t &\leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
    \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,\frac{m_t}{u_t}

with lr γ, betas β₁, β₂, eps ε and weight_decay λ (an L2 term added to the gradient). ε enters
*inside* the maximum, as in PyTorch (Algorithm 2 of Kingma & Ba has no ε at all).
Defaults: lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0, maximize=False.
State: ``exp_avg`` (m) and ``exp_inf`` (u), zero at the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1), eps < 0 or weight_decay < 0.

Presets (same hyperparameter names and state slots):

``keras`` (Keras 3 ``keras.optimizers.Adamax``)
    weight_decay is Keras' decoupled decay, applied before the step:

    .. math::

        \theta &\leftarrow \theta\,(1 - \gamma\lambda), \qquad
        u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t|), \qquad
        \theta_t \leftarrow \theta - \frac{\gamma\, m_t}{(1 - \beta_1^t)(u_t + \epsilon)}

    (ε added *outside* the maximum); defaults lr=1e-3, eps=1e-7.
``optax`` (``optax.adamax``)
    The same equations as PyTorch (``optax.scale_by_adamax``: ``max(|g| + eps, b2 * nu)``);
    weight_decay is an L2 term added to the gradient, as in
    ``optax.chain(optax.add_decayed_weights(wd), optax.adamax(lr))``.

``maximize`` negates the gradient in every preset (no Keras/optax counterpart).

References: Kingma & Ba, 2015, Adam: A Method for Stochastic Optimization, arXiv:1412.6980
(Section 7.1, Algorithm 2); PyTorch ``torch.optim.Adamax``; Keras 3
``keras.optimizers.Adamax``; ``optax.adamax``.
"""

from __future__ import annotations

import numpy as np

from ._common import MAXIMIZE, betas_hyper, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def adamax_rule(p, g, exp_avg, exp_inf, lr, beta1, beta2, eps, weight_decay, maximize, bias_correction1):
    """One Adamax step on one element, as ``torch.optim.Adamax`` (``_single_tensor_adamax``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    m = exp_avg + (g - exp_avg) * (1.0 - beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
    u = max(exp_inf * beta2, abs(g) + eps)
    clr = lr / bias_correction1
    return p - clr * (m / u), m, u


def adamax_scalars(t, lr, beta1, beta2, eps, weight_decay, maximize):
    """Bias correction ``1 - beta1**t`` of step ``t``."""
    return (1.0 - beta1**t,)


def adamax_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, maximize):
    """Float64 NumPy twin of :func:`adamax_rule`, from Algorithm 2 of Kingma & Ba with
    PyTorch's ε inside the maximum and L2 weight decay."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    m = beta1 * np.asarray(state["exp_avg"], np.float64) + (1 - beta1) * g
    u = np.maximum(beta2 * np.asarray(state["exp_inf"], np.float64), np.abs(g) + eps)
    return p - lr / (1 - beta1**t) * m / u, {"exp_avg": m, "exp_inf": u}


def adamax_keras_rule(p, g, exp_avg, exp_inf, lr, beta1, beta2, eps, weight_decay, maximize,
                      bias_correction1):
    """One Keras 3 Adamax step (``update_step``), after Keras' decoupled decay."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - weight_decay * lr)
    m = exp_avg * beta1 + g * (1.0 - beta1)
    u = max(exp_inf * beta2, abs(g))
    return p - (m * lr) / ((u + eps) * bias_correction1), m, u


def adamax_keras_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, maximize):
    """Float64 NumPy twin of :func:`adamax_keras_rule`, from Keras 3 ``Adamax.update_step``."""
    p = np.asarray(p, np.float64) * (1 - weight_decay * lr)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    m = np.asarray(state["exp_avg"], np.float64)
    m = m + (g - m) * (1 - beta1)
    u = np.maximum(beta2 * np.asarray(state["exp_inf"], np.float64), np.abs(g))
    return p - lr * m / ((1 - beta1**t) * (u + eps)), {"exp_avg": m, "exp_inf": u}


ADAMAX = OptimizerSpec(
    name="adamax",
    rule=adamax_rule,
    hyper={
        "lr": lr_hyper(2e-3),
        **betas_hyper(doc2="decay of the infinity norm"),
        "eps": Hyper(1e-8, 0.0, doc="added to |g| inside the maximum", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient (not decoupled)"),
        "maximize": MAXIMIZE,
    },
    state=("exp_avg", "exp_inf"),
    step_scalars=adamax_scalars,
    scalars=("bias_correction1",),
    reference=adamax_reference,
    references=(
        "Kingma & Ba, 2015, Adam: A Method for Stochastic Optimization, arXiv:1412.6980 (AdaMax)",
        "PyTorch torch.optim.Adamax (rule matched)",
    ),
    summary="Adamax: Adam with an exponentially weighted infinity norm (PyTorch semantics)",
    presets={
        "keras": Preset(
            changes="Keras 3 Adamax: u = max(b2*u, |g|) and p -= lr*m/((1-b1^t)*(u+eps)) (eps outside "
                    "the max); weight_decay is Keras' decoupled p *= 1 - lr*wd before the step; "
                    "lr=1e-3, eps=1e-7 (learning_rate->lr, beta_1/beta_2->beta1/beta2, epsilon->eps, "
                    "m/u->exp_avg/exp_inf)",
            defaults={"lr": 1e-3, "eps": 1e-7},
            rule=adamax_keras_rule,
            reference=adamax_keras_reference,
            references=("Keras 3 keras.optimizers.Adamax (update_step; base _apply_weight_decay)",),
        ),
        "optax": Preset(
            changes="optax.adamax: same equations as PyTorch (eps inside the max); optax has no "
                    "weight decay here: weight_decay is L2 as optax.add_decayed_weights chained before "
                    "(b1/b2->beta1/beta2, mu/nu->exp_avg/exp_inf)",
            references=("optax.adamax (optax/_src/alias.py, transform.scale_by_adamax)",),
        ),
    },
)

r"""AdamW: Adam with decoupled weight decay, exactly as ``torch.optim.AdamW``.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) \\
    \theta_{t-1} &\leftarrow \theta_{t-1}\,(1 - \gamma\lambda) \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
    v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
        \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

with lr γ, betas β₁, β₂, eps ε and weight_decay λ. Unlike Adam's L2 term, the decay multiplies
the parameters directly and never enters m or v (Loshchilov & Hutter, 2019); the decay is
scaled by the learning rate, as in PyTorch. With amsgrad, v is replaced in the denominator by
its running maximum ``max_exp_avg_sq``.
Defaults: lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False,
maximize=False. State: ``exp_avg``, ``exp_avg_sq`` and, with amsgrad only, ``max_exp_avg_sq``;
all zero at the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1), eps < 0 or weight_decay < 0.

Presets (same hyperparameter names and state slots):

``keras`` (Keras 3 ``keras.optimizers.AdamW``)
    Keras Adam after the base optimizer's decoupled decay:

    .. math::

        \theta &\leftarrow \theta\,(1 - \gamma\lambda), \qquad
        \alpha_t = \gamma\sqrt{1-\beta_2^t}/(1-\beta_1^t), \qquad
        \theta_t \leftarrow \theta - \alpha_t\, m_t / (\sqrt{v_t} + \epsilon)

    (ε added to the uncorrected √v); defaults weight_decay=0.004, eps=1e-7.
``optax`` (``optax.adamw``, mask None)
    With amsgrad, the same chain built on ``optax.scale_by_amsgrad``:

    .. math::

        \theta_t \leftarrow \theta_{t-1} - \gamma\,\bigl(\hat m_t / (\sqrt{\hat v_t} + \epsilon)
            + \lambda\,\theta_{t-1}\bigr)

    the decay is added to the Adam direction before scaling by −γ (the same as PyTorch up to
    rounding); default weight_decay=1e-4; amsgrad keeps the max of the bias-corrected v̂.

``maximize`` negates the gradient in every preset (no Keras/optax counterpart).

References: Loshchilov & Hutter, 2019, Decoupled Weight Decay Regularization, ICLR,
arXiv:1711.05101; Kingma & Ba, 2015, arXiv:1412.6980; PyTorch ``torch.optim.AdamW``;
Keras 3 ``keras.optimizers.AdamW``; ``optax.adamw``.
"""

from __future__ import annotations

import math

import numpy as np

from ._adam import adam_keras_reference, adam_keras_rule, adam_reference, adam_scalars
from ._common import MAXIMIZE, betas_hyper, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def adamw_rule(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
               amsgrad, maximize, bias_correction1, bias_correction2_sqrt):
    """One AdamW step on one element, as ``torch.optim.AdamW`` (``_single_tensor_adam`` with
    ``decoupled_weight_decay=True``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - lr * weight_decay)
    m = exp_avg + (g - exp_avg) * (1.0 - beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
    v = beta2 * exp_avg_sq + (1.0 - beta2) * g * g
    vmax = max_exp_avg_sq
    if amsgrad:
        vmax = max(max_exp_avg_sq, v)
        denom = math.sqrt(vmax) / bias_correction2_sqrt + eps
    else:
        denom = math.sqrt(v) / bias_correction2_sqrt + eps
    return p - (lr / bias_correction1) * m / denom, m, v, vmax


def adamw_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Float64 NumPy twin of :func:`adamw_rule`, from Algorithm 2 of Loshchilov & Hutter with
    PyTorch's lr-scaled decay: ``p *= 1 - lr*wd``, then an Adam step without L2."""
    p = np.asarray(p, np.float64) * (1 - lr * weight_decay)
    return adam_reference(p, g, state, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                          weight_decay=0.0, amsgrad=amsgrad, maximize=maximize)


def adamw_optax_rule(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
                     amsgrad, maximize, bias_correction1, bias_correction2_sqrt):
    """One ``optax.adamw`` step: ``scale_by_adam`` (or ``scale_by_amsgrad``), then
    ``add_decayed_weights`` (+wd*p), then ``scale_by_learning_rate`` (×−lr)."""
    if maximize:
        g = -g
    m = (1.0 - beta1) * g + beta1 * exp_avg
    v = (1.0 - beta2) * (g * g) + beta2 * exp_avg_sq
    m_hat = m / bias_correction1
    v_hat = v / (bias_correction2_sqrt * bias_correction2_sqrt)
    vmax = max_exp_avg_sq
    if amsgrad:
        vmax = max(max_exp_avg_sq, v_hat)
        v_hat = vmax
    u = m_hat / (math.sqrt(v_hat) + eps) + weight_decay * p
    return p + (-lr) * u, m, v, vmax


def adamw_optax_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Float64 NumPy twin of :func:`adamw_optax_rule`, from ``optax.adamw``'s chain."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    m = (1 - beta1) * g + beta1 * np.asarray(state["exp_avg"], np.float64)
    v = (1 - beta2) * g**2 + beta2 * np.asarray(state["exp_avg_sq"], np.float64)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    vmax = np.asarray(state["max_exp_avg_sq"], np.float64)
    if amsgrad:
        vmax = np.maximum(vmax, v_hat)
        v_hat = vmax
    u = m_hat / (np.sqrt(v_hat) + eps) + weight_decay * p
    return p - lr * u, {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax}


ADAMW = OptimizerSpec(
    name="adamw",
    rule=adamw_rule,
    hyper={
        "lr": lr_hyper(1e-3),
        **betas_hyper(),
        "eps": Hyper(1e-8, 0.0, doc="added to the denominator for stability", label="epsilon value"),
        "weight_decay": Hyper(1e-2, 0.0, doc="decoupled decay: p *= 1 - lr*weight_decay each step"),
        "amsgrad": Hyper(False, doc="use the running maximum of exp_avg_sq (Reddi et al., 2018)"),
        "maximize": MAXIMIZE,
    },
    state=("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
    active_state=lambda h: ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if h["amsgrad"] else ()),
    step_scalars=adam_scalars,
    scalars=("bias_correction1", "bias_correction2_sqrt"),
    reference=adamw_reference,
    references=(
        "Loshchilov & Hutter, 2019, Decoupled Weight Decay Regularization, ICLR, arXiv:1711.05101",
        "Kingma & Ba, 2015, Adam: A Method for Stochastic Optimization, arXiv:1412.6980",
        "Reddi, Kale & Kumar, 2018, On the Convergence of Adam and Beyond, ICLR (amsgrad)",
        "PyTorch torch.optim.AdamW (rule matched)",
    ),
    summary="Adam with decoupled (lr-scaled) weight decay (PyTorch semantics)",
    presets={
        "keras": Preset(
            changes="Keras 3 AdamW: decay p *= 1 - lr*wd before a Keras Adam step (eps added to the "
                    "uncorrected sqrt(v), alpha = lr*sqrt(1-b2^t)/(1-b1^t)); weight_decay=0.004, "
                    "eps=1e-7 (learning_rate->lr, beta_1/beta_2->beta1/beta2, epsilon->eps, "
                    "momentum/velocity/velocity_hat->exp_avg/exp_avg_sq/max_exp_avg_sq)",
            defaults={"weight_decay": 0.004, "eps": 1e-7},
            rule=adam_keras_rule,
            reference=adam_keras_reference,
            references=("Keras 3 keras.optimizers.AdamW (Adam.update_step, base _apply_weight_decay)",),
        ),
        "optax": Preset(
            changes="optax.adamw (mask None): p -= lr*(adam_direction + wd*p), equal to PyTorch up to "
                    "rounding; weight_decay=1e-4; amsgrad via optax.scale_by_amsgrad (max of the "
                    "bias-corrected v); eps_root=0 (b1/b2->beta1/beta2, mu/nu->exp_avg/exp_avg_sq)",
            defaults={"weight_decay": 1e-4},
            rule=adamw_optax_rule,
            reference=adamw_optax_reference,
            references=("optax.adamw (optax/_src/alias.py: scale_by_adam, add_decayed_weights, "
                        "scale_by_learning_rate)",),
        ),
    },
)

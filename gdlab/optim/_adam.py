r"""Adam with bias correction and L2 weight decay, exactly as ``torch.optim.Adam``.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
    v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
        \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

with lr γ, betas β₁, β₂, eps ε and weight_decay λ (an L2 term added to the gradient, not the
decoupled decay of AdamW). ε is added *after* dividing √v by its bias correction, as in PyTorch
(Algorithm 1 of Kingma & Ba adds it to √v̂, which is the same thing).
With amsgrad, v is replaced in the denominator by its running maximum ``max_exp_avg_sq``
(Reddi, Kale & Kumar, 2018).
Defaults: lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0, amsgrad=False,
maximize=False. State: ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with amsgrad only,
``max_exp_avg_sq``; all zero at the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1), eps < 0 or weight_decay < 0.
"""

from __future__ import annotations

import math

import numpy as np

from ._spec import Hyper, OptimizerSpec


def adam_rule(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
              amsgrad, maximize, bias_correction1, bias_correction2_sqrt):
    """One Adam step on one element, as ``torch.optim.Adam`` (``_single_tensor_adam``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    m = exp_avg + (g - exp_avg) * (1.0 - beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
    v = beta2 * exp_avg_sq + (1.0 - beta2) * g * g
    vmax = max_exp_avg_sq
    if amsgrad:
        vmax = max(max_exp_avg_sq, v)
        denom = math.sqrt(vmax) / bias_correction2_sqrt + eps
    else:
        denom = math.sqrt(v) / bias_correction2_sqrt + eps
    return p - (lr / bias_correction1) * m / denom, m, v, vmax


def adam_scalars(t, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Bias corrections ``1 - beta1**t`` and ``sqrt(1 - beta2**t)`` of step ``t``."""
    return (1.0 - beta1**t, math.sqrt(1.0 - beta2**t))


def adam_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Float64 NumPy twin of :func:`adam_rule`, written from Algorithm 1 of Kingma & Ba and
    PyTorch's documented variant (eps added after dividing sqrt(v) by its bias correction)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    m = beta1 * np.asarray(state["exp_avg"], np.float64) + (1 - beta1) * g
    v = beta2 * np.asarray(state["exp_avg_sq"], np.float64) + (1 - beta2) * g**2
    vmax = np.maximum(state["max_exp_avg_sq"], v) if amsgrad else np.asarray(state["max_exp_avg_sq"])
    m_hat = m / (1 - beta1**t)
    v_hat_sqrt = np.sqrt(vmax if amsgrad else v) / np.sqrt(1 - beta2**t)
    return p - lr * m_hat / (v_hat_sqrt + eps), {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax}


ADAM = OptimizerSpec(
    name="adam",
    rule=adam_rule,
    hyper={
        "lr": Hyper(1e-3, 0.0, doc="learning rate", label="learning rate"),
        "beta1": Hyper(0.9, 0.0, 1.0, high_open=True, doc="decay of the first-moment average",
                       label="beta parameter at index 0"),
        "beta2": Hyper(0.999, 0.0, 1.0, high_open=True, doc="decay of the second-moment average",
                       label="beta parameter at index 1"),
        "eps": Hyper(1e-8, 0.0, doc="added to the denominator for stability", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient (not decoupled)"),
        "amsgrad": Hyper(False, doc="use the running maximum of exp_avg_sq (Reddi et al., 2018)"),
        "maximize": Hyper(False, doc="ascend the objective instead of descending"),
    },
    state=("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
    active_state=lambda h: ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if h["amsgrad"] else ()),
    step_scalars=adam_scalars,
    scalars=("bias_correction1", "bias_correction2_sqrt"),
    reference=adam_reference,
    references=(
        "Kingma & Ba, 2015, Adam: A Method for Stochastic Optimization, arXiv:1412.6980",
        "Reddi, Kale & Kumar, 2018, On the Convergence of Adam and Beyond, ICLR (amsgrad)",
        "PyTorch torch.optim.Adam (rule matched)",
    ),
    summary="Adam with bias correction and L2 weight decay (PyTorch semantics)",
)

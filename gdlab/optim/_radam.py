r"""RAdam (rectified Adam), exactly as ``torch.optim.RAdam``.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
        \quad\text{or}\quad \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)
        \ \text{(decoupled\_weight\_decay)} \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
    v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad
    \hat m_t = m_t / (1 - \beta_1^t) \\
    \rho_\infty &= \frac{2}{1 - \beta_2} - 1, \qquad
    \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
    r_t &= \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
    \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t\,
        \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon}\, r_t \quad (\rho_t > 5), \qquad
    \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t \quad (\text{otherwise})

with lr γ, betas β₁, β₂, eps ε and weight_decay λ. ε is added to the *uncorrected* √v, as in
PyTorch. ρ_t and r_t depend on t only; gdlab computes them in the step scalars.
Defaults: lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0,
decoupled_weight_decay=False, maximize=False. State: ``exp_avg`` and ``exp_avg_sq``, zero at
the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1), eps < 0 or weight_decay < 0.

Presets (same hyperparameter names and state slots):

``optax`` (``optax.radam``, threshold 5.0)
    .. math::

        \theta_t \leftarrow \theta_{t-1} - \gamma\, r_t\, \hat m_t / (\sqrt{v_t/(1-\beta_2^t)} + \epsilon)
        \quad (\rho_t \ge 5), \qquad
        \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t \quad (\text{otherwise})

    ε added to the *bias-corrected* √v̂ and the switch at ρ_t ≥ 5 (PyTorch: > 5); optax has
    no weight decay here: weight_decay is an L2 term chained before
    (``optax.add_decayed_weights``), or with decoupled_weight_decay added to the direction,
    θ ← θ − γ(u + λθ), as ``optax.adamw`` does. eps_root=0.

Keras 3 has no RAdam. ``maximize`` negates the gradient in every preset.

References: Liu, Jiang, He, Chen, Liu, Gao & Han, 2020, On the Variance of the Adaptive Learning
Rate and Beyond, ICLR, arXiv:1908.03265; PyTorch ``torch.optim.RAdam``; ``optax.radam``.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, betas_hyper, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def radam_rule(p, g, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
               maximize, bias_correction1, bias_correction2_sqrt, rect, rectified):
    """One RAdam step on one element, as ``torch.optim.RAdam`` (``_single_tensor_radam``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        if decoupled_weight_decay:
            p = p * (1.0 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = exp_avg + (g - exp_avg) * (1.0 - beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
    v = exp_avg_sq * beta2 + (1.0 - beta2) * g * g
    m_hat = m / bias_correction1
    if rectified:
        p = p - m_hat * lr * (bias_correction2_sqrt / (math.sqrt(v) + eps)) * rect
    else:
        p = p - m_hat * lr
    return p, m, v


def _rho(t, beta2):
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    b2t = beta2**t
    return rho_inf, rho_inf - 2.0 * t * b2t / (1.0 - b2t)


def radam_scalars(t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize):
    """``1 - beta1**t``, ``sqrt(1 - beta2**t)``, the rectification r_t and 1.0 where
    ``rho_t > 5`` (rectified adaptive step), 0.0 where the plain momentum step is taken."""
    step = float(t)
    bias_correction2 = 1.0 - beta2**step
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * step * (beta2**step) / bias_correction2
    rect = 0.0
    rectified = 0.0
    if rho_t > 5.0:
        rect = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        rectified = 1.0
    return (1.0 - beta1**step, math.sqrt(bias_correction2), rect, rectified)


def radam_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
                    maximize):
    """Float64 NumPy twin of :func:`radam_rule`, from Algorithm 2 of Liu et al. with PyTorch's
    ε placement and weight decay."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    m = beta1 * np.asarray(state["exp_avg"], np.float64) + (1 - beta1) * g
    v = beta2 * np.asarray(state["exp_avg_sq"], np.float64) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    rho_inf, rho_t = _rho(t, beta2)
    if rho_t > 5:
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        p = p - lr * m_hat * r * np.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
    else:
        p = p - lr * m_hat
    return p, {"exp_avg": m, "exp_avg_sq": v}


# -- optax ------------------------------------------------------------------------------------
def radam_optax_rule(p, g, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
                     decoupled_weight_decay, maximize, bias_correction1, bias_correction2_sqrt, rect,
                     rectified):
    """One ``optax.radam`` step (``scale_by_radam`` then ``scale_by_learning_rate``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0 and not decoupled_weight_decay:
        g = g + weight_decay * p
    m = (1.0 - beta1) * g + beta1 * exp_avg
    v = (1.0 - beta2) * (g * g) + beta2 * exp_avg_sq
    m_hat = m / bias_correction1
    if rectified:
        u = rect * m_hat / (math.sqrt(v / (bias_correction2_sqrt * bias_correction2_sqrt)) + eps)
    else:
        u = m_hat
    if decoupled_weight_decay:
        u = u + weight_decay * p
    return p + (-lr) * u, m, v


def radam_optax_scalars(t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize):
    """As :func:`radam_scalars`, with optax's switch ``rho_t >= 5``."""
    step = float(t)
    b2t = beta2**step
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * step * b2t / (1.0 - b2t)
    rect = 0.0
    rectified = 0.0
    if rho_t >= 5.0:
        rect = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        rectified = 1.0
    return (1.0 - beta1**step, math.sqrt(1.0 - b2t), rect, rectified)


def radam_optax_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
                          maximize):
    """Float64 NumPy twin of :func:`radam_optax_rule`, from ``optax.scale_by_radam``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    if not decoupled_weight_decay:
        g = g + weight_decay * p
    m = (1 - beta1) * g + beta1 * np.asarray(state["exp_avg"], np.float64)
    v = (1 - beta2) * g**2 + beta2 * np.asarray(state["exp_avg_sq"], np.float64)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    rho_inf, rho_t = _rho(t, beta2)
    if rho_t >= 5:
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        u = r * m_hat / (np.sqrt(v_hat) + eps)
    else:
        u = m_hat
    if decoupled_weight_decay:
        u = u + weight_decay * p
    return p - lr * u, {"exp_avg": m, "exp_avg_sq": v}


RADAM = OptimizerSpec(
    name="radam",
    rule=radam_rule,
    hyper={
        "lr": lr_hyper(1e-3),
        **betas_hyper(),
        "eps": Hyper(1e-8, 0.0, doc="added to sqrt(exp_avg_sq) for stability", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient, or decoupled decay"),
        "decoupled_weight_decay": Hyper(False, doc="decay p *= 1 - lr*weight_decay instead of L2 (RAdamW)"),
        "maximize": MAXIMIZE,
    },
    state=("exp_avg", "exp_avg_sq"),
    step_scalars=radam_scalars,
    scalars=("bias_correction1", "bias_correction2_sqrt", "rect", "rectified"),
    reference=radam_reference,
    references=(
        "Liu, Jiang, He, Chen, Liu, Gao & Han, 2020, On the Variance of the Adaptive Learning Rate "
        "and Beyond, ICLR, arXiv:1908.03265",
        "PyTorch torch.optim.RAdam (rule matched)",
    ),
    summary="RAdam: Adam with variance rectification, plain momentum while rho_t <= 5 (PyTorch semantics)",
    presets={
        "optax": Preset(
            changes="optax.radam: eps added to the bias-corrected sqrt(v_hat), switch at rho_t >= 5 "
                    "(threshold 5.0, not exposed); weight_decay is L2 chained before, or with "
                    "decoupled_weight_decay p -= lr*(u + wd*p); eps_root=0 (b1/b2->beta1/beta2, "
                    "mu/nu->exp_avg/exp_avg_sq)",
            rule=radam_optax_rule,
            step_scalars=radam_optax_scalars,
            reference=radam_optax_reference,
            references=("optax.radam (optax/_src/alias.py, transform.scale_by_radam)",),
        ),
    },
)

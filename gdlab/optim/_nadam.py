r"""NAdam (Adam with Nesterov momentum), exactly as ``torch.optim.NAdam``.

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
        \quad\text{or}\quad \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)
        \ \text{(decoupled\_weight\_decay)} \\
    \mu_t &= \beta_1\bigl(1 - \tfrac12\, 0.96^{\,t\psi}\bigr), \qquad
        \Pi_t = \textstyle\prod_{i=1}^{t} \mu_i \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
    v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    d_t &= \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
    \theta_t &\leftarrow \theta_{t-1}
        - \frac{\gamma (1 - \mu_t)}{1 - \Pi_t}\,\frac{g_t}{d_t}
        - \frac{\gamma\, \mu_{t+1}}{1 - \Pi_t\,\mu_{t+1}}\,\frac{m_t}{d_t}

with lr γ, betas β₁, β₂, eps ε, weight_decay λ and momentum_decay ψ (Dozat's momentum
schedule). PyTorch keeps the product Π_t as per-parameter state ``mu_product``; gdlab computes
it in the step scalars from t (a product over i = 1..t that stops once Π drops below 1e-17,
where ``1 - Π`` is exactly 1.0 in float64), so NAdam needs no extra state. PyTorch stores
``mu_product`` in float32 unless the default dtype is float64; gdlab always uses float64
(identical to PyTorch under ``torch.set_default_dtype(torch.float64)``).
Defaults: lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0, momentum_decay=4e-3,
decoupled_weight_decay=False, maximize=False. State: ``exp_avg`` and ``exp_avg_sq``, zero at
the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1), eps < 0, weight_decay < 0 or
momentum_decay < 0.

Presets (same hyperparameter names and state slots):

``keras`` (Keras 3 ``keras.optimizers.Nadam``)
    Keras' schedule is μ_t = β₁(1 − ½·0.96ᵗ), i.e. PyTorch's with ψ = 1, and its update is
    PyTorch's formula; its weight decay is the base optimizer's decoupled θ ← θ(1 − γλ) before the
    step. So the preset only changes defaults: lr=1e-3, eps=1e-7, momentum_decay=1.0,
    decoupled_weight_decay=True.
``optax`` (``optax.nadam``; with decoupled_weight_decay ``optax.nadamw``)
    No momentum schedule (momentum_decay is ignored):

    .. math::

        \hat m_t = \frac{\beta_1 m_t}{1 - \beta_1^{t+1}} + \frac{(1 - \beta_1) g_t}{1 - \beta_1^t},
        \qquad \theta_t \leftarrow \theta_{t-1} - \gamma\Bigl(\frac{\hat m_t}
        {\sqrt{v_t/(1-\beta_2^t)} + \epsilon} + \lambda\theta_{t-1}\,[\text{decoupled}]\Bigr)

    without decoupled_weight_decay, λθ is an L2 term added to the gradient
    (``optax.add_decayed_weights`` chained before ``optax.nadam``). eps_root=0.

``maximize`` negates the gradient in every preset (no Keras/optax counterpart).

References: Dozat, 2016, Incorporating Nesterov Momentum into Adam, ICLR workshop;
Loshchilov & Hutter, 2019, arXiv:1711.05101 (decoupled decay); PyTorch ``torch.optim.NAdam``;
Keras 3 ``keras.optimizers.Nadam``; ``optax.nadam`` / ``optax.nadamw``.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, betas_hyper, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset

_PRODUCT_FLOOR = 1e-17  # below 2**-54, 1 - x rounds to exactly 1.0 in float64


def nadam_rule(p, g, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay, momentum_decay,
               decoupled_weight_decay, maximize, bias_correction2, grad_coef, exp_avg_coef):
    """One NAdam step on one element, as ``torch.optim.NAdam`` (``_single_tensor_nadam``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        if decoupled_weight_decay:
            p = p * (1.0 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = exp_avg + (g - exp_avg) * (1.0 - beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
    v = exp_avg_sq * beta2 + (1.0 - beta2) * g * g
    denom = math.sqrt(v / bias_correction2) + eps
    p = p - grad_coef * (g / denom)
    p = p - exp_avg_coef * (m / denom)
    return p, m, v


def nadam_scalars(t, lr, beta1, beta2, eps, weight_decay, momentum_decay, decoupled_weight_decay,
                  maximize):
    """``1 - beta2**t`` and the coefficients ``lr(1-mu_t)/(1-Pi_t)`` of g/denom and
    ``lr mu_{t+1}/(1-Pi_t mu_{t+1})`` of m/denom, with ``Pi_t = mu_1 ... mu_t``."""
    step = float(t)
    prod = 1.0
    for k in range(1, t + 1):  # PyTorch's running product mu_product *= mu, in the same order
        prod *= beta1 * (1.0 - 0.5 * (0.96 ** (float(k) * momentum_decay)))
        if prod < _PRODUCT_FLOOR:
            break
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1.0) * momentum_decay)))
    grad_coef = lr * (1.0 - mu) / (1.0 - prod)
    exp_avg_coef = lr * mu_next / (1.0 - prod * mu_next)
    return (1.0 - beta2**step, grad_coef, exp_avg_coef)


def nadam_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                    decoupled_weight_decay, maximize):
    """Float64 NumPy twin of :func:`nadam_rule`, from PyTorch's documented NAdam algorithm
    (the momentum product recomputed from scratch, without the 1e-17 shortcut)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    mus = [beta1 * (1 - 0.5 * 0.96 ** (i * momentum_decay)) for i in range(1, t + 2)]
    prod_t = float(np.prod(mus[:t]))
    m = beta1 * np.asarray(state["exp_avg"], np.float64) + (1 - beta1) * g
    v = beta2 * np.asarray(state["exp_avg_sq"], np.float64) + (1 - beta2) * g**2
    denom = np.sqrt(v / (1 - beta2**t)) + eps
    p = p - lr * (1 - mus[t - 1]) / (1 - prod_t) * g / denom \
        - lr * mus[t] / (1 - prod_t * mus[t]) * m / denom
    return p, {"exp_avg": m, "exp_avg_sq": v}


# -- optax ------------------------------------------------------------------------------------
def nadam_optax_rule(p, g, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                     decoupled_weight_decay, maximize, bias_correction2, grad_coef, exp_avg_coef):
    """One ``optax.nadam`` step (``scale_by_adam(nesterov=True)``), or ``optax.nadamw`` with
    decoupled_weight_decay; here ``grad_coef = (1-b1)/(1-b1^t)``, ``exp_avg_coef = b1/(1-b1^(t+1))``."""
    if maximize:
        g = -g
    if weight_decay != 0.0 and not decoupled_weight_decay:
        g = g + weight_decay * p
    m = (1.0 - beta1) * g + beta1 * exp_avg
    v = (1.0 - beta2) * (g * g) + beta2 * exp_avg_sq
    m_hat = exp_avg_coef * m + grad_coef * g
    u = m_hat / (math.sqrt(v / bias_correction2) + eps)
    if decoupled_weight_decay:
        u = u + weight_decay * p
    return p + (-lr) * u, m, v


def nadam_optax_scalars(t, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                        decoupled_weight_decay, maximize):
    """``1 - beta2**t``, ``(1-beta1)/(1-beta1**t)`` and ``beta1/(1-beta1**(t+1))``."""
    step = float(t)
    return (1.0 - beta2**step, (1.0 - beta1) / (1.0 - beta1**step), beta1 / (1.0 - beta1 ** (step + 1.0)))


def nadam_optax_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                          decoupled_weight_decay, maximize):
    """Float64 NumPy twin of :func:`nadam_optax_rule`, from ``optax.scale_by_adam(nesterov=True)``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    if not decoupled_weight_decay:
        g = g + weight_decay * p
    m = (1 - beta1) * g + beta1 * np.asarray(state["exp_avg"], np.float64)
    v = (1 - beta2) * g**2 + beta2 * np.asarray(state["exp_avg_sq"], np.float64)
    m_hat = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1**t)
    u = m_hat / (np.sqrt(v / (1 - beta2**t)) + eps)
    if decoupled_weight_decay:
        u = u + weight_decay * p
    return p - lr * u, {"exp_avg": m, "exp_avg_sq": v}


NADAM = OptimizerSpec(
    name="nadam",
    rule=nadam_rule,
    hyper={
        "lr": lr_hyper(2e-3),
        **betas_hyper(),
        "eps": Hyper(1e-8, 0.0, doc="added to the denominator for stability", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient, or decoupled decay"),
        "momentum_decay": Hyper(4e-3, 0.0, doc="psi of the momentum schedule beta1(1 - 0.5*0.96^(t psi))"),
        "decoupled_weight_decay": Hyper(False, doc="decay p *= 1 - lr*weight_decay instead of L2 (NAdamW)"),
        "maximize": MAXIMIZE,
    },
    state=("exp_avg", "exp_avg_sq"),
    step_scalars=nadam_scalars,
    scalars=("bias_correction2", "grad_coef", "exp_avg_coef"),
    reference=nadam_reference,
    references=(
        "Dozat, 2016, Incorporating Nesterov Momentum into Adam, ICLR workshop",
        "Loshchilov & Hutter, 2019, Decoupled Weight Decay Regularization, arXiv:1711.05101",
        "PyTorch torch.optim.NAdam (rule matched; mu_product computed from t in float64)",
    ),
    summary="NAdam: Adam with Nesterov momentum and Dozat's momentum schedule (PyTorch semantics)",
    presets={
        "keras": Preset(
            changes="Keras 3 Nadam: schedule beta1*(1 - 0.5*0.96^t) = PyTorch's with momentum_decay=1, "
                    "same update; Keras' weight decay is decoupled (decoupled_weight_decay=True); "
                    "lr=1e-3, eps=1e-7 (learning_rate->lr, beta_1/beta_2->beta1/beta2, epsilon->eps, "
                    "u_product->computed from t, momentum/velocity->exp_avg/exp_avg_sq)",
            defaults={"lr": 1e-3, "eps": 1e-7, "momentum_decay": 1.0, "decoupled_weight_decay": True},
            references=("Keras 3 keras.optimizers.Nadam (update_step; base _apply_weight_decay)",),
        ),
        "optax": Preset(
            changes="optax.nadam (scale_by_adam(nesterov=True)): no momentum schedule (momentum_decay "
                    "ignored), m_hat = b1*m/(1-b1^(t+1)) + (1-b1)*g/(1-b1^t); decoupled_weight_decay -> "
                    "optax.nadamw (p -= lr*(u + wd*p)), else L2 chained before; eps_root=0 "
                    "(b1/b2->beta1/beta2, mu/nu->exp_avg/exp_avg_sq)",
            rule=nadam_optax_rule,
            step_scalars=nadam_optax_scalars,
            reference=nadam_optax_reference,
            references=("optax.nadam / optax.nadamw (optax/_src/alias.py, transform.scale_by_adam)",),
        ),
    },
)

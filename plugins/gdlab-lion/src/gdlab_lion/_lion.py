r"""Lion (EvoLved Sign Momentum), Algorithm 2 of Chen et al. (2023).

.. math::

    c_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
    \theta_t &\leftarrow \theta_{t-1} - \gamma \left(\operatorname{sign}(c_t)
        + \lambda\,\theta_{t-1}\right) \\
    m_t &\leftarrow \beta_2 m_{t-1} + (1 - \beta_2)\, g_t

with lr γ, betas β₁, β₂ and weight_decay λ, g_t the gradient at θ_{t-1} and m₀ = 0.
The update is the sign of an interpolation between the momentum and the gradient, so every
element moves by exactly γ (plus the decay term) or not at all (sign(0) = 0); the momentum is
updated *after* the step, with its own β₂. The weight decay is decoupled, as in the paper and
AdamW: it is scaled by lr and never enters the momentum. The official PyTorch code applies it
first, as ``p *= 1 - lr * wd``, which is the same update up to rounding.
Defaults (those of the paper's official PyTorch code, google/automl): lr=1e-4, beta1=0.9, beta2=0.99,
weight_decay=0. State: ``exp_avg`` (m), zero at the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1) or weight_decay < 0.

Presets: ``"optax"`` (``optax.lion``) has the same update equations and places the decay term
the same way (``-lr * (sign(c) + wd * p)``); only its default weight_decay differs, 1e-3.
``keras.optimizers.Lion`` has the same equations too (decay applied first, like the official
PyTorch code) and differs only in its default lr, 1e-3: no preset, pass ``lr``.
"""

from __future__ import annotations

import numpy as np

from gdlab.optim import Hyper, OptimizerSpec, Preset


def lion_rule(p, g, exp_avg, lr, beta1, beta2, weight_decay):
    """One Lion step on one element (Algorithm 2 of Chen et al., 2023)."""
    c = beta1 * exp_avg + (1.0 - beta1) * g
    if c > 0.0:
        s = 1.0
    elif c < 0.0:
        s = -1.0
    elif c == 0.0:
        s = 0.0
    else:  # NaN stays NaN, like numpy.sign
        s = c
    return p - lr * (s + weight_decay * p), beta2 * exp_avg + (1.0 - beta2) * g


def lion_reference(p, g, state, t, *, lr, beta1, beta2, weight_decay):
    """Float64 NumPy twin of :func:`lion_rule`, written from Algorithm 2 of the paper."""
    p = np.asarray(p, np.float64)
    g = np.asarray(g, np.float64)
    m = np.asarray(state["exp_avg"], np.float64)
    c = beta1 * m + (1 - beta1) * g
    p_new = p - lr * (np.sign(c) + weight_decay * p)
    return p_new, {"exp_avg": beta2 * m + (1 - beta2) * g}


LION = OptimizerSpec(
    name="lion",
    rule=lion_rule,
    hyper={
        "lr": Hyper(1e-4, 0.0, doc="learning rate (typically 3-10x smaller than AdamW's)",
                    label="learning rate"),
        "beta1": Hyper(0.9, 0.0, 1.0, high_open=True,
                       doc="weight of the momentum in the signed interpolation",
                       label="beta parameter at index 0"),
        "beta2": Hyper(0.99, 0.0, 1.0, high_open=True, doc="decay of the momentum average",
                       label="beta parameter at index 1"),
        "weight_decay": Hyper(0.0, 0.0, doc="decoupled weight decay, scaled by lr"),
    },
    state=("exp_avg",),
    reference=lion_reference,
    presets={
        "optax": Preset(
            changes="weight_decay defaults to 1e-3 (same update equations)",
            defaults={"weight_decay": 1e-3},
            references=("optax.lion (optax/_src/alias.py: scale_by_lion, add_decayed_weights, "
                        "scale_by_learning_rate)",),
        ),
        "keras": Preset(
            changes="learning rate defaults to 1e-3 (same update equations; Keras' weight_decay "
                    "is decoupled, p -= lr*wd*p, as here)",
            defaults={"lr": 1e-3},
            references=("keras.optimizers.Lion (Keras 3)",),
        ),
    },
    references=(
        "Chen et al., 2023, Symbolic Discovery of Optimization Algorithms, arXiv:2302.06675 "
        "(Algorithm 2)",
        "google/automl lion/lion_pytorch.py (official PyTorch code: defaults and validation)",
    ),
    summary="Lion: sign of interpolated momentum, decoupled weight decay (Chen et al., 2023)",
)

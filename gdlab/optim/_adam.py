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

Presets (same hyperparameter names and state slots; see each :class:`Preset`):

``keras`` (Keras 3 ``keras.optimizers.Adam``)
    weight_decay is Keras' decoupled decay, applied before the step:

    .. math::

        \theta &\leftarrow \theta\,(1 - \gamma\lambda) \quad\text{(decoupled, before the step)} \\
        \alpha_t &= \gamma \sqrt{1-\beta_2^t} / (1-\beta_1^t), \qquad
        \theta_t \leftarrow \theta - \alpha_t\, m_t / (\sqrt{v_t} + \epsilon)

    i.e. ε is added to the *uncorrected* √v (ε_torch = ε_keras / √(1-β₂ᵗ)); default eps=1e-7;
    amsgrad uses the running maximum of v (Keras' ``velocity_hat``) in place of v_t.
``optax`` (``optax.adam``; with amsgrad ``optax.amsgrad``)
    weight_decay is an L2 term added to the gradient, as in
    ``optax.chain(optax.add_decayed_weights(wd), optax.adam(lr))``:

    .. math::

        \theta_t \leftarrow \theta - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon),\qquad
        \hat v_t^{\max} = \max(\hat v^{\max}_{t-1}, \hat v_t) \ \text{(amsgrad)}

    identical to PyTorch without amsgrad; with amsgrad optax keeps the maximum of the
    *bias-corrected* v̂ (PyTorch: of v, corrected afterwards). eps_root is 0 (not exposed).
``sklearn`` (``sklearn.neural_network._stochastic_optimizers.AdamOptimizer``)
    Keras' ε placement (α_t as above, ε added to √v), L2 weight_decay added to the gradient
    (as MLP's ``alpha`` penalty does), eps=1e-8, learning_rate_init=1e-3. scikit-learn has no
    amsgrad: with amsgrad=True the Keras amsgrad form is used.

``maximize`` negates the gradient in every preset (no Keras/optax/scikit-learn counterpart).
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, betas_hyper, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


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


# -- keras ------------------------------------------------------------------------------------
def adam_keras_rule(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
                    amsgrad, maximize, bias_correction1, bias_correction2_sqrt):
    """One Keras 3 Adam step (``update_step`` / torch backend ``_parallel_update_step``), with
    Keras' decoupled weight decay ``p *= 1 - wd * lr`` applied first (``_apply_weight_decay``)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        p = p * (1.0 - weight_decay * lr)
    m = exp_avg * beta1 + g * (1.0 - beta1)
    v = exp_avg_sq * beta2 + g * g * (1.0 - beta2)
    vmax = max_exp_avg_sq
    if amsgrad:
        vmax = max(max_exp_avg_sq, v)
        denom = math.sqrt(vmax) + eps
    else:
        denom = math.sqrt(v) + eps
    alpha = lr * bias_correction2_sqrt / bias_correction1
    return p - m * alpha / denom, m, v, vmax


def adam_keras_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Float64 NumPy twin of :func:`adam_keras_rule`, from Keras 3 ``Adam.update_step``."""
    p = np.asarray(p, np.float64) * (1 - weight_decay * lr)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    m = np.asarray(state["exp_avg"], np.float64)
    v = np.asarray(state["exp_avg_sq"], np.float64)
    m = m + (g - m) * (1 - beta1)
    v = v + (g**2 - v) * (1 - beta2)
    vmax = np.maximum(state["max_exp_avg_sq"], v) if amsgrad else np.asarray(state["max_exp_avg_sq"])
    alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    p = p - m * alpha / (np.sqrt(vmax if amsgrad else v) + eps)
    return p, {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax}


# -- optax ------------------------------------------------------------------------------------
def adam_optax_rule(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
                    amsgrad, maximize, bias_correction1, bias_correction2_sqrt):
    """One ``optax.adam`` (or, with amsgrad, ``optax.amsgrad``) step; weight_decay is an L2 term
    added to the gradient first (``optax.add_decayed_weights`` chained before)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    m = (1.0 - beta1) * g + beta1 * exp_avg
    v = (1.0 - beta2) * (g * g) + beta2 * exp_avg_sq
    m_hat = m / bias_correction1
    v_hat = v / (bias_correction2_sqrt * bias_correction2_sqrt)
    vmax = max_exp_avg_sq
    if amsgrad:
        vmax = max(max_exp_avg_sq, v_hat)  # optax keeps the max of the bias-corrected v
        v_hat = vmax
    return p + (-lr) * (m_hat / (math.sqrt(v_hat) + eps)), m, v, vmax


def adam_optax_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Float64 NumPy twin of :func:`adam_optax_rule`, from ``optax.scale_by_adam`` /
    ``optax.scale_by_amsgrad`` followed by ``optax.scale_by_learning_rate``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    m = (1 - beta1) * g + beta1 * np.asarray(state["exp_avg"], np.float64)
    v = (1 - beta2) * g**2 + beta2 * np.asarray(state["exp_avg_sq"], np.float64)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    vmax = np.asarray(state["max_exp_avg_sq"], np.float64)
    if amsgrad:
        vmax = np.maximum(vmax, v_hat)
        v_hat = vmax
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax}


# -- scikit-learn -----------------------------------------------------------------------------
def adam_sklearn_rule(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, lr, beta1, beta2, eps, weight_decay,
                      amsgrad, maximize, bias_correction1, bias_correction2_sqrt):
    """One scikit-learn ``AdamOptimizer`` step (``_get_updates``); weight_decay is an L2 term
    added to the gradient as the MLP's ``alpha`` penalty is."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    m = beta1 * exp_avg + (1.0 - beta1) * g
    v = beta2 * exp_avg_sq + (1.0 - beta2) * (g * g)
    vmax = max_exp_avg_sq
    if amsgrad:
        vmax = max(max_exp_avg_sq, v)
        denom = math.sqrt(vmax) + eps
    else:
        denom = math.sqrt(v) + eps
    lr_t = lr * bias_correction2_sqrt / bias_correction1
    return p + -lr_t * m / denom, m, v, vmax


def adam_sklearn_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    """Float64 NumPy twin of :func:`adam_sklearn_rule`, from scikit-learn's ``AdamOptimizer``."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    g = g + weight_decay * p
    m = beta1 * np.asarray(state["exp_avg"], np.float64) + (1 - beta1) * g
    v = beta2 * np.asarray(state["exp_avg_sq"], np.float64) + (1 - beta2) * g**2
    vmax = np.maximum(state["max_exp_avg_sq"], v) if amsgrad else np.asarray(state["max_exp_avg_sq"])
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    p = p - lr_t * m / (np.sqrt(vmax if amsgrad else v) + eps)
    return p, {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax}


ADAM_PRESETS = {
    "keras": Preset(
        changes="Keras 3 Adam: eps added to the uncorrected sqrt(v) with alpha = lr*sqrt(1-b2^t)/(1-b1^t); "
                "weight_decay is Keras' decoupled p *= 1 - lr*wd before the step; eps=1e-7 "
                "(learning_rate->lr, beta_1/beta_2->beta1/beta2, epsilon->eps, momentum/velocity/"
                "velocity_hat->exp_avg/exp_avg_sq/max_exp_avg_sq)",
        defaults={"eps": 1e-7},
        rule=adam_keras_rule,
        reference=adam_keras_reference,
        references=("Keras 3 keras.optimizers.Adam (update_step; base optimizer _apply_weight_decay)",),
    ),
    "optax": Preset(
        changes="optax.adam (same as PyTorch up to rounding); amsgrad as optax.amsgrad, which keeps the "
                "max of the bias-corrected v; weight_decay is L2 via optax.add_decayed_weights chained "
                "before; eps_root=0 (b1/b2->beta1/beta2, mu/nu/nu_max->exp_avg/exp_avg_sq/max_exp_avg_sq)",
        rule=adam_optax_rule,
        reference=adam_optax_reference,
        references=("optax.adam / optax.amsgrad (optax/_src/alias.py, transform.scale_by_adam, "
                    "transform.scale_by_amsgrad)",),
    ),
    "sklearn": Preset(
        changes="scikit-learn AdamOptimizer: eps added to the uncorrected sqrt(v) (Keras placement); "
                "weight_decay is L2 added to the gradient (MLP alpha); no amsgrad in scikit-learn "
                "(Keras form used) (learning_rate_init->lr, beta_1/beta_2->beta1/beta2, epsilon->eps, "
                "ms/vs->exp_avg/exp_avg_sq)",
        rule=adam_sklearn_rule,
        reference=adam_sklearn_reference,
        references=("scikit-learn sklearn.neural_network._stochastic_optimizers.AdamOptimizer",),
    ),
}


ADAM = OptimizerSpec(
    name="adam",
    rule=adam_rule,
    hyper={
        "lr": lr_hyper(1e-3),
        **betas_hyper(),
        "eps": Hyper(1e-8, 0.0, doc="added to the denominator for stability", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="L2 penalty added to the gradient (not decoupled)"),
        "amsgrad": Hyper(False, doc="use the running maximum of exp_avg_sq (Reddi et al., 2018)"),
        "maximize": MAXIMIZE,
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
    presets=ADAM_PRESETS,
)

r"""LAMB (layer-wise adaptive moments), as ``optax.lamb``: one trust ratio per parameter tensor.

For every tensor θ (a segment of the flat parameter vector):

.. math::

    g_t &\leftarrow \pm\nabla f(\theta_{t-1}) \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
    v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    u_t &= \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
        + \lambda\,\theta_{t-1} \\
    r_t &= \frac{\lVert\theta_{t-1}\rVert_2}{\lVert u_t\rVert_2}
        \quad (r_t = 1 \text{ where either norm is } 0) \\
    \theta_t &\leftarrow \theta_{t-1} - \gamma\, r_t\, u_t

with lr γ, betas β₁, β₂, eps ε and weight_decay λ (You et al., 2020, Algorithm 2, with
φ(z) = z; optax's ``scale_by_adam`` → ``add_decayed_weights`` → ``scale_by_trust_ratio`` →
``scale_by_learning_rate``). The norms are taken over each whole tensor, so the rule is not
element-wise: :meth:`gdlab.optim.Optimizer.step` takes the tensor boundaries as ``segments``
(default: the whole vector is one tensor).
With ``decoupled_weight_decay`` the decay is instead applied before the step and kept out of
the trust ratio (Keras):

.. math::

    \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda), \qquad
    u_t = \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}, \qquad
    \theta_t \leftarrow \theta_{t-1} - \gamma\,
        \frac{\lVert\theta_{t-1}\rVert}{\lVert u_t\rVert}\, u_t

PyTorch has no LAMB, so this spec's own preset is ``"optax"``.
Defaults: lr=1e-3 (optax has no default learning rate), beta1=0.9, beta2=0.999, eps=1e-6,
weight_decay=0, decoupled_weight_decay=False, maximize=False (eps_root=0, trust_coefficient=1,
min_norm=0 and no mask, as optax's defaults). State: ``exp_avg`` and ``exp_avg_sq``, zero at
the start.
Raises ValueError for lr < 0, beta1 or beta2 outside [0, 1), eps < 0 or weight_decay < 0
(PyTorch-style messages).

Presets:

``keras`` (Keras 3 ``keras.optimizers.Lamb``)
    Keras' weight decay is its base optimizer's decoupled decay, applied before ``update_step``
    and outside the trust ratio (the second form above); defaults eps=1e-7,
    decoupled_weight_decay=True (learning_rate→lr, beta_1/beta_2→beta1/beta2, epsilon→eps,
    momentum/velocity→exp_avg/exp_avg_sq).

``maximize`` negates the gradient (no optax/Keras counterpart).

References: You, Li, Reddi, Hseu, Kumar, Bhojanapalli, Song, Demmel, Keutzer & Hsieh, 2020,
Large Batch Optimization for Deep Learning: Training BERT in 76 minutes, ICLR,
arXiv:1904.00962; ``optax.lamb``; Keras 3 ``keras.optimizers.Lamb``.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import MAXIMIZE, betas_hyper, lr_hyper
from ._spec import Hyper, OptimizerSpec, Preset


def lamb_update(params, grads, state, hyper, sc):
    """One LAMB step on one tensor, in place: ``params``/``grads`` are 1-D views of the tensor,
    ``state`` its (2, n) rows ``exp_avg``, ``exp_avg_sq``; ``hyper`` in spec order and ``sc`` =
    (1 - beta1**t, 1 - beta2**t). Two passes, no allocation: the first updates the moments and
    accumulates ||p||² and ||u||², the second applies ``p -= lr * ratio * u``."""
    lr = hyper[0]
    beta1 = hyper[1]
    beta2 = hyper[2]
    eps = hyper[3]
    weight_decay = hyper[4]
    decoupled = hyper[5] != 0.0
    maximize = hyper[6] != 0.0
    bias_correction1 = sc[0]
    bias_correction2 = sc[1]
    exp_avg = state[0]
    exp_avg_sq = state[1]
    n = params.shape[0]
    decay = 1.0 - weight_decay * lr
    wd_in_update = 0.0 if decoupled else weight_decay
    p_norm_sq = 0.0
    u_norm_sq = 0.0
    for i in range(n):
        g = float(grads[i])
        if maximize:
            g = -g
        p = float(params[i])
        if decoupled and weight_decay != 0.0:
            p = p * decay
            params[i] = p
        m = (1.0 - beta1) * g + beta1 * float(exp_avg[i])
        v = (1.0 - beta2) * (g * g) + beta2 * float(exp_avg_sq[i])
        exp_avg[i] = m
        exp_avg_sq[i] = v
        u = (m / bias_correction1) / (math.sqrt(v / bias_correction2) + eps) + wd_in_update * p
        p_norm_sq += p * p
        u_norm_sq += u * u
    p_norm = math.sqrt(p_norm_sq)
    u_norm = math.sqrt(u_norm_sq)
    ratio = 1.0
    if p_norm != 0.0 and u_norm != 0.0:
        ratio = p_norm / u_norm
    for i in range(n):
        p = float(params[i])
        u = (float(exp_avg[i]) / bias_correction1) / (math.sqrt(float(exp_avg_sq[i]) / bias_correction2) + eps) \
            + wd_in_update * p
        params[i] = p + (-lr) * (u * ratio)


def lamb_scalars(t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize):
    """Bias corrections ``1 - beta1**t`` and ``1 - beta2**t`` of step ``t``."""
    step = float(t)
    return (1.0 - beta1**step, 1.0 - beta2**step)


def lamb_reference(p, g, state, t, *, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
                   maximize, segments=None):
    """Float64 NumPy twin of :func:`lamb_update` over a list of tensors: ``p``, ``g`` and the
    arrays of ``state`` are flat vectors cut into tensors by ``segments`` ((lo, hi) pairs;
    default one tensor); written from Algorithm 2 of You et al. / ``optax.lamb`` and Keras'
    ``Lamb.update_step`` (decoupled decay)."""
    p = np.asarray(p, np.float64)
    g = -np.asarray(g, np.float64) if maximize else np.asarray(g, np.float64)
    segments = [(0, len(p))] if segments is None else segments
    p_list = [p[lo:hi] for lo, hi in segments]
    g_list = [g[lo:hi] for lo, hi in segments]
    m_list = [np.asarray(state["exp_avg"], np.float64)[lo:hi] for lo, hi in segments]
    v_list = [np.asarray(state["exp_avg_sq"], np.float64)[lo:hi] for lo, hi in segments]
    new_p, new_m, new_v = [], [], []
    for w, gw, m, v in zip(p_list, g_list, m_list, v_list):
        if decoupled_weight_decay:
            w = w * (1 - weight_decay * lr)
        m = beta1 * m + (1 - beta1) * gw
        v = beta2 * v + (1 - beta2) * gw**2
        u = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        if not decoupled_weight_decay:
            u = u + weight_decay * w
        w_norm, u_norm = np.linalg.norm(w), np.linalg.norm(u)
        ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
        new_p.append(w - lr * ratio * u)
        new_m.append(m)
        new_v.append(v)
    return np.concatenate(new_p), {"exp_avg": np.concatenate(new_m), "exp_avg_sq": np.concatenate(new_v)}


LAMB = OptimizerSpec(
    name="lamb",
    rule=None,
    update=lamb_update,
    hyper={
        "lr": lr_hyper(1e-3),
        **betas_hyper(),
        "eps": Hyper(1e-6, 0.0, doc="added to sqrt(v_hat) for stability", label="epsilon value"),
        "weight_decay": Hyper(0.0, 0.0, doc="decay added to the update inside the trust ratio"),
        "decoupled_weight_decay": Hyper(False, doc="decay p *= 1 - lr*weight_decay before the step, "
                                                   "outside the trust ratio (Keras)"),
        "maximize": MAXIMIZE,
    },
    state=("exp_avg", "exp_avg_sq"),
    step_scalars=lamb_scalars,
    scalars=("bias_correction1", "bias_correction2"),
    reference=lamb_reference,
    references=(
        "You et al., 2020, Large Batch Optimization for Deep Learning: Training BERT in 76 minutes, "
        "ICLR, arXiv:1904.00962",
        "optax.lamb (rule matched: scale_by_adam, add_decayed_weights, scale_by_trust_ratio)",
    ),
    summary="LAMB: Adam direction scaled per tensor by the trust ratio ||p||/||u|| (optax semantics)",
    preset="optax",
    presets={
        "keras": Preset(
            changes="Keras 3 Lamb: weight decay p *= 1 - lr*wd applied before the step and outside the "
                    "trust ratio (decoupled_weight_decay=True); eps=1e-7 (learning_rate->lr, "
                    "beta_1/beta_2->beta1/beta2, epsilon->eps, momentum/velocity->exp_avg/exp_avg_sq)",
            defaults={"eps": 1e-7, "decoupled_weight_decay": True},
            references=("Keras 3 keras.optimizers.Lamb (update_step; base _apply_weight_decay)",),
        ),
    },
)

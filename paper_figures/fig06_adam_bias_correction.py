"""Figure 6 — Adam's bias correction (Kingma & Ba, 2015, §3).

Adam keeps exponential moving averages of the gradient and of its square, m_t = β₁ m_{t−1} + (1
− β₁) g_t and v_t = β₂ v_{t−1} + (1 − β₂) g_t², both started at 0. Unrolled, E[m_t] = (1 − β₁ᵗ)
E[g] and E[v_t] = (1 − β₂ᵗ) E[g²] for a stationary gradient stream, so the raw averages are
biased towards 0 early on; dividing by 1 − βᵗ gives the corrected estimates m̂_t and v̂_t. Panel
(a) draws β₁ᵗ and β₂ᵗ for the default β₁ = 0.9, β₂ = 0.999 and the correction factors 1/(1 −
βᵗ): the first-moment bias is gone after a few tens of steps, the second-moment one lasts
thousands. Panels (b) and (c) feed a seeded noisy gradient stream g_t ~ N(μ, σ²) to gdlab's own
Adam (``gdlab.optim.create("adam")`` on a one-element parameter vector, float64) and read its
state slots ``exp_avg`` (m_t) and ``exp_avg_sq`` (v_t) after every step; the script checks them
against the textbook recursions in NumPy (to 1e-12) before drawing m_t, m̂_t, v_t, v̂_t against
the true E[g] = μ and E[g²] = μ² + σ².

Run: ``python -m paper_figures.fig06_adam_bias_correction OUT`` (or ``gdlab figures --only adam_bias_correction``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from gdlab import optim

from ._common import OPTIMIZER_COLORS, main, new_figure, save_figure, write_columns

NUMBER = 6
NAME = "adam_bias_correction"
TITLE = "Adam's bias correction: β₁ᵗ and β₂ᵗ against t, and corrected vs uncorrected moment estimates"
CAPTION = ("Adam's moving averages start at zero and underestimate the gradient's moments for "
           "about 1/(1 − β) steps (tens for m, thousands for v); dividing by 1 − βᵗ removes "
           "that bias from the first step on.")

BETA1, BETA2 = 0.9, 0.999      # Adam's defaults (Kingma & Ba, 2015; PyTorch)
MU, SIGMA = 1.0, 0.5           # gradient stream g_t ~ N(MU, SIGMA²)
SEED = 0
STEPS = 5000                   # several times 1/(1 − β₂) = 1000: v̂ and v meet
STEPS_QUICK = 2000
TOL = 1e-12                    # gdlab's state against the NumPy recursions (relative)


def adam_moments(g: np.ndarray):
    """m_t and v_t (t = 1..T) from gdlab's Adam fed the gradients ``g`` (shape (T,))."""
    opt = optim.create("adam", lr=1e-3, beta1=BETA1, beta2=BETA2)
    p = np.zeros(1)  # the moments do not depend on the parameter: the gradients are given
    m, v = np.empty_like(g), np.empty_like(g)
    i_m, i_v = opt.active.index("exp_avg"), opt.active.index("exp_avg_sq")
    for t, gt in enumerate(g):
        opt.step(p, np.array([gt]))
        m[t], v[t] = opt.state[i_m, 0], opt.state[i_v, 0]
    return m, v


def textbook_moments(g: np.ndarray):
    """The same recursions written out (Algorithm 1 of Kingma & Ba) in float64 NumPy."""
    m, v = np.empty_like(g), np.empty_like(g)
    mt = vt = 0.0
    for t, gt in enumerate(g):
        mt = BETA1 * mt + (1 - BETA1) * gt
        vt = BETA2 * vt + (1 - BETA2) * gt * gt
        m[t], v[t] = mt, vt
    return m, v


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig06_adam_bias_correction.{png,pdf}`` and ``fig06_adam_bias_correction.csv``
    (t, g_t, β₁ᵗ, β₂ᵗ, m_t, m̂_t, v_t, v̂_t) into ``out``; ``quick`` runs fewer steps.

    Raises
    ------
    AssertionError
        If gdlab's Adam state differs from the textbook recursions by more than 1e-12.
    """
    stem = f"fig{NUMBER:02d}_{NAME}"
    n = STEPS_QUICK if quick else STEPS
    t = np.arange(1, n + 1)
    g = np.random.default_rng(SEED).normal(MU, SIGMA, n)
    m, v = adam_moments(g)
    m_ref, v_ref = textbook_moments(g)
    # PyTorch (and gdlab) update m with lerp, m + (g - m)(1 - β₁): equal up to rounding
    np.testing.assert_allclose(m, m_ref, rtol=TOL, atol=0)
    np.testing.assert_allclose(v, v_ref, rtol=TOL, atol=0)
    b1t, b2t = BETA1**t, BETA2**t
    m_hat, v_hat = m / (1 - b1t), v / (1 - b2t)
    Eg, Eg2 = MU, MU**2 + SIGMA**2

    fig, (a, b, c) = new_figure(15.0, 5.4, 1, 3)
    a.plot(t, b1t, color="#1f77b4", label=rf"$\beta_1^t$, $\beta_1 = {BETA1:g}$")
    a.plot(t, b2t, color="#d62728", label=rf"$\beta_2^t$, $\beta_2 = {BETA2:g}$")
    a.plot(t, 1 / (1 - b1t), color="#1f77b4", ls="--", label=r"$1/(1 - \beta_1^t)$")
    a.plot(t, 1 / (1 - b2t), color="#d62728", ls="--", label=r"$1/(1 - \beta_2^t)$")
    a.axhline(1.0, color="0.3", lw=0.8)
    a.set_xscale("log")
    a.set_yscale("log")
    a.set(xlabel="step $t$", ylabel="value (log scale)", xlim=(1, n), ylim=(1e-3, 2e3),
          title=r"(a) $\beta^t$ and the correction factor $1/(1 - \beta^t)$")
    a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)

    adam = OPTIMIZER_COLORS["Adam"]
    for ax, raw, hat, truth, sym, k, lhs, rhs, title in (
            (b, m, m_hat, Eg, "m", 1, r"\mathbb{E}[g]", r"\mu", "(b) first moment"),
            (c, v, v_hat, Eg2, "v", 2, r"\mathbb{E}[g^2]", r"\mu^2 + \sigma^2", "(c) second moment")):
        ax.plot(t, raw, color="0.45", label=f"${sym}_t$ (uncorrected)")
        ax.plot(t, hat, color=adam, label=rf"$\hat {sym}_t = {sym}_t/(1 - \beta_{k}^t)$ (corrected)")
        ax.axhline(truth, color="black", ls="--", lw=1.2, label=f"${lhs} = {rhs} = {truth:g}$")
        ax.set_xscale("log")
        ax.set(xlabel="step $t$", ylabel=f"estimate of ${lhs}$",
               xlim=(1, n), ylim=(0, 1.6 * truth),
               title=title + rf": $g_t \sim \mathcal{{N}}({MU:g}, {SIGMA:g}^2)$, seed {SEED}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.suptitle("Adam's bias correction (Kingma & Ba, 2015, §3): moments read from gdlab's Adam state")

    cols = {"t": t, "g": g, "beta1_t": b1t, "beta2_t": b2t, "m": m, "m_hat": m_hat, "v": v, "v_hat": v_hat}
    return save_figure(fig, out, stem) + [write_columns(Path(out) / f"{stem}.csv", cols)]


if __name__ == "__main__":
    main(sys.modules[__name__])

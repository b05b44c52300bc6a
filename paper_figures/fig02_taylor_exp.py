"""Figure 2 — Taylor polynomials of eˣ around 0.

Tₙ(x) = Σₖ₌₀ⁿ xᵏ/k! agrees with eˣ near 0 and drifts away from it further out: panel (a) draws
eˣ with T₁(x) = 1 + x (the tangent line that gradient descent's step is built on) and T₅; panel
(b) draws the absolute error |eˣ − Tₙ(x)| for n = 1, …, 5 on a log axis, together with the
Lagrange-remainder size |x|ⁿ⁺¹/(n + 1)! for n = 1 and 5 (dotted): near 0 the error of Tₙ shrinks
like |x|ⁿ⁺¹, so each extra order buys a factor |x| there and little far from 0. Dive into Deep
Learning §12.2 (convexity / Taylor expansion) and any calculus text.

Run: ``python -m paper_figures.fig02_taylor_exp OUT`` (or ``gdlab figures --only taylor_exp``).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from ._common import main, new_figure, save_figure, write_columns

NUMBER = 2
NAME = "taylor_exp"
TITLE = "Taylor expansion of eˣ around 0: first and fifth order against eˣ"
CAPTION = ("The first-order Taylor polynomial 1 + x matches eˣ only near 0 while the fifth "
           "order stays close over a wider range; the error of Tₙ grows like |x|ⁿ⁺¹ away from 0.")

X_RANGE = (-3.0, 3.0)
N_POINTS = 601          # odd: x = 0 is a grid point (where every error is exactly 0)
ORDERS = (1, 2, 3, 4, 5)
DRAWN = (1, 5)          # orders drawn against eˣ in panel (a)


def taylor_exp(x: np.ndarray, n: int) -> np.ndarray:
    """Tₙ(x) = Σₖ₌₀ⁿ xᵏ / k!, the n-th order Taylor polynomial of eˣ at 0."""
    return sum(x**k / math.factorial(k) for k in range(n + 1))


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig02_taylor_exp.{png,pdf}`` and ``fig02_taylor_exp.csv`` (x, eˣ, T₁..T₅ and
    their absolute errors) into ``out``. ``quick`` changes nothing (it is cheap)."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    x = np.linspace(*X_RANGE, N_POINTS)
    ex = np.exp(x)
    T = {n: taylor_exp(x, n) for n in ORDERS}
    err = {n: np.abs(ex - T[n]) for n in ORDERS}

    fig, (a, b) = new_figure(12.0, 5.4, 1, 2)
    a.plot(x, ex, color="black", lw=2.2, label="$e^x$")
    for n, c, ls in zip(DRAWN, ("#1f77b4", "#d62728"), ("--", "-.")):
        a.plot(x, T[n], color=c, ls=ls, label=f"$T_{n}(x)$" + (" $= 1 + x$" if n == 1 else
                                                                 r" $= 1 + x + \dots + x^5/5!$"))
    a.plot([0.0], [1.0], "o", color="black", ms=5, label="expansion point $x = 0$")
    a.set(xlabel="$x$", ylabel="$y$", xlim=X_RANGE, ylim=(-2.5, 21.0),
          title=r"(a) $e^x$ and its Taylor polynomials at $0$")
    a.legend(loc="upper left")

    colors = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728")
    nz = x != 0.0  # the error is exactly 0 at x = 0: nothing to draw on a log axis
    for n, c in zip(ORDERS, colors):
        b.plot(x[nz], err[n][nz], color=c, label=f"$|e^x - T_{n}(x)|$")
    for n, c in ((1, colors[0]), (5, colors[-1])):
        b.plot(x[nz], np.abs(x[nz]) ** (n + 1) / math.factorial(n + 1), color=c, ls=":", lw=1.2,
               label=f"$|x|^{{{n + 1}}}/{n + 1}!$")
    b.set_yscale("log")
    b.set(xlabel="$x$", ylabel="absolute error", xlim=X_RANGE, ylim=(1e-14, 1e2),
          title=r"(b) error $|e^x - T_n(x)|$, $n = 1, \dots, 5$ (log scale)")
    # the legend goes under the axes: the dip at 0 stays visible
    b.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4)
    fig.suptitle(r"Taylor expansion of $e^x$ around $x = 0$")

    cols = {"x": x, "exp": ex}
    cols.update({f"T{n}": T[n] for n in ORDERS})
    cols.update({f"abs_err_T{n}": err[n] for n in ORDERS})
    return save_figure(fig, out, stem) + [write_columns(Path(out) / f"{stem}.csv", cols)]


if __name__ == "__main__":
    main(sys.modules[__name__])

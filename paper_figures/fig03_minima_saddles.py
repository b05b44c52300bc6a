"""Figure 3 — local minima and saddle points, where the gradient vanishes but is no help.

Following Dive into Deep Learning §12.1 (optimization and deep learning): (a) f(x) = x·cos(πx)
on [−1, 2] has a local minimum near x ≈ −0.3 and its global minimum near x ≈ 1.1 — gradient
descent started left of the hump between them stops in the local one; the minima are found
numerically (``scipy.optimize.minimize_scalar`` on each side of the local maximum) and
annotated. (b) f(x) = x³ has f'(0) = f''(0) = 0: x = 0 is a saddle point in 1-D, neither minimum
nor maximum. (c) f(x, y) = x² − y² (gdlab's ``saddle`` surface, whose values and gradient the
script reads) curves up along x and down along y: its Hessian diag(2, −2) has eigenvalues of
both signs, so the stationary point (0, 0) is a saddle.

Run: ``python -m paper_figures.fig03_minima_saddles OUT`` (or ``gdlab figures --only minima_saddles``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar

from gdlab import surfaces

from ._common import main, new_figure, save_figure, write_columns, write_json

NUMBER = 3
NAME = "minima_saddles"
TITLE = "Local minimum and saddle point illustrations (1-D and 2-D)"
CAPTION = ("A zero gradient does not mean a global minimum: x·cos(πx) has a local minimum beside "
           "its global one, and x³ (1-D) and x² − y² (2-D) have saddle points where the "
           "gradient vanishes.")

X_RANGE = (-1.0, 2.0)            # D2L's plotting range for x·cos(πx)
SPLIT = 0.5                      # between the two minima (near the local maximum)
SADDLE_BOUNDS = [[-1.0, 1.0], [-1.0, 1.0]]
N_CURVE = 301
N_GRID = 41                      # 3-D surface mesh per axis


def f_xcos(x):
    """f(x) = x·cos(πx), D2L §12.1."""
    return x * np.cos(np.pi * x)


def make(out: Path, quick: bool = False) -> list[Path]:
    """Write ``fig03_minima_saddles.{png,pdf}``, ``fig03_minima_saddles_curves.csv`` (x,
    x·cos(πx), x³), ``fig03_minima_saddles_surface.csv`` (the x² − y² mesh) and
    ``fig03_minima_saddles.json`` (the minima found, the saddle's gradient and Hessian) into
    ``out``. ``quick`` changes nothing (it is cheap)."""
    stem = f"fig{NUMBER:02d}_{NAME}"
    x = np.linspace(*X_RANGE, N_CURVE)
    found = [minimize_scalar(f_xcos, bounds=b, method="bounded", options={"xatol": 1e-10})
             for b in ((X_RANGE[0], SPLIT), (SPLIT, X_RANGE[1]))]
    mins = sorted(((float(r.x), float(r.fun)) for r in found), key=lambda m: m[1])
    (x_glob, f_glob), (x_loc, f_loc) = mins

    saddle = surfaces.get_surface("saddle")
    xs = np.linspace(*SADDLE_BOUNDS[0], N_GRID)
    ys = np.linspace(*SADDLE_BOUNDS[1], N_GRID)
    XX, YY = np.meshgrid(xs, ys)
    Z = saddle.value(np.stack([XX, YY], axis=-1))
    grad0 = saddle.gradient(np.zeros(2)).reshape(-1) + 0.0  # + 0.0: no "-0.0" in the data
    if np.any(grad0 != 0.0):
        raise AssertionError(f"the saddle's gradient at (0, 0) is {grad0}, not 0")
    # Hessian by central differences of the gradient (exact for a quadratic)
    h = 1e-3
    H = np.stack([(saddle.gradient(h * e) - saddle.gradient(-h * e)).reshape(-1) / (2 * h)
                  for e in np.eye(2)], axis=1) + 0.0
    eig = np.linalg.eigvalsh(H)

    fig, (a, b, c2d) = new_figure(15.0, 5.0, 1, 3, gridspec_kw={"width_ratios": [1, 1, 1.25]})
    c2d.remove()  # the third panel is 3-D
    c = fig.add_subplot(1, 3, 3, projection="3d")

    a.plot(x, f_xcos(x), color="#1f77b4", label=r"$f(x) = x\cos(\pi x)$")
    a.plot([x_loc], [f_loc], "o", color="#ff7f0e", ms=8, label=f"local minimum ({x_loc:.3f}, {f_loc:.3f})")
    a.plot([x_glob], [f_glob], "*", color="#d62728", ms=14,
           label=f"global minimum ({x_glob:.3f}, {f_glob:.3f})")
    a.annotate("local minimum", (x_loc, f_loc), xytext=(x_loc - 0.25, f_loc - 0.55),
               arrowprops=dict(arrowstyle="->", color="0.2"))
    a.annotate("global minimum", (x_glob, f_glob), xytext=(x_glob - 0.55, f_glob + 0.35),
               arrowprops=dict(arrowstyle="->", color="0.2"))
    a.set(xlabel="$x$", ylabel="$f(x)$", xlim=X_RANGE, ylim=(-1.5, 2.2),
          title=r"(a) $x\cos(\pi x)$: a local and the global minimum")
    a.legend(loc="upper left")

    xc = np.linspace(-2.0, 2.0, N_CURVE)
    b.plot(xc, xc**3, color="#1f77b4", label="$f(x) = x^3$")
    b.plot([0.0], [0.0], "o", color="#d62728", ms=8, label="saddle point: $f'(0) = f''(0) = 0$")
    b.set(xlabel="$x$", ylabel="$f(x)$", xlim=(-2, 2), title=r"(b) $x^3$: a saddle point in 1-D")
    b.legend(loc="upper left")

    c.plot_surface(XX, YY, Z, cmap="coolwarm", rstride=2, cstride=2, linewidth=0.2,
                   edgecolor="0.4", alpha=0.6, antialiased=True)
    c.plot([0.0], [0.0], [0.0], "o", color="black", ms=7, zorder=10)
    c.text(0.0, 0.0, 0.35, "saddle point (0, 0)", color="black", ha="center", fontsize="small")
    c.plot(xs, np.zeros_like(xs), xs**2, color="#d62728", lw=2.2, label="along $x$: $x^2$ (up)")
    c.plot(np.zeros_like(ys), ys, -ys**2, color="#1f77b4", lw=2.2, label="along $y$: $-y^2$ (down)")
    c.set(xlabel="$x$", ylabel="$y$", zlabel="$f(x, y)$",
          title=f"(c) $x^2 - y^2$: a saddle in 2-D\nHessian eigenvalues {eig[0]:g}, {eig[1]:g}")
    c.view_init(elev=25, azim=-60)
    c.set_box_aspect(None, zoom=0.9)  # room for the z label
    for ticks in (c.set_xticks, c.set_yticks, c.set_zticks):
        ticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    c.legend(loc="upper right", fontsize="small")
    fig.suptitle("Points with a zero gradient: local minima and saddle points")

    out = Path(out)
    files = save_figure(fig, out, stem)
    files.append(write_columns(out / f"{stem}_curves.csv",
                               {"x": x, "x_cos_pi_x": f_xcos(x), "x_cubed": xc, "x_cubed_f": xc**3}))
    files.append(write_columns(out / f"{stem}_surface.csv",
                               {"x": XX, "y": YY, "f": Z}))
    files.append(write_json(out / f"{stem}.json", {
        "x_cos_pi_x": {"local_minimum": {"x": x_loc, "f": f_loc},
                       "global_minimum": {"x": x_glob, "f": f_glob}},
        "saddle": {"point": [0.0, 0.0], "gradient": grad0, "hessian": H, "hessian_eigenvalues": eig}}))
    return files


if __name__ == "__main__":
    main(sys.modules[__name__])

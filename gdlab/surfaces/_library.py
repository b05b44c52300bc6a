"""The built-in loss surfaces: value, analytic gradient, bounds, known minima and start.

Every ``f(x, theta)`` / ``grad(x, theta, i)`` pair is plain Python over scalars (see
:class:`~gdlab.surfaces.SurfaceSpec`): the same functions run in the CPU sweeps, in the CUDA
kernels and on the host. ``math`` is the only module they use.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._spec import SurfaceSpec

# ---------------------------------------------------------------------------------------
# Quadratics


def parabola_f(x, theta):
    return x[0] * x[0]


def parabola_grad(x, theta, i):
    return 2.0 * x[0]


PARABOLA = SurfaceSpec(
    name="parabola", f=parabola_f, grad=parabola_grad, dim=1,
    bounds=[[-3.0, 3.0]], minima=[[0.0]], fmin=0.0, x0=[2.0],
    formula=r"f(x) = x^2",
    references=("Zhang, Lipton, Li & Smola, Dive into Deep Learning, §12.3 (GD on x², η = 0.1 from x = 2)",),
    summary="f(x) = x^2, 1-D: the classic first example of gradient descent",
)


def bowl_f(x, theta):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * x[i]
    return s


def bowl_grad(x, theta, i):
    return 2.0 * x[i]


BOWL = SurfaceSpec(
    name="bowl", f=bowl_f, grad=bowl_grad, dim=None,
    bounds=lambda d, p: [[-2.0, 2.0]] * d, minima=lambda d, p: [[0.0] * d], fmin=0.0,
    x0=lambda d, p: [1.5 if i % 2 == 0 else -1.0 for i in range(d)],
    formula=r"f(x) = \sum_i x_i^2",
    references=("De Jong, 1975, sphere function (test function F1)",),
    summary="isotropic bowl sum x_i^2 in any dimension (condition number 1)",
)


def valley_f(x, theta):
    return 0.1 * (x[0] * x[0] + theta[0] * x[1] * x[1])


def valley_grad(x, theta, i):
    if i == 0:
        return 0.2 * x[0]
    return 0.2 * theta[0] * x[1]


VALLEY = SurfaceSpec(
    name="valley", f=valley_f, grad=valley_grad, dim=2, params={"kappa": 20.0},
    bounds=[[-6.0, 6.0], [-3.0, 3.0]], minima=[[0.0, 0.0]], fmin=0.0, x0=[-5.0, -2.0],
    formula=r"f(x, y) = 0.1\,(x^2 + \kappa\,y^2)",
    references=("Zhang, Lipton, Li & Smola, Dive into Deep Learning, §12.6 "
                "(f = 0.1 x² + 2 y², i.e. κ = 20, from (-5, -2))",),
    summary="ill-conditioned quadratic valley 0.1 (x^2 + kappa y^2), condition number kappa "
            "(default 20, D2L's momentum example)",
)


def quadratic_f(x, theta):
    # theta = Q flattened row by row; f = x' Q x / 2
    d = len(x)
    s = 0.0
    for i in range(d):
        r = 0.0
        for j in range(d):
            r += theta[i * d + j] * x[j]
        s += x[i] * r
    return 0.5 * s


def quadratic_grad(x, theta, i):
    d = len(x)
    r = 0.0
    for j in range(d):
        r += theta[i * d + j] * x[j]
    return r


def rotated_hessian(eigenvalues, seed) -> np.ndarray:
    """``R diag(eigenvalues) Rᵀ`` with R a Haar-random rotation drawn from ``seed``.

    R is ``scipy.stats.special_ortho_group``'s draw for ``numpy.random.default_rng(seed)``
    (Mezzadri, "How to generate random matrices from the classical compact groups", Notices
    AMS 54, 2007: QR of a Gaussian matrix, R's diagonal made positive, then the first row
    scaled by det Q), but the QR and the product are computed by :func:`_haar_hessian` in a
    fixed order instead of LAPACK and BLAS, so the matrix is the same on every CPU (it equals
    SciPy's to rounding).

    Parameters
    ----------
    eigenvalues : array-like of shape (d,)
    seed : int

    Returns
    -------
    ndarray of shape (d, d), float64, symmetric
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    d = lam.size
    if d == 1:
        return lam.reshape(1, 1)
    z = np.random.default_rng(int(seed)).normal(size=(d, d))
    return _haar_hessian(z, lam)


@njit(cache=True, nogil=True)
def _haar_hessian(z, lam):
    """Householder QR of ``z`` (fixed order), Q with R's diagonal positive and det +1, then
    ``0.5 (Q diag(lam) Qᵀ + its transpose)``."""
    d = z.shape[0]
    a = z.copy()
    q = np.eye(d)
    n_reflections = 0
    v = np.empty(d)
    for k in range(d - 1):
        norm = 0.0
        for i in range(k, d):
            norm += a[i, k] * a[i, k]
        norm = math.sqrt(norm)
        if norm == 0.0:
            continue
        alpha = -norm if a[k, k] >= 0 else norm
        vn = 0.0
        for i in range(k, d):
            v[i] = a[i, k]
        v[k] -= alpha
        for i in range(k, d):
            vn += v[i] * v[i]
        if vn == 0.0:
            continue
        n_reflections += 1
        for j in range(k, d):  # a <- (I - 2 v vT / vn) a
            s = 0.0
            for i in range(k, d):
                s += v[i] * a[i, j]
            s = 2.0 * s / vn
            for i in range(k, d):
                a[i, j] -= s * v[i]
        for i in range(d):  # q <- q (I - 2 v vT / vn)
            s = 0.0
            for j in range(k, d):
                s += q[i, j] * v[j]
            s = 2.0 * s / vn
            for j in range(k, d):
                q[i, j] -= s * v[j]
    det = -1.0 if n_reflections % 2 else 1.0
    for j in range(d):  # make R's diagonal positive, as scipy's ortho_group
        if a[j, j] < 0:
            det = -det
            for i in range(d):
                q[i, j] = -q[i, j]
    for j in range(d):  # special_ortho_group: first row divided by det Q
        q[0, j] /= det
    h = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            s = 0.0
            for k in range(d):
                s += q[i, k] * lam[k] * q[j, k]
            h[i, j] = s
    out = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            out[i, j] = 0.5 * (h[i, j] + h[j, i])
    return out


def _quadratic_theta(d, p):
    lam = p["eigenvalues"]
    if lam is None:
        lmin, lmax = float(p["lmin"]), float(p["lmax"])
        if not (0.0 < lmin <= lmax) or not math.isfinite(lmax):
            raise ValueError(f"surface 'quadratic': need 0 < lmin <= lmax < inf, got lmin={lmin}, lmax={lmax}")
        lam = np.geomspace(lmin, lmax, d)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    if lam.size != d or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError(f"surface 'quadratic': eigenvalues must be {d} finite numbers >= 0, got {lam.tolist()}")
    return rotated_hessian(lam, p["seed"]).reshape(-1)


QUADRATIC = SurfaceSpec(
    name="quadratic", f=quadratic_f, grad=quadratic_grad, dim=None, default_dim=10,
    params={"lmin": 1.0, "lmax": 100.0, "eigenvalues": None, "seed": 0},
    make_theta=_quadratic_theta,
    bounds=lambda d, p: [[-2.0, 2.0]] * d, minima=lambda d, p: [[0.0] * d], fmin=0.0,
    x0=lambda d, p: [1.0] * d,
    formula=r"f(x) = \tfrac12\,x^\top R\,\mathrm{diag}(\lambda)\,R^\top x",
    references=("Schneider, Balles & Hennig, DeepOBS, ICLR 2019 (quadratic_deep)",),
    summary="rotated n-D quadratic with a chosen eigenvalue spectrum (default geometric "
            "1..100, i.e. condition number 100; or eigenvalues=array)",
)


def _deep_eigenvalues(d, seed):
    rng = np.random.default_rng(int(seed))
    n_high = max(1, d // 10)
    return np.concatenate([rng.uniform(0.0, 1.0, d - n_high), rng.uniform(30.0, 60.0, n_high)])


QUADRATIC_DEEP = SurfaceSpec(
    name="quadratic_deep", f=quadratic_f, grad=quadratic_grad, dim=None, default_dim=100,
    params={"seed": 42},
    make_theta=lambda d, p: rotated_hessian(_deep_eigenvalues(d, p["seed"]), p["seed"]).reshape(-1),
    bounds=lambda d, p: [[-2.0, 2.0]] * d, minima=lambda d, p: [[0.0] * d], fmin=0.0,
    x0=lambda d, p: [1.0] * d,
    formula=r"f(x) = \tfrac12\,x^\top Q x,\ \lambda(Q) \sim 90\%\ U[0,1],\ 10\%\ U[30,60]",
    references=("Schneider, Balles & Hennig, DeepOBS, ICLR 2019 (quadratic_deep: 100-D, "
                "90 % of the eigenvalues in [0, 1], 10 % in [30, 60], random rotation)",),
    summary="DeepOBS quadratic_deep: 100-D, 90% eigenvalues U[0,1], 10% U[30,60], rotated "
            "(deterministic; add gradient noise for the stochastic version)",
)

# ---------------------------------------------------------------------------------------
# Saddles


def saddle_f(x, theta):
    return x[0] * x[0] - x[1] * x[1]


def saddle_grad(x, theta, i):
    if i == 0:
        return 2.0 * x[0]
    return -2.0 * x[1]


SADDLE = SurfaceSpec(
    name="saddle", f=saddle_f, grad=saddle_grad, dim=2,
    bounds=[[-2.0, 2.0], [-2.0, 2.0]], minima=np.zeros((0, 2)), fmin=-math.inf, x0=[1.5, 1e-3],
    formula=r"f(x, y) = x^2 - y^2",
    references=("Dauphin et al., 2014, arXiv:1406.2572 (saddle points in high-dimensional optimization)",),
    summary="saddle x^2 - y^2 (unbounded below; the start sits near the stable manifold)",
)


def monkey_saddle_f(x, theta):
    return x[0] * x[0] * x[0] - 3.0 * x[0] * x[1] * x[1]


def monkey_saddle_grad(x, theta, i):
    if i == 0:
        return 3.0 * x[0] * x[0] - 3.0 * x[1] * x[1]
    return -6.0 * x[0] * x[1]


MONKEY_SADDLE = SurfaceSpec(
    name="monkey_saddle", f=monkey_saddle_f, grad=monkey_saddle_grad, dim=2,
    bounds=[[-2.0, 2.0], [-2.0, 2.0]], minima=np.zeros((0, 2)), fmin=-math.inf, x0=[1.5, 0.1],
    formula=r"f(x, y) = x^3 - 3 x y^2",
    references=("Hilbert & Cohn-Vossen, Geometry and the Imagination, 1952 (monkey saddle)",),
    summary="monkey saddle x^3 - 3xy^2: a degenerate saddle (zero Hessian) at the origin",
)

# ---------------------------------------------------------------------------------------
# Classic 2-D benchmarks


def rosenbrock_f(x, theta):
    a = theta[0]
    b = theta[1]
    u = a - x[0]
    w = x[1] - x[0] * x[0]
    return u * u + b * w * w


def rosenbrock_grad(x, theta, i):
    a = theta[0]
    b = theta[1]
    w = x[1] - x[0] * x[0]
    if i == 0:
        return -2.0 * (a - x[0]) - 4.0 * b * x[0] * w
    return 2.0 * b * w


ROSENBROCK = SurfaceSpec(
    name="rosenbrock", f=rosenbrock_f, grad=rosenbrock_grad, dim=2, params={"a": 1.0, "b": 100.0},
    bounds=[[-2.0, 2.0], [-1.0, 3.0]], minima=lambda d, p: [[p["a"], p["a"] ** 2]], fmin=0.0,
    x0=[-1.5, 2.0],
    formula=r"f(x, y) = (a - x)^2 + b\,(y - x^2)^2",
    references=("Rosenbrock, 1960, doi:10.1093/comjnl/3.3.175",),
    summary="Rosenbrock's banana valley (a=1, b=100), minimum (a, a^2)",
)


def beale_f(x, theta):
    u = 1.5 - x[0] + x[0] * x[1]
    v = 2.25 - x[0] + x[0] * x[1] * x[1]
    w = 2.625 - x[0] + x[0] * x[1] * x[1] * x[1]
    return u * u + v * v + w * w


def beale_grad(x, theta, i):
    y = x[1]
    u = 1.5 - x[0] + x[0] * y
    v = 2.25 - x[0] + x[0] * y * y
    w = 2.625 - x[0] + x[0] * y * y * y
    if i == 0:
        return 2.0 * (u * (y - 1.0) + v * (y * y - 1.0) + w * (y * y * y - 1.0))
    return 2.0 * x[0] * (u + 2.0 * v * y + 3.0 * w * y * y)


BEALE = SurfaceSpec(
    name="beale", f=beale_f, grad=beale_grad, dim=2,
    bounds=[[-4.5, 4.5], [-4.5, 4.5]], minima=[[3.0, 0.5]], fmin=0.0, x0=[1.0, 1.5],
    formula=r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    references=("Beale, 1958, On an iterative method for finding a local minimum of a function "
                "of more than one variable (Princeton tech. report 25)",),
    summary="Beale's function, flat plateaus and sharp ridges, minimum (3, 0.5)",
)


def himmelblau_f(x, theta):
    u = x[0] * x[0] + x[1] - 11.0
    v = x[0] + x[1] * x[1] - 7.0
    return u * u + v * v


def himmelblau_grad(x, theta, i):
    u = x[0] * x[0] + x[1] - 11.0
    v = x[0] + x[1] * x[1] - 7.0
    if i == 0:
        return 4.0 * x[0] * u + 2.0 * v
    return 2.0 * u + 4.0 * x[1] * v


HIMMELBLAU = SurfaceSpec(
    name="himmelblau", f=himmelblau_f, grad=himmelblau_grad, dim=2, polish=True,
    bounds=[[-5.0, 5.0], [-5.0, 5.0]],
    minima=[[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]],
    fmin=0.0, x0=[0.0, 0.0],
    formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    references=("Himmelblau, Applied Nonlinear Programming, McGraw-Hill, 1972",),
    summary="Himmelblau's function: four global minima (value 0), for basin-of-attraction maps",
)


def booth_f(x, theta):
    u = x[0] + 2.0 * x[1] - 7.0
    v = 2.0 * x[0] + x[1] - 5.0
    return u * u + v * v


def booth_grad(x, theta, i):
    u = x[0] + 2.0 * x[1] - 7.0
    v = 2.0 * x[0] + x[1] - 5.0
    if i == 0:
        return 2.0 * u + 4.0 * v
    return 4.0 * u + 2.0 * v


BOOTH = SurfaceSpec(
    name="booth", f=booth_f, grad=booth_grad, dim=2,
    bounds=[[-10.0, 10.0], [-10.0, 10.0]], minima=[[1.0, 3.0]], fmin=0.0, x0=[-8.0, 8.0],
    formula=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    references=("Jamil & Yang, 2013, arXiv:1308.4008 (Booth function)",),
    summary="Booth's function, a plain convex quadratic, minimum (1, 3)",
)

# ---------------------------------------------------------------------------------------
# Multimodal


def rastrigin_f(x, theta):
    A = theta[0]
    s = A * len(x)
    for i in range(len(x)):
        s += x[i] * x[i] - A * math.cos(2.0 * math.pi * x[i])
    return s


def rastrigin_grad(x, theta, i):
    A = theta[0]
    return 2.0 * x[i] + 2.0 * math.pi * A * math.sin(2.0 * math.pi * x[i])


def _lattice_minima(roots, d, max_points=1024):
    """Every combination of the 1-D local minimisers ``roots`` of a separable function, sorted
    so that the combination of ``roots[0]`` (the global one) comes first."""
    roots = np.asarray(roots, dtype=np.float64)
    if roots.size ** d > max_points:
        return np.full((1, d), roots[0])
    grids = np.meshgrid(*([np.arange(roots.size)] * d), indexing="ij")
    idx = np.stack([g.reshape(-1) for g in grids], axis=1)
    order = np.argsort(idx.sum(axis=1), kind="stable")
    return roots[idx[order]]


def _rastrigin_roots(A, lo=-5.12, hi=5.12):
    """Local minimisers of x^2 - A cos(2 pi x) in [lo, hi], by Newton from each integer; 0 first."""
    out = []
    for n in range(math.ceil(lo), math.floor(hi) + 1):
        x = float(n)
        for _ in range(50):
            g = 2 * x + 2 * math.pi * A * math.sin(2 * math.pi * x)
            h = 2 + 4 * math.pi ** 2 * A * math.cos(2 * math.pi * x)
            if h <= 0:
                break
            x -= g / h
        if h > 0 and lo <= x <= hi:
            out.append(x)
    return sorted(out, key=abs)


RASTRIGIN = SurfaceSpec(
    name="rastrigin", f=rastrigin_f, grad=rastrigin_grad, dim=None, params={"A": 10.0},
    bounds=lambda d, p: [[-5.12, 5.12]] * d,
    minima=lambda d, p: _lattice_minima(_rastrigin_roots(p["A"]), d),
    fmin=0.0, x0=lambda d, p: [3.5 if i % 2 == 0 else -2.2 for i in range(d)],
    formula=r"f(x) = A n + \sum_i \left(x_i^2 - A\cos 2\pi x_i\right)",
    references=("Rastrigin, 1974, Systems of extremal control; Mühlenbein, Schomisch & Born, 1991",),
    summary="Rastrigin's function: a bowl covered in local minima (one per integer lattice point), "
            "any dimension",
)


def ackley_f(x, theta):
    a = theta[0]
    b = theta[1]
    c = theta[2]
    d = len(x)
    s2 = 0.0
    sc = 0.0
    for i in range(d):
        s2 += x[i] * x[i]
        sc += math.cos(c * x[i])
    return -a * math.exp(-b * math.sqrt(s2 / d)) - math.exp(sc / d) + a + math.e


def ackley_grad(x, theta, i):
    a = theta[0]
    b = theta[1]
    c = theta[2]
    d = len(x)
    s2 = 0.0
    sc = 0.0
    for j in range(d):
        s2 += x[j] * x[j]
        sc += math.cos(c * x[j])
    r = math.sqrt(s2 / d)
    g = math.exp(sc / d) * c * math.sin(c * x[i]) / d
    if r > 0.0:  # not differentiable at the origin: take 0 there
        g += a * b * math.exp(-b * r) * x[i] / (d * r)
    return g


ACKLEY = SurfaceSpec(
    name="ackley", f=ackley_f, grad=ackley_grad, dim=None,
    params={"a": 20.0, "b": 0.2, "c": 2.0 * math.pi},
    bounds=lambda d, p: [[-5.0, 5.0]] * d, minima=lambda d, p: [[0.0] * d], fmin=0.0,
    x0=lambda d, p: [3.0 if i % 2 == 0 else -2.0 for i in range(d)],
    formula=r"f = -a e^{-b\sqrt{\frac1n\sum x_i^2}} - e^{\frac1n\sum\cos c x_i} + a + e",
    references=("Ackley, A Connectionist Machine for Genetic Hillclimbing, Kluwer, 1987",),
    summary="Ackley's function: a nearly flat outer region, many local minima, a deep hole at 0 "
            "(gradient taken as 0 at the origin, where f is not differentiable)",
)

_ST_MIN, _, _ST_LOCAL = sorted(np.roots([4.0, 0.0, -32.0, 5.0]).real)  # of 4x^3 - 32x + 5 = 0:
# the global minimiser per coordinate (-2.9035), a local maximum and the other local minimiser


def styblinski_tang_f(x, theta):
    s = 0.0
    for i in range(len(x)):
        xi = x[i]
        s += xi * xi * xi * xi - 16.0 * xi * xi + 5.0 * xi
    return 0.5 * s


def styblinski_tang_grad(x, theta, i):
    xi = x[i]
    return 2.0 * xi * xi * xi - 16.0 * xi + 2.5


STYBLINSKI_TANG = SurfaceSpec(
    name="styblinski_tang", f=styblinski_tang_f, grad=styblinski_tang_grad, dim=None,
    bounds=lambda d, p: [[-5.0, 5.0]] * d,
    minima=lambda d, p: _lattice_minima([_ST_MIN, _ST_LOCAL], d),
    fmin=lambda d, p: d * 0.5 * (_ST_MIN ** 4 - 16 * _ST_MIN ** 2 + 5 * _ST_MIN),
    x0=lambda d, p: [0.5 if i % 2 == 0 else -0.5 for i in range(d)],
    formula=r"f(x) = \tfrac12\sum_i \left(x_i^4 - 16 x_i^2 + 5 x_i\right)",
    references=("Styblinski & Tang, 1990, doi:10.1016/0893-6080(90)90029-K",),
    summary="Styblinski-Tang: 2^n local minima, the global one at x_i = -2.9035 (f = -39.166 n)",
)


def goldstein_price_f(x, theta):
    X = x[0]
    Y = x[1]
    u = X + Y + 1.0
    P = 19.0 - 14.0 * X + 3.0 * X * X - 14.0 * Y + 6.0 * X * Y + 3.0 * Y * Y
    w = 2.0 * X - 3.0 * Y
    Q = 18.0 - 32.0 * X + 12.0 * X * X + 48.0 * Y - 36.0 * X * Y + 27.0 * Y * Y
    return (1.0 + u * u * P) * (30.0 + w * w * Q)


def goldstein_price_grad(x, theta, i):
    X = x[0]
    Y = x[1]
    u = X + Y + 1.0
    P = 19.0 - 14.0 * X + 3.0 * X * X - 14.0 * Y + 6.0 * X * Y + 3.0 * Y * Y
    w = 2.0 * X - 3.0 * Y
    Q = 18.0 - 32.0 * X + 12.0 * X * X + 48.0 * Y - 36.0 * X * Y + 27.0 * Y * Y
    A = 1.0 + u * u * P
    B = 30.0 + w * w * Q
    dA = 2.0 * u * P + u * u * (-14.0 + 6.0 * X + 6.0 * Y)  # the same for x and y
    if i == 0:
        dB = 4.0 * w * Q + w * w * (-32.0 + 24.0 * X - 36.0 * Y)
    else:
        dB = -6.0 * w * Q + w * w * (48.0 - 36.0 * X + 54.0 * Y)
    return dA * B + A * dB


GOLDSTEIN_PRICE = SurfaceSpec(
    name="goldstein_price", f=goldstein_price_f, grad=goldstein_price_grad, dim=2, polish=True,
    bounds=[[-2.0, 2.0], [-2.0, 2.0]],
    minima=[[0.0, -1.0], [-0.6, -0.4], [1.8, 0.2], [1.2, 0.8]], fmin=3.0, x0=[0.5, 1.0],
    formula=r"f = [1 + (x+y+1)^2 P(x,y)]\,[30 + (2x-3y)^2 Q(x,y)]",
    references=("Goldstein & Price, 1971, doi:10.1090/S0025-5718-1971-0298901-6",),
    summary="Goldstein-Price: values spanning six orders of magnitude, global minimum 3 at (0, -1) "
            "and three local minima",
)


def six_hump_camel_f(x, theta):
    X = x[0]
    Y = x[1]
    X2 = X * X
    Y2 = Y * Y
    return (4.0 - 2.1 * X2 + X2 * X2 / 3.0) * X2 + X * Y + (-4.0 + 4.0 * Y2) * Y2


def six_hump_camel_grad(x, theta, i):
    X = x[0]
    Y = x[1]
    if i == 0:
        return 8.0 * X - 8.4 * X * X * X + 2.0 * X * X * X * X * X + Y
    return X - 8.0 * Y + 16.0 * Y * Y * Y


SIX_HUMP_CAMEL = SurfaceSpec(
    name="six_hump_camel", f=six_hump_camel_f, grad=six_hump_camel_grad, dim=2, polish=True,
    bounds=[[-3.0, 3.0], [-2.0, 2.0]],
    minima=[[0.0898, -0.7126], [-0.0898, 0.7126], [1.7036, -0.7961], [-1.7036, 0.7961],
            [1.6071, 0.5687], [-1.6071, -0.5687]],
    fmin=-1.031628453489877, x0=[-1.5, 1.5],
    formula=r"f = (4 - 2.1x^2 + x^4/3)\,x^2 + xy + (-4 + 4y^2)\,y^2",
    references=("Dixon & Szegö, Towards Global Optimisation 2, 1978 (six-hump camel back)",),
    summary="six-hump camel: two global minima (f = -1.0316) and four local ones",
)

_BRANIN_B = 5.1 / (4.0 * math.pi ** 2)
_BRANIN_C = 5.0 / math.pi
_BRANIN_T = 1.0 / (8.0 * math.pi)


def branin_f(x, theta):
    u = x[1] - 5.1 / (4.0 * math.pi * math.pi) * x[0] * x[0] + 5.0 / math.pi * x[0] - 6.0
    return u * u + 10.0 * (1.0 - 1.0 / (8.0 * math.pi)) * math.cos(x[0]) + 10.0


def branin_grad(x, theta, i):
    b = 5.1 / (4.0 * math.pi * math.pi)
    c = 5.0 / math.pi
    u = x[1] - b * x[0] * x[0] + c * x[0] - 6.0
    if i == 0:
        return 2.0 * u * (c - 2.0 * b * x[0]) - 10.0 * (1.0 - 1.0 / (8.0 * math.pi)) * math.sin(x[0])
    return 2.0 * u


BRANIN = SurfaceSpec(
    name="branin", f=branin_f, grad=branin_grad, dim=2,
    bounds=[[-5.0, 10.0], [0.0, 15.0]],
    minima=[[-math.pi, 12.275], [math.pi, 2.275], [3.0 * math.pi, 2.475]],
    fmin=10.0 * _BRANIN_T, x0=[0.0, 10.0],
    formula=r"f = (y - \tfrac{5.1}{4\pi^2}x^2 + \tfrac5\pi x - 6)^2 + 10(1 - \tfrac1{8\pi})\cos x + 10",
    references=("Branin, 1972, doi:10.1147/rd.165.0504; Dixon & Szegö, 1978",),
    summary="Branin-Hoo: three global minima (f = 0.397887) in a curved valley",
)

BUILTIN = [PARABOLA, BOWL, VALLEY, QUADRATIC, QUADRATIC_DEEP, SADDLE, MONKEY_SADDLE, ROSENBROCK,
           BEALE, HIMMELBLAU, BOOTH, RASTRIGIN, ACKLEY, STYBLINSKI_TANG, GOLDSTEIN_PRICE,
           SIX_HUMP_CAMEL, BRANIN]

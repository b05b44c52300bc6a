"""Plots of surfaces, paths and sweeps (gdlab.surfaces.plot).

The figures are made with matplotlib's object API (no pyplot, no display). One real sweep and
two real trajectories share a single compiled kernel (plain SGD on Himmelblau); every other
input is built by hand so that the drawn data can be compared with known values exactly.
"""

import math

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import LogNorm
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from gdlab import surfaces
from gdlab.registry import get_registry
from gdlab.surfaces import SweepResult, Trajectory, get_surface, grid_starts, random_starts
from gdlab.surfaces.plot import plot_basins, plot_contour, plot_heatmap, plot_loss_curves, trajectory_label

N_GRID = 12


# ---------------------------------------------------------------------------------------
# Inputs


@pytest.fixture(scope="module")
def himmelblau_sweep():
    """Plain SGD from a 12 x 12 grid of starts on Himmelblau (every run converges)."""
    return surfaces.sweep("himmelblau", {"sgd": {"lr": 0.01}}, starts=grid_starts("himmelblau", N_GRID),
                          n_steps=200, backend="cpu")


@pytest.fixture(scope="module")
def himmelblau_paths(himmelblau_sweep):  # the same compiled kernel as the sweep
    ok = surfaces.trajectory("sgd", "himmelblau", [1.0, 1.0], n_steps=30, lr=0.01)
    bad = surfaces.trajectory("sgd", "himmelblau", [1.0, 1.0], n_steps=30, lr=0.1)
    assert not ok.diverged and bad.diverged
    return ok, bad


def make_trajectory(surface, path, *, optimizer="sgd", loss=None, diverged=None, **hyper) -> Trajectory:
    """A Trajectory with a given path (loss evaluated on the surface unless given)."""
    surf = get_surface(surface)
    P = np.asarray(path, dtype=np.float64).reshape(-1, surf.dim)
    name, _, preset = optimizer.partition("@")
    hv = get_registry().optimizer(name).with_preset(preset or None).validate(**hyper)
    with np.errstate(all="ignore"):
        L = surf.value(P) if loss is None else np.asarray(loss, dtype=np.float64)
    div = (not (np.all(np.isfinite(P[-1])) and np.isfinite(L[-1]))) if diverged is None else diverged
    return Trajectory(optimizer, hv, surf, P, L, np.zeros(len(P)), -1, bool(div))


def gd_on_parabola(lr, n_steps, x0=2.0):
    x = [x0]
    for _ in range(n_steps):
        x.append(x[-1] - lr * 2.0 * x[-1])
    return np.array(x)


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def path_lines(ax):
    """The drawn paths: lines of more than one point at the paths' z-order."""
    return [ln for ln in ax.lines if ln.get_zorder() == 4 and len(ln.get_xdata()) > 1]


def markers(ax, marker):
    return [ln for ln in ax.lines if ln.get_marker() == marker and ln.get_linestyle() == "None"]


def filled_contours(ax):
    return [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]


# ---------------------------------------------------------------------------------------
# plot_contour


def test_contour_paths_legend_levels_and_colorbar(himmelblau_paths, tmp_path):
    ok, bad = himmelblau_paths
    out = tmp_path / "sub" / "contour.png"
    fig = plot_contour("himmelblau", [ok, bad], n=60, levels=12, path=out)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = path_lines(ax)
    assert len(lines) == 2
    assert lines[0].get_color() != lines[1].get_color()
    np.testing.assert_array_equal(lines[0].get_xydata(), ok.path)  # converged: drawn as computed
    texts = legend_texts(ax)
    assert texts[:2] == ["sgd lr=0.01", "sgd lr=0.1 (diverged)"]
    assert {"global minima", "start", "end", "left the plot"} <= set(texts)
    # log-spaced levels of f - fmin, with a colour bar
    (cs,) = filled_contours(ax)
    assert isinstance(cs.norm, LogNorm) and len(cs.levels) == 12
    ratios = cs.levels[1:] / cs.levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert cs.colorbar is not None and "log" in cs.colorbar.ax.get_ylabel()
    # the four known minima are stars
    (stars,) = markers(ax, "*")
    np.testing.assert_allclose(stars.get_xydata(), get_surface("himmelblau").minima)
    assert out.is_file() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_contour_diverged_path_is_cut_inside_finite_coordinates(himmelblau_paths):
    _, bad = himmelblau_paths
    assert not np.all(np.isfinite(bad.path))  # it really blew up to inf/NaN
    fig = plot_contour("himmelblau", bad, n=40, levels=8)
    ax = fig.axes[0]
    (line,) = path_lines(ax)
    xy = line.get_xydata()
    assert np.all(np.isfinite(xy))
    b = get_surface("himmelblau").bounds
    span = b[:, 1] - b[:, 0]
    assert np.all(xy >= b[:, 0] - 100 * span) and np.all(xy <= b[:, 1] + 100 * span)
    np.testing.assert_array_equal(xy[:3], bad.path[:3])  # drawn as computed until it leaves
    (cut,) = markers(ax, "X")  # where it left the plotted box: on the box's edge
    p = cut.get_xydata()[0]
    assert np.any(np.isclose(p, b[:, 0]) | np.isclose(p, b[:, 1]))
    assert np.all((p >= b[:, 0] - 1e-9) & (p <= b[:, 1] + 1e-9))
    assert markers(ax, "s") == []  # no end marker for a diverged run
    fig.canvas.draw()  # renders


def test_contour_path_with_nan_and_huge_values():
    path = [[0.0, 0.0], [1.0, 0.5], [3.0, -1.0], [1e200, -1e180], [np.inf, np.nan], [np.nan, np.nan]]
    tr = make_trajectory("himmelblau", path, lr=0.5)
    assert tr.diverged
    ax = plot_contour("himmelblau", [tr], n=30, levels=6).axes[0]
    xy = path_lines(ax)[0].get_xydata()
    np.testing.assert_array_equal(xy[:3], np.array(path[:3]))
    assert xy.shape == (4, 2) and np.all(np.isfinite(xy))
    # the last drawn segment heads from (3, -1) towards (1e200, -1e180): the same direction
    d = xy[3] - xy[2]
    np.testing.assert_allclose(d / np.linalg.norm(d), [1.0, -1e-20], atol=1e-12)
    (cut,) = markers(ax, "X")
    np.testing.assert_allclose(cut.get_xydata()[0], [5.0, -1.0])  # exit through x = 5


def test_contour_unbounded_surface_gets_linear_levels():
    tr = make_trajectory("saddle", [[1.5, 1e-3], [1.2, 1.2e-3], [0.96, 1.44e-3]], lr=0.1)
    ax = plot_contour("saddle", [tr], n=40, levels=9).axes[0]
    (cs,) = filled_contours(ax)
    assert not isinstance(cs.norm, LogNorm)
    np.testing.assert_allclose(np.diff(cs.levels), np.diff(cs.levels)[0])
    assert "global minimum" not in legend_texts(ax)  # the saddle has no minima


def test_contour_explicit_levels_and_given_axes(himmelblau_paths):
    ok, _ = himmelblau_paths
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    got = plot_contour("himmelblau", ok, ax=ax2, n=30, levels=[0.1, 1.0, 10.0, 100.0], colorbar=False,
                       labels=["plain SGD"], title="mine")
    assert got is fig
    (cs,) = filled_contours(ax2)
    np.testing.assert_array_equal(cs.levels, [0.1, 1.0, 10.0, 100.0])
    assert cs.colorbar is None and ax2.get_title() == "mine"
    assert legend_texts(ax2)[0] == "plain SGD"
    assert len(ax1.lines) == 0


def test_contour_one_dimensional_surface():
    xs_a = gd_on_parabola(0.1, 10)
    xs_b = gd_on_parabola(1.1, 10)  # |1 - 2.2| > 1: grows without bound
    a = make_trajectory("parabola", xs_a, lr=0.1)
    b = make_trajectory("parabola", xs_b, lr=1.1)
    np.testing.assert_allclose(a.loss, xs_a ** 2, rtol=1e-15)
    ax = plot_contour("parabola", [a, b], n=101).axes[0]
    curve = [ln for ln in ax.lines if ln.get_zorder() == 2]
    assert len(curve) == 1
    np.testing.assert_allclose(curve[0].get_ydata(), np.linspace(-3, 3, 101) ** 2, rtol=1e-14)
    la, lb = path_lines(ax)
    np.testing.assert_allclose(la.get_xydata(), np.stack([xs_a, xs_a ** 2], axis=1), rtol=1e-15)
    assert la.get_marker() == "o"  # iterates marked
    # b leaves the plotted box (f > 9.45) after a few steps: cut there, an X on the top edge
    (cut,) = markers(ax, "X")
    assert cut.get_xydata()[0, 1] == pytest.approx(ax.get_ylim()[1])
    assert {"$f(x)$", "sgd lr=0.1", "sgd lr=1.1", "global minimum", "left the plot"} <= set(legend_texts(ax))
    assert ax.get_xlabel() == "$x$"


def test_contour_rejects_bad_input(himmelblau_paths, tmp_path):
    ok, _ = himmelblau_paths
    with pytest.raises(ValueError, match="3-D"):
        plot_contour(get_surface("bowl", dim=3))
    other = make_trajectory("rosenbrock", [[0.0, 0.0]], loss=[1.0])
    with pytest.raises(ValueError, match=r"trajectories\[0\] ran on Surface\('rosenbrock'"):
        plot_contour("himmelblau", [other])
    with pytest.raises(TypeError, match=r"trajectories\[1\] must be a Trajectory"):
        plot_contour("himmelblau", [ok, "adam"])
    with pytest.raises(ValueError, match="levels"):
        plot_contour("himmelblau", levels=1)
    with pytest.raises(ValueError, match="levels"):
        plot_contour("himmelblau", levels=[3.0, 2.0])
    with pytest.raises(ValueError, match="levels must be > 0"):
        plot_contour("himmelblau", n=20, levels=[-1.0, 1.0])
    with pytest.raises(ValueError, match="n must be"):
        plot_contour("himmelblau", n=1)
    with pytest.raises(ValueError, match="bounds"):
        plot_contour("himmelblau", bounds=[[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="labels has 2 entries for 1"):
        plot_contour("himmelblau", [ok], labels=["a", "b"])
    with pytest.raises(ValueError, match=r"path must end in \.png"):
        plot_contour("himmelblau", path=tmp_path / "x.jpg")
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_contour("himmelblau", ax="left")
    with pytest.raises(ValueError, match="unknown surface"):
        plot_contour("no-such-surface")


def test_trajectory_labels_name_non_default_settings():
    t1 = make_trajectory("himmelblau", [[0.0, 0.0]], loss=[1.0], lr=0.01, momentum=0.9, nesterov=True)
    t2 = make_trajectory("himmelblau", [[0.0, 0.0]], loss=[1.0], optimizer="adam@keras", lr=0.05)
    t3 = make_trajectory("himmelblau", [[0.0, 0.0]], loss=[1.0], optimizer="adam", lr=1e-3, beta2=0.99)
    assert trajectory_label(t1) == "sgd lr=0.01, momentum=0.9, nesterov"
    assert trajectory_label(t2) == "adam@keras lr=0.05"
    assert trajectory_label(t3) == "adam lr=0.001, beta2=0.99"
    with pytest.raises(TypeError):
        trajectory_label("sgd")


# ---------------------------------------------------------------------------------------
# plot_loss_curves


def test_loss_curves_values_divergence_and_pdf(himmelblau_paths, tmp_path):
    ok, bad = himmelblau_paths
    out = tmp_path / "loss.pdf"
    fig = plot_loss_curves([ok, bad], path=out)
    ax = fig.axes[0]
    lines = [ln for ln in ax.lines if ln.get_linestyle() != "None"]
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_ydata(), ok.loss - ok.surface.fmin)
    yb = lines[1].get_ydata()
    assert np.all(np.isfinite(yb)) and len(yb) < len(bad.loss)
    np.testing.assert_array_equal(yb, bad.loss[:len(yb)])
    assert ax.get_yscale() == "log"
    assert legend_texts(ax) == ["sgd lr=0.01", "sgd lr=0.1 (diverged)"]
    # the axis stops a decade above the converging run; the explosion leaves through the top
    top = 10 * np.max(ok.loss)
    assert ax.get_ylim()[1] == pytest.approx(top)
    (cut,) = markers(ax, "X")
    assert cut.get_xydata()[0, 1] == pytest.approx(top)
    assert out.read_bytes()[:5] == b"%PDF-"


def test_loss_curves_unbounded_surface_uses_symlog():
    tr = make_trajectory("saddle", [[1.5, 1e-3], [1.2, 1.2e-3], [0.96, 1.44e-3], [0.77, 1.7e-3]], lr=0.1)
    ax = plot_loss_curves(tr, title="t").axes[0]
    assert ax.get_yscale() == "symlog"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), tr.loss)  # f itself, fmin = -inf
    assert ax.get_ylabel() == "$f(x_t)$"


def test_loss_curves_reject_bad_input():
    with pytest.raises(ValueError, match="empty"):
        plot_loss_curves([])
    with pytest.raises(TypeError, match="Trajectory"):
        plot_loss_curves([np.zeros(3)])
    tr = make_trajectory("himmelblau", [[0.0, 0.0]], loss=[170.0])
    with pytest.raises(TypeError, match="log must be True or False"):
        plot_loss_curves([tr], log="yes")
    with pytest.raises(ValueError, match=r"path must end in \.png"):
        plot_loss_curves([tr], path="curves")


# ---------------------------------------------------------------------------------------
# plot_heatmap

LRS = np.array([1e-4, 1e-3, 1e-2, 1e-1])
MOMS = np.array([0.0, 0.5, 0.9])


def lr_momentum_result(template: SweepResult) -> tuple[SweepResult, dict]:
    """A hand-made lr x momentum sweep (two starts per cell) with the real table layout, and
    the expected cells: loss-gap medians, diverged cells, steps medians, not-reached cells.
    Three starts per cell, so that a median over runs that did and did not reach the
    tolerance is decided by the majority."""
    rng = np.random.default_rng(7)
    rows = [(lr, m, s) for m in MOMS for lr in LRS for s in range(3)]
    dt = template.table.dtype
    T = np.zeros(len(rows), dtype=[(n, "U12" if n == "optimizer" else dt[n]) for n in dt.names])
    T["optimizer"] = "sgd"
    T["config"] = np.arange(len(rows))
    T["lr"], T["momentum"] = [r[0] for r in rows], [r[1] for r in rows]
    T["x0_0"] = [r[2] for r in rows]
    T["loss"] = rng.uniform(0.0, 1.0, len(rows)) * 10.0 ** rng.integers(-8, 1, len(rows))
    T["steps"] = rng.integers(1, 200, len(rows))
    diverged_cells = {(1e-1, 0.5), (1e-1, 0.9)}
    for k, (lr, m, s) in enumerate(rows):
        if (lr, m) in diverged_cells or (lr == 1e-1 and m == 0.0 and s == 1):
            T["diverged"][k], T["loss"][k], T["steps"][k] = True, np.nan, -1
        if lr == 1e-4:  # never reaches the tolerance
            T["steps"][k] = -1
        if lr == 1e-3 and m == 0.0 and s == 0:  # one of three runs short: the median is a number
            T["steps"][k] = -1
        if lr == 1e-3 and m == 0.5 and s < 2:  # two of three runs short: "not reached"
            T["steps"][k] = -1
    T["loss"][(T["lr"] == 1e-2) & (T["momentum"] == 0.9)] = 0.0  # reached f* to the last bit
    exp_loss = np.full((MOMS.size, LRS.size), np.nan)
    exp_steps = np.full((MOMS.size, LRS.size), np.nan)
    for j, m in enumerate(MOMS):
        for i, lr in enumerate(LRS):
            sel = (T["lr"] == lr) & (T["momentum"] == m) & ~T["diverged"]
            if sel.any():
                exp_loss[j, i] = np.median(T["loss"][sel])
                st = np.where(T["steps"][sel] < 0, np.inf, T["steps"][sel].astype(float))
                exp_steps[j, i] = np.median(st)
    res = SweepResult(T, template.surface, template.n_steps, template.tol)
    return res, {"loss": exp_loss, "steps": exp_steps, "diverged": len(diverged_cells)}


def mesh_of(ax):
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    return mesh


def hatched(ax, hatch):
    return [p for p in ax.patches if p.get_hatch() == hatch]


def test_heatmap_final_loss_cells(himmelblau_sweep, tmp_path):
    res, exp = lr_momentum_result(himmelblau_sweep)
    fig = plot_heatmap(res, "lr", "momentum", path=tmp_path / "h.svg")
    ax = fig.axes[0]
    A = mesh_of(ax).get_array()
    assert A.shape == (MOMS.size, LRS.size)
    valid = np.isfinite(exp["loss"])
    np.testing.assert_array_equal(np.ma.getmaskarray(A), ~valid)
    vmin = exp["loss"][valid & (exp["loss"] > 0)].min()
    np.testing.assert_allclose(A[valid], np.maximum(exp["loss"][valid], vmin), rtol=1e-15)  # zeros floored
    assert isinstance(mesh_of(ax).norm, LogNorm)
    assert len(hatched(ax, "////")) == exp["diverged"]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"  # lr spans 3 decades
    texts = legend_texts(ax)
    assert f"diverged ({exp['diverged']} of 12 cells)" in texts
    best = np.unravel_index(np.nanargmin(np.where(valid, exp["loss"], np.nan)), exp["loss"].shape)
    assert texts[0].startswith(f"best: lr={LRS[best[1]]:.3g}, momentum={MOMS[best[0]]:.3g}")
    assert mesh_of(ax).colorbar is not None
    assert "median of 3 runs" in mesh_of(ax).colorbar.ax.get_ylabel()
    assert (tmp_path / "h.svg").read_text().lstrip().startswith("<?xml")


def test_heatmap_steps_not_reached_and_linear_scale(himmelblau_sweep):
    res, exp = lr_momentum_result(himmelblau_sweep)
    ax = plot_heatmap(res, "lr", "momentum", "steps", log=False).axes[0]
    A = mesh_of(ax).get_array()
    ok = np.isfinite(exp["steps"])
    np.testing.assert_array_equal(A[ok], exp["steps"][ok])
    not_reached = int(np.sum(np.isinf(exp["steps"])))
    assert not_reached == 4  # lr = 1e-4 column (3) and one cell with two of three runs short
    j, i = list(MOMS).index(0.0), list(LRS).index(1e-3)
    assert A[j, i] == np.max(res.table["steps"][(res.table["lr"] == 1e-3) & (res.table["momentum"] == 0.0)])
    assert len(hatched(ax, "..")) == not_reached
    assert f"not reached in 200 steps ({not_reached} of 12 cells)" in legend_texts(ax)
    assert not isinstance(mesh_of(ax).norm, LogNorm)


def test_heatmap_other_optimizer_rows_and_geometric_axis(himmelblau_sweep):
    res, _ = lr_momentum_result(himmelblau_sweep)
    T = np.concatenate([res.table, res.table])
    T["optimizer"][: len(res)] = "adam"
    T["lr"][: len(res)] *= 3.0
    both = SweepResult(T, res.surface, res.n_steps, res.tol)
    with pytest.raises(ValueError, match="2 optimizers .*optimizer="):
        plot_heatmap(both, "lr", "momentum")
    ax = plot_heatmap(both, "lr", "momentum", optimizer="adam").axes[0]
    xe = mesh_of(ax).get_coordinates()[0, :, 0]
    np.testing.assert_allclose(xe[1:-1], np.sqrt(3 * LRS[1:] * 3 * LRS[:-1]))  # geometric midpoints
    with pytest.raises(ValueError, match="optimizer='rmsprop' is not in the sweep"):
        plot_heatmap(both, "lr", "momentum", optimizer="rmsprop")


def test_heatmap_log_axis_for_logspace_values(himmelblau_sweep):
    res, _ = lr_momentum_result(himmelblau_sweep)
    T = res.table.copy()
    T["lr"] = np.logspace(-4, -2.3, 4)[np.searchsorted(LRS, T["lr"])]  # 1.7 decades, log-spaced
    ax = plot_heatmap(SweepResult(T, res.surface, res.n_steps, res.tol), "lr", "momentum").axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"


def test_heatmap_all_diverged(himmelblau_sweep):
    res, _ = lr_momentum_result(himmelblau_sweep)
    T = res.table.copy()
    T["diverged"], T["loss"] = True, np.inf
    ax = plot_heatmap(SweepResult(T, res.surface, res.n_steps, res.tol), "lr", "momentum").axes[0]
    assert np.ma.getmaskarray(mesh_of(ax).get_array()).all()
    assert legend_texts(ax) == ["diverged (12 of 12 cells)"]
    assert len(hatched(ax, "////")) == 12


def test_heatmap_rejects_bad_input(himmelblau_sweep):
    res = himmelblau_sweep
    with pytest.raises(ValueError, match=r"x='nope' is not a column .*columns: config, optimizer"):
        plot_heatmap(res, "nope", "lr")
    with pytest.raises(ValueError, match=r"value='final' is not a column"):
        plot_heatmap(res, "x0_0", "x0_1", "final")
    with pytest.raises(ValueError, match="value='optimizer' is not a numeric column"):
        plot_heatmap(res, "x0_0", "x0_1", "optimizer")
    with pytest.raises(ValueError, match="different columns"):
        plot_heatmap(res, "lr", "lr")
    with pytest.raises(TypeError, match="SweepResult"):
        plot_heatmap(res.table, "x0_0", "x0_1")
    with pytest.raises(TypeError, match="y must be a column name"):
        plot_heatmap(res, "x0_0", 3)


# ---------------------------------------------------------------------------------------
# plot_basins


def expected_basins(table, m, radius):
    cat = np.where(~table["diverged"] & (table["distance"] <= radius), table["minimum"], m)
    cat = np.where(table["diverged"], m + 1, cat)
    return cat.reshape(N_GRID, N_GRID)  # grid_starts: first coordinate fastest = image rows


def test_basins_pixels_legend_and_minima(himmelblau_sweep):
    res = himmelblau_sweep
    surf = res.surface
    radius = 1e-3 * np.hypot(10.0, 10.0)
    ax = plot_basins(res, contours=True).axes[0]
    C = mesh_of(ax).get_array()
    np.testing.assert_array_equal(C, expected_basins(res.table, 4, radius))
    assert set(np.unique(C)) == {0, 1, 2, 3}
    (stars,) = markers(ax, "*")
    np.testing.assert_allclose(stars.get_xydata(), surf.minima)
    texts = legend_texts(ax)
    assert len(texts) == 4 and texts[0].startswith("0: (3, 2)")
    shares = [float(t.rsplit(" ", 1)[1].rstrip("%")) for t in texts]
    assert sum(shares) == pytest.approx(100.0, abs=0.2)
    assert any(isinstance(c, ContourSet) and not c.filled for c in ax.collections)
    assert "sgd lr=0.01" in ax.get_title() and "himmelblau" in ax.get_title()


def test_basins_diverged_and_not_converged_runs(himmelblau_sweep):
    res = himmelblau_sweep
    T = res.table.copy()
    T["diverged"][5], T["loss"][5], T["distance"][5], T["minimum"][5] = True, np.nan, np.nan, -1
    T["distance"][7] = 0.5  # stopped half a unit from the nearest minimum
    mod = SweepResult(T, res.surface, res.n_steps, res.tol)
    ax = plot_basins(mod, radius=0.1, contours=False).axes[0]
    C = mesh_of(ax).get_array()
    np.testing.assert_array_equal(C, expected_basins(T, 4, 0.1))
    assert C[0, 5] == 5 and C[0, 7] == 4
    texts = legend_texts(ax)
    assert any(t.startswith("not converged") for t in texts)
    assert any(t.startswith("diverged") for t in texts)
    assert not any(isinstance(c, ContourSet) for c in ax.collections)
    # a larger radius counts the half-unit run as converged
    C2 = mesh_of(plot_basins(mod, radius=0.6, contours=False).axes[0]).get_array()
    assert C2[0, 7] == T["minimum"][7]


def test_basins_reject_non_grid_starts_and_several_configs(himmelblau_sweep):
    res = himmelblau_sweep
    T = res.table.copy()
    X = random_starts("himmelblau", len(T), seed=1)
    T["x0_0"], T["x0_1"] = X[:, 0], X[:, 1]
    with pytest.raises(ValueError, match="do not form a grid.*grid_starts"):
        plot_basins(SweepResult(T, res.surface, res.n_steps, res.tol))
    T2 = np.concatenate([res.table, res.table])
    T2["lr"][len(res):] = 0.02
    with pytest.raises(ValueError, match=r"run 2 times \(varied: lr\).*one configuration per start"):
        plot_basins(SweepResult(T2, res.surface, res.n_steps, res.tol))
    with pytest.raises(ValueError, match="2-D surface"):
        plot_basins(SweepResult(res.table, get_surface("bowl", dim=3), res.n_steps, res.tol))
    with pytest.raises(ValueError, match="radius"):
        plot_basins(res, radius=0.0)
    with pytest.raises(ValueError, match="radius"):
        plot_basins(res, radius=math.nan)
    with pytest.raises(TypeError, match="SweepResult"):
        plot_basins(res.table)

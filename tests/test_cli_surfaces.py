"""``gdlab trajectory``, ``gdlab sweep`` and ``gdlab list surfaces`` end to end."""

import csv

import numpy as np
import pytest
from click.testing import CliRunner

from gdlab import surfaces
from gdlab.cli import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("args", [["trajectory", "--help"], ["sweep", "--help"], ["train", "mnist", "--help"]])
def test_help(runner, args):
    res = runner.invoke(main, args)
    assert res.exit_code == 0 and "Usage:" in res.output


def test_list_surfaces(runner):
    res = runner.invoke(main, ["list", "surfaces"])
    assert res.exit_code == 0
    assert "rosenbrock" in res.output and "himmelblau" in res.output and "kappa=20.0" in res.output


def test_trajectory_writes_csv_and_plot(runner, tmp_path):
    res = runner.invoke(main, ["trajectory", "rosenbrock", "-o", "adam:lr=0.05", "-o", "sgd:lr=1e-3,momentum=0.9",
                               "--steps", "300", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "adam:lr=0.05" in res.output and "sgd:lr=1e-3,momentum=0.9" in res.output  # as named
    assert "final loss" in res.output and (tmp_path / "trajectory_1_sgd_lr_1e-3_momentum_0.9.csv").is_file()
    rows = list(csv.DictReader(open(tmp_path / "trajectory_0_adam_lr_0.05.csv")))
    assert len(rows) == 301 and rows[0]["x_0"] == "-1.5"
    tr = surfaces.trajectory("adam", "rosenbrock", n_steps=300, lr=0.05)
    assert float(rows[-1]["loss"]) == tr.loss[-1]  # repr round-trips exactly
    assert (tmp_path / "trajectories.png").stat().st_size > 10_000


def test_sweep_grid_heatmap_and_basins(runner, tmp_path):
    res = runner.invoke(main, ["sweep", "rosenbrock", "-o", "sgd:lr=log:1e-4:2e-3:4,momentum=0|0.9",
                               "--steps", "200", "--heatmap", "lr,momentum", "--out", str(tmp_path), "--no-progress"])
    assert res.exit_code == 0, res.output
    table = np.genfromtxt(tmp_path / "sweep.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert len(table) == 8 and sorted(set(table["momentum"])) == [0.0, 0.9]
    assert (tmp_path / "heatmap.png").exists()
    res = runner.invoke(main, ["sweep", "himmelblau", "-o", "sgd:lr=0.01", "--starts", "grid:10",
                               "--steps", "200", "--out", str(tmp_path / "b"), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b" / "basins.png").exists()


@pytest.mark.parametrize("args,match", [
    (["trajectory", "rosenbrock", "-o", "adam:lr=-1"], "Invalid learning rate: -1.0"),
    (["trajectory", "nope", "-o", "adam"], "unknown surface 'nope'"),
    (["trajectory", "rosenbrock", "-o", "adam:lr=0.1|0.2"], "use 'gdlab sweep'"),
    (["trajectory", "rosenbrock", "-o", "adam", "--x0", "1,2,3"], r"x0 must have shape \(2,\)"),
    (["sweep", "rosenbrock", "-o", "adam:lr=log:0:1:3"], "log ranges need LOW, HIGH > 0"),
    (["sweep", "rosenbrock", "-o", "adam:lr"], "expected k=v"),
    (["sweep", "rosenbrock", "-o", "adamm"], "unknown optimizer 'adamm'"),
    (["sweep", "rosenbrock", "-o", "adam", "--starts", "grid:x"], "n must be an integer >= 1"),
    (["sweep", "rosenbrock", "-o", "adam", "-s", "c=1"], "unknown parameter 'c'"),
])
def test_bad_arguments_exit_2_with_a_clear_message(runner, args, match):
    import re

    res = runner.invoke(main, args)
    assert res.exit_code == 2, res.output
    assert re.search(match, res.output), res.output

"""The gdlab command line, end to end on a small subset of MNIST."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from gdlab.cli import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("args", [["--help"], ["train", "--help"], ["list", "--help"], ["plugins", "--help"]])
def test_help_everywhere(runner, args):
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.output


def test_version_via_installed_entry_point():
    out = subprocess.run([sys.executable, "-m", "gdlab.cli", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert "gdlab" in out and "0." in out


def test_list_and_plugins(runner):
    res = runner.invoke(main, ["list", "optimizers"])
    assert res.exit_code == 0
    assert "sgd" in res.output and "nesterov" in res.output and "beta2" in res.output
    res = runner.invoke(main, ["plugins"])
    assert "gdlab.optim._plugin" in res.output and "sgd, nesterov, adagrad" in res.output


def test_train_end_to_end_on_a_subset(runner, tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(main, ["train", "mnist", "--train-size", "3000", "--test-size", "500",
                               "--hidden", "64,32", "--epochs", "2", "--lr", "0.05",
                               "-p", "momentum=0.5", "--seed", "1", "--threads", "1",
                               "--out", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "train loss" in res.output and "test acc" in res.output
    data = json.loads((out / "history.json").read_text())
    assert [r["epoch"] for r in data["epochs"]] == [1, 2]
    assert data["meta"]["hyper"]["momentum"] == 0.5 and data["meta"]["n_train"] == 3000
    assert data["epochs"][-1]["test_acc"] > 0.8
    assert (out / "curves.png").stat().st_size > 10_000
    assert (out / "history.csv").read_text().count("\n") == 3
    assert (out / "model.npz").exists()


@pytest.mark.parametrize(
    "args,match",
    [
        (["--lr", "-1"], "Invalid learning rate: -1.0"),
        (["--optimizer", "adamm"], "unknown optimizer 'adamm'"),
        (["--batch-size", "0"], "--batch-size must be >= 1"),
        (["-p", "momentum=2"], "Invalid momentum value: 2.0"),
        (["-p", "nesterov=true"], "Nesterov momentum requires a momentum"),
        (["-p", "momentum"], "NAME=VALUE"),
        (["--hidden", "64,x"], "comma-separated"),
        (["--threads", "0"], "threads"),
        (["fashion"], "unknown dataset 'fashion'"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(runner, tmp_path, args, match):
    base = ["train", "--train-size", "200", "--test-size", "50", "--epochs", "1",
            "--out", str(tmp_path), "--no-progress"]
    if args and not args[0].startswith("-"):
        base.insert(1, args[0])
        args = args[1:]
    res = runner.invoke(main, base + args)
    assert res.exit_code == 2, res.output
    assert match in res.output


def test_divergence_exits_3_naming_epoch_and_step(runner, tmp_path):
    res = runner.invoke(main, ["train", "--train-size", "512", "--test-size", "64", "--epochs", "3",
                               "--hidden", "32", "--lr", "1e30", "--out", str(tmp_path), "--no-progress"])
    assert res.exit_code == 3, res.output
    assert "non-finite training loss at epoch 1, step" in res.output


def test_benchmark_script_has_help():
    out = subprocess.run([sys.executable, "-m", "gdlab.bench.mlp_mnist", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--threads" in out and "--peers" in out


def test_a_broken_plugin_is_skipped_with_one_line_and_everything_else_works(runner, monkeypatch):
    import gdlab.registry as reg_mod

    class EP:
        name, value = "broken", "nowhere.plugin"

        class dist:
            name, version = "gdlab-broken", "0.0.1"

        def load(self):
            raise ImportError("No module named 'nowhere'")

    monkeypatch.setattr(reg_mod.importlib.metadata, "entry_points", lambda group: [EP()])
    try:
        for args in (["list", "optimizers"], ["plugins"]):
            monkeypatch.setattr(reg_mod, "_REGISTRY", None)
            res = runner.invoke(main, args)
            assert res.exit_code == 0, res.output
            assert "warning: gdlab plugin gdlab-broken 0.0.1 (entry point broken = nowhere.plugin)" in res.output
            assert "Traceback" not in res.output and "GDLAB_DISABLE_PLUGINS=broken" in res.output
        assert "BROKEN: gdlab plugin gdlab-broken" in res.output and "gdlab.optim._plugin" in res.output
        from gdlab.optim import create

        assert create("sgd", lr=0.1).hyper["lr"] == 0.1
    finally:
        monkeypatch.setattr(reg_mod, "_REGISTRY", None)


def test_docs_optimizers_page_is_up_to_date():
    from pathlib import Path

    from gdlab.optim._docs import optimizers_page

    page = Path(__file__).parents[1] / "docs" / "optimizers.md"
    assert page.read_text() == optimizers_page() + "\n", (
        "docs/optimizers.md is stale: run `gdlab list presets --markdown > docs/optimizers.md`")


def test_history_json_keeps_measured_times_apart(runner, tmp_path):
    """history.json's "epochs" are results only (the same on every machine); times go to "timings"."""
    out = tmp_path / "run"
    res = runner.invoke(main, ["train", "mnist", "--hidden", "8", "--epochs", "2", "--train-size", "128",
                               "--test-size", "32", "--no-progress", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "history.json").read_text())
    assert all("seconds" not in r and "eval_seconds" not in r for r in data["epochs"])
    assert [sorted(t) for t in data["timings"]] == [["epoch", "eval_seconds", "seconds"]] * 2

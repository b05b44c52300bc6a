"""One way to name an optimizer everywhere: NAME[@PRESET][:k=v,...] (issue 14, item 3)."""

import numpy as np
import pytest
from click.testing import CliRunner

from gdlab import surfaces
from gdlab.cli import main
from gdlab.optim import create, format_optimizer, get_spec, parse_optimizer
from gdlab.optim._syntax import parse_number, parse_value


def test_parse_names_presets_and_values():
    t = parse_optimizer("adam@optax:lr=1e-3,betas=(0.9,0.99),amsgrad=true")
    assert t.name == "adam" and t.preset == "optax"
    assert t.hyper == {"lr": 1e-3, "betas": (0.9, 0.99), "amsgrad": True}
    assert parse_optimizer("sgd") == ("sgd", None, {})
    assert parse_optimizer(" sgd@keras ").preset == "keras"
    assert parse_number("off") is False and parse_number("10") == 10.0


def test_parse_ranges_only_where_allowed():
    t = parse_optimizer("sgd:lr=log:1e-4:1e-1:4,momentum=0|0.9", ranges=True)
    np.testing.assert_allclose(t.hyper["lr"], [1e-4, 1e-3, 1e-2, 1e-1])
    assert t.hyper["momentum"] == [0.0, 0.9]
    np.testing.assert_allclose(parse_value("lin:0:1:3", ranges=True), [0, 0.5, 1])
    with pytest.raises(ValueError, match="needs? a sweep"):
        parse_optimizer("sgd:lr=0.1|0.2")
    with pytest.raises(ValueError, match="needs? a sweep"):
        parse_optimizer("sgd:lr=log:1e-3:1:3")


@pytest.mark.parametrize("text, match", [
    ("", "expected NAME"), ("@keras", "expected NAME"), ("adam@", "expected NAME"),
    ("adam:", "nothing after"), ("adam:lr", "expected k=v"), ("adam:lr=1,lr=2", "twice"),
    ("adam:lr=abc", "adam lr: 'abc' is not a number"), ("adam:=1", "name is missing"),
])
def test_parse_errors_quote_the_text(text, match):
    with pytest.raises(ValueError, match=match):
        parse_optimizer(text)


def test_format_is_the_inverse():
    for text in ("sgd:lr=0.001,momentum=0.9,nesterov=true", "adam@keras", "adam:betas=(0.9,0.99)"):
        t = parse_optimizer(text)
        assert parse_optimizer(format_optimizer(*t)) == t


def test_create_and_get_spec_take_the_syntax():
    opt = create("adam@keras:lr=0.01")
    assert opt.spec.preset == "keras" and opt.hyper["lr"] == 0.01 and opt.hyper["eps"] == 1e-7
    assert create("sgd:momentum=0.9", lr=0.5).hyper == create("sgd", lr=0.5, momentum=0.9).hyper
    assert get_spec("adam@keras").preset == "keras"
    with pytest.raises(ValueError, match="lr given twice"):
        create("sgd:lr=0.1", lr=0.2)
    with pytest.raises(ValueError, match="preset 'keras'.*preset='optax'"):
        create("adam@keras", preset="optax")
    with pytest.raises(ValueError, match="unknown preset 'jax'"):
        create("adam@jax")


def test_surfaces_take_the_syntax():
    tr = surfaces.trajectory("adam@keras:lr=0.05", "rosenbrock", n_steps=20)
    ref = surfaces.trajectory("adam", "rosenbrock", n_steps=20, preset="keras", lr=0.05)
    np.testing.assert_array_equal(tr.path, ref.path)
    res = surfaces.sweep("rosenbrock", {"adam@keras:lr=0.01|0.05": {}}, n_steps=20)
    assert len(res) == 2 and set(res.table["optimizer"].tolist()) == {"adam@keras"}
    np.testing.assert_array_equal(np.sort(res.table["lr"]), [0.01, 0.05])


def test_estimator_optimizer_takes_the_syntax():
    from gdlab.sklearn import MLPClassifier

    clf = MLPClassifier((4,), optimizer="adam@keras:lr=0.01", max_iter=2, random_state=0)
    opt = clf._make_optimizer()
    assert opt.spec.preset == "keras" and opt.hyper["lr"] == 0.01
    with pytest.raises(ValueError, match="twice"):
        MLPClassifier(optimizer="adam:lr=0.01", optimizer_params={"lr": 0.1})._make_optimizer()


def test_cli_train_with_preset(tmp_path):
    r = CliRunner()
    for opt in (["--optimizer", "adam@keras:lr=1e-3"], ["--optimizer", "adam", "-p", "preset=keras"]):
        res = r.invoke(main, ["train", "mnist", *opt, "--hidden", "8", "--epochs", "1", "--train-size", "128",
                              "--test-size", "32", "--no-progress", "--out", str(tmp_path / opt[-1])])
        assert res.exit_code == 0, res.output
        assert "adam[keras]" in res.output and "eps=1e-07" in res.output
    res = r.invoke(main, ["train", "mnist", "--optimizer", "sgd:lr=0.1", "--lr", "0.2"])
    assert res.exit_code == 2 and "lr given twice" in res.output


def test_cli_train_dssm_checks_the_optimizer_before_the_data(tmp_path):
    res = CliRunner().invoke(main, ["train", "dssm", "--optimizer", "adam@jax", "--data-dir", str(tmp_path)])
    assert res.exit_code == 2 and "unknown preset 'jax'" in res.output


def test_cli_trajectory_and_sweep_with_presets(tmp_path):
    r = CliRunner()
    res = r.invoke(main, ["trajectory", "rosenbrock", "-o", "adam@keras:lr=0.05", "-o", "sgd:lr=1e-3,momentum=0.9",
                          "--steps", "50", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "adam@keras:lr=0.05" in res.output and "sgd:lr=1e-3,momentum=0.9" in res.output
    assert (tmp_path / "trajectory_1_sgd_lr_1e-3_momentum_0.9.csv").is_file()
    res = r.invoke(main, ["sweep", "rosenbrock", "-o", "adam@keras:lr=log:1e-3:1e-1:3", "--steps", "50"])
    assert res.exit_code == 0 and "adam@keras" in res.output, res.output
    res = r.invoke(main, ["trajectory", "rosenbrock", "-o", "adam:lr=0.1|0.2"])
    assert res.exit_code == 2 and "use 'gdlab sweep'" in res.output


def test_factories_are_discoverable():
    import inspect

    import gdlab
    import gdlab.optim as optim

    assert {"sgd", "adam", "lamb", "nesterov"} <= set(dir(optim))
    sig = inspect.signature(optim.adam)
    assert sig.parameters["lr"].default == 1e-3 and "betas" in sig.parameters and "preset" in sig.parameters
    assert "beta2 = 0.999" in optim.adam.__doc__ and "keras" in optim.adam.__doc__
    assert optim.adam(betas=(0.8, 0.9)).hyper["beta1"] == 0.8
    assert gdlab.hookimpl is __import__("gdlab.hookspecs").hookspecs.hookimpl

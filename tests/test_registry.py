"""The pluggy registry: built-ins, local plugins, clashes, broken and disabled plugins."""

import numpy as np
import pytest

from gdlab import registry as reg_mod
from gdlab.hookspecs import hookimpl
from gdlab.optim import Hyper, Optimizer, OptimizerSpec
from gdlab.registry import PluginError, PluginWarning, Registry


def signsgd_rule(p, g, lr):
    if g > 0:
        return (p - lr,)
    if g < 0:
        return (p + lr,)
    return (p,)


def signsgd_reference(p, g, state, t, *, lr):
    return p - lr * np.sign(g), {}


SIGNSGD = OptimizerSpec(
    name="signsgd",
    rule=signsgd_rule,
    hyper={"lr": Hyper(0.01, 0.0, doc="step size")},
    reference=signsgd_reference,
    references=("Bernstein et al., 2018, arXiv:1802.04434",),
    summary="sign of the gradient times lr",
)


class LocalPlugin:
    @hookimpl
    def gdlab_register_optimizers(self):
        return [SIGNSGD]


def test_builtins_are_registered_through_the_hooks():
    reg = Registry(entry_points=False)
    assert {"sgd", "adam"} <= set(reg.specs("optimizers"))
    assert {"mnist", "fashion-mnist"} <= set(reg.specs("datasets"))
    assert reg.provider("optimizers", "adam") == "gdlab.optim._plugin"
    infos = {i.name: i for i in reg.plugins()}
    assert infos["gdlab.optim._plugin"].contributes["optimizers"][:2] == ["sgd", "nesterov"]


def test_local_plugin_optimizer_compiles_and_matches_its_reference(rng):
    reg = Registry(entry_points=False)
    reg.register(LocalPlugin(), "local-signsgd")
    try:
        spec = reg.optimizer("signsgd")
        opt = Optimizer(spec, lr=0.1)
        p = rng.standard_normal(40)
        g = rng.standard_normal(40)
        g[:4] = 0
        expected, _ = spec.reference(p, g, {}, 1, lr=0.1)
        opt.step(p, g)
        np.testing.assert_allclose(p, expected, rtol=1e-15)
        assert reg.provider("optimizers", "signsgd") == "local-signsgd"
    finally:
        reg.unregister("local-signsgd")
    with pytest.raises(ValueError, match="unknown optimizer 'signsgd'"):
        reg.optimizer("signsgd")


def test_duplicate_name_names_both_providers_and_the_clashing_plugin_is_skipped():
    class Clash:
        @hookimpl
        def gdlab_register_optimizers(self):
            return [SIGNSGD, OptimizerSpec(name="sgd", rule=signsgd_rule, hyper={"lr": Hyper(0.1, 0.0)})]

    reg = Registry(entry_points=False)
    reg.register(Clash(), "clashing-plugin")
    try:
        with pytest.warns(PluginWarning, match="two optimizers named 'sgd'.*gdlab.optim._plugin.*clashing-plugin"
                                               ".*GDLAB_DISABLE_PLUGINS=clashing-plugin"):
            specs = reg.specs("optimizers")
        assert reg.provider("optimizers", "sgd") == "gdlab.optim._plugin" and "signsgd" not in specs
        assert [i.name for i in reg.broken()] == ["clashing-plugin"]
    finally:
        reg.unregister("clashing-plugin")


def test_misspelled_hook_is_caught():
    class Typo:
        @hookimpl
        def gdlab_register_optimisers(self):
            return []

    reg = Registry(entry_points=False)
    with pytest.raises(PluginError, match="typo-plugin.*gdlab_register_optimisers"):
        reg.register(Typo(), "typo-plugin")
    assert reg.pm.get_plugin("typo-plugin") is None


def test_hook_returning_garbage_is_named():
    class Bad:
        @hookimpl
        def gdlab_register_optimizers(self):
            return SIGNSGD  # not a list

    reg = Registry(entry_points=False)
    reg.register(Bad(), "bad-plugin")
    with pytest.warns(PluginWarning, match="bad-plugin.*must return a list"):
        assert "sgd" in reg.specs("optimizers")  # the built-ins keep working


class _Dist:
    name, version = "gdlab-broken", "1.2.3"


class _EP:
    def __init__(self, name, value, obj=None, exc=None):
        self.name, self.value, self.dist, self._obj, self._exc = name, value, _Dist(), obj, exc

    def load(self):
        if self._exc:
            raise self._exc
        return self._obj


def test_broken_entry_point_is_skipped_naming_distribution_version_and_entry_point(monkeypatch):
    eps = [_EP("broken", "gdlab_broken.plugin", exc=ImportError("No module named 'gdlab_broken'")),
           _EP("signsgd", "y", obj=LocalPlugin())]
    monkeypatch.setattr(reg_mod.importlib.metadata, "entry_points", lambda group: eps)
    with pytest.warns(PluginWarning, match=r"gdlab-broken 1\.2\.3 \(entry point broken = gdlab_broken\.plugin\)"
                                           r".*ImportError.*GDLAB_DISABLE_PLUGINS=broken"):
        reg = Registry()
    assert {"sgd", "adam", "signsgd"} <= set(reg.specs("optimizers"))  # everything else works
    broken = {i.name: i for i in reg.plugins()}["broken"]
    assert "No module named 'gdlab_broken'" in broken.error and reg.broken() == [broken]


def test_disabled_plugins_are_skipped_and_good_ones_load(monkeypatch):
    eps = [_EP("broken", "x", exc=RuntimeError("boom")), _EP("signsgd", "y", obj=LocalPlugin())]
    monkeypatch.setattr(reg_mod.importlib.metadata, "entry_points", lambda group: eps)
    monkeypatch.setenv("GDLAB_DISABLE_PLUGINS", "broken, other")
    reg = Registry()
    assert "signsgd" in reg.specs("optimizers")
    info = {i.name: i for i in reg.plugins()}["signsgd"]
    assert "gdlab-broken 1.2.3" in info.source and info.version == "1.2.3"


def test_spec_validation_errors():
    with pytest.raises(ValueError, match="alphanumeric"):
        OptimizerSpec(name="bad name!", rule=signsgd_rule, hyper={})
    with pytest.raises(ValueError, match="step_scalars and scalars"):
        OptimizerSpec(name="x", rule=signsgd_rule, hyper={}, scalars=("a",))

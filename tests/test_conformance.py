"""Every registered optimizer and preset passes gdlab's conformance kit (gdlab.testing)."""

import pytest

from gdlab.registry import get_registry
from gdlab.testing import check_optimizer

pytestmark = pytest.mark.slow  # every optimizer x preset through the conformance kit (compiles many kernels)

# Hyperparameters for the checks: steps large enough to see, every flag of interest on.
HYPER = {
    "sgd": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "nesterov": dict(lr=0.05, momentum=0.9, weight_decay=0.01),
    "adagrad": dict(lr=0.1, lr_decay=0.01, weight_decay=0.01),
    "adadelta": dict(lr=1.0, weight_decay=0.01),
    "rmsprop": dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
    "adam": dict(lr=0.05, amsgrad=True, weight_decay=0.01),
    "adamw": dict(lr=0.05, amsgrad=True),
    "adamax": dict(lr=0.05, weight_decay=0.01),
    "nadam": dict(lr=0.05, weight_decay=0.01),
    "radam": dict(lr=0.05, weight_decay=0.01),
    "lamb": dict(lr=0.05, weight_decay=0.01),
    "lion": dict(lr=0.01, weight_decay=0.01),
}
# Hyperparameters that bring the parabola's f below 1e-3 of its start within 3000 steps.
PARABOLA = {"adadelta": dict(lr=1.0, eps=1e-4), "sgd": dict(lr=0.05, momentum=0.9)}

SPECS = sorted(get_registry().specs("optimizers").items())


@pytest.mark.parametrize("name,spec", SPECS, ids=[n for n, _ in SPECS])
def test_every_optimizer_and_preset_conforms(name, spec):
    hyper = HYPER.get(name, {})
    passed = check_optimizer(spec, hyper=hyper, parabola_hyper=PARABOLA.get(name, hyper))
    assert set(passed) == set(spec.preset_names)
    for preset, checks in passed.items():
        assert "float64 kernel == reference" in checks and "reaches the minimum of a parabola" in checks

"""Optimizer state files: bad content is refused with a message naming the file (issue 15, item 6)."""

import json

import numpy as np
import pytest

from gdlab.optim import create


def _stepped(n=8):
    opt = create("adam", lr=0.01)
    p, g = np.ones(n, np.float32), np.full(n, 0.5, np.float32)
    opt.step(p, g)
    return opt


def test_round_trip_and_save_before_the_first_step(tmp_path):
    opt = _stepped()
    path = opt.save(tmp_path / "a.npz")
    other = create("adam", lr=0.5)
    other.load(path)
    assert other.t == 1 and other.hyper["lr"] == 0.01
    np.testing.assert_array_equal(other.state, opt.state)
    fresh = create("adam", lr=0.02)
    path = fresh.save(tmp_path / "fresh.npz")  # no state yet
    back = create("adam")
    back.load(path)
    assert back.state is None and back.t == 0 and back.hyper["lr"] == 0.02


@pytest.mark.parametrize("change, match", [
    (lambda d: d.update(step=-3), r"'step' must be an integer >= 0, got -3"),
    (lambda d: d.update(step=1.5), "'step' must be an integer"),
    (lambda d: d.update(exp_avg=np.ones((2, 4), np.float32)), r"'exp_avg' must be a 1-D float32 or float64 array"),
    (lambda d: d.update(exp_avg=np.ones(8, np.int64)), "dtype int64"),
    (lambda d: d.update(exp_avg=np.ones(7, np.float32)), "differ in shape or dtype"),
    (lambda d: d.pop("exp_avg_sq"), r"misses the state slot\(s\) \['exp_avg_sq'\]"),
    (lambda d: d.update(optimizer="sgd"), r"for sgd\[torch\], not adam\[torch\]"),
])
def test_load_state_dict_validates(change, match):
    d = _stepped().state_dict()
    change(d)
    with pytest.raises(ValueError, match=match):
        create("adam").load_state_dict(d)


def test_bad_files_name_the_file(tmp_path):
    opt = _stepped()
    good = opt.save(tmp_path / "good.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:100])
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all")
    bad_meta = tmp_path / "meta.npz"
    np.savez(bad_meta, __meta__=np.array("{not json"))
    other = tmp_path / "other.npz"
    np.savez(other, x=np.ones(3))
    for path in (truncated, garbage, bad_meta, other):
        with pytest.raises(ValueError, match=str(path.name)):
            create("adam").load(path)
    meta = json.loads(str(np.load(good)["__meta__"]))
    meta["step"] = -3
    neg = tmp_path / "neg.npz"
    np.savez(neg, __meta__=np.array(json.dumps(meta)), **{k: v for k, v in opt.state_dict().items()
                                                        if isinstance(v, np.ndarray)})
    with pytest.raises(ValueError, match=r"neg\.npz: state dict 'step' must be an integer >= 0"):
        create("adam").load(neg)
    with pytest.raises(FileNotFoundError):
        create("adam").load(tmp_path / "missing.npz")

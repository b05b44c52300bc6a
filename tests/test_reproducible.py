"""Reproducible to the bit (issue 13): the deterministic GEMM and the golden runs.

The GEMM tests compare every element with an exactly rounded reference (rational arithmetic)
of the documented chain ``fma(a[i,K-1], b[K-1,j], ... fma(a[i,0], b[0,j], 0))``. The golden
runs (``tests/golden/bits.py``) are recomputed here and must equal the committed bits on every
machine, with any OpenBLAS kernel and at any thread count.
"""

import importlib.util
import json
from fractions import Fraction
from pathlib import Path

import numba
import numpy as np
import pytest

from gdlab import _config
from gdlab._gemm import PARALLEL_WORK, gemm, sumsq

_spec = importlib.util.spec_from_file_location("golden_bits", Path(__file__).parent / "golden" / "bits.py")
bits = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bits)


def _round(x: Fraction, dtype):
    """``x`` correctly rounded (to nearest, ties to even) to ``dtype``."""
    f = dtype.type(float(x))  # within one ulp of the answer for float32 (double rounding)
    cands = {f, np.nextafter(f, dtype.type(np.inf)), np.nextafter(f, dtype.type(-np.inf))}
    best = min(cands, key=lambda c: (abs(Fraction(float(c)) - x), int(np.frombuffer(c.tobytes(), dtype.newbyteorder("=").str.replace("f", "u"))[0]) & 1))
    return best


def _fma_chain(A, B, C=None, beta=0.0):
    """Exact reference: the documented FMA chain, each step rounded once to A's dtype."""
    dt = A.dtype
    m, K = A.shape
    n = B.shape[1]
    out = np.empty((m, n), dt)
    for i in range(m):
        for j in range(n):
            acc = dt.type(0)
            for k in range(K):
                acc = _round(Fraction(float(A[i, k])) * Fraction(float(B[k, j])) + Fraction(float(acc)), dt)
            if beta != 0.0:
                acc = dt.type(acc + dt.type(dt.type(beta) * C[i, j]))
            out[i, j] = acc
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5, 3, 37), (1, 1, 1), (4, 0, 9), (9, 13, 40), (7, 2, 70)])
@pytest.mark.parametrize("trans", [(False, False), (True, False), (False, True)])
def test_gemm_is_the_fma_chain(dtype, shape, trans):
    rng = np.random.default_rng(sum(shape))
    m, K, n = shape
    dt = np.dtype(dtype)
    A = rng.standard_normal((m, K)).astype(dt)
    B = rng.standard_normal((K, n)).astype(dt)
    a = np.ascontiguousarray(A.T) if trans[0] else A
    b = np.ascontiguousarray(B.T) if trans[1] else B
    c = np.full((m, n), np.nan, dt)
    gemm(a, b, c, trans[0], trans[1], 0.0)
    np.testing.assert_array_equal(c, _fma_chain(A, B))
    C0 = rng.standard_normal((m, n)).astype(dt)
    c = C0.copy()
    gemm(a, b, c, trans[0], trans[1], 1.0)
    np.testing.assert_array_equal(c, _fma_chain(A, B, C0, 1.0))


def test_gemm_against_float64_numpy_on_mlp_shapes():
    rng = np.random.default_rng(0)
    for m, K, n in [(64, 784, 256), (784, 64, 256), (64, 128, 256), (64, 10, 20), (200, 64, 10)]:
        A = rng.standard_normal((m, K)).astype(np.float32)
        B = rng.standard_normal((K, n)).astype(np.float32)
        c = np.empty((m, n), np.float32)
        gemm(A, B, c, False, False, 0.0)
        ref = A.astype(np.float64) @ B.astype(np.float64)
        np.testing.assert_allclose(c, ref, rtol=0, atol=4e-6 * np.sqrt(K) * np.abs(ref).max())


def test_gemm_same_bits_at_any_thread_count_and_tiling():
    rng = np.random.default_rng(1)
    m, K, n = 70, 400, 90  # above PARALLEL_WORK, ragged tiles in both directions
    assert m * K * n >= PARALLEL_WORK
    A = rng.standard_normal((m, K)).astype(np.float32)
    B = rng.standard_normal((K, n)).astype(np.float32)
    outs = []
    old = numba.get_num_threads()
    try:
        for t in range(1, numba.config.NUMBA_NUM_THREADS + 1):
            numba.set_num_threads(t)
            c = np.empty((m, n), np.float32)
            gemm(A, B, c, False, False, 0.0)
            outs.append(c)
    finally:
        numba.set_num_threads(old)
    # a sub-block computed alone (other tiling, serial path) gives the same elements
    sub = np.empty((3, 17), np.float32)
    gemm(np.ascontiguousarray(A[5:8]), np.ascontiguousarray(B[:, 40:57]), sub, False, False, 0.0)
    for c in outs[1:]:
        np.testing.assert_array_equal(c, outs[0])
    np.testing.assert_array_equal(sub, outs[0][5:8, 40:57])


def test_sumsq_fixed_order():
    x = np.random.default_rng(2).standard_normal(1003).astype(np.float32)
    v = x.astype(np.float64) ** 2
    lanes = [sum(v[r:1000:8]) for r in range(8)]  # the documented order
    lanes[0] = lanes[0] + v[1000] + v[1001] + v[1002]
    want = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    assert sumsq(x) == want


def test_deterministic_mode_context():
    base = _config.deterministic()
    with _config.deterministic_mode(not base):
        assert _config.deterministic() is (not base)
        with _config.deterministic_mode(None):
            assert _config.deterministic() is (not base)
    assert _config.deterministic() is base
    with pytest.raises(TypeError, match="deterministic"):
        with _config.deterministic_mode("yes"):
            pass


def _assert_golden(name):
    want = bits.committed()[name]
    got = bits.RUNS[name]()
    if got is None:
        pytest.skip("GDLAB_DATA_DIR/wikiqa not found (set GDLAB_DATA_DIR to the shared data)")
    diff = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    assert not diff, f"{name}: results differ from tests/golden/bits.json: {json.dumps(diff, indent=1)}"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(bits.RUNS))
def test_golden_bits(name):
    _assert_golden(name)


@pytest.mark.slow
def test_golden_bits_at_one_thread():
    """The same committed bits with one Numba and one BLAS thread."""
    from gdlab._threads import limit_threads

    with limit_threads(1):
        _assert_golden("mlp_mnist_sgd")
        _assert_golden("surface_sweep")


def _small_run(deterministic, threads):
    from gdlab._threads import limit_threads
    from gdlab.models import MLP
    from gdlab.optim import create
    from gdlab.training import train

    rng = np.random.default_rng(3)
    X = rng.standard_normal((512, 784)).astype(np.float32)
    y = rng.integers(0, 10, 512)
    model = MLP((784, 256, 10), "relu", seed=0)
    with limit_threads(threads):
        h = train(model, create("sgd", lr=0.05, momentum=0.9), X, y, epochs=2, batch_size=64,
                  seed=0, deterministic=deterministic)
    return model.params, h


def test_training_is_thread_count_invariant_in_deterministic_mode():
    """784x256 products are above PARALLEL_WORK: the 2-thread run splits them over threads."""
    p1, h1 = _small_run(True, 1)
    p2, h2 = _small_run(True, numba.config.NUMBA_NUM_THREADS)
    np.testing.assert_array_equal(p1, p2)
    assert h1.column("train_loss").tolist() == h2.column("train_loss").tolist()
    assert h1.meta["deterministic"] is True


def test_fast_mode_is_openblas_and_close():
    pd, _ = _small_run(True, None)
    pf, hf = _small_run(False, None)
    assert hf.meta["deterministic"] is False
    assert not np.array_equal(pd, pf)  # other rounding ...
    np.testing.assert_allclose(pf, pd, rtol=0, atol=1e-4)  # ... of the same computation


def test_cli_deterministic_flags(tmp_path):
    from click.testing import CliRunner

    from gdlab.cli import main

    for flag, want in (("--deterministic", True), ("--fast", False)):
        out = tmp_path / flag.strip("-")
        res = CliRunner().invoke(main, ["train", "mnist", "--hidden", "16", "--epochs", "1",
                                        "--train-size", "256", "--test-size", "64", "--no-progress",
                                        flag, "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert json.loads((out / "history.json").read_text())["meta"]["deterministic"] is want
    res = CliRunner().invoke(main, ["train", "mnist", "--help"])
    assert "--deterministic / --fast" in res.output

"""Unit tests of the code generators (issue 14): the text they write for each branch, checked
without compiling it (fast), plus the module loader's caching rules."""

import ast

import numpy as np

from gdlab import _jit
from gdlab.optim import get_spec, optimizer_glue
from gdlab.optim._compile import rule_in_dtype
from gdlab.surfaces._kernels import _array_source, _blocked_source, _cuda_source, _Plan, hyper_read_by

ADAM_SLOTS = ("exp_avg", "exp_avg_sq")


def _parses(text):
    ast.parse(text)
    return text


# -- optimizer glue ---------------------------------------------------------------------------

def test_glue_elementwise_rule_all_slots_and_step_scalars():
    text = _parses(optimizer_glue(get_spec("adam"), ADAM_SLOTS, "float32"))
    assert "_F = np.float32" in text
    assert "_rule = njit(inline='always'" in text and "_scalars = njit(inline='always'" in text
    assert "for i in prange(params.shape[0]):" in text  # opt_step: parallel over elements
    assert "for i in range(hi - lo):" in text  # opt_update: serial, from 0 (vectorises)
    assert "state[0, i]" in text and "state[1, i]" in text and "state[2, i]" not in text


def test_glue_inactive_slots_get_zero_and_are_not_stored():
    text = _parses(optimizer_glue(get_spec("sgd"), (), "float64"))  # no momentum: no slot
    update = text.split("def opt_update")[1].split("def opt_step")[0]
    assert "_rule(p_[i], g_[i], _F(0.0)," in update and "state[" not in update and "a0_" not in update
    text = _parses(optimizer_glue(get_spec("adagrad"), None, "float64"))
    assert "def opt_scalars(t, hyper):" in text


def test_glue_whole_kernel_rule_steps_per_tensor():
    text = _parses(optimizer_glue(get_spec("lamb"), None, "float64"))
    assert "_update = njit(" in text and "_rule = " not in text
    assert "for k in prange(seg_lo.shape[0]):" in text


def test_rule_in_dtype_keeps_float32_arithmetic():
    spec = get_spec("sgd")
    r32 = rule_in_dtype(spec.rule, "float32")
    n = len(spec.state) + len(spec.hyper) + len(spec.scalars)
    args = [np.float32(1.0), np.float32(0.5)] + [np.float32(0.1)] * n
    out = r32(*args)
    assert all(isinstance(v, np.float32) for v in out), [type(v) for v in out]
    r64 = rule_in_dtype(spec.rule, "float64")
    assert isinstance(r64(*[np.float64(a) for a in args])[0], np.float64)


# -- sweep kernels ----------------------------------------------------------------------------

def _plan(**kw):
    base = dict(opt=get_spec("adam"), active=ADAM_SLOTS, dim=2, per_config=False, noise=False,
                fixed=(), parallel=True, record=None)
    base.update(kw)
    return _Plan(**base)


def test_blocked_parallel_records_on_request():
    text = _parses(_blocked_source(_plan()))
    assert "parallel=True" in text and "for b in prange(" in text
    assert "if rec:" in text  # both loops, chosen at run time
    assert "SC[t, 0]" in text and "_scalars_exact(" not in text  # shared per-step scalars table


def test_blocked_serial_holds_only_the_loop_it_runs():
    store = "P[lo + k, t, 0] = x0[k]"
    both = _parses(_blocked_source(_plan())).count(store)
    rec = _parses(_blocked_source(_plan(parallel=False, record=True)))
    norec = _parses(_blocked_source(_plan(parallel=False, record=False)))
    assert "parallel=False" in rec and "parallel=False" in norec
    assert both == 2 and rec.count(store) == 2 and norec.count(store) == 1  # recording loop + last point


def test_fixed_flags_become_literals():
    spec = get_spec("adam")
    q = list(spec.hyper).index("amsgrad")
    text = _parses(_blocked_source(_plan(fixed=((q, 0.0),))))
    assert f"h{q} = H[{q}" not in text and f"h{q}[k]" not in text
    assert ", 0.0, " in text.split("_srule(")[1]


def test_per_configuration_scalars_are_computed_in_the_loop():
    text = _parses(_blocked_source(_plan(per_config=True)))
    assert "_scalars_exact(t + 1" in text or "_scalars_exact(" in text
    assert "SC[t, 0]" not in text


def test_noise_adds_seeded_gaussian_gradients():
    assert "_normal(seed" not in _blocked_source(_plan())
    assert "g0 += sigma * _normal(seed, cid[lo + k], t, 0)" in _parses(_blocked_source(_plan(noise=True)))


def test_array_form_for_high_dimensions_and_cuda_form():
    text = _parses(_array_source(_plan(dim=20)))
    assert "for k in prange(n):" in text
    plan = _plan()
    plan.rule = "_rule"
    cuda = _parses(_cuda_source(plan))
    assert "cuda.grid(1)" in cuda and "prange" not in cuda


# -- loading generated modules ----------------------------------------------------------------

def test_load_generated_caches_by_text(tmp_path, monkeypatch):
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(tmp_path))
    src = "VALUE = 41 + 1\n"
    a = _jit.load_generated("codegen_test", src, {})
    assert a.VALUE == 42 and _jit.load_generated("codegen_test", src, {}) is a
    b = _jit.load_generated("codegen_test", src + "OTHER = 1\n", {})
    assert b is not a and b.__name__ != a.__name__
    assert list(tmp_path.glob("kernels/_gdlab_gen_codegen_test_*.py"))


def test_load_generated_without_source_compiles_uncached(tmp_path, monkeypatch):
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(tmp_path))
    fn = eval("lambda p: p")  # no source file: no stable cache key
    mod = _jit.load_generated("codegen_nosrc", "from numba import njit\n@njit(cache=True)\ndef f(x):\n    return x\n",
                              {"_user": fn})
    assert "cache=False" in open(mod.__file__).read()


def test_hyper_read_by_finds_what_a_function_reads():
    def scalars(t, lr, beta1, beta2):
        return (1.0 - beta1 ** t,)

    assert hyper_read_by(scalars, ["lr", "beta1", "beta2"]) == ["beta1"]
    assert hyper_read_by(lambda h: h["amsgrad"], ["lr", "amsgrad"]) == ["amsgrad"]
    assert hyper_read_by(len, ["lr", "eps"]) == ["lr", "eps"]  # no bytecode: all, to be safe

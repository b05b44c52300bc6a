"""DSSM / CLSM: compiled kernels against float64 NumPy references and central finite differences,
and training on a small synthetic question-answering set (no data files needed)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from gdlab._threads import limit_threads
from gdlab.models._dssm import (DSSM, _Pairs, core, evaluate, rank_candidates, score_rows, train)
from gdlab.optim import create
from gdlab.text import WordHashing
from gdlab.training import TrainingDiverged

V = 20


@pytest.fixture(autouse=True)
def one_thread():
    # Many tiny compiled calls: keep them on one thread (a busy 2-core machine stalls 2-thread
    # parallel regions); the results do not depend on the thread count.
    with limit_threads(1):
        yield


# --------------------------------------------------------------------------- references
def ref_tower(model, params, side, words, tptr):
    """Float64 NumPy forward of one tower: ``words`` (n_words, V) dense, texts by ``tptr``."""
    W0, b0 = (a.astype(np.float64) for a in model.layer(0, side, params))
    C, w = model.hidden[0], model.window
    pad = (w - 1) // 2
    out = []
    for i in range(len(tptr) - 1):
        X = words[tptr[i]:tptr[i + 1]]
        if len(X) == 0:
            out.append(np.tanh(b0))
            continue
        P = X @ W0
        hs = []
        for t in range(len(X)):
            z = b0.copy()
            for k in range(w):
                j = t + k - pad
                if 0 <= j < len(X):
                    z += P[j, k * C:(k + 1) * C]
            hs.append(np.tanh(z))
        out.append(np.max(hs, axis=0))
    A = np.array(out)
    for l in range(1, model.n_layers):
        W, b = (a.astype(np.float64) for a in model.layer(l, side, params))
        A = np.tanh(A @ W + b)
    return A


def ref_loss(model, params, q, d, docs, gamma):
    """Mean -log softmax(gamma * cos) of the positive (column 0 of ``docs``)."""
    yq = ref_tower(model, params, "query", *q)
    yd = ref_tower(model, params, "doc", *d)
    total = 0.0
    for i, row in enumerate(docs):
        R = np.array([yq[i] @ yd[j] / (np.linalg.norm(yq[i]) * np.linalg.norm(yd[j])) for j in row])
        z = gamma * R
        total += np.log(np.exp(z - z.max()).sum()) + z.max() - z[0]
    return total / len(docs)


def ref_dssm_grad(model, params, Xq, Xd, docs, gamma):
    """Float64 dense backward of DSSM (one bag of trigrams per text): the reference gradient."""
    grad = np.zeros(model.n_params)

    def forward(side, X):
        acts = [X]
        for l in range(model.n_layers):
            W, b = (a.astype(np.float64) for a in model.layer(l, side, params))
            acts.append(np.tanh(acts[-1] @ W + b))
        return acts

    aq, ad = forward("query", Xq), forward("doc", Xd)
    yq, yd = aq[-1], ad[-1]
    dyq, dyd = np.zeros_like(yq), np.zeros_like(yd)
    B = len(docs)
    for i, row in enumerate(docs):
        q = yq[i]
        qn = np.linalg.norm(q)
        R = np.array([q @ yd[j] / (qn * np.linalg.norm(yd[j])) for j in row])
        p = np.exp(gamma * R - (gamma * R).max())
        p /= p.sum()
        g = gamma * (p - np.eye(len(row))[0]) / B
        for jj, j in enumerate(row):
            dn = np.linalg.norm(yd[j])
            dyq[i] += g[jj] * (yd[j] / (qn * dn) - R[jj] * q / qn**2)
            dyd[j] += g[jj] * (q / (qn * dn) - R[jj] * yd[j] / dn**2)

    def backward(side, acts, dy):
        D = dy * (1 - acts[-1] ** 2)
        for l in range(model.n_layers - 1, -1, -1):
            gW, gb = model.layer(l, side, grad)
            W, _ = model.layer(l, side, params)
            gW += acts[l].T @ D
            gb += D.sum(axis=0)
            if l:
                D = (D @ W.astype(np.float64).T) * (1 - acts[l] ** 2)

    backward("query", aq, dyq)
    backward("doc", ad, dyd)
    return grad


# --------------------------------------------------------------------------- problems
def rand_words(n, seed, density=0.3):
    X = sp.random(n, V, density=density, random_state=seed, format="csr", dtype=np.float64)
    X.data = np.round(X.data * 3) + 1  # counts 1..4
    keep = np.ones(V)
    keep[:2] = 0  # trigrams 0 and 1 never occur: their W_0 rows must get no gradient
    X = (X @ sp.diags(keep)).tocsr()
    X.eliminate_zeros()
    return X


def problem(arch, shared=False, hidden=None, dtype=np.float64):
    model = DSSM(V, hidden or ((7, 6, 5) if arch == "dssm" else (6, 5)), arch=arch, shared=shared,
                 dtype=dtype, seed=1)
    rng = np.random.default_rng(2)
    model.params += rng.normal(0, 0.3, model.n_params).astype(dtype)  # non-zero biases too
    if arch == "dssm":
        q, d = rand_words(3, 1), rand_words(8, 2)
        qin, din = q, d
        qref, dref = (q.toarray(), np.arange(4)), (d.toarray(), np.arange(9))
    else:  # texts of 2, 0, 4 words; documents of 1..4 words, one empty
        W = rand_words(30, 3)
        qptr, dptr = np.array([0, 2, 2, 6]), np.array([0, 1, 4, 4, 8, 12, 13, 17, 21])
        qin, din = (W[:6], qptr), (W[6:27], dptr)
        qref, dref = (W[:6].toarray(), qptr), (W[6:27].toarray(), dptr)
    docs = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 1]])
    return model, qin, din, qref, dref, docs


CASES = [("dssm", False), ("dssm", True), ("clsm", False), ("clsm", True)]


@pytest.mark.parametrize("arch,shared", CASES)
def test_loss_matches_numpy_reference(arch, shared):
    model, qin, din, qref, dref, docs = problem(arch, shared)
    loss, _ = model.loss_and_grad(qin, din, docs, gamma=5.0)
    assert loss == pytest.approx(ref_loss(model, model.params, qref, dref, docs, 5.0), rel=1e-12)
    assert loss > 0.1  # not a degenerate problem


@pytest.mark.parametrize("arch,shared", CASES)
def test_gradient_matches_central_finite_differences(arch, shared):
    model, qin, din, _, _, docs = problem(arch, shared)
    _, grad = model.loss_and_grad(qin, din, docs, gamma=5.0)
    h = 1e-6
    fd = np.empty(model.n_params)
    for i in range(model.n_params):
        p = model.params.copy()
        p[i] += h
        up = model.loss_and_grad(qin, din, docs, 5.0, p)[0]
        p[i] -= 2 * h
        fd[i] = (up - model.loss_and_grad(qin, din, docs, 5.0, p)[0]) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    # every tower and layer gets a real gradient (the check is not vacuous)
    for side in ("query", "doc"):
        for l in range(model.n_layers):
            W, b = model.layer(l, side, grad)
            assert np.abs(W).max() > 1e-4 and np.abs(b).max() > 1e-4


@pytest.mark.parametrize("shared", [False, True])
def test_dssm_gradient_equals_dense_numpy_backward(shared):
    model, qin, din, _, _, docs = problem("dssm", shared)
    _, grad = model.loss_and_grad(qin, din, docs, gamma=5.0)
    ref = ref_dssm_grad(model, model.params, qin.toarray(), din.toarray(), docs, 5.0)
    np.testing.assert_allclose(grad, ref, rtol=1e-10, atol=1e-13)
    # the sparse accumulation touches exactly the rows of the trigrams present in the batch
    present = qin.toarray().any(axis=0) | (din.toarray().any(axis=0) if shared else False)
    gW0, _ = model.layer(0, "query", grad)
    assert not present.all()
    np.testing.assert_array_equal(np.abs(gW0).sum(axis=1) > 0, present)


def test_large_batch_threaded_paths_match_dense_reference():
    """Batches above the threading threshold run the sparse product and the sparse weight
    gradient with prange (the small problems above stay serial)."""
    import numba

    rng = np.random.default_rng(9)
    n_feat = 400
    model = DSSM(n_feat, (300, 6), dtype=np.float64, seed=3)
    Xq = sp.random(30, n_feat, density=0.05, random_state=1, format="csr")
    Xd = sp.random(120, n_feat, density=0.2, random_state=2, format="csr")
    assert Xd.nnz * 300 > core().PARALLEL_WORK > Xq.nnz * 300
    docs = rng.integers(0, 120, (30, 4))
    with limit_threads(min(2, numba.config.NUMBA_NUM_THREADS)):
        _, grad = model.loss_and_grad(Xq, Xd, docs, gamma=8.0)
        enc = model.encode(Xd, "doc", chunk=120)
    ref = ref_dssm_grad(model, model.params, Xq.toarray(), Xd.toarray(), docs, 8.0)
    np.testing.assert_allclose(grad, ref, rtol=1e-10, atol=1e-13)
    W0, b0 = model.layer(0, "doc")
    W1, b1 = model.layer(1, "doc")
    np.testing.assert_allclose(enc, np.tanh(np.tanh(Xd.toarray() @ W0 + b0) @ W1 + b1), rtol=1e-12)


def test_gamma_softmax_over_cosines_against_finite_differences():
    f = core().cosine_softmax
    rng = np.random.default_rng(5)
    yq, yd = rng.standard_normal((2, 4)), rng.standard_normal((6, 4))
    dq, dd = np.empty_like(yq), np.empty_like(yd)
    for gamma in (1.0, 10.0):
        loss = f(yq, yd, 3, gamma, dq, dd, 1.0)
        ref = 0.0
        for i in range(2):
            R = np.array([yq[i] @ yd[3 * i + j] / np.linalg.norm(yq[i]) / np.linalg.norm(yd[3 * i + j])
                          for j in range(3)])
            ref += -np.log(np.exp(gamma * R[0]) / np.exp(gamma * R).sum())
        assert loss == pytest.approx(ref, rel=1e-12)
        h = 1e-6
        for y, g in ((yq, dq), (yd, dd)):
            fd = np.empty_like(y)
            for idx in np.ndindex(y.shape):
                y[idx] += h
                up = f(yq, yd, 3, gamma, np.empty_like(yq), np.empty_like(yd), 1.0)
                y[idx] -= 2 * h
                down = f(yq, yd, 3, gamma, np.empty_like(yq), np.empty_like(yd), 1.0)
                y[idx] += h
                fd[idx] = (up - down) / (2 * h)
            np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)
        assert f(yq, yd, 3, gamma, dq, dd, 0.5) == pytest.approx(loss)  # scale: gradient only
        assert np.abs(dq).max() > 1e-3


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_sparse_first_layer_equals_dense_product(dtype, tol):
    model = DSSM(V, (9,), seed=4, dtype=dtype)
    X = rand_words(40, 7, density=0.2)
    W0, b0 = (a.astype(np.float64) for a in model.layer(0, "doc"))
    dense = np.tanh(X.toarray() @ W0 + b0)
    np.testing.assert_allclose(model.encode(X, "doc", chunk=16), dense, rtol=tol, atol=tol)


def test_encode_matches_reference_for_both_architectures():
    for arch in ("dssm", "clsm"):
        model, qin, _, qref, _, _ = problem(arch)
        ref = ref_tower(model, model.params, "query", *qref)
        np.testing.assert_allclose(model.encode(qin, "query", chunk=2), ref, rtol=1e-12, atol=1e-14)


def test_score_is_cosine_of_the_towers():
    model, qin, din, qref, dref, _ = problem("clsm")
    d3 = (din[0][:4], din[1][:4])  # the first three documents (1, 3 and 0 words)
    s = model.score(qin, d3)
    yq = ref_tower(model, model.params, "query", *qref)
    yd = ref_tower(model, model.params, "doc", dref[0][:4], dref[1][:4])
    ref = (yq * yd).sum(1) / np.linalg.norm(yq, axis=1) / np.linalg.norm(yd, axis=1)
    np.testing.assert_allclose(s, ref, rtol=1e-12)


def test_layout_segments_init_and_validation():
    m = DSSM(50, (8, 4), seed=0)
    assert m.n_params == 2 * (50 * 8 + 8 + 8 * 4 + 4)
    lo, hi = m.segments()
    assert lo[0] == 0 and hi[-1] == m.n_params and np.all(lo[1:] == hi[:-1])
    W0, b0 = m.layer(0, "doc")
    assert np.all(b0 == 0) and np.abs(W0).max() <= math.sqrt(6 / 58) and W0.std() > 0.05
    c = DSSM(50, arch="clsm", shared=True)
    assert c.hidden == (300, 128) and c.window == 3 and c.n_params == 50 * 900 + 300 + 300 * 128 + 128
    assert c.offsets["query"] is c.offsets["doc"]
    assert DSSM(50).hidden == (300, 300, 128)
    for kw, exc, match in (({"arch": "cnn"}, ValueError, "arch"), ({"hidden": (8, 0)}, ValueError, "hidden"),
                           ({"window": 3}, ValueError, "window"), ({"dtype": np.int32}, TypeError, "dtype")):
        with pytest.raises(exc, match=match):
            DSSM(50, **kw)
    with pytest.raises(ValueError, match="n_features"):
        DSSM(0)
    X = sp.random(3, 40, density=0.5, format="csr")
    with pytest.raises(ValueError, match="50 columns"):
        m.encode(X)
    with pytest.raises(ValueError, match="one row"):
        m.encode((sp.random(3, 50, density=0.5, format="csr"), np.array([0, 2, 3])))
    with pytest.raises(TypeError, match="scipy.sparse"):
        m.encode(np.zeros((3, 50)))
    with pytest.raises(ValueError, match="text_ptr"):
        c.encode((sp.random(3, 50, density=0.5, format="csr"), np.array([0, 2])))
    with pytest.raises(ValueError, match="side"):
        m.encode(sp.random(3, 50, density=0.5, format="csr"), "answer")


def test_loss_and_grad_validation():
    model, qin, din, _, _, docs = problem("dssm")
    with pytest.raises(ValueError, match="docs must have shape"):
        model.loss_and_grad(qin, din, docs[:, :1])
    with pytest.raises(ValueError, match="row indices"):
        model.loss_and_grad(qin, din, docs + 10)
    with pytest.raises(ValueError, match="gamma"):
        model.loss_and_grad(qin, din, docs, gamma=0.0)


# --------------------------------------------------------------------------- training
WORDS = [a + b + c for a in "bdgk" for b in "aeio" for c in "lmnr"][:30]


def synthetic_qa(n_questions, seed, n_candidates=6):
    """Questions of 3 of 30 words; the correct sentence holds them (shuffled, plus 2 random
    words), the other candidates are 5 random words."""
    rng = np.random.default_rng(seed)
    qids, qs, ss, ys = [], [], [], []
    for i in range(n_questions):
        q = list(rng.choice(WORDS, 3, replace=False))
        answer = int(rng.integers(n_candidates))
        for j in range(n_candidates):
            if j == answer:
                s = q + list(rng.choice(WORDS, 2))
                rng.shuffle(s)
            else:
                s = list(rng.choice(WORDS, 5))
            qids.append(f"Q{seed}-{i}")
            qs.append(" ".join(q) + "?")
            ss.append(" ".join(s) + " .")
            ys.append(int(j == answer))
    return SimpleNamespace(question_ids=np.array(qids), questions=qs, sentences=ss, labels=np.array(ys))


@pytest.fixture(scope="module")
def qa():
    tr, dev = synthetic_qa(80, 0), synthetic_qa(20, 1)
    hasher = WordHashing().fit(sorted(set(tr.questions) | set(tr.sentences)))
    return tr, dev, hasher


def sgd():
    return create("sgd", lr=0.05, momentum=0.9)


@pytest.mark.parametrize("arch", ["dssm", "clsm"])
def test_training_lowers_the_loss_and_learns_to_rank(qa, arch):
    tr, dev, hasher = qa
    model = DSSM(hasher.n_features, (32, 16), arch=arch, seed=0)
    before = evaluate(model, hasher, dev)["map"]
    h = train(model, sgd(), hasher, tr, dev_data=dev, epochs=8, batch_size=16, negatives=3,
              gamma=10.0, seed=0)
    loss = h.column("train_loss")
    assert loss[-1] < 0.3 * loss[0]
    after = evaluate(model, hasher, dev)
    assert after["map"] > before + 0.15
    # the kept weights are those of the best dev epoch
    best = max(h.records, key=lambda r: r["dev_map"])
    assert after["map"] == pytest.approx(best["dev_map"], abs=1e-6) and best["best"]
    assert h.meta["best_epoch"] == best["epoch"] and sum(r["best"] for r in h.records) == 1
    assert after["n_excluded"] == 0 and after["n_queries"] == 20


def test_training_steps_equal_numpy_reference(qa):
    """Batch composition, seeded sampling, sparse gradient bookkeeping and the optimizer step."""
    tr, _, hasher = qa
    model = DSSM(hasher.n_features, (12, 8), seed=3)
    start = model.params.astype(np.float64)
    opt = sgd()
    train(model, opt, hasher, tr, epochs=2, batch_size=25, negatives=2, gamma=5.0, seed=7)
    # replay with the reference gradient and PyTorch's SGD-with-momentum rule, in float64
    pairs = _Pairs(tr)
    Q = hasher.transform(pairs.q.texts).toarray().astype(np.float64)
    D = hasher.transform(pairs.d.texts).toarray().astype(np.float64)
    rng = np.random.default_rng(7)
    p, buf, steps = start.copy(), None, 0
    for _ in range(2):
        perm = rng.permutation(len(pairs.pair_q))
        negs = pairs.sample_negatives(rng, 2, "corpus")
        for lo in range(0, len(perm), 25):
            idx = perm[lo:lo + 25]
            docs = np.concatenate([pairs.pair_d[idx, None], negs[idx]], axis=1)
            g = ref_dssm_grad(model, p, Q[pairs.pair_q[idx]], D, docs, 5.0)
            buf = g if buf is None else 0.9 * buf + g
            p -= 0.05 * buf
            steps += 1
    assert opt.t == steps == 2 * 4  # 80 pairs in batches of 25, 25, 25, 5
    assert np.abs(model.params - start).max() > 1e-3
    np.testing.assert_allclose(model.params, p, rtol=0, atol=2e-5)


def test_same_seed_same_run_and_negatives_never_positive(qa):
    tr, dev, hasher = qa
    runs = []
    for _ in range(2):
        m = DSSM(hasher.n_features, (16, 8), seed=5)
        h = train(m, sgd(), hasher, tr, dev_data=dev, epochs=2, batch_size=16, seed=11,
                  negative_pool="candidates")
        runs.append((h.column("train_loss"), m.params.copy()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    pairs = _Pairs(tr)
    rng = np.random.default_rng(0)
    for pool in ("corpus", "candidates"):
        negs = pairs.sample_negatives(rng, 6, pool)
        codes = pairs.pair_q[:, None] * pairs.n_docs + negs
        assert not np.isin(codes, pairs.positive_codes).any()
        if pool == "candidates":  # every negative is one of the question's own candidates
            for i, q in enumerate(pairs.pair_q):
                own = pairs.cand_docs[pairs.cand_ptr[q]:pairs.cand_ptr[q + 1]]
                assert np.isin(negs[i], own).all()


def test_early_stopping_and_rank_candidates(qa):
    tr, dev, hasher = qa
    model = DSSM(hasher.n_features, (16, 8), seed=0)
    h = train(model, sgd(), hasher, tr, dev_data=dev, epochs=30, batch_size=16, patience=2, seed=0)
    n = len(h.records)
    assert n < 30 and h.meta["stopped_early"]
    assert n - h.meta["best_epoch"] == 2
    q = dev.questions[0]
    cands = dev.sentences[:6]
    order, scores = rank_candidates(model, hasher, q, cands)
    assert sorted(order.tolist()) == list(range(6)) and scores[order[0]] == scores.max()
    np.testing.assert_allclose(scores, score_rows(model, hasher, SimpleNamespace(
        question_ids=np.array(["x"] * 6), questions=[q] * 6, sentences=cands, labels=np.zeros(6))), rtol=1e-6)


def test_divergence_is_reported(qa):
    tr, _, hasher = qa
    model = DSSM(hasher.n_features, (8, 4), seed=0)
    model.params[:] = np.nan
    with pytest.raises(TrainingDiverged, match="epoch 1, step 1"):
        train(model, sgd(), hasher, tr, epochs=1, batch_size=16)


def test_bad_training_input(qa):
    tr, dev, hasher = qa
    model = DSSM(hasher.n_features, (8, 4), seed=0)
    empty = SimpleNamespace(question_ids=tr.question_ids, questions=tr.questions,
                            sentences=list(tr.sentences), labels=tr.labels)
    empty.sentences[4] = "  "
    no_pos = SimpleNamespace(question_ids=tr.question_ids, questions=tr.questions,
                             sentences=tr.sentences, labels=np.zeros_like(tr.labels))
    bad = [({"train_data": empty}, ValueError, r"train_data.sentences\[4\] is an empty text"),
           ({"train_data": no_pos}, ValueError, "no positive"),
           ({"patience": 2}, ValueError, "patience needs dev_data"),
           ({"negatives": 0}, ValueError, "negatives"),
           ({"gamma": -1.0}, ValueError, "gamma"),
           ({"batch_size": 0}, ValueError, "batch_size"),
           ({"negative_pool": "page"}, ValueError, "negative_pool"),
           ({"train_data": [1, 2]}, TypeError, "question_ids")]
    for kw, exc, match in bad:
        args = {"train_data": tr, **kw}
        with pytest.raises(exc, match=match):
            train(model, sgd(), hasher, args.pop("train_data"), epochs=1, **args)
    with pytest.raises(ValueError, match="candidates is empty"):
        rank_candidates(model, hasher, "a question", [])
    with pytest.raises(ValueError, match="empty text"):
        rank_candidates(model, hasher, "", ["a sentence"])
    with pytest.raises(ValueError, match="hasher has"):
        DSSM(5).hash(hasher, ["x"])


def test_save_and_load_round_trip(qa, tmp_path):
    _, dev, hasher = qa
    model = DSSM(hasher.n_features, (8, 4), arch="clsm", window=5, shared=True, seed=2)
    path = model.save(tmp_path / "m.npz", hasher)
    m2, h2 = DSSM.load(path)
    assert m2.get_config() == model.get_config() and h2.vocabulary_ == hasher.vocabulary_
    np.testing.assert_array_equal(m2.params, model.params)
    np.testing.assert_array_equal(score_rows(m2, h2, dev), score_rows(model, hasher, dev))
    np.savez(tmp_path / "x.npz", a=np.zeros(1))
    with pytest.raises(ValueError, match="not a saved gdlab DSSM"):
        DSSM.load(tmp_path / "x.npz")


def test_public_names_in_gdlab_models():
    import gdlab.models as m

    assert m.DSSM is DSSM and m.train_dssm is train and m.evaluate_dssm is evaluate
    assert m.rank_candidates is rank_candidates and "DSSM" in m.__all__ and "DSSM" in dir(m)

"""DSSM and CLSM: two-tower semantic matching of letter-trigram texts, parameters in one vector.

DSSM (Huang et al., 2013) maps a text's bag of letter trigrams (:mod:`gdlab.text`) through dense
tanh layers (300-300-128 in the paper) to a semantic vector; a query and a document are
compared by the cosine of their vectors, and training maximises the likelihood of the clicked
(relevant) document against ``K`` sampled negatives under a softmax with smoothing factor
``gamma``::

    P(d+ | q) = exp(gamma cos(q, d+)) / sum_{d in {d+, d1..dK}} exp(gamma cos(q, d))
    loss      = -log P(d+ | q), averaged over the mini-batch

CLSM / CNN-DSSM (Shen et al., 2014) replaces the first layer by a convolution over windows of
3 words (each word a letter-trigram vector; zero padding at both ends so every word centres a
window), tanh, and max pooling over positions, then a 128-unit tanh semantic layer.

The first layer is a sparse x dense product computed from the CSR arrays in Numba; its
gradient is accumulated only into the rows of the trigrams present in the batch. Training runs
chunks of mini-batches (sampling, forward, backward and any registered optimizer's update) in
one compiled call; Python owns the epochs, the seeded sampling, evaluation and early stopping.

References
----------
P.-S. Huang, X. He, J. Gao, L. Deng, A. Acero and L. Heck, "Learning deep structured semantic
models for web search using clickthrough data", CIKM 2013, doi:10.1145/2505515.2505665.
Y. Shen, X. He, J. Gao, L. Deng and G. Mesnil, "A latent semantic model with convolutional-pooling
structure for information retrieval", CIKM 2014, doi:10.1145/2661829.2661935.
X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward neural
networks", AISTATS 2010 (initialisation).
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import scipy.sparse as sp

from .. import _config, _jit
from ..ranking import ranking_metrics
from ..text import WordHashing
from ..engine import ChunkResult, History, ensure_state, run_epochs, save_two_panels
from ._init import glorot_bound

__all__ = ["ARCHS", "DSSM", "DSSMHistory", "HashedTexts", "evaluate", "rank_candidates",
           "score_rows", "train"]

_CORE = "models/_dssm_core.py"
_TRAIN = "models/_dssm_train.py"
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: Default (window, hidden sizes) of each architecture.
ARCHS = {"dssm": (1, (300, 300, 128)), "clsm": (3, (300, 128))}
NEGATIVE_POOLS = ("corpus", "candidates")
_SIDES = ("query", "doc")


def core():
    """The generated module of compiled DSSM kernels (built and cached once)."""
    return _jit.kernel_module("dssm", (_CORE,))


def _int(name, v, lo):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    return int(v)


class HashedTexts(NamedTuple):
    """Texts as the kernels take them: CSR word rows and the texts' word offsets.

    Attributes
    ----------
    indptr : ndarray of shape (n_words + 1,), int64
    indices : ndarray of shape (nnz,), int32
        Trigram columns.
    data : ndarray of shape (nnz,), model dtype
    tptr : ndarray of shape (n_texts + 1,), int64
        Text ``i`` is word rows ``tptr[i]:tptr[i + 1]`` (DSSM: exactly one row per text).
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    tptr: np.ndarray

    @property
    def n_texts(self) -> int:
        return len(self.tptr) - 1


def _check_texts_nonempty(name: str, texts) -> list:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, not a single {type(texts).__name__}")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(t).__name__}")
        if not t.strip():
            raise ValueError(f"{name}[{i}] is an empty text")
    return texts


class DSSM:
    """Two-tower DSSM or CLSM with every parameter in one flat vector.

    Parameters
    ----------
    n_features : int
        Input dimension: the number of letter-trigram columns (``WordHashing.n_features``).
    hidden : sequence of int, optional
        Units of the tower layers, the last one the semantic vector. Default ``(300, 300, 128)``
        for DSSM (the paper's) and ``(300, 128)`` for CLSM (300 convolution channels, a 128-unit
        semantic layer).
    arch : {"dssm", "clsm"}, default "dssm"
        DSSM: dense tanh layers on the bag of trigrams. CLSM: convolution over ``window`` words,
        tanh, max pooling, then the dense tanh layers ``hidden[1:]``.
    window : int, optional
        Words per convolution window (CLSM only; default 3). DSSM always uses 1.
    shared : bool, default False
        One set of weights for both towers (query and document); else two.
    dtype : {numpy.float32, numpy.float64}, default numpy.float32
        Parameters, inputs and arithmetic (float64 for gradient checks).
    seed : int or numpy.random.Generator, default 0
        Seed of the initialisation.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        Query tower first, then (unless ``shared``) the document tower. In a tower, layer 0 is
        ``W_0`` of shape (n_features, window * hidden[0]) in C order (the ``window`` blocks of
        a trigram's row are the window positions) followed by ``b_0`` (hidden[0],); layer
        ``l >= 1`` is ``W_l`` (hidden[l-1], hidden[l]) then ``b_l``.
    sizes : ndarray of shape (len(hidden) + 1,), int64
        ``(n_features, *hidden)``.
    offsets : dict of {"query", "doc"} to ndarray of shape (len(hidden),), int64
        Start of each layer's ``W`` in ``params`` (the same arrays when ``shared``).

    Notes
    -----
    Weights are Glorot-uniform, U(-r, r) with r = sqrt(6 / (fan_in + fan_out)) (the DSSM paper's
    initialisation), with fan_in = window * n_features and fan_out = window * hidden[0] for the
    first layer (the Keras/PyTorch convolution convention); biases start at zero.

    Raises
    ------
    ValueError
        For a bad ``n_features``, ``hidden``, ``arch`` or ``window``; TypeError for a dtype other
        than float32/float64.
    """

    def __init__(self, n_features: int, hidden=None, *, arch: str = "dssm", window: int | None = None,
                 shared: bool = False, dtype=np.float32, seed=0):
        if arch not in ARCHS:
            raise ValueError(f"arch must be one of {', '.join(ARCHS)}, got {arch!r}")
        n_features = _int("n_features", n_features, 1)
        default_window, default_hidden = ARCHS[arch]
        hidden = default_hidden if hidden is None else hidden
        try:
            hidden = tuple(int(h) for h in hidden)
        except (TypeError, ValueError):
            raise ValueError(f"hidden must be a sequence of positive integers, got {hidden!r}") from None
        if not hidden or min(hidden) < 1:
            raise ValueError(f"hidden must be a non-empty sequence of positive integers, got {hidden!r}")
        if arch == "dssm":
            if window not in (None, 1):
                raise ValueError(f"window applies to arch='clsm' only (DSSM uses 1), got {window!r}")
            window = 1
        else:
            window = default_window if window is None else _int("window", window, 1)
        dtype = np.dtype(dtype)
        if dtype not in _DTYPES:
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        self.n_features = n_features
        self.hidden = hidden
        self.arch = arch
        self.window = window
        self.shared = bool(shared)
        self.dtype = dtype
        self.sizes = np.array((n_features, *hidden), dtype=np.int64)
        counts = []
        for l in range(len(hidden)):
            width = self.sizes[l + 1] * (window if l == 0 else 1)
            counts.append(int(self.sizes[l] * width + self.sizes[l + 1]))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.tower_size = int(sum(counts))
        q = starts
        d = starts if self.shared else starts + self.tower_size
        self.offsets = {"query": q, "doc": d}
        self.n_params = self.tower_size * (1 if self.shared else 2)
        self.params = np.empty(self.n_params, dtype=dtype)
        self.init(seed)

    # -- layout ------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.hidden)

    @property
    def output_size(self) -> int:
        return self.hidden[-1]

    def _side(self, side):
        if side not in _SIDES:
            raise ValueError(f"side must be 'query' or 'doc', got {side!r}")
        return self.offsets[side]

    def layer(self, l: int, side: str = "query", vector: np.ndarray | None = None):
        """Views ``(W, b)`` of layer ``l`` of a tower in ``params`` (or in a gradient ``vector``)."""
        offs = self._side(side)
        if not 0 <= l < self.n_layers:
            raise ValueError(f"layer index must be in [0, {self.n_layers}), got {l!r}")
        v = self.params if vector is None else vector
        fi, fo = int(self.sizes[l]), int(self.sizes[l + 1])
        width = fo * (self.window if l == 0 else 1)
        o = int(offs[l])
        return v[o : o + fi * width].reshape(fi, width), v[o + fi * width : o + fi * width + fo]

    def segments(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lo, hi)`` int64 bounds of every tensor (W_0, b_0, W_1, ... of each tower)."""
        lo, hi = [], []
        for side in _SIDES[: 1 if self.shared else 2]:
            for l in range(self.n_layers):
                W, b = self.layer(l, side)
                o = int(self.offsets[side][l])
                lo += [o, o + W.size]
                hi += [o + W.size, o + W.size + b.size]
        return np.array(lo, np.int64), np.array(hi, np.int64)

    def init(self, seed=0) -> None:
        """Glorot-uniform weights and zero biases (see the class notes)."""
        rng = np.random.default_rng(seed)
        for side in _SIDES[: 1 if self.shared else 2]:
            for l in range(self.n_layers):
                W, b = self.layer(l, side)
                k = self.window if l == 0 else 1
                fi, fo = int(self.sizes[l]) * k, int(self.sizes[l + 1]) * k
                bound = glorot_bound(fi, fo)  # tanh towers
                W[:] = rng.uniform(-bound, bound, W.shape)
                b[:] = 0

    # -- inputs ------------------------------------------------------------------------
    def hash(self, hasher: WordHashing, texts, *, max_words: int | None = None) -> HashedTexts:
        """Texts as model input: one bag of trigrams per text (DSSM) or one row per word (CLSM).

        Parameters
        ----------
        hasher : WordHashing
            Fitted, with ``n_features`` equal to the model's.
        texts : sequence of str
        max_words : int, optional
            CLSM: keep only the first ``max_words`` words of each text.

        Returns
        -------
        HashedTexts

        Raises
        ------
        ValueError
            If the hasher's ``n_features`` differs from the model's.
        """
        if hasher.n_features != self.n_features:
            raise ValueError(f"hasher has {hasher.n_features} features, the model {self.n_features}")
        if self.arch == "dssm":
            return self.as_input(hasher.transform(texts, dtype=self.dtype))
        return self.as_input(hasher.transform_words(texts, max_words=max_words, dtype=self.dtype))

    def as_input(self, X, name: str = "X") -> HashedTexts:
        """Validate and convert an input: a CSR matrix (one row per text), a pair
        ``(word CSR matrix, text_ptr)`` (CLSM) or :class:`HashedTexts`.

        Raises
        ------
        TypeError
            For another type or a non-numeric matrix.
        ValueError
            For a wrong number of columns, a bad ``text_ptr``, or (DSSM) more than one row per
            text.
        """
        if isinstance(X, HashedTexts):
            X, tptr = sp.csr_matrix((X.data, X.indices, X.indptr),
                                    shape=(len(X.indptr) - 1, self.n_features)), X.tptr
        elif isinstance(X, tuple) and len(X) == 2:
            X, tptr = X
        elif sp.issparse(X):
            tptr = None
        else:
            raise TypeError(f"{name} must be a scipy.sparse matrix, a (words, text_ptr) pair or "
                            f"HashedTexts, got {type(X).__name__}")
        if not sp.issparse(X):
            raise TypeError(f"{name} must hold a scipy.sparse matrix, got {type(X).__name__}")
        X = sp.csr_matrix(X)
        if X.shape[1] != self.n_features:
            raise ValueError(f"{name} must have {self.n_features} columns, got {X.shape[1]}")
        if X.dtype.kind not in "fiu":
            raise TypeError(f"{name} must be numeric, got dtype {X.dtype}")
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        n_rows = X.shape[0]
        if tptr is None:
            tptr = np.arange(n_rows + 1, dtype=np.int64)
        else:
            tptr = np.asarray(tptr)
            if (tptr.ndim != 1 or tptr.dtype.kind not in "iu" or len(tptr) < 1 or tptr[0] != 0
                    or tptr[-1] != n_rows or np.any(np.diff(tptr) < 0)):
                raise ValueError(f"{name}: text_ptr must be non-decreasing integers from 0 to the "
                                 f"number of word rows ({n_rows})")
            tptr = tptr.astype(np.int64)
        if self.arch == "dssm" and np.any(np.diff(tptr) != 1):
            raise ValueError(f"{name}: DSSM takes one row (bag of trigrams) per text; got texts "
                             f"with several word rows (use WordHashing.transform)")
        return HashedTexts(np.ascontiguousarray(X.indptr, dtype=np.int64),
                           np.ascontiguousarray(X.indices, dtype=np.int32),
                           np.ascontiguousarray(X.data, dtype=self.dtype), tptr)

    # -- compiled passes ---------------------------------------------------------------
    def encode(self, X, side: str = "query", *, chunk: int = 512) -> np.ndarray:
        """Semantic vectors of the texts ``X`` through the ``side`` tower.

        Parameters
        ----------
        X : input accepted by :meth:`as_input`
        side : {"query", "doc"}, default "query"
        chunk : int, default 512
            Texts per forward pass.

        Returns
        -------
        ndarray of shape (n_texts, hidden[-1]), model dtype
        """
        offs = self._side(side)
        X = self.as_input(X)
        chunk = _int("chunk", chunk, 1)
        if X.n_texts == 0:
            return np.zeros((0, self.output_size), self.dtype)
        return core().encode(self.params, self.sizes, offs, self.window, *X, chunk)

    def score(self, Xq, Xd) -> np.ndarray:
        """Cosine similarity of row ``i`` of ``Xq`` (query tower) and of ``Xd`` (document tower).

        Returns
        -------
        ndarray of shape (n,), float64

        Raises
        ------
        ValueError
            If the two inputs hold different numbers of texts.
        """
        yq = self.encode(Xq, "query")
        yd = self.encode(Xd, "doc")
        if yq.shape != yd.shape:
            raise ValueError(f"Xq and Xd must hold the same number of texts, got {len(yq)} and {len(yd)}")
        return _cosine(yq, yd)

    def loss_and_grad(self, Xq, Xd, docs, gamma: float = 10.0, params: np.ndarray | None = None):
        """Mean softmax loss of queries against their documents, and its gradient.

        Parameters
        ----------
        Xq : input accepted by :meth:`as_input`, B texts
            Queries.
        Xd : input accepted by :meth:`as_input`
            Documents.
        docs : array-like of shape (B, 1 + K), int
            Rows of ``Xd`` for each query: the positive first, then K negatives.
        gamma : float, default 10.0
            Smoothing factor of the softmax over cosines.
        params : ndarray of shape (n_params,), optional
            Evaluate at these parameters instead of :attr:`params`.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,), model dtype
        """
        Xq, Xd = self.as_input(Xq, "Xq"), self.as_input(Xd, "Xd")
        docs = np.asarray(docs)
        if docs.ndim != 2 or docs.shape[0] != Xq.n_texts or docs.shape[1] < 2:
            raise ValueError(f"docs must have shape ({Xq.n_texts}, 1 + K) with K >= 1, got {docs.shape}")
        if docs.dtype.kind not in "iu" or docs.min() < 0 or docs.max() >= Xd.n_texts:
            raise ValueError(f"docs must hold row indices in [0, {Xd.n_texts})")
        gamma = _positive("gamma", gamma)
        p = self.params if params is None else np.ascontiguousarray(params, self.dtype)
        grads = np.zeros(self.n_params, self.dtype)
        loss = core().loss_grad(p, grads, self.sizes, self.offsets["query"], self.offsets["doc"],
                                self.window, *Xq, np.arange(Xq.n_texts, dtype=np.int64), *Xd,
                                np.ascontiguousarray(docs.reshape(-1), dtype=np.int64),
                                docs.shape[1], float(gamma))
        return float(loss), grads

    # -- persistence -------------------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments (without the seed), JSON-serialisable."""
        return {"n_features": self.n_features, "hidden": list(self.hidden), "arch": self.arch,
                "window": self.window if self.arch == "clsm" else None, "shared": self.shared,
                "dtype": self.dtype.name}

    def save(self, path, hasher: WordHashing | None = None) -> Path:
        """Write the parameters, configuration and (optionally) the word hashing to ``.npz``."""
        arrays = {"params": self.params, "config": np.array(json.dumps(self.get_config()))}
        if hasher is not None:
            arrays.update({"hasher_config": np.array(json.dumps(hasher.get_config())),
                           **{f"hasher_{k}": v for k, v in hasher.to_arrays().items()}})
        path = Path(path)
        np.savez(path, **arrays)
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    @classmethod
    def load(cls, path) -> tuple[DSSM, WordHashing | None]:
        """Read a model written by :meth:`save`; returns ``(model, hasher or None)``.

        Raises
        ------
        ValueError
            If the file is not a saved DSSM or its parameters do not fit its configuration.
        """
        with np.load(path, allow_pickle=False) as f:
            if "params" not in f.files or "config" not in f.files:
                raise ValueError(f"{path}: not a saved gdlab DSSM (no params/config)")
            config = json.loads(str(f["config"]))
            model = cls(**config)
            params = f["params"]
            if params.shape != model.params.shape:
                raise ValueError(f"{path}: {params.shape[0]} parameters, the configuration needs "
                                 f"{model.n_params}")
            model.params[:] = params
            hasher = None
            if "hasher_config" in f.files:
                hasher = WordHashing.from_arrays(json.loads(str(f["hasher_config"])),
                                                 f["hasher_ngrams"], f["hasher_counts"])
        return model, hasher

    def __repr__(self) -> str:
        return (f"DSSM(arch={self.arch!r}, {self.n_features}-{'-'.join(map(str, self.hidden))}, "
                f"window={self.window}, shared={self.shared}, {self.dtype.name}, "
                f"{self.n_params} parameters)")


def _positive(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
            or not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    return float(v)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    na = np.maximum(np.linalg.norm(a, axis=1), 1e-12)
    nb = np.maximum(np.linalg.norm(b, axis=1), 1e-12)
    return np.einsum("ij,ij->i", a, b) / (na * nb)


# --------------------------------------------------------------------------- data
def _split_fields(data, name):
    try:
        qids, questions, sentences = data.question_ids, data.questions, data.sentences
        labels = np.asarray(data.labels)
    except AttributeError as exc:
        raise TypeError(f"{name} must have question_ids, questions, sentences and labels "
                        f"(e.g. gdlab.datasets load_wikiqa), got {type(data).__name__}") from exc
    qids = np.asarray(qids)
    n = len(labels)
    if labels.ndim != 1 or len(qids) != n or len(questions) != n or len(sentences) != n:
        raise ValueError(f"{name}: question_ids, questions, sentences and labels must have one "
                         f"entry per row")
    if n == 0:
        raise ValueError(f"{name} has no rows (a question needs at least one candidate)")
    _check_texts_nonempty(f"{name}.questions", questions)
    _check_texts_nonempty(f"{name}.sentences", sentences)
    return qids, list(questions), list(sentences), labels


class _Corpus(NamedTuple):
    texts: list       # unique texts, first-seen order
    index: np.ndarray  # row -> position in texts


def _unique(keys, texts) -> _Corpus:
    pos: dict = {}
    out, index = [], np.empty(len(keys), np.int64)
    for i, (k, t) in enumerate(zip(keys, texts)):
        j = pos.get(k)
        if j is None:
            j = pos[k] = len(out)
            out.append(t)
        index[i] = j
    return _Corpus(out, index)


class DSSMKernelArgs(NamedTuple):
    """The named arguments of the compiled DSSM/CLSM loop ``train_batches``
    (models/_dssm_train.py), besides the epoch's negatives and order, the chunk bounds and the
    optimizer step.

    ``q_*``/``d_*``: the hashed questions and sentences (CSR ``indptr``, ``indices``, ``data``
    and ``tptr``, the first word row of each text); ``pair_q``/``pair_d`` (n_pairs,) the text of
    each training pair's question and positive sentence; ``batch_size`` (pairs) and ``gamma``;
    ``params``/``grads`` (n_params,) and ``state`` updated in place, ``hyper`` the optimizer's
    float64 vector; ``sizes``, ``offs_q``/``offs_d`` and ``window`` the towers' layout;
    ``seg_lo``/``seg_hi`` the tensors the optimizer steps over.
    """

    q_indptr: np.ndarray
    q_indices: np.ndarray
    q_data: np.ndarray
    q_tptr: np.ndarray
    d_indptr: np.ndarray
    d_indices: np.ndarray
    d_data: np.ndarray
    d_tptr: np.ndarray
    pair_q: np.ndarray
    pair_d: np.ndarray
    batch_size: int
    gamma: float
    params: np.ndarray
    grads: np.ndarray
    state: np.ndarray
    hyper: np.ndarray
    sizes: np.ndarray
    offs_q: np.ndarray
    offs_d: np.ndarray
    window: int
    seg_lo: np.ndarray
    seg_hi: np.ndarray


class _Pairs:
    """Training pairs of a split: unique questions and sentences, positives, negative pools."""

    def __init__(self, data, name="train"):
        qids, questions, sentences, labels = _split_fields(data, name)
        self.q = _unique(qids.tolist(), questions)
        self.d = _unique(sentences, sentences)
        pos = labels > 0
        codes = np.unique(self.q.index[pos] * len(self.d.texts) + self.d.index[pos])
        if codes.size == 0:
            raise ValueError(f"{name} has no positive (question, sentence) pair to train on")
        self.n_docs = len(self.d.texts)
        self.pair_q = codes // self.n_docs
        self.pair_d = codes % self.n_docs
        self.positive_codes = codes
        # Candidates of each question that are not positive for it (for negative_pool="candidates").
        neg = np.unique(self.q.index[~pos] * self.n_docs + self.d.index[~pos])
        neg = neg[~np.isin(neg, codes)]
        nq = len(self.q.texts)
        counts = np.bincount(neg // self.n_docs, minlength=nq)
        self.cand_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.cand_docs = (neg % self.n_docs).astype(np.int64)
        most = np.bincount(self.pair_q, minlength=nq).max()
        if most >= self.n_docs:
            raise ValueError(f"{name}: a question has all {self.n_docs} sentences as positives; "
                             f"no negative can be sampled")

    def sample_negatives(self, rng: np.random.Generator, k: int, pool: str) -> np.ndarray:
        """``(n_pairs, k)`` int64 negatives for every pair, never a positive of its question."""
        n = len(self.pair_q)
        negs = rng.integers(0, self.n_docs, size=(n, k), dtype=np.int64)
        if pool == "candidates":
            lo = self.cand_ptr[self.pair_q]
            size = self.cand_ptr[self.pair_q + 1] - lo
            has = size > 0
            pick = (rng.random((n, k)) * np.maximum(size, 1)[:, None]).astype(np.int64)
            negs[has] = self.cand_docs[lo[has, None] + pick[has]]
        while True:  # redraw corpus negatives that hit one of the question's positives
            bad = np.isin(self.pair_q[:, None] * self.n_docs + negs, self.positive_codes)
            if not bad.any():
                return negs
            negs[bad] = rng.integers(0, self.n_docs, size=int(bad.sum()), dtype=np.int64)


class _EvalSet(NamedTuple):
    """A split ready for ranking: hashed distinct questions and sentences, row indices."""

    Q: HashedTexts
    D: HashedTexts
    q_index: np.ndarray
    d_index: np.ndarray
    labels: np.ndarray
    groups: np.ndarray


def _prepare_eval(model: DSSM, hasher: WordHashing, data, name: str, max_words) -> _EvalSet:
    qids, questions, sentences, labels = _split_fields(data, name)
    q = _unique(qids.tolist(), questions)
    d = _unique(sentences, sentences)
    return _EvalSet(model.hash(hasher, q.texts, max_words=max_words),
                    model.hash(hasher, d.texts, max_words=max_words), q.index, d.index, labels, qids)


def _scores(model: DSSM, ev: _EvalSet, encode=None) -> np.ndarray:
    """Cosine of every row of ``ev``; ``encode`` is a compiled ``encode`` kernel (default core's)."""
    encode = core().encode if encode is None else encode
    yq = encode(model.params, model.sizes, model.offsets["query"], model.window, *ev.Q, 512)
    yd = encode(model.params, model.sizes, model.offsets["doc"], model.window, *ev.D, 512)
    return _cosine(yq[ev.q_index], yd[ev.d_index])


def score_rows(model: DSSM, hasher: WordHashing, data, *, max_words: int | None = None) -> np.ndarray:
    """Cosine score of every (question, sentence) row of ``data``.

    Each distinct question (by id) and sentence (by text) is encoded once.

    Parameters
    ----------
    model : DSSM
    hasher : WordHashing
    data : WikiQA or any object with ``question_ids``, ``questions``, ``sentences``, ``labels``
    max_words : int, optional
        CLSM: words kept per text.

    Returns
    -------
    ndarray of shape (n_rows,), float64

    Raises
    ------
    ValueError
        For empty texts (naming the row) or mismatched fields.
    """
    return _scores(model, _prepare_eval(model, hasher, data, "data", max_words))


def evaluate(model: DSSM, hasher: WordHashing, data, *, ks=(1, 3, 5, 10), ties: str = "average",
             max_words: int | None = None, deterministic: bool | None = None) -> dict:
    """Rank every question's candidate sentences by cosine and compute the ranking metrics.

    Standard WikiQA protocol: questions without a correct sentence are excluded (counted in
    ``n_excluded``); NDCG@k, MAP and MRR are means over the others (see :mod:`gdlab.ranking`).

    Parameters
    ----------
    model : DSSM
    hasher : WordHashing
    data : WikiQA or any object with ``question_ids``, ``questions``, ``sentences``, ``labels``
    ks : sequence of int, default (1, 3, 5, 10)
        NDCG cut-offs.
    ties : {"average", "pessimistic", "optimistic"}, default "average"
        Tie convention of :mod:`gdlab.ranking`.
    max_words : int, optional
        CLSM: words kept per text.
    deterministic : bool, optional
        Matrix products in gdlab's fixed-order GEMM (True) or OpenBLAS (False); default
        ``GDLAB_DETERMINISTIC`` (True unless 0).

    Returns
    -------
    dict
        As :func:`gdlab.ranking.ranking_metrics`.
    """
    with _config.deterministic_mode(deterministic):
        return _evaluate(model, hasher, data, ks=ks, ties=ties, max_words=max_words)


def _evaluate(model, hasher, data, *, ks, ties, max_words) -> dict:
    ev = _prepare_eval(model, hasher, data, "data", max_words)
    return ranking_metrics(ev.labels, _scores(model, ev), ev.groups, ks=ks, ties=ties)


def rank_candidates(model: DSSM, hasher: WordHashing, question: str, candidates) -> tuple[np.ndarray, np.ndarray]:
    """Order of ``candidates`` by decreasing cosine with ``question``, and their scores.

    Returns
    -------
    order : ndarray of shape (n,), int64
        Indices into ``candidates``, best first (ties keep the input order).
    scores : ndarray of shape (n,), float64
        Cosine of each candidate, in input order.

    Raises
    ------
    ValueError
        If ``question`` is empty or ``candidates`` is empty or holds an empty text.
    """
    (question,) = _check_texts_nonempty("question", [question])
    candidates = _check_texts_nonempty("candidates", candidates)
    if not candidates:
        raise ValueError("candidates is empty: a question needs at least one candidate to rank")
    yq = model.encode(model.hash(hasher, [question]), "query")
    yd = model.encode(model.hash(hasher, candidates), "doc")
    scores = _cosine(np.repeat(yq, len(candidates), axis=0), yd)
    return np.argsort(-scores, kind="stable"), scores


# --------------------------------------------------------------------------- training
class DSSMHistory(History):
    """Per-epoch records of :func:`train` (see :class:`gdlab.training.History` for the files).

    Records hold ``epoch``, ``train_loss`` (mean softmax loss of the epoch's pairs, in nats,
    before each update), with dev data ``dev_map``, ``dev_mrr``, ``dev_ndcg@k`` and ``best``
    (True for the epoch with the best dev MAP, whose weights are kept with ``restore_best``),
    then ``seconds`` (training) and ``eval_seconds``. ``meta`` holds the settings and
    ``best_epoch``, ``best_dev_map``, ``stopped_early`` and ``optimizer_steps``.
    """

    def plot(self, path, *, title: str | None = None) -> Path:
        """Save train loss and dev MAP / NDCG@3 / NDCG@5 against epoch as PNG/PDF."""
        ep = self.column("epoch")

        def draw(ax1, ax2):
            ax1.plot(ep, self.column("train_loss"), "o-", label="train")
            ax1.set(xlabel="epoch", ylabel="softmax loss (nats)", title="training loss")
            for key in ("dev_map", "dev_ndcg@3", "dev_ndcg@5"):
                if self.records and key in self.records[0]:
                    ax2.plot(ep, self.column(key), "o-", label="dev " + key[4:].upper())
            ax2.set(xlabel="epoch", ylabel="metric", title="dev ranking")

        return save_two_panels(path, draw, title)


def _single_blas_thread_if_parallel():
    import numba

    if numba.get_num_threads() > 1:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    return contextlib.nullcontext()


def train(model: DSSM, optimizer, hasher: WordHashing, train_data, *, dev_data=None, epochs: int = 10,
          batch_size: int = 64, negatives: int = 4, gamma: float = 10.0,
          negative_pool: str = "corpus", seed: int = 0, patience: int | None = None,
          restore_best: bool = True, max_words: int | None = None, chunk: int = 20,
          ks=(1, 3, 5, 10), on_batches: Callable[[int], None] | None = None,
          on_epoch: Callable[[dict], None] | None = None,
          deterministic: bool | None = None) -> DSSMHistory:
    """Train ``model`` on the (question, correct sentence) pairs of ``train_data``.

    Every epoch shuffles the positive pairs and draws ``negatives`` negative sentences per pair
    from one seeded :class:`numpy.random.Generator`; chunks of ``chunk`` mini-batches run in one
    compiled call (forward, backward through cosine and softmax, ``optimizer``'s update).

    Parameters
    ----------
    model : DSSM
        Trained in place.
    optimizer : gdlab.optim.Optimizer
        Any registered rule; its state is created for the model if absent or of another size.
    hasher : WordHashing
        Fitted word hashing (usually on the training questions and sentences).
    train_data : WikiQA or any object with ``question_ids``, ``questions``, ``sentences``, ``labels``
        Rows with label > 0 are the training pairs (duplicates counted once).
    dev_data : same type, optional
        Evaluated after every epoch (NDCG@k, MAP, MRR; questions without a correct sentence
        excluded); drives early stopping.
    epochs : int, default 10
        Maximum number of epochs.
    batch_size : int, default 64
        Pairs per mini-batch (the last one of an epoch may be smaller).
    negatives : int, default 4
        Negative sentences per pair (K).
    gamma : float, default 10.0
        Smoothing factor of the softmax over cosines.
    negative_pool : {"corpus", "candidates"}, default "corpus"
        ``"corpus"``: uniformly from every distinct sentence of ``train_data`` (the DSSM
        paper's random unclicked documents). ``"candidates"``: from the question's own
        incorrect candidate sentences, with replacement (the corpus when it has none). Never a
        correct sentence of the same question.
    seed : int, default 0
        Seed of the shuffles and negative sampling (initialisation is the model's seed).
    patience : int, optional
        Stop after this many epochs without a better dev MAP (needs ``dev_data``).
    restore_best : bool, default True
        With ``dev_data``: at the end, put back the parameters of the epoch with the best dev
        MAP.
    max_words : int, optional
        CLSM: words kept per text.
    chunk : int, default 20
        Mini-batches per compiled call (granularity of progress and Ctrl-C).
    ks : sequence of int, default (1, 3, 5, 10)
        NDCG cut-offs recorded.
    on_batches, on_epoch : callable, optional
        Called with the number of mini-batches just done / each epoch's record.
    deterministic : bool, optional
        Dense matrix products in gdlab's fixed-order GEMM (True: the same bits on every CPU and
        thread count) or OpenBLAS (False); default ``GDLAB_DETERMINISTIC`` (True unless 0).

    Returns
    -------
    DSSMHistory

    Raises
    ------
    ValueError, TypeError
        For bad arguments or data (empty texts, no positive pair, mismatched fields).
    TrainingDiverged
        When a mini-batch loss is not finite (that update is not applied).
    """
    with _config.deterministic_mode(deterministic):
        return _train(model, optimizer, hasher, train_data, dev_data=dev_data, epochs=epochs,
                      batch_size=batch_size, negatives=negatives, gamma=gamma,
                      negative_pool=negative_pool, seed=seed, patience=patience,
                      restore_best=restore_best, max_words=max_words, chunk=chunk, ks=ks,
                      on_batches=on_batches, on_epoch=on_epoch)


def _train(model, optimizer, hasher, train_data, *, dev_data, epochs, batch_size, negatives, gamma,
           negative_pool, seed, patience, restore_best, max_words, chunk, ks, on_batches,
           on_epoch) -> DSSMHistory:
    from ..optim import compile_with

    epochs = _int("epochs", epochs, 0)
    batch_size = _int("batch_size", batch_size, 1)
    negatives = _int("negatives", negatives, 1)
    chunk = _int("chunk", chunk, 1)
    gamma = _positive("gamma", gamma)
    if patience is not None:
        patience = _int("patience", patience, 1)
        if dev_data is None:
            raise ValueError("patience needs dev_data (early stopping watches the dev MAP)")
    if negative_pool not in NEGATIVE_POOLS:
        raise ValueError(f"negative_pool must be one of {', '.join(NEGATIVE_POOLS)}, got {negative_pool!r}")
    ks = tuple(_int("ks", k, 1) for k in ks)
    pairs = _Pairs(train_data, "train_data")
    dev = None if dev_data is None else _prepare_eval(model, hasher, dev_data, "dev_data", max_words)
    Q = model.hash(hasher, pairs.q.texts, max_words=max_words)
    D = model.hash(hasher, pairs.d.texts, max_words=max_words)
    ensure_state(optimizer, model.n_params, model.dtype)
    kernels = compile_with(optimizer.spec, _CORE, _TRAIN, active=optimizer.active, dtype=model.dtype)
    kernel = kernels.train_batches
    seg_lo, seg_hi = model.segments()
    grads = np.zeros(model.n_params, model.dtype)
    n = len(pairs.pair_q)
    n_batches = -(-n // batch_size)
    rng = np.random.default_rng(seed)
    history = DSSMHistory(meta={
        **model.get_config(), "optimizer": optimizer.spec.name, "preset": optimizer.spec.preset,
        "hyper": dict(optimizer.hyper), "batch_size": batch_size, "epochs": epochs,
        "negatives": negatives, "gamma": gamma, "negative_pool": negative_pool, "seed": seed,
        "patience": patience, "n_pairs": n, "n_queries": len(pairs.q.texts),
        "n_sentences": pairs.n_docs, "hasher": hasher.get_config(),
        "n_features": hasher.n_features, "protocol": "dev: questions without a correct sentence excluded",
        "deterministic": _config.deterministic(),
    })
    best = {"map": -math.inf, "epoch": 0, "params": None, "stopped_early": False}
    negs = {}

    def order(epoch):  # the pairs' order, then their negatives, from the one seeded generator
        perm = rng.permutation(n).astype(np.int64)
        negs["now"] = pairs.sample_negatives(rng, negatives, negative_pool)
        return perm

    args = DSSMKernelArgs(*Q, *D, pair_q=pairs.pair_q, pair_d=pairs.pair_d, batch_size=batch_size,
                          gamma=float(gamma), params=model.params, grads=grads, state=optimizer.state,
                          hyper=optimizer.hyper_array, sizes=model.sizes,
                          offs_q=model.offsets["query"], offs_d=model.offsets["doc"],
                          window=int(model.window), seg_lo=seg_lo, seg_hi=seg_hi)

    def run_chunk(perm, b, stop, t):
        ls, sn, t, bad = kernel(negs["now"], perm, b, stop, t, args)
        return ChunkResult(ls, sn, t, bad)

    def end_epoch(epoch, loss_sum, seen, seconds):
        t1 = time.perf_counter()
        record = {"epoch": epoch, "train_loss": float(loss_sum / max(seen, 1))}
        if dev is not None:
            m = ranking_metrics(dev.labels, _scores(model, dev, kernels.encode), dev.groups, ks=ks)
            record.update({"dev_map": m["map"], "dev_mrr": m["mrr"],
                           **{f"dev_ndcg@{k}": m[f"ndcg@{k}"] for k in ks}})
            improved = bool(m["map"] > best["map"])
            if improved:
                best.update(map=m["map"], epoch=epoch, params=model.params.copy())
            record["best"] = improved
        record.update(seconds=seconds, eval_seconds=time.perf_counter() - t1)
        history.records.append(record)
        if on_epoch is not None:
            on_epoch(record)
        if patience is not None and epoch - best["epoch"] >= patience:
            best["stopped_early"] = epoch < epochs
            return True
        return False

    # Threads: the sparse loops and the optimizer step use Numba's; the batch-sized matrix
    # products then stay on one BLAS thread (two thread pools on the same cores slow each other
    # down: 2 Numba + 2 OpenBLAS threads trained 2x slower than 2 + 1 on 2 cores).
    with _single_blas_thread_if_parallel():
        run_epochs(optimizer, run_chunk, n_batches=n_batches, epochs=epochs, chunk=chunk,
                   order=order, end_epoch=end_epoch, on_batches=on_batches,
                   diverged_hint=f"Lower the learning rate ({optimizer.spec.name} "
                                 f"lr={optimizer.hyper.get('lr')!r}) or gamma ({gamma}).")
    best_map, best_epoch, best_params = best["map"], best["epoch"], best["params"]
    stopped_early = best["stopped_early"]
    if dev is not None and best_params is not None:
        if restore_best:
            model.params[:] = best_params
        for r in history.records:
            r["best"] = r["epoch"] == best_epoch
    history.meta.update(best_epoch=best_epoch if dev is not None else None,
                        best_dev_map=best_map if best_params is not None else None,
                        stopped_early=stopped_early, optimizer_steps=optimizer.t)
    return history

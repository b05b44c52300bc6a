"""Letter-trigram word hashing: texts to sparse count vectors (the input layer of DSSM).

Word hashing (Huang et al., 2013, §3.2) breaks every word into letter n-grams after marking its
boundaries with ``#``: ``good`` becomes ``#good#`` and then ``#go``, ``goo``, ``ood``, ``od#``.
A text is the bag (sum) of the letter trigrams of its words. :class:`WordHashing` learns the
trigram vocabulary from training text and turns texts into :class:`scipy.sparse.csr_matrix`
rows, either one row per text (DSSM) or one row per word with the texts' word offsets
(the word sequence of CLSM, Shen et al., 2014).

Tokenisation: the text is lower-cased (``str.lower``), then every maximal run of Unicode letters
and digits is a word (``[^\\W_]+``); punctuation, underscores and white space separate words
and are dropped.

References
----------
P.-S. Huang, X. He, J. Gao, L. Deng, A. Acero and L. Heck, "Learning deep structured semantic
models for web search using clickthrough data", CIKM 2013, doi:10.1145/2505515.2505665.
Y. Shen, X. He, J. Gao, L. Deng and G. Mesnil, "A latent semantic model with convolutional-pooling
structure for information retrieval", CIKM 2014, doi:10.1145/2661829.2661935.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["WordHashing", "letter_ngrams", "tokenize"]

_WORD = re.compile(r"[^\W_]+")
_OOV = ("drop", "hash")
_WEIGHTING = ("count", "binary", "log")


def tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Words of ``text``: maximal runs of Unicode letters and digits, lower-cased by default.

    Parameters
    ----------
    text : str
    lowercase : bool, default True

    Returns
    -------
    list of str
        Possibly empty (a text of punctuation only has no words).

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> tokenize("How are glacier caves formed?")
    ['how', 'are', 'glacier', 'caves', 'formed']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower() if lowercase else text)


def letter_ngrams(word: str, n: int = 3) -> list[str]:
    """Letter n-grams of ``#word#`` in order, ``#`` marking the word's boundaries.

    A word shorter than ``n - 1`` letters still yields its whole marked form (``a`` gives
    ``#a#`` for trigrams).

    Parameters
    ----------
    word : str
        One word, without the boundary markers.
    n : int, default 3

    Returns
    -------
    list of str
        ``max(len(word) + 3 - n, 1)`` n-grams (with repeats, in order).

    Raises
    ------
    ValueError
        If ``word`` is empty or ``n < 1``.

    Examples
    --------
    >>> letter_ngrams("good")
    ['#go', 'goo', 'ood', 'od#']
    """
    if not isinstance(word, str) or not word:
        raise ValueError(f"word must be a non-empty str, got {word!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    marked = f"#{word}#"
    if len(marked) <= n:
        return [marked]
    return [marked[i : i + n] for i in range(len(marked) - n + 1)]


def _check_texts(name: str, texts) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, not a single {type(texts).__name__}")
    if not isinstance(texts, Iterable):
        raise TypeError(f"{name} must be a sequence of str, got {type(texts).__name__}")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(t).__name__}")
    return texts


class WordHashing:
    """Letter-trigram vocabulary learnt from text; texts to sparse trigram-count matrices.

    Parameters
    ----------
    n : int, default 3
        Letter n-gram length (3: letter trigrams as in DSSM).
    max_size : int or None, default None
        Keep only the ``max_size`` most frequent n-grams (ties broken alphabetically).
    min_count : int, default 1
        Keep only n-grams seen at least this often in the training text (every occurrence
        counts, repeats inside one text too).
    oov : {"drop", "hash"}, default "drop"
        Out-of-vocabulary n-grams (never seen, rarer than ``min_count`` or cut by
        ``max_size``): ``"drop"`` ignores them; ``"hash"`` adds them to one of ``n_buckets``
        extra columns chosen by CRC-32 of the n-gram's UTF-8 bytes (a stable hash, so the
        same n-gram always lands in the same column, across processes and machines).
    n_buckets : int, default 1000
        Number of extra columns for ``oov="hash"`` (ignored for ``"drop"``).
    weighting : {"count", "binary", "log"}, default "count"
        Value of a non-zero entry: the n-gram's count in the text or word (the term vector of
        the DSSM paper), 1, or ``1 + log(count)``.
    lowercase : bool, default True
        Lower-case texts before tokenising (see :func:`tokenize`).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Column of every kept n-gram, most frequent first.
    counts_ : ndarray of shape (len(vocabulary_),), int64
        Training counts of the kept n-grams, in column order.
    n_features : int
        Number of columns of the matrices made by :meth:`transform` (vocabulary plus hash
        buckets).

    Raises
    ------
    ValueError
        For a bad ``n``, ``max_size``, ``min_count``, ``oov``, ``n_buckets`` or
        ``weighting``.

    Examples
    --------
    >>> h = WordHashing().fit(["good food", "a good day"])
    >>> X = h.transform(["good"])
    >>> sorted(h.vocabulary_[t] for t in ["#go", "goo", "ood", "od#"]) == sorted(X.indices)
    True
    """

    def __init__(self, *, n: int = 3, max_size: int | None = None, min_count: int = 1,
                 oov: str = "drop", n_buckets: int = 1000, weighting: str = "count",
                 lowercase: bool = True):
        for name, v, lo in (("n", n, 1), ("min_count", min_count, 1), ("n_buckets", n_buckets, 1)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
        if max_size is not None and (isinstance(max_size, bool)
                                     or not isinstance(max_size, (int, np.integer)) or max_size < 1):
            raise ValueError(f"max_size must be None or an integer >= 1, got {max_size!r}")
        if oov not in _OOV:
            raise ValueError(f"oov must be one of {', '.join(_OOV)}, got {oov!r}")
        if weighting not in _WEIGHTING:
            raise ValueError(f"weighting must be one of {', '.join(_WEIGHTING)}, got {weighting!r}")
        self.n = int(n)
        self.max_size = None if max_size is None else int(max_size)
        self.min_count = int(min_count)
        self.oov = oov
        self.n_buckets = int(n_buckets)
        self.weighting = weighting
        self.lowercase = bool(lowercase)
        self.vocabulary_: dict[str, int] | None = None
        self.counts_: np.ndarray | None = None
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    # -- vocabulary ------------------------------------------------------------------
    def fit(self, texts) -> WordHashing:
        """Learn the n-gram vocabulary from ``texts``.

        Parameters
        ----------
        texts : sequence of str
            Training text; every occurrence of an n-gram counts towards ``min_count``.

        Returns
        -------
        self

        Raises
        ------
        TypeError
            If ``texts`` is a single str or holds a non-str item (its index is named).
        ValueError
            If no n-gram survives (no words at all, or ``min_count`` too high).
        """
        texts = _check_texts("texts", texts)
        words: Counter = Counter()
        for t in texts:
            words.update(tokenize(t, lowercase=self.lowercase))
        counts: Counter = Counter()
        for w, c in words.items():
            for g in letter_ngrams(w, self.n):
                counts[g] += c
        kept = sorted(((c, g) for g, c in counts.items() if c >= self.min_count),
                      key=lambda cg: (-cg[0], cg[1]))
        if self.max_size is not None:
            kept = kept[: self.max_size]
        if not kept:
            raise ValueError(
                f"texts give an empty vocabulary ({len(texts)} texts, {len(counts)} distinct "
                f"{self.n}-grams, none seen at least min_count={self.min_count} times)")
        self.vocabulary_ = {g: i for i, (_, g) in enumerate(kept)}
        self.counts_ = np.array([c for c, _ in kept], dtype=np.int64)
        self._cache = {}
        return self

    def _require_fit(self):
        if self.vocabulary_ is None:
            raise ValueError("this WordHashing is not fitted yet; call fit(texts) first")

    @property
    def n_features(self) -> int:
        self._require_fit()
        return len(self.vocabulary_) + (self.n_buckets if self.oov == "hash" else 0)

    def _column(self, gram: str) -> int:
        col = self.vocabulary_.get(gram)
        if col is None and self.oov == "hash":
            col = len(self.vocabulary_) + zlib.crc32(gram.encode("utf-8")) % self.n_buckets
        return -1 if col is None else col

    def _word_vector(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Sorted columns and counts of one word's n-grams (memoised)."""
        hit = self._cache.get(word)
        if hit is None:
            cols = Counter(c for c in map(self._column, letter_ngrams(word, self.n)) if c >= 0)
            keys = np.array(sorted(cols), dtype=np.int32)
            hit = (keys, np.array([cols[k] for k in keys], dtype=np.float64))
            self._cache[word] = hit
        return hit

    def _weigh(self, values: np.ndarray) -> np.ndarray:
        if self.weighting == "binary":
            return np.ones_like(values)
        if self.weighting == "log":
            return 1.0 + np.log(values)
        return values

    # -- transforms ------------------------------------------------------------------
    def transform(self, texts, *, dtype=np.float32) -> sp.csr_matrix:
        """Bag of letter n-grams of every text: one CSR row per text.

        Parameters
        ----------
        texts : sequence of str
            An empty text (or one without letters or digits) gives an all-zero row.
        dtype : {numpy.float32, numpy.float64}, default numpy.float32

        Returns
        -------
        scipy.sparse.csr_matrix of shape (len(texts), n_features)
            Sorted column indices (int32), no explicit zeros; values per ``weighting``.

        Raises
        ------
        ValueError
            If not fitted.
        TypeError
            If ``texts`` is a single str or holds a non-str item.
        """
        self._require_fit()
        texts = _check_texts("texts", texts)
        words, text_ptr = self._words(texts, None)
        # Sum each text's word rows: (texts x words indicator) @ (words x n-grams), in float64.
        n_words = words.shape[0]
        owner = np.repeat(np.arange(len(texts)), np.diff(text_ptr))
        S = sp.csr_matrix((np.ones(n_words), owner, np.arange(n_words + 1)),
                          shape=(n_words, len(texts))).T.tocsr()
        X = (S @ words).tocsr()
        X.sum_duplicates()
        X.sort_indices()
        return self._finish(X.data, X.indices, X.indptr, X.shape[1], dtype)

    def transform_words(self, texts, *, max_words: int | None = None,
                        dtype=np.float32) -> tuple[sp.csr_matrix, np.ndarray]:
        """Letter n-gram vector of every word, in order: the input of CLSM.

        Parameters
        ----------
        texts : sequence of str
        max_words : int or None, default None
            Keep only the first ``max_words`` words of each text.
        dtype : {numpy.float32, numpy.float64}, default numpy.float32

        Returns
        -------
        words : scipy.sparse.csr_matrix of shape (total words, n_features)
            One row per word (a word whose n-grams are all out of vocabulary and dropped is
            an all-zero row, so word positions are kept).
        text_ptr : ndarray of shape (len(texts) + 1,), int64
            Text ``i`` is rows ``text_ptr[i]:text_ptr[i + 1]``; a text without words has none.

        Raises
        ------
        ValueError
            If not fitted or ``max_words < 1``.
        TypeError
            If ``texts`` is a single str or holds a non-str item.
        """
        self._require_fit()
        texts = _check_texts("texts", texts)
        if max_words is not None and (isinstance(max_words, bool)
                                      or not isinstance(max_words, (int, np.integer)) or max_words < 1):
            raise ValueError(f"max_words must be None or an integer >= 1, got {max_words!r}")
        words, text_ptr = self._words(texts, max_words)
        return self._finish(words.data, words.indices, words.indptr, words.shape[1], dtype), text_ptr

    def _words(self, texts, max_words) -> tuple[sp.csr_matrix, np.ndarray]:
        """Unweighted float64 count rows of every word, and the texts' word offsets."""
        text_ptr = np.zeros(len(texts) + 1, dtype=np.int64)
        cols, vals, lengths = [], [], []
        for i, t in enumerate(texts):
            words = tokenize(t, lowercase=self.lowercase)[:max_words]
            for w in words:
                k, v = self._word_vector(w)
                cols.append(k)
                vals.append(v)
                lengths.append(len(k))
            text_ptr[i + 1] = text_ptr[i] + len(words)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.concatenate(cols) if cols else np.zeros(0, np.int32)
        data = np.concatenate(vals) if vals else np.zeros(0)
        return sp.csr_matrix((data, indices, indptr), shape=(len(lengths), self.n_features)), text_ptr

    def _finish(self, data, indices, indptr, n_cols, dtype) -> sp.csr_matrix:
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        data = self._weigh(np.asarray(data, dtype=np.float64)).astype(dtype)
        return sp.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, np.int64)),
                             shape=(len(indptr) - 1, n_cols))

    def fit_transform(self, texts, *, dtype=np.float32) -> sp.csr_matrix:
        """:meth:`fit` then :meth:`transform` on the same texts."""
        texts = _check_texts("texts", texts)
        return self.fit(texts).transform(texts, dtype=dtype)

    # -- persistence -----------------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments, as a JSON-serialisable dict."""
        return {"n": self.n, "max_size": self.max_size, "min_count": self.min_count,
                "oov": self.oov, "n_buckets": self.n_buckets, "weighting": self.weighting,
                "lowercase": self.lowercase}

    def to_arrays(self) -> dict:
        """The fitted vocabulary as arrays (``ngrams`` in column order, ``counts``), for npz."""
        self._require_fit()
        return {"ngrams": np.array(list(self.vocabulary_), dtype=str), "counts": self.counts_.copy()}

    @classmethod
    def from_arrays(cls, config: dict, ngrams, counts) -> WordHashing:
        """Rebuild a fitted hasher from :meth:`get_config` and :meth:`to_arrays`.

        Raises
        ------
        ValueError
            If ``ngrams`` and ``counts`` differ in length, are empty or ``ngrams`` repeats one.
        """
        h = cls(**config)
        ngrams = [str(g) for g in np.asarray(ngrams).tolist()]
        counts = np.asarray(counts, dtype=np.int64)
        if len(ngrams) != len(counts) or not ngrams or len(set(ngrams)) != len(ngrams):
            raise ValueError("ngrams and counts must be non-empty, of equal length, ngrams unique")
        h.vocabulary_ = {g: i for i, g in enumerate(ngrams)}
        h.counts_ = counts
        return h

    def save(self, path) -> Path:
        """Write the configuration and vocabulary to an ``.npz`` file."""
        import json

        path = Path(path)
        np.savez(path, config=np.array(json.dumps(self.get_config())), **self.to_arrays())
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    @classmethod
    def load(cls, path) -> WordHashing:
        """Read a hasher written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is not a saved WordHashing.
        """
        import json

        with np.load(path, allow_pickle=False) as f:
            missing = {"config", "ngrams", "counts"} - set(f.files)
            if missing:
                raise ValueError(f"{path}: not a saved WordHashing (missing {sorted(missing)})")
            return cls.from_arrays(json.loads(str(f["config"])), f["ngrams"], f["counts"])

    def __repr__(self) -> str:
        size = "unfitted" if self.vocabulary_ is None else f"{len(self.vocabulary_)} {self.n}-grams"
        return f"WordHashing({size}, oov={self.oov!r}, weighting={self.weighting!r})"

"""Letter-trigram word hashing (gdlab.text) against hand-written examples and a naive version."""

import zlib
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from gdlab.text import WordHashing, letter_ngrams, tokenize


def test_paper_example_good():
    assert letter_ngrams("good") == ["#go", "goo", "ood", "od#"]


@pytest.mark.parametrize("word,n,expected", [
    ("a", 3, ["#a#"]),
    ("ab", 3, ["#ab", "ab#"]),
    ("cat", 2, ["#c", "ca", "at", "t#"]),
    ("cat", 1, ["#", "c", "a", "t", "#"]),
    ("hi", 4, ["#hi#"]),
    ("élan", 3, ["#él", "éla", "lan", "an#"]),
])
def test_letter_ngrams_examples(word, n, expected):
    assert letter_ngrams(word, n) == expected


@pytest.mark.parametrize("bad", ["", None, 3])
def test_letter_ngrams_rejects_empty_or_non_str(bad):
    with pytest.raises(ValueError, match="word"):
        letter_ngrams(bad)


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize('How are "glacier caves" formed?') == ["how", "are", "glacier", "caves", "formed"]
    assert tokenize("e-mail, U.S. 1990s_x") == ["e", "mail", "u", "s", "1990s", "x"]
    assert tokenize("Keep Case", lowercase=False) == ["Keep", "Case"]
    assert tokenize("?!. ,") == []
    with pytest.raises(TypeError, match="text"):
        tokenize(b"bytes")


TEXTS = ["good food", "a good day", "Food, good!", "dog"]


def naive_counts(texts, n=3):
    """Bag of n-grams of each text, by the obvious loops."""
    out = []
    for t in texts:
        c = Counter()
        for w in tokenize(t):
            c.update(letter_ngrams(w, n))
        out.append(c)
    return out


def test_vocabulary_order_and_transform_match_naive_counts():
    h = WordHashing().fit(TEXTS)
    total = sum(naive_counts(TEXTS), Counter())
    # most frequent first, ties alphabetical
    expected = sorted(total, key=lambda g: (-total[g], g))
    assert list(h.vocabulary_) == expected
    assert h.counts_.tolist() == [total[g] for g in expected]
    X = h.transform(TEXTS)
    assert isinstance(X, sp.csr_matrix) and X.dtype == np.float32
    assert X.shape == (len(TEXTS), len(expected)) and X.indices.dtype == np.int32
    assert X.has_sorted_indices
    dense = np.zeros(X.shape)
    for i, c in enumerate(naive_counts(TEXTS)):
        for g, k in c.items():
            dense[i, h.vocabulary_[g]] = k
    np.testing.assert_array_equal(X.toarray(), dense)
    # in "good food", "ood" comes from both words, "#go" from "good" only
    assert X[0, h.vocabulary_["ood"]] == 2 and X[0, h.vocabulary_["#go"]] == 1


def test_min_count_max_size_and_oov_drop():
    h = WordHashing(min_count=2).fit(TEXTS)
    total = sum(naive_counts(TEXTS), Counter())
    assert set(h.vocabulary_) == {g for g, c in total.items() if c >= 2}
    h3 = WordHashing(max_size=3).fit(TEXTS)
    assert list(h3.vocabulary_) == sorted(total, key=lambda g: (-total[g], g))[:3]
    X = h3.transform(["zzz good"])  # zzz's trigrams are out of vocabulary and dropped
    assert X.shape == (1, 3)
    assert X.sum() == sum(c for g, c in naive_counts(["good"])[0].items() if g in h3.vocabulary_)


def test_oov_hash_is_stable_and_counts_every_trigram():
    h = WordHashing(oov="hash", n_buckets=7).fit(["good"])
    assert h.n_features == 4 + 7
    X = h.transform(["good zebra"]).toarray()[0]
    assert X.sum() == 4 + 5  # all five trigrams of zebra land in buckets
    for g in letter_ngrams("zebra"):
        assert X[4 + zlib.crc32(g.encode()) % 7] >= 1
    np.testing.assert_array_equal(X[:4], 1)


def test_weighting():
    counts = WordHashing().fit(TEXTS).transform(["good good food"]).toarray()
    for weighting, f in (("binary", lambda c: (c > 0) * 1.0),
                         ("log", lambda c: np.where(c > 0, 1 + np.log(np.maximum(c, 1)), 0))):
        X = WordHashing(weighting=weighting).fit(TEXTS).transform(["good good food"]).toarray()
        np.testing.assert_allclose(X, f(counts), rtol=1e-6)
    assert counts.max() == 3  # "ood" and "od#": twice from "good", once from "food"
    assert counts.max() == Counter(g for w in ["good", "good", "food"] for g in letter_ngrams(w)).most_common(1)[0][1]


def test_transform_words_rows_sum_to_transform_and_keep_positions():
    h = WordHashing(max_size=5).fit(TEXTS)
    texts = ["good food dog", "", "xyz", "dog good"]
    W, ptr = h.transform_words(texts)
    assert ptr.tolist() == [0, 3, 3, 4, 6]  # "xyz" is one (all-zero) word row
    assert W.shape == (6, 5) and W[3].nnz == 0
    S = np.zeros((len(texts), W.shape[0]))
    for i in range(len(texts)):
        S[i, ptr[i]:ptr[i + 1]] = 1
    np.testing.assert_array_equal(S @ W.toarray(), h.transform(texts).toarray())
    W2, ptr2 = h.transform_words(texts, max_words=1)
    assert ptr2.tolist() == [0, 1, 1, 2, 3]
    np.testing.assert_array_equal(W2.toarray(), W.toarray()[[0, 3, 4]])


def test_empty_text_gives_zero_row():
    X = WordHashing().fit(TEXTS).transform(["", "?!", "good"])
    assert X.shape[0] == 3 and X[0].nnz == 0 and X[1].nnz == 0 and X[2].nnz == 4


def test_bad_input():
    with pytest.raises(TypeError, match="not a single str"):
        WordHashing().fit("good food")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        WordHashing().fit(["good", 3])
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordHashing().fit(["", "?!"])
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordHashing(min_count=5).fit(["good"])
    with pytest.raises(ValueError, match="not fitted"):
        WordHashing().transform(["good"])
    for kw, match in (({"n": 0}, "n must"), ({"min_count": 0}, "min_count"), ({"max_size": 0}, "max_size"),
                      ({"oov": "keep"}, "oov"), ({"weighting": "tfidf"}, "weighting"),
                      ({"n_buckets": 0}, "n_buckets")):
        with pytest.raises(ValueError, match=match):
            WordHashing(**kw)
    h = WordHashing().fit(TEXTS)
    with pytest.raises(TypeError, match="dtype"):
        h.transform(["good"], dtype=np.int32)
    with pytest.raises(ValueError, match="max_words"):
        h.transform_words(["good"], max_words=0)


def test_save_and_load_round_trip(tmp_path):
    h = WordHashing(min_count=1, oov="hash", n_buckets=5, weighting="log").fit(TEXTS)
    path = h.save(tmp_path / "vocab.npz")
    h2 = WordHashing.load(path)
    assert h2.vocabulary_ == h.vocabulary_ and h2.get_config() == h.get_config()
    np.testing.assert_array_equal(h2.transform(TEXTS + ["zebra"]).toarray(),
                                  h.transform(TEXTS + ["zebra"]).toarray())
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(ValueError, match="not a saved WordHashing"):
        WordHashing.load(tmp_path / "other.npz")

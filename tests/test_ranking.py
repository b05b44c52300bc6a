"""Ranking metrics against hand-computed rankings, brute-force tie averages and scikit-learn."""

import itertools
import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, ndcg_score

from gdlab.ranking import average_precision, ndcg_at_k, ranking_metrics, reciprocal_rank

L2 = math.log2


def test_hand_computed_single_relevant():
    # ranking by score: labels 0, 1, 0, 0 (the relevant candidate is second)
    labels, scores = [0, 1, 0, 0], [0.5, 0.7, 0.9, 0.1]
    assert average_precision(labels, scores) == pytest.approx(1 / 2)
    assert reciprocal_rank(labels, scores) == pytest.approx(1 / 2)
    assert ndcg_at_k(labels, scores, 1) == 0.0
    assert ndcg_at_k(labels, scores, 3) == pytest.approx(1 / L2(3))


def test_hand_computed_several_correct_answers():
    # rank order of labels: 1, 0, 1, 0, 1  (three correct answers at ranks 1, 3, 5)
    labels = [1, 0, 1, 0, 1]
    scores = [5.0, 4.0, 3.0, 2.0, 1.0]
    ap = (1 / 1 + 2 / 3 + 3 / 5) / 3
    assert average_precision(labels, scores) == pytest.approx(ap)
    assert reciprocal_rank(labels, scores) == 1.0
    dcg3 = 1 + 1 / L2(4)
    idcg3 = 1 + 1 / L2(3) + 1 / L2(4)
    assert ndcg_at_k(labels, scores, 3) == pytest.approx(dcg3 / idcg3)
    dcg5 = dcg3 + 1 / L2(6)
    assert ndcg_at_k(labels, scores, 5) == pytest.approx(dcg5 / idcg3)
    assert ndcg_at_k(labels, scores, 10) == pytest.approx(dcg5 / idcg3)  # k beyond the list


def test_graded_gain_is_two_to_the_label_minus_one():
    labels, scores = [2, 1, 0], [0.1, 0.9, 0.5]  # ranking: 1, 0, 2
    dcg = (2**1 - 1) / L2(2) + 0 + (2**2 - 1) / L2(4)
    idcg = (2**2 - 1) / L2(2) + (2**1 - 1) / L2(3)
    assert ndcg_at_k(labels, scores, 3) == pytest.approx(dcg / idcg)


def test_ties_hand_computed():
    # all three tied, one relevant: it is at rank 1, 2 or 3 with probability 1/3 each
    labels, scores = [0, 1, 0], [0.5, 0.5, 0.5]
    assert average_precision(labels, scores) == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert reciprocal_rank(labels, scores) == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert ndcg_at_k(labels, scores, 1) == pytest.approx(1 / 3)
    assert average_precision(labels, scores, ties="pessimistic") == pytest.approx(1 / 3)
    assert average_precision(labels, scores, ties="optimistic") == 1.0
    assert reciprocal_rank(labels, scores, ties="pessimistic") == pytest.approx(1 / 3)
    # the result does not depend on the input order under "average"
    assert average_precision([1, 0, 0], scores) == average_precision([0, 0, 1], scores)


def all_orders_mean(metric, labels, scores):
    """Mean of ``metric`` over every order of the tied candidates (brute force)."""
    labels, scores = np.asarray(labels, float), np.asarray(scores, float)
    groups = [np.flatnonzero(scores == s) for s in sorted(set(scores), reverse=True)]
    vals = []
    for perms in itertools.product(*(itertools.permutations(g) for g in groups)):
        order = np.concatenate([np.array(p, int) for p in perms])
        ranked = labels[order]
        # distinct strictly decreasing scores reproduce this order
        vals.append(metric(ranked, -np.arange(len(ranked), dtype=float)))
    return float(np.mean(vals))


@pytest.mark.parametrize("seed", range(12))
def test_average_ties_equal_brute_force_expectation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    labels = rng.integers(0, 3 if seed % 3 == 0 else 2, n)
    if labels.max() == 0:
        labels[rng.integers(n)] = 1
    scores = rng.integers(0, 3, n).astype(float)  # many ties
    for metric in (average_precision, reciprocal_rank, lambda l, s: ndcg_at_k(l, s, 3),
                   lambda l, s: ndcg_at_k(l, s, 1)):
        got = metric(labels, scores)
        assert got == pytest.approx(all_orders_mean(metric, labels, scores), rel=1e-12)
        lo = metric(labels, scores, ties="pessimistic") if metric in (average_precision, reciprocal_rank) else None
        if lo is not None:
            assert lo - 1e-12 <= got <= metric(labels, scores, ties="optimistic") + 1e-12


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_scikit_learn(seed):
    rng = np.random.default_rng(100 + seed)
    n = 9
    labels = rng.integers(0, 2, n)
    labels[0] = 1
    scores = rng.standard_normal(n)  # no ties: every convention agrees
    assert average_precision(labels, scores) == pytest.approx(average_precision_score(labels, scores))
    for k in (1, 3, 5):
        assert ndcg_at_k(labels, scores, k) == pytest.approx(ndcg_score([labels], [scores], k=k))
    tied = np.round(scores)  # scikit-learn's ndcg averages the gains of tied items too
    for k in (1, 3, 5):
        assert ndcg_at_k(labels, tied, k) == pytest.approx(ndcg_score([labels], [tied], k=k))


def test_ranking_metrics_groups_excludes_unanswered_queries():
    labels = [0, 1, 0, 0, 0, 1, 1, 0]
    scores = [0.1, 0.9, 0.3, 0.2, 0.5, 0.4, 0.6, 0.7]
    groups = ["a", "a", "b", "b", "c", "c", "c", "c"]  # b has no relevant candidate
    m = ranking_metrics(labels, scores, groups, ks=(1, 3))
    # a: relevant first -> AP 1, RR 1; c: order 0.7(0), 0.6(1), 0.5(0), 0.4(1)
    ap_c = (1 / 2 + 2 / 4) / 2
    assert m["map"] == pytest.approx((1 + ap_c) / 2)
    assert m["mrr"] == pytest.approx((1 + 1 / 2) / 2)
    assert m["ndcg@1"] == pytest.approx((1 + 0) / 2)
    ndcg3_c = (1 / L2(3)) / (1 + 1 / L2(3))
    assert m["ndcg@3"] == pytest.approx((1 + ndcg3_c) / 2)
    assert (m["n_queries"], m["n_excluded"], m["ties"]) == (2, 1, "average")
    # rows of a query need not be adjacent
    perm = [7, 0, 3, 5, 1, 6, 2, 4]
    m2 = ranking_metrics(np.take(labels, perm), np.take(scores, perm), np.take(groups, perm), ks=(1, 3))
    assert m2 == m


def test_unanswered_query_gives_nan():
    assert math.isnan(average_precision([0, 0], [1, 2]))
    assert math.isnan(reciprocal_rank([0], [1]))
    assert math.isnan(ndcg_at_k([0, 0], [1, 2], 3))


@pytest.mark.parametrize("call,match", [
    (lambda: average_precision([], []), "at least one candidate"),
    (lambda: reciprocal_rank([1, 0], [0.1]), "one length"),
    (lambda: ndcg_at_k([1, 0], [0.1, np.nan], 1), "finite"),
    (lambda: ndcg_at_k([1, 0], [0.1, 0.2], 0), "k must"),
    (lambda: average_precision([-1, 1], [0.1, 0.2]), "labels"),
    (lambda: average_precision([1, 0], [0.1, 0.2], ties="random"), "ties"),
    (lambda: ranking_metrics([], [], []), "no rows"),
    (lambda: ranking_metrics([0, 0], [1, 2], [1, 1]), "none of the 1 queries"),
    (lambda: ranking_metrics([1, 0], [1, 2], [1, 1], ks=(0,)), "ks"),
    (lambda: ranking_metrics([1, 0], [1, 2], [1]), "one length"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()

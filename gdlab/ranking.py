"""Ranking metrics per query: NDCG@k, average precision (MAP) and reciprocal rank (MRR).

Every metric ranks one query's candidates by decreasing score. Relevance labels are
non-negative numbers; a candidate is *relevant* when its label is > 0 (AP and RR use only
that; NDCG uses the graded gain ``2**label - 1``).

Ties
----
Candidates with exactly equal scores are tied, and the order inside a tie changes AP, RR and
NDCG. ``ties`` chooses the convention:

``"average"`` (default)
    The expected value of the metric when the tied candidates are put in a uniformly random
    order, computed exactly in closed form (McSherry & Najork, 2008): the result does not
    depend on the input order and is neither flattering nor punishing.
``"pessimistic"``
    Inside a tie, less relevant candidates come first (a lower bound).
``"optimistic"``
    Inside a tie, more relevant candidates come first (an upper bound).

Queries without a relevant candidate have no defined AP, RR or NDCG (the ideal DCG is zero):
the per-query functions return NaN for them and :func:`ranking_metrics` leaves them out of
the means and counts them in ``n_excluded`` (the standard WikiQA protocol, Yang et al., 2015).

References
----------
K. Järvelin and J. Kekäläinen, "Cumulated gain-based evaluation of IR techniques", ACM TOIS
20(4), 2002 (DCG with the ``log2(rank + 1)`` discount; the ``2**rel - 1`` gain is that of
Burges et al., ICML 2005, used by MatchZoo). F. McSherry and M. Najork, "Computing information
retrieval performance measures efficiently in the presence of tied scores", ECIR 2008.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["TIES", "average_precision", "ndcg_at_k", "ranking_metrics", "reciprocal_rank"]

TIES = ("average", "pessimistic", "optimistic")


def _check_query(labels, scores, ties):
    labels = np.asarray(labels, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if labels.ndim != 1 or scores.shape != labels.shape:
        raise ValueError(f"labels and scores must be 1-D of one length, got shapes "
                         f"{labels.shape} and {scores.shape}")
    if labels.size == 0:
        raise ValueError("a query must have at least one candidate (labels and scores are empty)")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"scores must be finite, got {int((~np.isfinite(scores)).sum())} NaN/inf")
    if not np.all(np.isfinite(labels)) or labels.min() < 0:
        raise ValueError("labels must be finite and >= 0")
    if ties not in TIES:
        raise ValueError(f"ties must be one of {', '.join(TIES)}, got {ties!r}")
    return labels, scores


def _tie_groups(labels, scores, ties):
    """Labels in rank order and the ``(start, stop)`` of every tie group (0-based ranks)."""
    if ties == "average":
        order = np.argsort(-scores, kind="stable")
    else:  # inside a tie: ascending label (pessimistic) or descending (optimistic)
        sign = 1.0 if ties == "pessimistic" else -1.0
        order = np.lexsort((sign * labels, -scores))
    ranked = labels[order]
    s = scores[order]
    if ties != "average":  # every candidate is its own group
        n = len(s)
        return ranked, np.arange(n), np.arange(1, n + 1)
    cut = np.flatnonzero(s[1:] != s[:-1]) + 1
    starts = np.concatenate([[0], cut])
    stops = np.concatenate([cut, [len(s)]])
    return ranked, starts, stops


def ndcg_at_k(labels, scores, k: int, *, ties: str = "average") -> float:
    """Normalised discounted cumulative gain of one query's ranking at cut-off ``k``.

    ``DCG@k = sum over ranks i <= k of (2**label_i - 1) / log2(i + 1)``, divided by the DCG@k
    of the ideal order. Fewer than ``k`` candidates: all of them count.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Relevance of each candidate (>= 0; binary or graded).
    scores : array-like of shape (n,)
        Model scores, higher ranks first; finite.
    k : int
        Cut-off, >= 1.
    ties : {"average", "pessimistic", "optimistic"}, default "average"
        See the module docstring.

    Returns
    -------
    float
        In [0, 1]; NaN when no candidate is relevant.

    Raises
    ------
    ValueError
        For empty or mismatched inputs, non-finite scores, negative labels, ``k < 1`` or an
        unknown ``ties``.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    labels, scores = _check_query(labels, scores, ties)
    gains = np.exp2(labels) - 1.0
    disc = 1.0 / np.log2(np.arange(2, len(labels) + 2))
    disc[k:] = 0.0
    ideal = float(np.sort(gains)[::-1] @ disc)
    if ideal == 0.0:
        return math.nan
    ranked, starts, stops = _tie_groups(gains, scores, ties)
    dcg = 0.0
    for a, b in zip(starts, stops):  # expected gain of a tie group is its mean gain
        if a >= k:
            break
        dcg += ranked[a:b].mean() * disc[a:b].sum()
    return dcg / ideal


def average_precision(labels, scores, *, ties: str = "average") -> float:
    """Average precision of one query's ranking: the mean, over the relevant candidates, of
    the precision at the rank of each.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Relevance (> 0 means relevant).
    scores : array-like of shape (n,)
    ties : {"average", "pessimistic", "optimistic"}, default "average"

    Returns
    -------
    float
        In (0, 1]; NaN when no candidate is relevant.

    Raises
    ------
    ValueError
        As :func:`ndcg_at_k`.

    Notes
    -----
    With ``ties="average"``, a tie group of ``n`` candidates at ranks ``s+1 .. s+n`` holding
    ``r`` relevant ones, after ``c`` relevant candidates ranked strictly higher, contributes
    ``r/n * sum_{i=1..n} (c + 1 + (i-1)(r-1)/(n-1)) / (s + i)`` (a relevant candidate is
    equally likely at every rank of the group, and the other ``r - 1`` are spread uniformly
    over the remaining ``n - 1`` ranks).
    """
    labels, scores = _check_query(labels, scores, ties)
    rel = (labels > 0).astype(np.float64)
    total = rel.sum()
    if total == 0:
        return math.nan
    ranked, starts, stops = _tie_groups(rel, scores, ties)
    ap, before = 0.0, 0.0
    for a, b in zip(starts, stops):
        n, r = b - a, ranked[a:b].sum()
        if r:
            i = np.arange(1, n + 1)
            others = (i - 1) * (r - 1) / (n - 1) if n > 1 else 0.0
            ap += r / n * np.sum((before + 1 + others) / (a + i))
        before += r
    return ap / total


def reciprocal_rank(labels, scores, *, ties: str = "average") -> float:
    """Reciprocal of the rank of the first relevant candidate of one query.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Relevance (> 0 means relevant).
    scores : array-like of shape (n,)
    ties : {"average", "pessimistic", "optimistic"}, default "average"

    Returns
    -------
    float
        In (0, 1]; NaN when no candidate is relevant.

    Raises
    ------
    ValueError
        As :func:`ndcg_at_k`.

    Notes
    -----
    With ``ties="average"``, when the first tie group holding relevant candidates spans
    ranks ``s+1 .. s+n`` and holds ``r`` of them, the first relevant one is at rank ``s + i``
    with probability ``C(n-i, r-1) / C(n, r)``.
    """
    labels, scores = _check_query(labels, scores, ties)
    rel = (labels > 0).astype(np.float64)
    if rel.sum() == 0:
        return math.nan
    ranked, starts, stops = _tie_groups(rel, scores, ties)
    for a, b in zip(starts, stops):
        n, r = b - a, int(ranked[a:b].sum())
        if r:
            return sum(math.comb(n - i, r - 1) / math.comb(n, r) / (a + i)
                       for i in range(1, n - r + 2))
    raise AssertionError("unreachable")  # pragma: no cover


def ranking_metrics(labels, scores, groups, *, ks=(1, 3, 5, 10), ties: str = "average") -> dict:
    """Mean NDCG@k, MAP and MRR over queries (rows grouped by query id).

    Parameters
    ----------
    labels : array-like of shape (n_rows,)
        Relevance of each (query, candidate) row.
    scores : array-like of shape (n_rows,)
        Model score of each row (finite).
    groups : array-like of shape (n_rows,)
        Query id of each row (any hashable values; rows of a query need not be adjacent).
    ks : sequence of int, default (1, 3, 5, 10)
        Cut-offs of NDCG.
    ties : {"average", "pessimistic", "optimistic"}, default "average"
        See the module docstring.

    Returns
    -------
    dict
        ``"ndcg@k"`` for every k, ``"map"``, ``"mrr"`` (means over the queries with at least
        one relevant candidate), ``"n_queries"`` (queries averaged over), ``"n_excluded"``
        (queries left out because none of their candidates is relevant) and ``"ties"``.

    Raises
    ------
    ValueError
        For mismatched or empty inputs, non-finite scores, negative labels, a bad ``k`` or
        ``ties``, or when no query has a relevant candidate.
    """
    labels = np.asarray(labels, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    groups = np.asarray(groups)
    if labels.ndim != 1 or scores.shape != labels.shape or groups.shape != labels.shape:
        raise ValueError(f"labels, scores and groups must be 1-D of one length, got shapes "
                         f"{labels.shape}, {scores.shape} and {groups.shape}")
    if labels.size == 0:
        raise ValueError("no rows to evaluate (labels, scores and groups are empty)")
    ks = tuple(ks)
    for k in ks:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"ks must hold integers >= 1, got {k!r}")
    if ties not in TIES:
        raise ValueError(f"ties must be one of {', '.join(TIES)}, got {ties!r}")
    _, inverse = np.unique(groups, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[order])) + 1
    sums = {f"ndcg@{k}": 0.0 for k in ks} | {"map": 0.0, "mrr": 0.0}
    n_queries = n_excluded = 0
    for rows in np.split(order, bounds):
        lab, sc = labels[rows], scores[rows]
        ap = average_precision(lab, sc, ties=ties)
        if math.isnan(ap):
            _check_query(lab, sc, ties)
            n_excluded += 1
            continue
        n_queries += 1
        sums["map"] += ap
        sums["mrr"] += reciprocal_rank(lab, sc, ties=ties)
        for k in ks:
            sums[f"ndcg@{k}"] += ndcg_at_k(lab, sc, k, ties=ties)
    if n_queries == 0:
        raise ValueError(f"none of the {n_excluded} queries has a relevant candidate")
    out = {key: float(v / n_queries) for key, v in sums.items()}
    out.update(n_queries=n_queries, n_excluded=n_excluded, ties=ties)
    return out

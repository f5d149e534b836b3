"""Ranking metrics for top-K recommendation lists (binary relevance)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize


def precision_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Share of the top-k that is relevant (divides by k even if fewer were ranked)."""
    return sum(1 for i in ranked[:k] if i in relevant) / k


def recall_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Share of the relevant items found in the top-k."""
    if not relevant:
        return 0.0
    return sum(1 for i in ranked[:k] if i in relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Binary-gain NDCG: DCG of the list over the DCG of an ideal list of min(|relevant|, k) hits."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / np.log2(r + 2) for r, i in enumerate(ranked[:k]) if i in relevant)
    ideal = sum(1.0 / np.log2(r + 2) for r in range(min(len(relevant), k)))
    return float(dcg / ideal)


def average_precision_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    """AP@k normalised by min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for r, i in enumerate(ranked[:k]):
        if i in relevant:
            hits += 1
            total += hits / (r + 1)
    return total / min(len(relevant), k)


def catalog_coverage(lists: Sequence[Sequence[int]], n_items: int) -> float:
    """Share of the catalog that appears in at least one list."""
    return len({i for lst in lists for i in lst}) / max(n_items, 1)


def intra_list_diversity(ranked: Sequence[int], item_vectors: sp.csr_matrix) -> float:
    """1 - mean pairwise cosine similarity of the listed items' vectors (0 for lists shorter than 2)."""
    if len(ranked) < 2:
        return 0.0
    v = normalize(item_vectors[list(ranked)])
    sim = (v @ v.T).toarray()
    n = len(ranked)
    mean_pair = (sim.sum() - np.trace(sim)) / (n * (n - 1))
    return float(1.0 - mean_pair)


def novelty(ranked: Sequence[int], popularity: np.ndarray, n_users: int) -> float:
    """Mean self-information -log2(p(i)) where p(i) = share of users who engaged with item i
    (Laplace-smoothed so unseen items are finite)."""
    if not ranked:
        return 0.0
    p = (popularity[list(ranked)] + 1.0) / (n_users + 1.0)
    return float(np.mean(-np.log2(p)))

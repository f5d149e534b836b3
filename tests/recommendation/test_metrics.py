"""Ranking metrics on examples small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from engines.recommendation.metrics import (
    average_precision_at_k,
    catalog_coverage,
    intra_list_diversity,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
)


def test_precision_and_recall() -> None:
    ranked, relevant = [1, 2, 3, 4], {2, 4, 9}
    assert precision_at_k(ranked, relevant, 4) == 0.5
    assert precision_at_k(ranked, relevant, 2) == 0.5
    assert recall_at_k(ranked, relevant, 4) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, set(), 4) == 0.0


def test_ndcg_by_hand() -> None:
    # Hits at ranks 2 and 4 (1-based); ideal puts 2 hits at ranks 1 and 2.
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k([1, 2, 3, 4], {2, 4}, 4) == pytest.approx(dcg / idcg)
    assert ndcg_at_k([2, 4, 1], {2, 4}, 3) == pytest.approx(1.0)
    assert ndcg_at_k([1, 3], {2}, 2) == 0.0


def test_average_precision_by_hand() -> None:
    # Hits at ranks 1 and 3: (1/1 + 2/3) / min(2, 3).
    assert average_precision_at_k([5, 6, 7], {5, 7}, 3) == pytest.approx((1 + 2 / 3) / 2)


def test_coverage_diversity_novelty() -> None:
    assert catalog_coverage([[0, 1], [1, 2]], 10) == pytest.approx(0.3)
    vectors = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    assert intra_list_diversity([0, 1], vectors) == pytest.approx(0.0)  # identical items
    assert intra_list_diversity([0, 2], vectors) == pytest.approx(1.0)  # orthogonal items
    assert intra_list_diversity([0, 1, 2], vectors) == pytest.approx(1 - 2 / 6)
    popularity = np.array([9.0, 0.0])
    assert novelty([0], popularity, 9) == pytest.approx(-math.log2(10 / 10))
    assert novelty([1], popularity, 9) == pytest.approx(-math.log2(1 / 10))

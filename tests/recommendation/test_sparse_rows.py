"""The check-free row normalisation and TF-IDF transform equal scikit-learn's."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from engines.recommendation.sparse_rows import l2_rows, tfidf_rows


def test_l2_rows_matches_sklearn_including_empty_rows() -> None:
    rng = np.random.default_rng(3)
    dense = rng.random((6, 9)) * (rng.random((6, 9)) > 0.6)
    dense[2] = 0.0  # an empty row stays empty
    for dtype in (np.float32, np.float64):
        m = sp.csr_matrix(dense.astype(dtype))
        got = l2_rows(m)
        assert got.dtype == dtype
        np.testing.assert_allclose(got.toarray(), normalize(m).toarray(), rtol=1e-6, atol=1e-7)
    assert l2_rows(sp.csr_matrix((3, 4))).nnz == 0


def test_tfidf_rows_matches_the_vectorizer() -> None:
    corpus = ["data engineer builds pipelines", "nurse cares for patients", "data analyst uses sql sql"]
    for sublinear in (True, False):
        v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=sublinear, stop_words="english").fit(corpus)
        docs = ["sql data pipelines pipelines", "", "patients and unknown words"]
        np.testing.assert_allclose(tfidf_rows(v, docs).toarray(), v.transform(docs).toarray(), atol=1e-12)

"""Row-wise L2 normalisation and TF-IDF transform of a fitted vectorizer, without scikit-learn's input
checks.

The recommendations projection scores one user per profile write, and at that size scikit-learn's
per-call checks (check_array's dataframe detection, parameter validation) were about a third of a
recompute, and `config_context(assume_finite=..., skip_parameter_validation=...)` does not turn them off.
These functions do the same arithmetic as `sklearn.preprocessing.normalize` and
`TfidfVectorizer.transform` on our own CSR matrices (equal to within float rounding:
tests/recommendation/test_sparse_rows.py). Training keeps scikit-learn's own calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


def l2_rows(m: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    """Each row scaled to unit L2 norm (all-zero rows stay zero), as a new CSR matrix."""
    csr = sp.csr_matrix(m, copy=True)
    row_of = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=csr.data.astype(np.float64) ** 2, minlength=csr.shape[0]))
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    csr.data *= inverse[row_of].astype(csr.dtype, copy=False)
    return csr


def tfidf_rows(vectorizer: TfidfVectorizer, documents: Sequence[str]) -> sp.csr_matrix:
    """`vectorizer.transform(documents)` for a fitted TfidfVectorizer with l2 norm."""
    counts = CountVectorizer.transform(vectorizer, documents).astype(np.float64)
    if vectorizer.sublinear_tf:
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]  # column j's weight, in place on the CSR data
    return l2_rows(counts)

"""Collaborative filtering on an implicit-feedback matrix (pure: numpy and scipy, no database).

`X` is a users × items CSR matrix of interactions (1 where a user bought an item). Each
algorithm returns an items × items weight matrix `W`, and a user's scores are `x_u @ W`: the
same serving path for every item-based model. `bench/recommend_eval.py` measures them against
each other on held-out interactions.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

FloatArray = np.ndarray


def binarize(x: sp.csr_matrix) -> sp.csr_matrix:
    out = x.tocsr(copy=True)
    out.data = np.ones_like(out.data, dtype=np.float32)
    out.sum_duplicates()
    out.data = np.minimum(out.data, 1.0).astype(np.float32)
    return out


def popularity(x: sp.csr_matrix) -> FloatArray:
    """How many users interacted with each item."""
    return np.asarray(binarize(x).sum(axis=0)).ravel().astype(np.float32)


def cooccurrence(x: sp.csr_matrix) -> sp.csr_matrix:
    """Item-item co-occurrence counts, cosine-normalised, with the diagonal removed."""
    b = binarize(x)
    c = (b.T @ b).tocsr().astype(np.float32)
    c.setdiag(0)
    c.eliminate_zeros()
    norms = np.sqrt(np.maximum(popularity(b), 1.0))
    inverse = sp.diags(1.0 / norms)
    return (inverse @ c @ inverse).tocsr().astype(np.float32)


def ease(x: sp.csr_matrix, l2: float = 250.0) -> FloatArray:
    """EASE (Steck 2019): the closed-form item-item model B = I - P / diag(P), P = (XᵀX + λI)⁻¹,
    with a zero diagonal. Dense in items × items: for catalogues up to some thousands."""
    b = binarize(x)
    gram = (b.T @ b).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += l2
    p = np.linalg.inv(gram)
    weights = p / (-np.diag(p))
    weights[np.diag_indices_from(weights)] = 0.0
    return np.asarray(weights, dtype=np.float32)


def top_k_rows(weights: FloatArray | sp.csr_matrix, k: int) -> tuple[FloatArray, FloatArray]:
    """Each row's k largest positive entries as (indices, values), -1 / 0 where fewer."""
    dense = weights.toarray() if isinstance(weights, sp.csr_matrix) else np.asarray(weights)
    n = dense.shape[0]
    k = min(k, max(dense.shape[1] - 1, 1))
    if n == 0:
        return np.zeros((0, k), dtype=np.int32), np.zeros((0, k), dtype=np.float32)
    part = np.argpartition(-dense, kth=min(k, dense.shape[1] - 1), axis=1)[:, :k]
    values = np.take_along_axis(dense, part, axis=1)
    order = np.argsort(-values, axis=1)
    part = np.take_along_axis(part, order, axis=1).astype(np.int32)
    values = np.take_along_axis(values, order, axis=1).astype(np.float32)
    part[values <= 0] = -1
    values[values <= 0] = 0
    return part, values

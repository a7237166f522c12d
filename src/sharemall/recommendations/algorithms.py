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
IntArray = np.ndarray


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


def als(
    x: sp.csr_matrix,
    *,
    factors: int = 64,
    regularization: float = 0.05,
    iterations: int = 15,
    alpha: float = 1.0,
    seed: int = 0,
    threads: int = 1,
) -> tuple[FloatArray, FloatArray]:
    """Implicit-feedback matrix factorisation (Hu, Koren and Volinsky 2008) by alternating least
    squares, from the `implicit` library: (user factors, item factors). A user's scores are
    `user_factors[u] @ item_factors.T`; the baseline the item-item models are measured against."""
    from implicit.cpu.als import AlternatingLeastSquares  # noqa: PLC0415 (slow import)
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    # implicit solves many small systems itself; a multi-threaded BLAS under it only fights it.
    with threadpool_limits(limits=1, user_api="blas"):
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            iterations=iterations,
            num_threads=threads,
            random_state=seed,
        )
        model.fit(binarize(x), show_progress=False)
    users = np.asarray(model.user_factors, dtype=np.float32)
    items = np.asarray(model.item_factors, dtype=np.float32)
    return users, items


def leave_last_out(
    users: IntArray, items: IntArray, times: FloatArray, shape: tuple[int, int]
) -> tuple[sp.csr_matrix, IntArray]:
    """Split interactions (parallel arrays) into a training matrix and one held-out item per user:
    each user's last interaction by time (ties: the largest item id). Users with fewer than two
    distinct items keep everything in training and get -1 (nothing to predict)."""
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    times = np.asarray(times, dtype=np.float64)
    held = np.full(shape[0], -1, dtype=np.int64)
    if users.size:
        # Sorted by user, then time, then item: each user's last row is what is held out.
        order = np.lexsort((items, times, users))
        last = np.r_[users[order][1:] != users[order][:-1], True]
        held[users[order][last]] = items[order][last]
    full = binarize(
        sp.csr_matrix((np.ones(users.size, dtype=np.float32), (users, items)), shape=shape)
    )
    distinct = np.diff(full.indptr)
    held[distinct < 2] = -1  # one item to learn from and one to predict: two at least
    keep = held[users] != items
    train = binarize(
        sp.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (users[keep], items[keep])), shape=shape
        )
    )
    return train, held


def top_k_unseen(
    scores: FloatArray | sp.sparray | sp.spmatrix, seen: sp.csr_matrix, k: int
) -> IntArray:
    """Each user's k best-scored items among those not in `seen` (users × items), best first."""
    dense = scores if isinstance(scores, np.ndarray) else scores.toarray()
    masked = np.array(dense, dtype=np.float32, copy=True)
    rows, cols = seen.nonzero()
    masked[rows, cols] = -np.inf
    k = min(k, masked.shape[1])
    if masked.shape[0] == 0 or k == 0:
        return np.zeros((masked.shape[0], k), dtype=np.int64)
    part = np.argpartition(-masked, kth=k - 1, axis=1)[:, :k]
    values = np.take_along_axis(masked, part, axis=1)
    # Stable ordering: by score, then by item id, so ties rank the same on every machine.
    order = np.lexsort((part, -values), axis=1)
    return np.take_along_axis(part, order, axis=1).astype(np.int64)


def _ranks(ranked: IntArray, held: IntArray, k: int) -> tuple[IntArray, IntArray]:
    """(the users with something held out, the 0-based rank of their item in the top k or -1)."""
    ranked = np.asarray(ranked)[:, :k]
    held = np.asarray(held)
    users = np.flatnonzero(held >= 0)
    found = ranked[users] == held[users, None]
    rank = np.where(found.any(axis=1), found.argmax(axis=1), -1)
    return users, rank


def hit_rate_at(ranked: IntArray, held: IntArray, k: int = 10) -> float:
    """The share of users whose held-out item is among their first k recommendations."""
    users, rank = _ranks(ranked, held, k)
    return float((rank >= 0).mean()) if users.size else 0.0


def ndcg_at(ranked: IntArray, held: IntArray, k: int = 10) -> float:
    """Normalised discounted cumulative gain at k with one relevant item per user:
    1 / log2(rank + 2) where the item is at 0-based rank < k, else 0; averaged over users."""
    users, rank = _ranks(ranked, held, k)
    if not users.size:
        return 0.0
    gain = np.where(rank >= 0, 1.0 / np.log2(np.maximum(rank, 0) + 2.0), 0.0)
    return float(gain.mean())

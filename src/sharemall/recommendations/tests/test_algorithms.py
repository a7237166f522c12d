"""The collaborative-filtering maths on small matrices with known answers, and the metrics'
properties on generated rankings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sharemall.recommendations import algorithms as alg


def matrix(rows: list[list[int]]) -> sp.csr_matrix:
    return sp.csr_matrix(np.array(rows, dtype=np.float32))


def test_cooccurrence_is_cosine_normalised_without_the_diagonal() -> None:
    x = matrix([[1, 1, 0], [1, 1, 1], [0, 0, 1]])
    weights = alg.cooccurrence(x).toarray()
    # Items 0 and 1 always go together (2 / √(2·2)); each meets item 2 once (1 / √(2·2)).
    assert weights == pytest.approx(np.array([[0, 1, 0.5], [1, 0, 0.5], [0.5, 0.5, 0]]))


def test_ease_with_two_items_is_a_ridge_regression_of_one_on_the_other() -> None:
    # Gram matrix [[3, 2], [2, 2]]: item 0 bought by 3 users, item 1 by 2, both by 2.
    x = matrix([[1, 1], [1, 1], [1, 0]])
    weights = alg.ease(x, l2=1.0)
    assert weights[0, 1] == pytest.approx(2 / (3 + 1))
    assert weights[1, 0] == pytest.approx(2 / (2 + 1))
    assert weights[0, 0] == weights[1, 1] == 0


def test_ease_weights_shrink_as_lambda_grows() -> None:
    x = matrix([[1, 1, 0], [1, 1, 1], [0, 1, 1], [1, 0, 0]])
    small = np.abs(alg.ease(x, l2=0.5)).sum()
    large = np.abs(alg.ease(x, l2=50.0)).sum()
    assert large < small


def test_als_scores_each_group_of_buyers_their_own_items_first() -> None:
    # Two groups with disjoint tastes; the last user of each group has not had one item yet.
    group_a = [[1, 1, 1, 0, 0, 0]] * 5 + [[1, 1, 0, 0, 0, 0]]
    group_b = [[0, 0, 0, 1, 1, 1]] * 5 + [[0, 0, 0, 1, 1, 0]]
    x = matrix(group_a + group_b)
    users, items = alg.als(x, factors=4, regularization=0.01, iterations=20, seed=3)
    assert users.shape == (12, 4)
    assert items.shape == (6, 4)
    scores = users @ items.T
    top = alg.top_k_unseen(scores, x, 1)
    assert top[5, 0] == 2
    assert top[11, 0] == 5


def test_als_is_repeatable_with_a_seed() -> None:
    x = matrix([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1]])
    first = alg.als(x, factors=2, iterations=5, seed=7)
    second = alg.als(x, factors=2, iterations=5, seed=7)
    assert np.allclose(first[0] @ first[1].T, second[0] @ second[1].T)


def test_leave_last_out_holds_out_each_users_last_item_ties_by_item() -> None:
    users = np.array([0, 0, 0, 1, 1, 1, 2])
    items = np.array([3, 1, 2, 0, 4, 2, 1])
    times = np.array([10.0, 30.0, 20.0, 5.0, 9.0, 9.0, 1.0])
    train, held = alg.leave_last_out(users, items, times, (3, 5))
    # User 0's last is item 1 (time 30); user 1 has items 4 and 2 at 9: the larger id is last;
    # user 2 has one item and nothing to predict.
    assert held.tolist() == [1, 4, -1]
    assert train.toarray().tolist() == [
        [0, 0, 1, 1, 0],
        [1, 0, 1, 0, 0],
        [0, 1, 0, 0, 0],
    ]


def test_leave_last_out_drops_every_repeat_of_the_held_out_item() -> None:
    users = np.array([0, 0, 0])
    items = np.array([2, 0, 2])
    times = np.array([1.0, 2.0, 3.0])
    train, held = alg.leave_last_out(users, items, times, (1, 3))
    assert held.tolist() == [2]
    assert train.toarray().tolist() == [[1, 0, 0]]


def test_top_k_unseen_skips_what_was_seen_and_breaks_ties_by_item() -> None:
    scores = np.array([[0.9, 0.5, 0.5, 0.1, 0.5]], dtype=np.float32)
    seen = matrix([[1, 0, 0, 0, 0]])
    assert alg.top_k_unseen(scores, seen, 3).tolist() == [[1, 2, 4]]


def test_hit_rate_and_ndcg_on_a_known_ranking() -> None:
    ranked = np.array([[3, 1, 2], [0, 1, 2], [5, 6, 7]])
    held = np.array([1, 9, -1])  # the third user has nothing held out and is not counted
    assert alg.hit_rate_at(ranked, held, 3) == pytest.approx(0.5)
    assert alg.ndcg_at(ranked, held, 3) == pytest.approx(0.5 / math.log2(3))
    # At k = 1 the hit at place 2 no longer counts.
    assert alg.hit_rate_at(ranked, held, 1) == 0
    assert alg.ndcg_at(ranked, held, 1) == 0


@st.composite
def rankings(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    n_users = draw(st.integers(1, 12))
    n_items = draw(st.integers(2, 15))
    k = draw(st.integers(1, n_items))
    ranked = np.array(
        [draw(st.permutations(list(range(n_items)))) for _ in range(n_users)], dtype=np.int64
    )
    held = np.array([draw(st.integers(-1, n_items - 1)) for _ in range(n_users)], dtype=np.int64)
    return ranked, held, k


@settings(max_examples=60, deadline=None)
@given(rankings())
def test_metrics_lie_in_0_1_and_ndcg_never_exceeds_the_hit_rate(
    case: tuple[np.ndarray, np.ndarray, int],
) -> None:
    ranked, held, k = case
    hit = alg.hit_rate_at(ranked, held, k)
    ndcg = alg.ndcg_at(ranked, held, k)
    assert 0 <= ndcg <= hit <= 1
    # More places can only find more.
    assert alg.hit_rate_at(ranked, held, ranked.shape[1]) >= hit


@settings(max_examples=60, deadline=None)
@given(rankings())
def test_a_perfect_ranker_scores_1(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    ranked, held, k = case
    held = np.where(held < 0, 0, held)
    # Scores that put each user's held-out item first, nothing seen.
    scores = np.zeros(ranked.shape, dtype=np.float32)
    scores[np.arange(len(held)), held] = 1
    seen = sp.csr_matrix(ranked.shape, dtype=np.float32)
    perfect = alg.top_k_unseen(scores, seen, k)
    assert alg.hit_rate_at(perfect, held, k) == 1
    assert alg.ndcg_at(perfect, held, k) == pytest.approx(1)

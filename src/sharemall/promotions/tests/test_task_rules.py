"""Share task rules, pure: which sales through a member's posts count, and rounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.promotions.rules import tasks as rules

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def sale(**fields: object) -> rules.PostSale:
    base: dict[str, object] = {
        "post_id": 1,
        "author_id": 10,
        "published_at": T0,
        "order_id": 100,
        "buyer_id": 20,
        "merchant_id": 5,
        "status": rules.COMPLETED,
        "paid_at": T0 + timedelta(days=1),
        "total_fen": 5000,
        "refunded_fen": 0,
    }
    base.update(fields)
    return rules.PostSale(**base)  # type: ignore[arg-type]


def counts(s: rules.PostSale, merchant_id: int | None = 5) -> bool:
    return rules.sale_counts(s, window_days=7, merchant_id=merchant_id)


def test_a_completed_sale_to_someone_else_within_the_window_counts() -> None:
    assert counts(sale())
    assert counts(sale(paid_at=T0 + timedelta(days=7)))
    assert counts(sale(refunded_fen=4999))  # partly refunded: still a sale
    assert counts(sale(merchant_id=6), merchant_id=None)  # the platform's task: any shop


@pytest.mark.parametrize(
    "fields",
    [
        {"buyer_id": 10},  # the author's own purchase
        {"paid_at": None},  # never paid
        {"status": "cancelled", "paid_at": None},
        {"status": "paid"},  # not completed yet
        {"status": "received"},
        {"status": "closed"},  # refunded in full before completion
        {"refunded_fen": 5000},  # refunded in full after completion
        {"paid_at": T0 + timedelta(days=7, seconds=1)},  # outside the window
        {"paid_at": T0 - timedelta(seconds=1)},  # before the post
        {"merchant_id": 6},  # another shop's sale for a merchant's task
    ],
)
def test_what_does_not_count(fields: dict[str, object]) -> None:
    assert not counts(sale(**fields))


def test_progress_counts_each_post_once_in_the_order_it_counted() -> None:
    found = rules.progress(
        [
            sale(post_id=1, order_id=1, paid_at=T0 + timedelta(days=3)),
            sale(post_id=1, order_id=2, paid_at=T0 + timedelta(days=1)),
            sale(post_id=2, order_id=3, paid_at=T0 + timedelta(days=2)),
            sale(post_id=3, order_id=4, status="shipped"),
            sale(post_id=4, order_id=5, status="closed"),
            sale(post_id=5, order_id=6, author_id=11),
        ],
        window_days=7,
        merchant_id=5,
    )
    assert found[10].counted_posts == [1, 2]
    assert found[10].pending_posts == [3]
    assert found[11].counted_posts == [5]


@given(
    counted=st.integers(min_value=0, max_value=200),
    needed=st.integers(min_value=1, max_value=20),
    limit=st.integers(min_value=1, max_value=10),
)
def test_rounds_never_exceed_the_posts_or_the_limit(counted: int, needed: int, limit: int) -> None:
    done = rules.completions(counted, posts_needed=needed, max_completions=limit)
    assert 0 <= done <= limit
    assert done * needed <= counted
    assert done == limit or (done + 1) * needed > counted
    posts = list(range(counted))
    rounds = [rules.round_posts(posts, n, posts_needed=needed) for n in range(1, done + 1)]
    assert all(len(r) == needed for r in rounds)
    assert len({p for r in rounds for p in r}) == done * needed  # no post in two rounds


def definition(**fields: object) -> rules.Definition:
    base: dict[str, object] = {
        "merchant_id": 5,
        "title": "三单得券",
        "posts_needed": 3,
        "window_days": 7,
        "max_completions": 1,
        "valid_from": T0,
        "valid_to": T0 + timedelta(days=30),
    }
    base.update(fields)
    return rules.Definition(**base)  # type: ignore[arg-type]


REWARD = rules.Reward(
    merchant_id=5, channel="task", per_member=1, valid_to=T0 + timedelta(days=60), stopped=False
)


@pytest.mark.parametrize(
    ("fields", "reward", "code"),
    [
        ({"posts_needed": 0}, REWARD, "invalid_task"),
        ({"posts_needed": 21}, REWARD, "invalid_task"),
        ({"window_days": 0}, REWARD, "invalid_task"),
        ({"window_days": 31}, REWARD, "invalid_task"),
        ({"title": "  "}, REWARD, "invalid_task"),
        ({"valid_to": T0}, REWARD, "invalid_window"),
        ({}, rules.Reward(None, "task", 1, T0 + timedelta(days=60), False), "invalid_reward"),
        ({}, rules.Reward(5, "claim", 1, T0 + timedelta(days=60), False), "invalid_reward"),
        ({}, rules.Reward(5, "task", 1, T0 + timedelta(days=60), True), "invalid_reward"),
        ({}, rules.Reward(5, "task", 1, T0, False), "invalid_reward"),
        ({"max_completions": 2}, REWARD, "invalid_reward"),
    ],
)
def test_definitions_are_checked(
    fields: dict[str, object], reward: rules.Reward, code: str
) -> None:
    with pytest.raises(rules.InvalidTask) as refused:
        rules.check_definition(definition(**fields), reward)
    assert refused.value.code == code


def test_a_good_definition_passes() -> None:
    rules.check_definition(definition(), REWARD)

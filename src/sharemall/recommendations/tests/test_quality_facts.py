"""What quality_facts reads from real orders, after-sales requests, disputes and posts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from tests import quality_support as q
from tests.factories import OperatorFactory

from sharemall.aftersales import services as aftersales
from sharemall.posts import services as posts
from sharemall.recommendations import quality
from sharemall.recommendations.quality import SkuFacts
from sharemall.recommendations.quality_facts import ZONE, quality_facts, week_starts

pytestmark = pytest.mark.django_db


def facts_of(sku_id: int, *, days: int = 180) -> SkuFacts:
    found = {f.sku_id: f for f in quality_facts(timezone.now(), days=days)}
    return found[sku_id]


def test_returns_count_what_says_something_about_the_goods() -> None:
    sku = q.on_sale()
    # A refund before dispatch is a changed mind about buying: not counted.
    q.ask(q.sold(sku), reason_code="changed_mind")
    # A refund once shipped, still waiting for the merchant: counted.
    q.ask(q.shipped(sku), reason_code="quality")
    # Goods sent back and refunded: counted.
    q.returned(q.received(sku), reason_code="size_fit")
    # A refund of a received order with no reason code, approved: counted as "other".
    request = q.ask(q.received(sku))
    aftersales.aftersale_approve(request, actor=q.owner_of(sku))
    # Rejected (and left there), or cancelled by the buyer: not counted.
    q.rejected(q.shipped(sku))
    aftersales.aftersale_cancel(q.ask(q.shipped(sku)), actor=request.buyer)
    # Two untouched orders.
    q.sold(sku, units=2)
    q.received(sku)

    found = facts_of(sku.pk)

    assert found.orders == 8
    assert found.units == 9
    assert found.returns == 3
    assert found.return_reasons == {"other": 1, "quality": 1, "size_fit": 1}
    assert found.complaints == 0
    assert found.product_id == sku.product_id
    assert found.merchant_id == sku.product.merchant_id


def test_a_dispute_is_a_complaint_whatever_the_ruling() -> None:
    sku = q.on_sale()
    open_dispute = q.disputed(q.shipped(sku), reason_code="not_as_described")
    q.disputed(q.shipped(sku), ruling="reject")  # the merchant upheld: no return
    q.disputed(q.shipped(sku), ruling="refund", reason_code="damaged")  # refunded: a return
    q.shipped(sku)

    found = facts_of(sku.pk)

    assert open_dispute.status == "disputed"
    assert found.orders == 4
    assert found.complaints == 3
    # The open dispute and the one ruled for the buyer are returns; the upheld one is not.
    assert found.returns == 2
    assert found.return_reasons == {"damaged": 1, "not_as_described": 1}


def test_two_requests_on_one_order_are_one_returned_order() -> None:
    sku = q.on_sale()
    order = q.shipped(sku, units=2)
    line = order.lines.get()
    for code in ("quality", "damaged"):
        aftersales.aftersale_request(
            buyer=order.buyer,
            order=order,
            kind="refund",
            lines=[(line.pk, 1)],
            reason="坏了",
            reason_code=code,
        )

    found = facts_of(sku.pk)

    assert (found.orders, found.returns) == (1, 1)
    assert found.return_reasons == {"damaged": 1, "quality": 1}


def test_ratings_come_from_visible_posts_only() -> None:
    sku = q.on_sale()
    q.posted(q.received(sku), 2)
    q.posted(q.received(sku), 5)
    hidden = q.posted(q.received(sku), 1)
    posts.post_hide(operator=OperatorFactory.create(), post_id=hidden.pk, rule="spam")
    deleted = q.posted(q.received(sku), 1)
    posts.post_delete(author=deleted.author, post_id=deleted.pk)

    found = facts_of(sku.pk)

    assert (found.rating_sum, found.rating_count) == (7, 2)


def test_only_orders_paid_in_the_window_count() -> None:
    sku = q.on_sale()
    old = q.shipped(sku)
    q.returned(old)
    q.paid_at(old, timezone.now() - timedelta(days=200))
    q.shipped(sku)
    unpaid_sku = q.on_sale()

    found = quality_facts(timezone.now())

    assert [f.sku_id for f in found] == [sku.pk]
    assert (found[0].orders, found[0].returns) == (1, 0)
    assert facts_of(sku.pk, days=365).returns == 1
    assert unpaid_sku.pk not in {f.sku_id for f in quality_facts(timezone.now(), days=365)}


def test_one_merchants_skus_on_their_own() -> None:
    mine = q.on_sale()
    theirs = q.on_sale()
    q.sold(mine)
    q.sold(theirs)

    found = quality_facts(timezone.now(), merchant_id=mine.product.merchant_id)

    assert [f.sku_id for f in found] == [mine.pk]


def test_the_last_eight_weeks_monday_based_oldest_first() -> None:
    sku = q.on_sale()
    now = timezone.now()
    mondays = week_starts(now)
    this_week = datetime.combine(mondays[-1], time(9), ZONE)
    # Two orders this week (one returned), one three weeks ago (returned), one a Sunday
    # night of the oldest week, and one just before the eight weeks (counted in the totals).
    q.returned(q.paid_at(q.shipped(sku), min(this_week, now)))
    q.paid_at(q.shipped(sku), min(this_week, now))
    q.returned(q.paid_at(q.shipped(sku), this_week - timedelta(weeks=3)))
    sunday_night = datetime.combine(mondays[0] + timedelta(days=6), time(23, 30), ZONE)
    q.paid_at(q.shipped(sku), sunday_night)
    q.paid_at(q.shipped(sku), datetime.combine(mondays[0], time.min, ZONE) - timedelta(hours=1))

    found = facts_of(sku.pk)

    assert len(mondays) == 8
    assert all(m.weekday() == 0 for m in mondays)
    assert [w.week for w in found.weekly] == mondays
    assert [(w.orders, w.returns) for w in found.weekly] == [
        (1, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (1, 1),
        (0, 0),
        (0, 0),
        (2, 1),
    ]
    assert (found.orders, found.returns) == (5, 2)


def test_the_facts_take_the_same_queries_for_one_sku_or_many(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    first = q.on_sale()
    q.posted(q.received(first), 4)
    q.returned(q.received(first))
    now = timezone.now()
    with django_assert_num_queries(7):
        assert len(quality_facts(now)) == 1

    for _ in range(3):
        sku = q.on_sale()
        q.posted(q.received(sku), 3)
        q.disputed(q.shipped(sku))
    now = timezone.now()
    with django_assert_num_queries(7):
        assert len(quality_facts(now)) == 4


def test_a_sku_returned_again_and_again_is_demoted() -> None:
    sku = q.on_sale()
    for _ in range(10):
        q.returned(q.received(sku), reason_code="not_as_described")
    for _ in range(4):
        q.received(sku)

    verdict = quality.judge(facts_of(sku.pk))

    assert verdict.demoted
    assert verdict.reasons[0] == "high_returns"
    assert "most_not_as_described" in verdict.reasons
    assert verdict.suggestion == "fix_listing"

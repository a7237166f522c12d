"""The KPI dashboard (analytics.selectors.dashboard): exact figures on a small world, one
merchant's own only, and the whole platform's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from sharemall.accounts.models import Binding, Member
from sharemall.accounts.services import distributor_enable
from sharemall.aftersales import services as aftersales
from sharemall.analytics import rules
from sharemall.analytics.selectors import REPORT_ZONE, dashboard
from sharemall.checkout import services as checkout
from sharemall.distribution import rules as plan_rules
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareClick, ShareLink
from tests.factories import MemberFactory, merchant, product

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
PRICE = 100_00


def noon(days_ago: int) -> datetime:
    """Noon in China, some days before today."""
    today = timezone.now().astimezone(REPORT_ZONE).date()
    return datetime.combine(today - timedelta(days=days_ago), time(12), REPORT_ZONE)


def order(
    shop_sku: int, buyer: Member, *, days_ago: int, paid: bool = True, code: str | None = None
) -> Order:
    created = checkout.order_create(
        buyer=buyer, items=[checkout.Item(shop_sku, 1)], delivery=EXPRESS, share_code=code
    )
    if paid:
        checkout.sandbox_complete(created.payment)
    placed = Order.objects.filter(pk=created.orders[0].pk)
    placed.update(created_at=noon(days_ago))
    if paid:
        placed.update(paid_at=noon(days_ago))
        CommissionEntry.objects.filter(order_id=created.orders[0].pk).update(
            created_at=noon(days_ago)
        )
    return placed.get()


@dataclass
class World:
    shop: Merchant
    other: Merchant
    link: ShareLink


@pytest.fixture
def world() -> World:
    """Shop: a plan of 20 % with 5 % off for the buyer and 10 % to level 1.
    This week (7 days): a shared order (¥95 paid, ¥9.50 commission), a direct order (¥100) that
    is then refunded, and an unpaid order; 4 clicks on the share, 2 bindings through it, 1 new
    sharer. The week before: one direct order (¥100), 1 click. Another shop: one order (¥50)
    this week, and a binding and a sharer of its own."""
    shop, other = merchant(), merchant()
    owner = shop.owner
    distribution.plan_set(
        shop,
        actor=owner,
        plan=plan_rules.Plan(plan_rules.BP, 2000, 500, (1000, 0, 0), 0),
    )
    item, other_item = product(shop, price_fen=PRICE, stock=50), product(other, price_fen=50_00)
    sku, other_sku = item.skus.get().pk, other_item.skus.get().pk

    sharer = distributor_enable(MemberFactory.create())
    link_code = sharing.share_create(
        sharer=sharer, target_type="product", target_id=item.pk
    ).link.code
    link = ShareLink.objects.get(code=link_code)
    ShareLink.objects.filter(pk=link.pk).update(created_at=noon(3))
    for days_ago in (1, 1, 2, 6, 9):
        ShareClick.objects.create(link=link, visitor_key=f"v{days_ago}", clicked_at=noon(days_ago))

    shared_buyer, direct_buyer = MemberFactory.create(), MemberFactory.create()
    order(sku, shared_buyer, days_ago=2, code=link_code)
    refunded = order(sku, direct_buyer, days_ago=1)
    order(sku, MemberFactory.create(), days_ago=0, paid=False)
    order(sku, direct_buyer, days_ago=10)
    order(other_sku, MemberFactory.create(), days_ago=3)

    request = aftersales.aftersale_request(
        buyer=direct_buyer,
        order=refunded,
        kind="refund",
        lines=[(refunded.lines.get().pk, 1)],
        reason="不想要了",
    )
    aftersales.aftersale_approve(request, actor=owner)
    # The ledger is append-only: the refund stays booked today.

    Binding.objects.all().delete()  # only the bindings below, at known days
    for days_ago, source in ((2, f"landing:{link_code}"), (4, f"signup:{link_code}")):
        Binding.objects.create(
            member=MemberFactory.create(), parent=sharer, source=source, bound_at=noon(days_ago)
        )
    other_sharer = distributor_enable(MemberFactory.create())
    other_code = sharing.share_create(
        sharer=other_sharer,
        target_type="product",
        target_id=other_item.pk,
    ).link.code
    ShareLink.objects.filter(code=other_code).update(created_at=noon(2))
    Binding.objects.create(
        member=MemberFactory.create(),
        parent=other_sharer,
        source=f"landing:{other_code}",
        bound_at=noon(1),
    )
    return World(shop, other, link)


def test_a_merchants_week_in_exact_figures(world: World) -> None:
    board = dashboard(world.shop.pk, 7)

    figures = {key: (m.total, m.previous) for key, m in board.metrics.items()}
    assert figures == {
        "gmv": (95_00 + 100_00, 100_00),
        "orders": (2, 1),
        "share_orders": (1, 0),
        "created_orders": (3, 1),
        "created_paid": (2, 1),
        "paid_conversion": (0.6667, 1.0),
        "share_clicks": (4, 1),
        "share_conversion": (0.25, 0.0),
        "commissions": (9_50, 0),
        "commission_ratio": (0.0487, 0.0),
        "refund_amount": (100_00, 0),
        "refund_count": (1, 0),
        "new_bindings": (2, 0),
        "new_sharers": (1, 0),
    }
    assert board["gmv"].change == 0.95
    assert board["refund_amount"].change is None  # nothing to compare with
    assert board["gmv"].kind == "money"
    assert board["paid_conversion"].kind == "ratio"


def test_daily_series_run_oldest_first_to_today(world: World) -> None:
    board = dashboard(world.shop.pk, 7)

    assert board.days[-1] == timezone.now().astimezone(REPORT_ZONE).date()
    assert len(board.days) == 7
    assert board["gmv"].series == [0, 0, 0, 0, 95_00, 100_00, 0]
    assert board["share_clicks"].series == [1, 0, 0, 0, 1, 2, 0]
    assert board["share_conversion"].series == [0.0, None, None, None, 1.0, 0.0, None]
    assert board["created_orders"].series == [0, 0, 0, 0, 1, 1, 1]


def test_the_platform_sees_every_merchant(world: World) -> None:
    board = dashboard(None, 7)

    assert (board["gmv"].total, board["orders"].total) == (95_00 + 100_00 + 50_00, 3)
    assert (board["new_bindings"].total, board["new_sharers"].total) == (3, 2)
    assert board["refund_amount"].total == 100_00


def test_another_merchant_sees_only_its_own(world: World) -> None:
    board = dashboard(world.other.pk, 7)

    assert (board["gmv"].total, board["orders"].total, board["refund_count"].total) == (
        50_00,
        1,
        0,
    )
    assert (board["share_clicks"].total, board["new_bindings"].total) == (0, 1)
    assert board["share_conversion"].total is None  # no clicks: no conversion to speak of


def test_a_longer_period_takes_in_the_week_before(world: World) -> None:
    board = dashboard(world.shop.pk, 30)

    assert (board["gmv"].total, board["gmv"].previous) == (295_00, 0)
    assert len(board["gmv"].series) == 30


def test_the_dashboard_is_a_handful_of_queries(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(8):
        dashboard(world.shop.pk, 90)


@pytest.mark.parametrize(
    ("raw", "days"), [("7", 7), ("90", 90), ("30", 30), ("5", 30), (None, 30), ("x", 30)]
)
def test_the_period_is_7_30_or_90_days(raw: object, days: int) -> None:
    assert rules.period_days(raw) == days

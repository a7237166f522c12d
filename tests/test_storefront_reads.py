"""Reads behind the mobile shell: the buyer's order tab counts, 已售 and 分享赚."""

from __future__ import annotations

import pytest
from conftest import Api
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.checkout import services as checkout
from sharemall.distribution import selectors as distribution
from sharemall.orders import selectors as orders
from sharemall.orders.models import Order
from sharemall.platform import services as platform
from sharemall.posts.models import Post
from tests.factories import MemberFactory, OperatorFactory, merchant, product

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 200]}


def _order(buyer: Member, p: Product, units: int = 1, *, paid: bool = True) -> Order:
    created = checkout.order_create(
        buyer=buyer, items=[checkout.Item(p.skus.get().pk, units)], delivery=EXPRESS
    )
    if paid:
        checkout.sandbox_complete(created.payment)
    return Order.objects.get(pk=created.orders[0].pk)


def _move(order: Order, status: str, **fields: object) -> None:
    Order.objects.filter(pk=order.pk).update(status=status, **fields)


def test_buyer_status_counts_fill_each_tab_in_one_query() -> None:
    p = product(stock=100)
    buyer = MemberFactory.create()
    _order(buyer, p, paid=False)  # 待付款
    _order(buyer, p)  # 待发货
    _move(_order(buyer, p), "shipped")  # 待收货
    _move(_order(buyer, p), "ready_for_pickup")  # 待收货 too
    _move(_order(buyer, p), "received")  # 待评价
    reviewed = _order(buyer, p)
    _move(reviewed, "completed")
    line = reviewed.lines.get()
    Post.objects.create(author=buyer, order_line=line, product=p, text="好", rating=5)
    _move(_order(buyer, p), "paid", open_aftersales=1)  # 待发货 and 售后
    _order(MemberFactory.create(), p, paid=False)  # someone else's

    with CaptureQueriesContext(connection) as queries:
        counts = orders.buyer_status_counts(buyer.pk)

    assert counts == {
        "unpaid": 1,
        "to_ship": 2,
        "to_receive": 2,
        "to_review": 1,
        "aftersales": 1,
    }
    assert len(queries) == 1


def test_a_buyer_without_orders_has_zero_in_every_tab() -> None:
    assert orders.buyer_status_counts(MemberFactory.create().pk) == dict.fromkeys(
        ("unpaid", "to_ship", "to_receive", "to_review", "aftersales"), 0
    )


def test_sold_counts_paid_units_less_refunds_and_ranks_best_sellers() -> None:
    shop = merchant()
    tea, cup, unsold = (product(shop, stock=100, title=t) for t in ("茶", "杯", "壶"))
    buyer = MemberFactory.create()
    _order(buyer, tea, 3)
    _order(buyer, tea, 2, paid=False)  # never paid: not sold
    refunded = _order(buyer, cup, 4)
    refunded.lines.update(
        claimed_quantity=1, claimed_fen=9900, refunded_quantity=1, refunded_fen=9900
    )
    _order(buyer, cup, 1)

    assert orders.sold_counts([tea.pk, cup.pk, unsold.pk]) == {tea.pk: 3, cup.pk: 4}
    assert orders.best_selling_product_ids(5) == [cup.pk, tea.pk]


def test_share_earnings_are_level_one_on_the_cheapest_option_after_the_friends_discount(
    api: Api,
) -> None:
    shop = merchant()
    planned = product(shop, price_fen=10000, stock=5)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200
    unplanned = product(stock=5)
    sharer = MemberFactory.create()
    products = list(
        Product.objects.filter(pk__in=[planned.pk, unplanned.pk]).prefetch_related("skus__product")
    )

    with CaptureQueriesContext(connection) as queries:
        earnings = distribution.share_earnings(sharer, products)

    # ¥100 less the friend's 5 % is ¥95 paid; level 1 earns 8 % of it.
    assert earnings == {planned.pk: 760}
    assert len(queries) <= 2  # the platform rules and the plans
    assert distribution.share_earnings(None, products) == {}


def test_only_enabled_distributors_earn_under_designated_distribution(api: Api) -> None:
    shop = merchant()
    planned = product(shop, price_fen=10000, stock=5)
    api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner)
    platform.settings_update({"distribution_mode": "approved"}, actor=OperatorFactory.create())
    products = list(Product.objects.filter(pk=planned.pk).prefetch_related("skus__product"))

    assert distribution.share_earnings(MemberFactory.create(), products) == {}
    assert distribution.share_earnings(MemberFactory.create(is_distributor=True), products) == {
        planned.pk: 760
    }

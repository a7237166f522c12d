"""The pricing engine through the real checkout, for random carts: a quote is exactly the charge,
every order pays at least 1 fen, the lines' parts add up to the order, and a line's commission
base is never more than it paid — with 满减, a coupon and a share discount all in play."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharemall.distribution.models import CommissionEntry
from sharemall.orders.models import Order
from sharemall.promotions.rules import coupons as rules
from sharemall.promotions.rules.pricing import Coupon as PricedCoupon
from sharemall.promotions.services import coupons
from tests.factories import MemberFactory, merchant, product
from tests.flows import ADDRESS, pay, register, share

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 3000,
    "buyer_discount_bp": 700,
    "level_bp": [1000, 500, 200],
    "region_agent_bp": 0,
}

carts = st.lists(st.tuples(st.integers(1, 30000), st.integers(1, 3)), min_size=1, max_size=3)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cart=carts,
    tier=st.tuples(st.integers(1, 40000), st.integers(1, 39999)),
    coupon=st.tuples(st.integers(0, 30000), st.integers(1, 29999), st.booleans()),
    through_share=st.booleans(),
)
def test_a_quote_is_the_charge_and_every_part_adds_up(
    api: Api,
    cart: list[tuple[int, int]],
    tier: tuple[int, int],
    coupon: tuple[int, int, bool],
    through_share: bool,
) -> None:
    m = merchant()
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    skus = [product(m, price_fen=price, stock=50).skus.get() for price, _q in cart]
    now = timezone.now()
    threshold, off = max(tier), min(tier)
    if off < threshold:
        coupons.tiers_create(
            m,
            actor=m.owner,
            tiers=[rules.SpendTier(threshold, off)],
            valid_from=now - timedelta(hours=1),
            valid_to=now + timedelta(days=1),
        )
    over, amount, percent = coupon
    made = coupons.coupon_create(
        merchant=m,
        actor=m.owner,
        title="",
        definition=rules.Definition(
            PricedCoupon(
                "new",
                rules.PERCENT if percent else rules.AMOUNT,
                threshold_fen=0 if not percent and amount >= over else over,
                amount_fen=0 if percent else amount,
                percent_bp=amount % 10_000 + 1 if percent else 0,
                scope=rules.SCOPE_MERCHANT,
                scope_ids=frozenset({m.pk}),
                funded_by=rules.FUNDED_BY_MERCHANT,
                merchant_id=m.pk,
            ),
            total=10,
            per_member=1,
            valid_from=now - timedelta(hours=1),
            valid_to=now + timedelta(days=1),
        ),
    )
    buyer = MemberFactory.create()
    claim = coupons.coupon_claim(made, buyer)
    body: dict[str, Any] = {
        "items": [{"sku_id": s.pk, "quantity": q} for s, (_p, q) in zip(skus, cart, strict=True)],
        "delivery": ADDRESS,
        "coupon_ids": [claim.pk],
    }
    if through_share:
        _id, token = register(api, f"137{MemberFactory.create().phone[3:]}"[:11])
        body["share_code"] = share(api, token, skus[0].product_id)

    quoted = api.post("/orders/quote", body, as_=buyer)
    if quoted.status == 409:  # the coupon's threshold is not reached: refused, nothing written
        assert quoted.body["error"]["code"] == "coupon_not_applicable"
        assert api.post("/orders", body, as_=buyer).status == 409
        assert not Order.objects.filter(buyer=buyer).exists()
        return
    assert quoted.status == 200, quoted.body
    created = api.post("/orders", body, as_=buyer)
    assert created.status == 201, created.body
    assert created.body["amount_fen"] == quoted.body["total_fen"]
    order = Order.objects.get(buyer=buyer)
    q = quoted.body["orders"][0]
    assert (order.goods_fen, order.discount_fen, order.shipping_fen, order.total_fen) == (
        q["goods_fen"],
        q["discount_fen"],
        q["shipping_fen"],
        q["total_fen"],
    )
    assert (
        q["discount_fen"] == q["promotion_fen"] + q["tier_fen"] + q["coupon_fen"] + q["share_fen"]
    )
    assert order.total_fen - order.shipping_fen >= 1
    lines = list(order.lines.all())
    assert sum(line.paid_fen for line in lines) == order.total_fen - order.shipping_fen
    assert all(0 <= line.paid_fen <= line.unit_price_fen * line.quantity for line in lines)

    pay(api, buyer, created.body["payment_id"])
    for line in lines:
        earned = CommissionEntry.objects.filter(order_line=line).values_list(
            "amount_fen", flat=True
        )
        assert sum(earned) <= line.paid_fen

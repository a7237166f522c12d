"""Coupons and spend tiers through the API: defining, claiming, using at checkout, and the money
— a quote equals the charge, a platform coupon is booked to platform fees, a full refund gives
the coupon back and a partial one does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.test import Client
from django.utils import timezone

from sharemall.aftersales import services as aftersales
from sharemall.checkout import services as checkout
from sharemall.orders.models import Order
from sharemall.promotions.models import CouponClaim
from sharemall.wallet.services import balance, ledger_check, order_receivable, platform
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import ADDRESS, pay, register, share

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}


def _window(days: int = 7) -> dict[str, str]:
    now = timezone.now()
    return {
        "valid_from": (now - timedelta(hours=1)).isoformat(),
        "valid_to": (now + timedelta(days=days)).isoformat(),
    }


def _coupon(api: Api, m: Any, **fields: Any) -> int:
    body = {
        "kind": "amount",
        "amount_fen": 1000,
        "threshold_fen": 5000,
        "scope": "merchant",
        "total": 100,
        "per_member": 1,
        **_window(),
        **fields,
    }
    answer = api.post(f"/merchants/{m.pk}/coupons", body, as_=m.owner)
    assert answer.status == 201, answer.body
    return int(answer.body["id"])


def _claim(api: Api, member: Any, coupon_id: int) -> int:
    answer = api.post(f"/coupons/{coupon_id}/claim", as_=member)
    assert answer.status == 201, answer.body
    assert answer.body["status"] == "unused"
    return int(answer.body["id"])


def _order_body(items: list[tuple[int, int]], **extra: Any) -> dict[str, Any]:
    return {
        "items": [{"sku_id": s, "quantity": q} for s, q in items],
        "delivery": ADDRESS,
        **extra,
    }


def test_a_threshold_coupon_claimed_twice_by_one_member_is_refused(api: Api) -> None:
    m = merchant()
    coupon_id = _coupon(api, m)
    buyer = MemberFactory.create()
    _claim(api, buyer, coupon_id)
    again = api.post(f"/coupons/{coupon_id}/claim", as_=buyer)
    assert (again.status, again.body["error"]["code"]) == (409, "claim_limit")
    mine = api.get("/me/coupons", as_=buyer).body
    assert [(c["coupon_id"], c["status"]) for c in mine] == [(coupon_id, "unused")]


def test_the_last_coupon_goes_to_one_member_and_the_next_is_told_none_are_left(
    api: Api,
) -> None:
    m = merchant()
    coupon_id = _coupon(api, m, total=1)
    _claim(api, MemberFactory.create(), coupon_id)
    late = api.post(f"/coupons/{coupon_id}/claim", as_=MemberFactory.create())
    assert (late.status, late.body["error"]["code"]) == (409, "coupon_exhausted")
    centre = api.get("/coupons").body
    assert [c["remaining"] for c in centre if c["id"] == coupon_id] == [0]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "amount", "amount_fen": 0}, "invalid_coupon"),
        ({"kind": "percent", "amount_fen": 0, "percent_bp": 0}, "invalid_coupon"),
        ({"amount_fen": 6000, "threshold_fen": 5000}, "invalid_coupon"),
        ({"scope": "product", "scope_ids": []}, "missing_scope"),
        ({"per_member": 5, "total": 2}, "invalid_per_member"),
    ],
)
def test_a_bad_coupon_is_refused_with_its_reason(
    api: Api, fields: dict[str, Any], code: str
) -> None:
    m = merchant()
    body = {
        "kind": "amount",
        "amount_fen": 1000,
        "threshold_fen": 5000,
        "scope": "merchant",
        "total": 10,
        "per_member": 1,
        **_window(),
        **fields,
    }
    answer = api.post(f"/merchants/{m.pk}/coupons", body, as_=m.owner)
    assert (answer.status, answer.body["error"]["code"]) == (400, code)


def test_only_the_shop_owner_defines_its_coupons(api: Api) -> None:
    m = merchant()
    answer = api.post(
        f"/merchants/{m.pk}/coupons",
        {"kind": "amount", "amount_fen": 100, "scope": "merchant", "total": 1, **_window()},
        as_=MemberFactory.create(),
    )
    assert answer.status in (403, 404)


def test_tiers_coupon_and_share_discount_are_priced_as_by_hand(api: Api) -> None:
    """满 200 减 20 / 满 300 减 40, a coupon ¥15 off over ¥150 and a 5 % share discount. By hand,
    3 × ¥99.00 = ¥297.00: the tier 满200减20 → ¥277.00; the coupon (277 ≥ 150) → ¥262.00; the
    share saves floor(262.00 × 5 %) = ¥13.10 → ¥248.90, plus shipping."""
    m = merchant()
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    p = product(m, price_fen=9900, stock=10)
    sku = p.skus.get()
    tiers = api.post(
        f"/merchants/{m.pk}/spend-tiers",
        {
            "tiers": [
                {"threshold_fen": 20000, "off_fen": 2000},
                {"threshold_fen": 30000, "off_fen": 4000},
            ],
            **_window(),
        },
        as_=m.owner,
    )
    assert tiers.status == 201, tiers.body
    coupon_id = _coupon(api, m, amount_fen=1500, threshold_fen=15000)
    _s, sharer = register(api, "13700006001")
    code = share(api, sharer, p.pk)
    buyer = MemberFactory.create()
    claim_id = _claim(api, buyer, coupon_id)
    body = _order_body([(sku.pk, 3)], share_code=code, coupon_ids=[claim_id])

    quoted = api.post("/orders/quote", body, as_=buyer)
    assert quoted.status == 200, quoted.body
    q = quoted.body["orders"][0]
    assert (q["goods_fen"], q["tier_fen"], q["coupon_fen"], q["share_fen"]) == (
        29700,
        2000,
        1500,
        1310,
    )
    assert q["total_fen"] == 24890 + q["shipping_fen"]

    created = api.post("/orders", body, as_=buyer)
    assert created.status == 201, created.body
    order = Order.objects.get(pk=created.body["orders"][0]["id"])
    assert (order.goods_fen, order.discount_fen, order.total_fen) == (
        q["goods_fen"],
        q["discount_fen"],
        q["total_fen"],
    )
    assert created.body["amount_fen"] == quoted.body["total_fen"]
    mine = api.get("/me/coupons", as_=buyer).body
    assert [c["status"] for c in mine] == ["used"]
    # The commission base is what the line paid.
    line = order.lines.get()
    assert line.paid_fen == 24890


def test_one_coupon_pays_for_one_order_only(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=9900, stock=10).skus.get()
    buyer = MemberFactory.create()
    claim_id = _claim(api, buyer, _coupon(api, m))
    first = api.post("/orders", _order_body([(sku.pk, 1)], coupon_ids=[claim_id]), as_=buyer)
    assert first.status == 201, first.body
    second = api.post("/orders", _order_body([(sku.pk, 1)], coupon_ids=[claim_id]), as_=buyer)
    assert (second.status, second.body["error"]["code"]) == (409, "coupon_used")
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_a_coupon_under_its_threshold_or_of_another_member_is_refused(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=1000, stock=10).skus.get()
    buyer = MemberFactory.create()
    claim_id = _claim(api, buyer, _coupon(api, m))
    under = api.post("/orders/quote", _order_body([(sku.pk, 1)], coupon_ids=[claim_id]), as_=buyer)
    assert (under.status, under.body["error"]["code"]) == (409, "coupon_not_applicable")
    theirs = api.post(
        "/orders", _order_body([(sku.pk, 9)], coupon_ids=[claim_id]), as_=MemberFactory.create()
    )
    assert theirs.status == 404
    assert not Order.objects.exists()


def test_a_full_refund_gives_the_coupon_back_and_a_partial_refund_does_not(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=3000, stock=10).skus.get()
    buyer = MemberFactory.create()
    coupon_id = _coupon(api, m, per_member=2, total=10)
    whole, partial = _claim(api, buyer, coupon_id), _claim(api, buyer, coupon_id)

    for claim_id, refund_units in ((whole, 2), (partial, 1)):
        created = api.post("/orders", _order_body([(sku.pk, 2)], coupon_ids=[claim_id]), as_=buyer)
        assert created.status == 201, created.body
        pay(api, buyer, created.body["payment_id"])
        order = Order.objects.get(pk=created.body["orders"][0]["id"])
        line = order.lines.get()
        request = aftersales.aftersale_request(
            buyer=buyer,
            order=order,
            kind="refund",
            lines=[(line.pk, refund_units)],
            reason="不要了",
        )
        aftersales.aftersale_approve(request, actor=m.owner)

    status = {c["id"]: c["status"] for c in api.get("/me/coupons", as_=buyer).body}
    assert status == {whole: "unused", partial: "used"}
    assert ledger_check() == []


def test_an_unpaid_order_gives_its_coupon_back_at_timeout(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=9900, stock=10).skus.get()
    buyer = MemberFactory.create()
    claim_id = _claim(api, buyer, _coupon(api, m))
    created = api.post("/orders", _order_body([(sku.pk, 1)], coupon_ids=[claim_id]), as_=buyer)
    assert created.status == 201
    checkout.unpaid_timeout(timezone.now() + timedelta(days=1))
    assert [c["status"] for c in api.get("/me/coupons", as_=buyer).body] == ["unused"]


def test_a_platform_coupon_is_paid_to_the_merchant_from_platform_fees(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=10000, stock=10).skus.get()
    operator = OperatorFactory.create()
    made = api.post(
        "/platform/coupons",
        {
            "kind": "percent",
            "percent_bp": 1000,
            "cap_fen": 800,
            "scope": "platform",
            "total": 50,
            **_window(),
        },
        as_=operator,
    )
    assert made.status == 201, made.body
    buyer = MemberFactory.create()
    claim_id = _claim(api, buyer, made.body["id"])
    created = api.post("/orders", _order_body([(sku.pk, 1)], coupon_ids=[claim_id]), as_=buyer)
    assert created.status == 201, created.body
    order = Order.objects.get(pk=created.body["orders"][0]["id"])
    assert (order.discount_fen, order.platform_funded_fen) == (800, 800)
    pay(api, buyer, created.body["payment_id"])
    order.refresh_from_db()
    fee = order.total_fen * order.platform_fee_bp // 10_000
    # The merchant is owed the whole price less the fee: the buyer's ¥92 and the platform's ¥8.
    assert balance(order_receivable(order.pk)) == 10000 - fee
    assert balance(platform("platform_fees")) == fee - 800

    line = order.lines.get()
    request = aftersales.aftersale_request(
        buyer=buyer, order=order, kind="refund", lines=[(line.pk, 1)], reason="不要了"
    )
    aftersales.aftersale_approve(request, actor=m.owner)
    assert balance(order_receivable(order.pk)) == 0
    assert balance(platform("platform_fees")) == 0
    assert ledger_check() == []


def test_a_device_claims_no_more_than_one_member_may_through_any_account(api: Api) -> None:
    m = merchant()
    coupon_id = _coupon(api, m, per_member=2)
    farm = {"X-Device-Id": "farm-phone-1", "Accept-Language": "en"}
    first, second, third = (
        api.post(f"/coupons/{coupon_id}/claim", as_=MemberFactory.create(), headers=farm)
        for _ in range(3)
    )

    assert (first.status, second.status) == (201, 201)
    assert (third.status, third.body["error"]["code"]) == (409, "claim_limit")
    assert third.body["error"]["message"] == (
        "This device has already claimed this coupon as many times as one member may, "
        "with this or another account."
    )
    # Another phone, and a claim naming no device, are not held to the farm's count.
    other = api.post(
        f"/coupons/{coupon_id}/claim", as_=MemberFactory.create(), headers={"X-Device-Id": "p2"}
    )
    assert other.status == 201
    _claim(api, MemberFactory.create(), coupon_id)


def test_the_pages_claim_with_the_browsers_device(api: Api) -> None:
    m = merchant()
    coupon_id = _coupon(api, m, per_member=1)
    shared_browser = Client()
    shared_browser.get("/")
    for _ in range(2):
        shared_browser.force_login(MemberFactory.create())
        assert shared_browser.post(f"/coupons/{coupon_id}/claim").status_code == 302

    assert CouponClaim.objects.filter(coupon_id=coupon_id).count() == 1

"""Campaign analytics by hand: a shop's coupon used on two orders (one refunded in full, so not
counted), a flash sale's order, a platform coupon's order and a share task's sale, through
GET /merchants/{id}/campaigns and GET /platform/campaigns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.test import Client
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersales
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.checkout.pricing import Delivery, Item
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.models import CampaignOrder, Coupon
from sharemall.promotions.rules import coupons as coupon_rules
from sharemall.promotions.services import coupons
from sharemall.sharing import services as sharing
from tests.factories import MemberFactory, OperatorFactory, merchant, product

pytestmark = pytest.mark.django_db

EXPRESS = Delivery("express", "440305", "路 1 号", "收件人", "13912345678")
NO_DEGREES = {"1": 0, "2": 0, "3+": 0, "direct": 0}


def _coupon(m: Merchant | None, actor: Member, coupon: coupon_rules.Coupon, title: str) -> Coupon:
    now = timezone.now()
    return coupons.coupon_create(
        merchant=m,
        actor=actor,
        title=title,
        definition=coupon_rules.Definition(
            coupon,
            total=10,
            per_member=1,
            valid_from=now - timedelta(hours=1),
            valid_to=now + timedelta(days=7),
        ),
    )


def _bought(
    buyer: Member, sku: Sku, *, coupon: Coupon | None = None, share_code: str | None = None
) -> Order:
    claim_ids = [coupons.coupon_claim(coupon, buyer).pk] if coupon else []
    made = checkout.order_create(
        buyer=buyer,
        items=[Item(sku.pk, 1)],
        delivery=EXPRESS,
        coupon_ids=claim_ids,
        share_code=share_code,
    )
    checkout.sandbox_complete(made.payment)
    order = made.orders[0]
    order.refresh_from_db()
    return order


def _by_campaign(rows: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["kind"], r["campaign_id"]): r for r in rows}


def test_campaign_figures_by_hand(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=5000, stock=50).skus.get()
    operator = OperatorFactory.create()
    shop_coupon = _coupon(
        m,
        m.owner,
        coupon_rules.Coupon(
            "new",
            coupon_rules.AMOUNT,
            threshold_fen=3000,
            amount_fen=1000,
            scope=coupon_rules.SCOPE_MERCHANT,
            scope_ids=frozenset({m.pk}),
            funded_by=coupon_rules.FUNDED_BY_MERCHANT,
            merchant_id=m.pk,
        ),
        "满30减10",
    )
    unused = _coupon(
        m,
        m.owner,
        coupon_rules.Coupon(
            "new",
            coupon_rules.AMOUNT,
            amount_fen=100,
            scope=coupon_rules.SCOPE_MERCHANT,
            scope_ids=frozenset({m.pk}),
            funded_by=coupon_rules.FUNDED_BY_MERCHANT,
            merchant_id=m.pk,
        ),
        "无门槛1元",
    )
    mall_coupon = _coupon(
        None,
        operator,
        coupon_rules.Coupon("new", coupon_rules.PERCENT, percent_bp=1000, cap_fen=800),
        "全场9折",
    )
    # A coupon order through a share (degree 1): ¥50 − ¥10 = ¥40.
    sharer = MemberFactory.create()
    code = sharing.share_create(sharer=sharer, target_type="product", target_id=sku.product_id)
    kept = _bought(MemberFactory.create(), sku, coupon=shop_coupon, share_code=code.link.code)
    assert (kept.total_fen, kept.degree) == (4000, 1)
    # A second coupon order, refunded in full: no order, no GMV, no cost.
    refunded = _bought(MemberFactory.create(), sku, coupon=shop_coupon)
    aftersales.order_refund_whole(refunded, reason="测试")
    refunded.refresh_from_db()
    assert refunded.refunded_fen == refunded.total_fen == 4000
    # A flash-sale order, recorded as checkout records one: ¥15 off a ¥50 order.
    flash = _bought(MemberFactory.create(), sku)
    CampaignOrder.objects.create(kind="flash", campaign_id=77, order=flash, cost_fen=1500)
    # An unpaid flash order never counts.
    unpaid = checkout.order_create(
        buyer=MemberFactory.create(), items=[Item(sku.pk, 1)], delivery=EXPRESS
    ).orders[0]
    CampaignOrder.objects.create(kind="flash", campaign_id=77, order=unpaid, cost_fen=1500)
    # A platform coupon on the shop's order: 10% of ¥50 = ¥5 off, the platform's campaign.
    mall = _bought(MemberFactory.create(), sku, coupon=mall_coupon)
    assert mall.total_fen == 4500
    assert CampaignOrder.objects.filter(kind="coupon").count() == 3

    answer = api.get(f"/merchants/{m.pk}/campaigns", as_=m.owner)
    assert answer.status == 200, answer.body
    rows = _by_campaign(answer.body)
    assert set(rows) == {("coupon", shop_coupon.pk), ("coupon", unused.pk), ("flash", 77)}
    assert rows[("coupon", shop_coupon.pk)] == {
        "kind": "coupon",
        "campaign_id": shop_coupon.pk,
        "title": "满30减10",
        "orders": 1,
        "buyers": 1,
        "gmv_fen": 4000,
        "cost_fen": 1000,
        "cost_ratio_bp": 2500,
        "by_degree": {**NO_DEGREES, "1": 1},
    }
    flash_row = rows[("flash", 77)]
    assert (flash_row["orders"], flash_row["gmv_fen"], flash_row["cost_fen"]) == (1, 5000, 1500)
    assert flash_row["cost_ratio_bp"] == 3000
    assert flash_row["by_degree"] == {**NO_DEGREES, "direct": 1}
    idle = rows[("coupon", unused.pk)]
    assert (idle["orders"], idle["gmv_fen"], idle["cost_ratio_bp"]) == (0, 0, None)
    assert answer.body[0]["kind"] == "flash"  # most GMV first among equal orders

    answer = api.get("/platform/campaigns", as_=operator)
    assert answer.status == 200, answer.body
    [mall_row] = answer.body["coupons"]
    assert (mall_row["campaign_id"], mall_row["orders"], mall_row["gmv_fen"]) == (
        mall_coupon.pk,
        1,
        4500,
    )
    assert (mall_row["cost_fen"], mall_row["cost_ratio_bp"]) == (500, 1111)  # 500 / 4500
    kinds = {k["kind"]: k for k in answer.body["by_kind"]}
    assert set(kinds) == {"coupon", "flash"}
    assert (kinds["coupon"]["campaigns"], kinds["coupon"]["orders"]) == (2, 2)
    assert (kinds["coupon"]["gmv_fen"], kinds["coupon"]["cost_fen"]) == (8500, 1500)
    assert kinds["coupon"]["cost_ratio_bp"] == 1765  # 1500 / 8500 = 17.647 %
    assert kinds["coupon"]["by_degree"] == {**NO_DEGREES, "1": 1, "direct": 1}
    assert (kinds["flash"]["orders"], kinds["flash"]["cost_fen"]) == (1, 1500)

    # Another shop sees none of it.
    other = merchant()
    assert api.get(f"/merchants/{other.pk}/campaigns", as_=other.owner).body == []


def _client(member: Member, language: str = "zh-CN") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(member)
    return client


def test_the_campaign_pages_show_each_campaign_with_its_degrees(api: Api) -> None:
    m = merchant()
    sku = product(m, price_fen=5000, stock=20).skus.get()
    shop_coupon = _coupon(
        m,
        m.owner,
        coupon_rules.Coupon(
            "new",
            coupon_rules.AMOUNT,
            threshold_fen=3000,
            amount_fen=1000,
            scope=coupon_rules.SCOPE_MERCHANT,
            scope_ids=frozenset({m.pk}),
            funded_by=coupon_rules.FUNDED_BY_MERCHANT,
            merchant_id=m.pk,
        ),
        "满30减10",
    )
    code = sharing.share_create(
        sharer=MemberFactory.create(), target_type="product", target_id=sku.product_id
    ).link.code
    _bought(MemberFactory.create(), sku, coupon=shop_coupon, share_code=code)
    flash = _bought(MemberFactory.create(), sku)
    CampaignOrder.objects.create(kind="flash", campaign_id=77, order=flash, cost_fen=1500)

    page = _client(m.owner).get("/merchant/campaigns")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/merchant/campaigns"' in html and 'aria-current="page"' in html  # the menu
    assert "营销活动" in html  # Chinese first
    row = html.split(f'data-campaign="coupon-{shop_coupon.pk}"')[1].split("</tr>")[0]
    assert "满30减10" in row and "¥40.00" in row and "¥10.00" in row and "25 %" in row
    assert row.count("<rect") == 1  # one order, all of degree 1
    assert "<title>一度传播: 1</title>" in row
    flash_row = html.split('data-campaign="flash-77"')[1].split("</tr>")[0]
    assert "¥50.00" in flash_row and "¥15.00" in flash_row and flash_row.count("<rect") == 1

    # A clerk is not the owner; a stranger is sent to log in.
    clerk = MemberFactory.create()
    merchant_services.staff_add(m, phone=clerk.phone)
    assert _client(clerk).get("/merchant/campaigns").status_code in (403, 404)
    assert Client().get("/merchant/campaigns").status_code == 302
    # Another shop's owner sees their own (empty) campaigns.
    other = _client(merchant().owner, "en").get("/merchant/campaigns").content.decode()
    assert "满30减10" not in other and "No campaign yet" in other

    operator = OperatorFactory.create()
    desk = _client(operator).get("/platform/campaigns")
    assert desk.status_code == 200
    html = desk.content.decode()
    assert 'href="/platform/campaigns"' in html
    assert 'data-campaign="coupon-0"' in html and 'data-campaign="flash-0"' in html
    member = _client(MemberFactory.create()).get("/platform/campaigns")
    assert member.status_code == 404

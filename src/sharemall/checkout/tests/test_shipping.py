"""Checkout charges shipping per merchant order from the products' freight templates: the buyer
pays it, the merchant is owed it, and neither the commission base nor the platform fee includes
it. POST /orders/quote answers exactly what POST /orders charges, writing nothing."""

from __future__ import annotations

import random
from typing import Any

import pytest
from conftest import Api
from tests.factories import MemberFactory, merchant, product
from tests.flows import ADDRESS, pay, register, share

from sharemall.catalog.models import Product, Sku
from sharemall.distribution.models import CommissionEntry
from sharemall.freight import rules as freight_rules
from sharemall.freight import services as freight_services
from sharemall.freight.models import FreightTemplate
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.payments.models import Payment
from sharemall.wallet.models import Posting
from sharemall.wallet.services import ledger_check

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}

# By piece: ¥10 the first piece and ¥5 each more anywhere; Guangdong ¥6 and ¥2; not Xinjiang.
BY_PIECE = freight_rules.Template(
    by="piece",
    rules=(
        freight_rules.Rule((), 1, 1000, 1, 500),
        freight_rules.Rule(("440000",), 1, 600, 1, 200),
    ),
    no_delivery_region_codes=("650000",),
)
# By weight: ¥12 the first kilogram, ¥3 each further 500 g started, free from ¥300 of goods.
BY_WEIGHT = freight_rules.Template(
    by="weight",
    rules=(freight_rules.Rule((), 1000, 1200, 500, 300),),
    free_over_fen=30000,
)


def _template(m: Merchant, template: freight_rules.Template) -> FreightTemplate:
    return freight_services.template_create(m, name=f"运费{template.by}", template=template)


def _shipped_with(p: Product, template: FreightTemplate, weight_grams: int = 0) -> Sku:
    Product.objects.filter(pk=p.pk).update(freight_template=template)
    sku = p.skus.get()
    Sku.objects.filter(pk=sku.pk).update(weight_grams=weight_grams)
    return sku


def _body(items: list[tuple[int, int]], **extra: Any) -> dict[str, Any]:
    return {
        "items": [{"sku_id": s, "quantity": q} for s, q in items],
        "delivery": ADDRESS,
        **extra,
    }


def test_by_piece_shipping_is_paid_owed_to_the_merchant_and_never_a_commission_base(
    api: Api,
) -> None:
    m = merchant()
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    p = product(m, price_fen=9999, stock=10)
    sku = _shipped_with(p, _template(m, BY_PIECE))
    _s, sharer = register(api, "13700005001")
    code = share(api, sharer, p.pk)
    buyer = MemberFactory.create()
    body = _body([(sku.pk, 3)], share_code=code)

    quoted = api.post("/orders/quote", body, as_=buyer)
    created = api.post("/orders", body, as_=buyer)

    # By hand: goods 3 × 99.99 = 299.97; the share saves 5 %, floor(299.97 × 5 %) = 14.99;
    # 3 pieces to Nanshan (Guangdong rule) ship for 6 + 2 × 2 = ¥10.
    goods, discount, shipping = 29997, 1499, 1000
    total = goods - discount + shipping
    assert quoted.status == 200, quoted.body
    assert quoted.body["orders"] == [
        {
            "merchant_id": m.pk,
            "goods_fen": goods,
            "discount_fen": discount,
            "shipping_fen": shipping,
            "total_fen": total,
            "promotion_fen": 0,
            "tier_fen": 0,
            "coupon_fen": 0,
            "share_fen": discount,
        }
    ]
    assert quoted.body["total_fen"] == total and quoted.body["shipping_fen"] == shipping
    assert created.status == 201, created.body
    assert created.body["amount_fen"] == total
    (answered,) = created.body["orders"]
    assert answered["shipping_fen"] == shipping and answered["total_fen"] == total
    assert answered["order_no"]
    order = Order.objects.get(pk=answered["id"])
    assert (order.goods_fen, order.discount_fen, order.shipping_fen) == (goods, discount, shipping)

    pay(api, buyer, created.body["payment_id"])
    # The commission base is what the buyer paid for the goods: shipping stays out.
    entries = CommissionEntry.objects.filter(order=order, reversal_of=None)
    assert entries and {e.base_fen for e in entries} == {goods - discount}
    # The merchant is owed the shipping; the platform fee is charged on the goods only.
    fee = (goods - discount) * order.platform_fee_bp // 10_000
    captured = Posting.objects.filter(transaction__key=f"payment:{order.payment_id}:captured")
    # Booked on the order's own account: its gross credited, the fee debited beside it.
    owed = captured.filter(account__kind="order_receivable", account__owner_id=order.pk)
    assert sorted(p.amount_fen for p in owed) == sorted([-total, fee])
    assert captured.get(account__kind="platform_fees").amount_fen == -fee
    assert ledger_check() == []


def test_store_pickup_pays_no_shipping(api: Api) -> None:
    m = merchant()
    store = merchant_services.store_create(
        m,
        kind="offline",
        name="南山店",
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )
    sku = _shipped_with(product(m, price_fen=500), _template(m, BY_PIECE))
    body = {
        "items": [{"sku_id": sku.pk, "quantity": 2}],
        "delivery": {"type": "pickup", "store_id": store.pk},
    }
    buyer = MemberFactory.create()
    assert api.post("/orders/quote", body, as_=buyer).body["orders"][0]["shipping_fen"] == 0
    created = api.post("/orders", body, as_=buyer).body
    assert created["amount_fen"] == 1000 and created["orders"][0]["shipping_fen"] == 0


def test_a_region_the_template_does_not_serve_is_refused_and_nothing_is_written(
    api: Api,
) -> None:
    m = merchant()
    free = product(m, price_fen=500).skus.get()  # no template: would ship free anywhere
    sku = _shipped_with(product(m, price_fen=500), _template(m, BY_PIECE))
    buyer = MemberFactory.create()
    body = _body([(free.pk, 1), (sku.pk, 1)])
    body["delivery"] = {**ADDRESS, "region_code": "650102"}  # Urumqi, Xinjiang
    for path in ("/orders/quote", "/orders"):
        answer = api.post(path, body, as_=buyer)
        assert answer.status == 400 and answer.error_code == "region_not_served", answer.body
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_products_without_a_template_ship_free(api: Api) -> None:
    sku = product(price_fen=700).skus.get()
    created = api.post("/orders", _body([(sku.pk, 2)]), as_=MemberFactory.create()).body
    assert created["amount_fen"] == 1400 and created["orders"][0]["shipping_fen"] == 0


def test_the_quote_is_what_checkout_charges_for_random_carts(api: Api) -> None:
    """Two shops, products by piece, by weight and without a template, random quantities and
    weights: the quote and the order agree on every amount, and a quote writes nothing."""
    rng = random.Random(11)
    shops = [merchant(), merchant()]
    skus: list[Sku] = []
    for m in shops:
        piece, weight = _template(m, BY_PIECE), _template(m, BY_WEIGHT)
        for template in (piece, weight, None):
            p = product(m, price_fen=rng.randint(100, 20000), stock=999)
            skus.append(
                _shipped_with(p, template, rng.randint(0, 3000)) if template else p.skus.get()
            )
    for _ in range(6):
        buyer = MemberFactory.create()
        cart = [(s.pk, rng.randint(1, 4)) for s in rng.sample(skus, rng.randint(1, len(skus)))]
        body = _body(cart)
        body["delivery"] = {**ADDRESS, "region_code": rng.choice(["440305", "110101"])}
        quoted = api.post("/orders/quote", body, as_=buyer).body
        assert not Order.objects.filter(buyer=buyer).exists()
        created = api.post("/orders", body, as_=buyer).body
        orders = Order.objects.filter(buyer=buyer).order_by("merchant_id")
        keys = ("merchant_id", "goods_fen", "discount_fen", "shipping_fen", "total_fen")
        assert [{k: o[k] for k in keys} for o in quoted["orders"]] == [
            {
                "merchant_id": o.merchant_id,
                "goods_fen": o.goods_fen,
                "discount_fen": o.discount_fen,
                "shipping_fen": o.shipping_fen,
                "total_fen": o.total_fen,
            }
            for o in orders
        ]
        assert quoted["total_fen"] == created["amount_fen"]
        pay(api, buyer, created["payment_id"])
    assert Order.objects.filter(shipping_fen__gt=0).exists()
    assert ledger_check() == []


def _paid_with_shipping(api: Api) -> tuple[Order, Any, Merchant]:
    """3 pieces at ¥50 by the by-piece template to Nanshan: ¥150 of goods and ¥10 shipping."""
    m = merchant()
    sku = _shipped_with(product(m, price_fen=5000), _template(m, BY_PIECE))
    buyer = MemberFactory.create()
    created = api.post("/orders", _body([(sku.pk, 3)]), as_=buyer).body
    pay(api, buyer, created["payment_id"])
    order = Order.objects.get(pk=created["orders"][0]["id"])
    assert (order.shipping_fen, order.total_fen) == (1000, 16000)
    return order, buyer, m


def _refund(api: Api, order: Order, buyer: Any, quantity: int) -> dict[str, Any]:
    line = order.lines.get()
    asked = api.post(
        f"/orders/{order.pk}/aftersales",
        {"type": "refund", "lines": [{"line_id": line.pk, "quantity": quantity}], "reason": "x"},
        as_=buyer,
    )
    assert asked.status == 201, asked.body
    approved = api.post(f"/aftersales/{asked.body['id']}/approve", as_=order.merchant.owner)
    assert approved.status == 200, approved.body
    return dict(approved.body)


def test_refunding_everything_before_shipping_gives_the_shipping_back(api: Api) -> None:
    order, buyer, _m = _paid_with_shipping(api)
    assert _refund(api, order, buyer, 1)["refund_fen"] == 5000  # a part: goods only
    assert _refund(api, order, buyer, 2)["refund_fen"] == 10000 + 1000  # the rest, and shipping
    order.refresh_from_db()
    assert order.refunded_fen == order.total_fen and order.status == "closed"
    owed = Posting.objects.filter(account__kind="order_receivable", account__owner_id=order.pk)
    fees = Posting.objects.filter(account__kind="platform_fees")
    assert sum(p.amount_fen for p in owed) == 0 and sum(p.amount_fen for p in fees) == 0
    assert ledger_check() == []


def test_after_shipping_the_shipping_is_not_refunded_automatically(api: Api) -> None:
    order, buyer, m = _paid_with_shipping(api)
    shipped = api.post(
        f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=m.owner
    )
    assert shipped.status == 200, shipped.body
    assert _refund(api, order, buyer, 3)["refund_fen"] == 15000
    order.refresh_from_db()
    assert order.refunded_fen == 15000
    owed = Posting.objects.filter(account__kind="order_receivable", account__owner_id=order.pk)
    # The merchant keeps the shipping, less nothing: the fee was on the goods only.
    assert -sum(p.amount_fen for p in owed) == 1000
    assert ledger_check() == []

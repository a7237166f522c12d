"""Checkout takes `delivery: {type: "express", address_id}`: a saved address of the caller."""

from __future__ import annotations

import pytest
from conftest import Api
from tests.factories import MemberFactory, merchant, product

from sharemall.addresses import rules, services
from sharemall.orders.models import Order

pytestmark = pytest.mark.django_db


def test_an_order_goes_to_a_saved_address_and_the_quote_agrees(api: Api) -> None:
    buyer = MemberFactory.create()
    sku = product(merchant(), stock=10).skus.get()
    saved = services.address_create(
        buyer,
        rules.address_fields(
            region_code="440305", address="科技园 1 号", receiver="张三", phone="13912345678"
        ),
    )
    body = {
        "items": [{"sku_id": sku.pk, "quantity": 1}],
        "delivery": {"type": "express", "address_id": saved.pk},
    }
    quoted = api.post("/orders/quote", body, as_=buyer)
    assert quoted.status == 200, quoted.body
    created = api.post("/orders", body, as_=buyer)
    assert created.status == 201, created.body
    assert created.body["amount_fen"] == quoted.body["total_fen"]
    order = Order.objects.get(pk=created.body["orders"][0]["id"])
    assert (order.region_code, order.address, order.receiver, order.phone) == (
        "440305",
        "科技园 1 号",
        "张三",
        "13912345678",
    )


def test_someone_elses_address_is_not_found_and_pickup_takes_none(api: Api) -> None:
    buyer, other = MemberFactory.create(), MemberFactory.create()
    sku = product(merchant(), stock=10).skus.get()
    theirs = services.address_create(
        other,
        rules.address_fields(
            region_code="440305", address="科技园 1 号", receiver="李四", phone="13912345678"
        ),
    )
    items = [{"sku_id": sku.pk, "quantity": 1}]
    for path in ("/orders/quote", "/orders"):
        answer = api.post(
            path,
            {"items": items, "delivery": {"type": "express", "address_id": theirs.pk}},
            as_=buyer,
        )
        assert answer.status == 404, answer.body
        pickup = api.post(
            path,
            {"items": items, "delivery": {"type": "pickup", "address_id": theirs.pk}},
            as_=buyer,
        )
        assert (pickup.status, pickup.error_code) == (400, "invalid_address")
    assert not Order.objects.filter(buyer=buyer).exists()

"""Flash sales bought through POST /orders: the flash price, the per-member limit, sold out,
and unpaid orders giving their flash stock back at timeout. (Races over HTTP: at the end.)"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.db import connection
from django.test import Client
from django.utils import timezone

from sharemall.accounts.services import token_issue
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.orders.models import Order
from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale
from sharemall.promotions.tests.flash_support import forget_snapshots, live_sale, members
from tests.factories import MemberFactory
from tests.flows import ADDRESS, pay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_snapshots() -> Iterator[None]:
    forget_snapshots()
    yield
    forget_snapshots()


def order_body(sale: FlashSale, quantity: int = 1) -> dict[str, Any]:
    return {
        "items": [{"sku_id": sale.sku_id, "quantity": quantity, "flash_sale_id": sale.pk}],
        "delivery": ADDRESS,
    }


def test_an_order_of_a_live_sale_is_charged_the_flash_price_and_holds_its_units(
    api: Api,
) -> None:
    sale = live_sale(stock=5, per_member=2, price_fen=990)
    buyer = MemberFactory.create()
    quote = api.post("/orders/quote", order_body(sale, 2), as_=buyer)
    assert quote.status == 200, quote.body
    created = api.post("/orders", order_body(sale, 2), as_=buyer)
    assert created.status == 201, created.body
    (order,) = created.body["orders"]
    assert order["lines"][0]["paid_fen"] == 1980
    assert created.body["amount_fen"] == quote.body["orders"][0]["total_fen"]
    assert FlashSale.objects.get(pk=sale.pk).sold == 2
    assert Sku.objects.get(pk=sale.sku_id).stock == 10_000 - 2
    assert FlashPurchase.objects.get().order_id == order["id"]
    pay(api, buyer, created.body["payment_id"])
    assert FlashPurchase.objects.get().status == "paid"
    page = api.get(f"/flash-sales/{sale.pk}").body
    assert (page["sold"], page["remaining"]) == (2, 3)


def test_a_member_buys_at_most_the_limit_across_orders(api: Api) -> None:
    sale = live_sale(stock=5, per_member=2)
    buyer = MemberFactory.create()
    over = api.post("/orders", order_body(sale, 3), as_=buyer)
    assert over.status == 409
    assert api.post("/orders", order_body(sale, 1), as_=buyer).status == 201
    assert api.post("/orders", order_body(sale, 1), as_=buyer).status == 201
    third = api.post("/orders", order_body(sale, 1), as_=buyer)
    assert (third.status, third.error_code) == (409, "flash_limit")
    assert FlashSale.objects.get(pk=sale.pk).sold == 2
    assert Order.objects.filter(buyer=buyer).count() == 2


def test_sold_out_and_not_live_are_409_and_write_nothing(api: Api) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = MemberFactory.create(), MemberFactory.create()
    assert api.post("/orders", order_body(sale), as_=a).status == 201
    gone = api.post("/orders", order_body(sale), as_=b)
    assert (gone.status, gone.error_code) == (409, "flash_sold_out")
    now = timezone.now()
    later = live_sale(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    early = api.post("/orders", order_body(later), as_=b)
    assert (early.status, early.error_code) == (409, "flash_not_live")
    assert not Order.objects.filter(buyer=b).exists()
    assert not FlashQuota.objects.filter(member=b).exists()


def test_unpaid_orders_give_their_flash_stock_back_at_timeout(
    api: Api, django_capture_on_commit_callbacks: Any
) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = MemberFactory.create(), MemberFactory.create()
    created = api.post("/orders", order_body(sale), as_=a)
    assert created.status == 201
    assert api.post("/orders", order_body(sale), as_=b).error_code == "flash_sold_out"
    # The release gives the unit back to the Redis gate (with REDIS_URL) when it commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert checkout.unpaid_timeout(timezone.now() + timedelta(hours=1)) == 1
    assert checkout.unpaid_timeout(timezone.now() + timedelta(hours=1)) == 0  # once
    assert FlashSale.objects.get(pk=sale.pk).sold == 0
    assert FlashQuota.objects.get(member=a).bought == 0
    assert FlashPurchase.objects.get().status == "released"
    forget_snapshots()  # another process, or this one a second later
    assert api.post("/orders", order_body(sale), as_=b).status == 201
    assert FlashSale.objects.get(pk=sale.pk).sold == 1


# -- over HTTP, concurrently (PostgreSQL) ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_buyers_racing_over_http_for_five_units_make_exactly_five_orders() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")
    sale = live_sale(stock=5, per_member=1)
    tokens = [token_issue(m) for m in members(30)]
    barrier = threading.Barrier(len(tokens))
    answers: list[tuple[int, str]] = []

    def buy(token: str) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait(timeout=20)
        try:
            r = client.post("/api/v1/orders", json.dumps(order_body(sale)), "application/json")
            code = r.json().get("error", {}).get("code", "") if r.status_code != 201 else ""
            answers.append((r.status_code, code))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Counter(answers) == {(201, ""): 5, (409, "flash_sold_out"): 25}
    assert Order.objects.count() == 5
    assert FlashSale.objects.get(pk=sale.pk).sold == 5
    assert FlashPurchase.objects.count() == 5

"""Buying a bargain run through checkout: the starter's one unit at the run's price, once,
through POST /bargain-runs/{id}/buy (and the page's 立即购买), paid, or given back at the
unpaid timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.test import Client
from django.utils import timezone
from tests.factories import MemberFactory, merchant, product
from tests.flows import ADDRESS, pay

from sharemall.accounts.models import Member
from sharemall.addresses import rules as address_rules
from sharemall.addresses import services as addresses
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.orders.models import Order, OrderLine
from sharemall.promotions.models import BargainRun, CampaignOrder
from sharemall.promotions.rules import bargains as rules
from sharemall.promotions.services import bargains

pytestmark = pytest.mark.django_db

PRICE, FLOOR, K = 6600, 1600, 3


def a_run() -> tuple[BargainRun, Member, Sku]:
    m = merchant()
    sku = product(m, price_fen=PRICE, stock=5).skus.get()
    bargain = bargains.bargain_create(
        m, sku_id=sku.pk, floor_price_fen=FLOOR, helpers_needed=K, hours=24
    )
    starter = MemberFactory.create()
    return bargains.run_start(bargain.pk, starter=starter).run, starter, sku


def to_the_floor(api: Api, run: BargainRun) -> None:
    for _ in range(K):
        assert api.post(f"/bargain-runs/{run.pk}/help", as_=MemberFactory.create()).status == 200


def buy(api: Api, run: BargainRun, who: Member) -> Any:
    return api.post(f"/bargain-runs/{run.pk}/buy", {"delivery": ADDRESS}, as_=who)


def test_the_starter_buys_one_unit_at_the_floor_once(api: Api) -> None:
    run, starter, sku = a_run()
    to_the_floor(api, run)
    stranger = buy(api, run, MemberFactory.create())
    assert stranger.status == 404, stranger.body
    helper = buy(api, run, run.help_rows.first().helper)  # type: ignore[union-attr]
    assert helper.status == 404

    bought = buy(api, run, starter)
    assert bought.status == 201, bought.body
    (order,) = bought.body["orders"]
    assert [(ln["sku_id"], ln["quantity"], ln["paid_fen"]) for ln in order["lines"]] == [
        (sku.pk, 1, FLOOR)
    ]
    assert order["total_fen"] == FLOOR + order["shipping_fen"]
    assert bought.body["amount_fen"] == order["total_fen"]
    assert OrderLine.objects.get(order_id=order["id"]).paid_fen == FLOOR
    # Campaign analytics: the bargain (not the run) gave PRICE − FLOOR off this order.
    assert list(
        CampaignOrder.objects.filter(order_id=order["id"]).values_list(
            "kind", "campaign_id", "cost_fen"
        )
    ) == [("bargain", run.bargain_id, PRICE - FLOOR)]

    again = buy(api, run, starter)
    assert (again.status, again.error_code) == (409, "bargain_closed")
    assert Order.objects.filter(buyer=starter).count() == 1

    pay(api, starter, bought.body["payment_id"])
    saved = BargainRun.objects.get(pk=run.pk)
    assert (saved.status, saved.order_id) == (rules.BOUGHT, order["id"])
    assert api.get(f"/bargain-runs/{run.pk}").body["status"] == "bought"
    assert (buy(api, run, starter).status, buy(api, run, starter).error_code) == (
        409,
        "bargain_closed",
    )


def test_the_starter_may_buy_before_the_floor_at_the_current_price(api: Api) -> None:
    run, starter, _sku = a_run()
    cut = api.post(f"/bargain-runs/{run.pk}/help", as_=MemberFactory.create()).body
    bought = buy(api, run, starter)
    assert bought.status == 201, bought.body
    assert bought.body["orders"][0]["lines"][0]["paid_fen"] == cut["current_price_fen"]
    # Ordered: friends can no longer cut a price the order has fixed.
    late = api.post(f"/bargain-runs/{run.pk}/help", as_=MemberFactory.create())
    assert (late.status, late.error_code) == (409, "bargain_closed")


def test_an_expired_run_is_not_sold(api: Api) -> None:
    run, starter, _sku = a_run()
    BargainRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = buy(api, run, starter)
    assert (answer.status, answer.error_code) == (409, "bargain_expired")
    assert not Order.objects.filter(buyer=starter).exists()


def test_an_unpaid_order_gives_the_run_back_at_the_timeout(api: Api) -> None:
    run, starter, _sku = a_run()
    to_the_floor(api, run)
    first = buy(api, run, starter)
    assert first.status == 201
    checkout.unpaid_timeout(timezone.now() + timedelta(days=1))
    saved = BargainRun.objects.get(pk=run.pk)
    assert (saved.status, saved.order_id) == (rules.OPEN, None)
    second = buy(api, run, starter)
    assert second.status == 201, second.body
    assert second.body["orders"][0]["lines"][0]["paid_fen"] == FLOOR


def test_the_page_buys_to_the_default_address_and_goes_to_pay(api: Api) -> None:
    run, starter, _sku = a_run()
    to_the_floor(api, run)
    client = Client()
    client.force_login(starter)
    no_address = client.post(f"/bargain/{run.pk}/buy")
    assert no_address.status_code == 302
    assert no_address["Location"] == "/me/addresses"
    addresses.address_create(
        starter,
        address_rules.address_fields(
            region_code="440305", address="路 1 号", receiver="收件人", phone="13912345678"
        ),
    )
    response = client.post(f"/bargain/{run.pk}/buy")
    assert response.status_code == 302
    order = Order.objects.get(buyer=starter)
    assert order.lines.get().paid_fen == FLOOR
    assert order.payment.payment_no in response["Location"]
    assert BargainRun.objects.get(pk=run.pk).status == rules.ORDERED

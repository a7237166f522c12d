"""After dispatch the postage is the merchant's to give back (docs/freight.md): an option when
approving the request that refunds the order's last goods, on the API and the console page."""

from __future__ import annotations

import pytest
from conftest import Api
from django.test import Client

from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.services import InvalidAfterSale
from sharemall.freight import rules as freight_rules
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.wallet.services import ledger_check
from tests.settlement_support import sell, shop_with_plan

pytestmark = pytest.mark.django_db

POSTAGE = freight_rules.Template(by="piece", rules=(freight_rules.Rule((), 1, 1000, 1, 0),))


def _shipped(lines: list[tuple[int, int]]) -> Order:
    shop = shop_with_plan(None)
    sale = sell(shop, lines, through_share=False, shipping_template=POSTAGE)
    return orders.order_ship(sale.order, actor=shop.owner, carrier="SF", tracking_no="SF1")


def _request(order: Order, parts: list[tuple[int, int]]) -> aftersales.AfterSale:
    return aftersales.aftersale_request(
        buyer=order.buyer, order=order, kind="refund", lines=parts, reason="不想要了"
    )


def test_the_merchant_gives_the_postage_back_with_the_last_goods() -> None:
    order = _shipped([(3_000, 1)])
    assert order.shipping_fen == 1_000
    line = order.lines.get()
    request = _request(order, [(line.pk, 1)])
    assert request.refund_fen == 3_000  # after dispatch, goods only
    assert aftersale_selectors.shipping_offer_fen(request) == 1_000

    done = aftersales.aftersale_approve(request, actor=order.merchant.owner, refund_shipping=True)

    order.refresh_from_db()
    assert done.refund_fen == 4_000 and order.refunded_fen == order.total_fen == 4_000
    assert ledger_check() == []


def test_the_postage_goes_back_only_with_the_last_goods_and_only_when_paid() -> None:
    order = _shipped([(3_000, 1), (2_000, 1)])
    first = order.lines.order_by("pk").first()
    assert first is not None
    partial = _request(order, [(first.pk, 1)])
    assert aftersale_selectors.shipping_offer_fen(partial) == 0

    with pytest.raises(InvalidAfterSale) as refused:
        aftersales.aftersale_approve(partial, actor=order.merchant.owner, refund_shipping=True)

    assert refused.value.code == "shipping_with_last_goods"
    partial.refresh_from_db()
    assert (partial.status, partial.refund_fen) == ("requested", 3_000)  # nothing written
    free = sell(shop_with_plan(None), [(3_000, 1)], through_share=False).order
    free = orders.order_ship(free, actor=free.merchant.owner, carrier="SF", tracking_no="SF2")
    with pytest.raises(InvalidAfterSale) as none:
        aftersales.aftersale_approve(
            _request(free, [(free.lines.get().pk, 1)]),
            actor=free.merchant.owner,
            refund_shipping=True,
        )
    assert none.value.code == "no_shipping"


def test_the_console_offers_the_choice_and_the_api_takes_it() -> None:
    order = _shipped([(3_000, 1)])
    request = _request(order, [(order.lines.get().pk, 1)])
    client = Client(headers={"accept-language": "en"})
    client.force_login(order.merchant.owner)

    page = client.get(f"/merchant/aftersales/{request.pk}").content.decode()
    response = client.post(
        f"/merchant/aftersales/{request.pk}/approve", {"note": "", "refund_shipping": "on"}
    )

    assert "Also give the shipping (¥10.00) back" in page
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.refund_fen == 4_000


def test_the_api_approval_takes_the_choice(api: Api) -> None:
    order = _shipped([(3_000, 1)])
    request = _request(order, [(order.lines.get().pk, 1)])
    other = _shipped([(3_000, 1), (2_000, 1)])
    partial = _request(other, [(other.lines.order_by("pk")[0].pk, 1)])

    done = api.post(
        f"/aftersales/{request.pk}/approve", {"refund_shipping": True}, as_=order.merchant.owner
    )
    refused = api.post(
        f"/aftersales/{partial.pk}/approve", {"refund_shipping": True}, as_=other.merchant.owner
    )

    assert done.status == 200 and done.body["refund_fen"] == 4_000
    assert refused.status == 400 and refused.error_code == "shipping_with_last_goods"

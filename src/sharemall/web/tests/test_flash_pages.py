"""The buyer's flash-sale pages: the countdown page in each state, and the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.orders.models import Order
from sharemall.promotions.models.flash import FlashPurchase, FlashSale
from sharemall.promotions.tests.flash_support import forget_snapshots, live_sale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_snapshots() -> Iterator[None]:
    forget_snapshots()
    yield
    forget_snapshots()


def test_a_live_sale_shows_its_price_stock_countdown_and_the_grab_button() -> None:
    sale = live_sale(stock=10)
    FlashSale.objects.filter(pk=sale.pk).update(sold=4)
    page = Client().get(f"/flash/{sale.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥9.90" in html and "¥99.00" in html
    assert 'max="10" value="4"' in html
    assert 'id="flash-countdown"' in html and "data-server-now=" in html
    assert f"?sku={sale.sku_id}&amp;quantity=1&amp;flash={sale.pk}" in html
    assert "立即抢购" in html and "距结束" in html


def test_upcoming_sold_out_and_ended_sales_have_no_grab_link() -> None:
    now = timezone.now()
    upcoming = live_sale(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    sold_out = live_sale(stock=2)
    FlashSale.objects.filter(pk=sold_out.pk).update(sold=2)
    ended = live_sale(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    for sale in (upcoming, sold_out, ended):
        html = Client().get(f"/flash/{sale.pk}").content.decode()
        assert "flash=" not in html
        assert "disabled" in html
    assert 'id="flash-countdown"' not in Client().get(f"/flash/{ended.pk}").content.decode()


def test_the_list_shows_sales_on_and_coming_and_a_missing_sale_is_not_found() -> None:
    now = timezone.now()
    on = live_sale()
    coming = live_sale(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    gone = live_sale(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    html = Client().get("/flash").content.decode()
    assert f"/flash/{on.pk}" in html and f"/flash/{coming.pk}" in html
    assert f"/flash/{gone.pk}" not in html
    assert Client().get("/flash/999999").status_code == 404


def _signed_in(buyer: Member) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


def test_grab_it_now_checks_out_the_flash_item_at_the_flash_price() -> None:
    sale = live_sale(stock=3, per_member=1)
    buyer = MemberFactory.create()
    client = _signed_in(buyer)
    grab = f"/checkout?sku={sale.sku_id}&quantity=1&flash={sale.pk}"
    page = client.get(grab)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="flash" value="{sale.pk}"' in html
    assert "¥9.90" in html
    token = page.context["form"].initial["token"]
    placed = client.post(
        "/checkout",
        {
            "token": token,
            "sku": sale.sku_id,
            "quantity": 1,
            "flash": sale.pk,
            "delivery": "express",
            "province": "440000",
            "city": "440300",
            "district": "440305",
            "address": "科技园 1 号",
            "receiver": "王小二",
            "phone": "13912345678",
        },
    )
    assert placed.status_code == 302, placed.content.decode()[:2000]
    purchase = FlashPurchase.objects.get()
    assert purchase.member_id == buyer.pk
    assert Order.objects.get(pk=purchase.order_id).total_fen == 990


def test_grabbing_a_sold_out_sale_goes_back_to_its_page() -> None:
    sale = live_sale(stock=1)
    FlashSale.objects.filter(pk=sale.pk).update(sold=1)
    answer = _signed_in(MemberFactory.create()).get(
        f"/checkout?sku={sale.sku_id}&quantity=1&flash={sale.pk}"
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/flash/{sale.pk}"
    assert not Order.objects.exists()

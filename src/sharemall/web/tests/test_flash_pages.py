"""The buyer's flash-sale pages: the countdown page in each state, and the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sharemall.promotions.models.flash import FlashSale
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

"""The console's settlement page (/merchant/settlement): the owner's balance and statement, from
the same selectors as `GET /merchants/{id}/balance` and `/statements`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sharemall.merchants.models import Staff
from sharemall.settlement import selectors
from tests.factories import MemberFactory
from tests.settlement_support import after_window, receive, sell, shop_with_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def test_the_owner_reads_the_balance_and_the_statement_and_downloads_it(client: Client) -> None:
    shop = shop_with_plan()
    sale = sell(shop, [(10_000, 1)])
    receive(sale)
    call_command("run_due_jobs", "--now", after_window().isoformat())
    balance = selectors.merchant_balance(shop.pk)
    assert balance.available_fen > 0 and balance.pending_fen == 0
    client.force_login(shop.owner)

    html = client.get("/merchant/settlement").content.decode()
    monthly = client.get("/merchant/settlement?period=month").content.decode()
    download = client.get("/merchant/settlement?period=day&export=csv")

    assert 'href="/merchant/settlement"' in client.get("/merchant/").content.decode()
    assert f"¥{balance.available_fen / 100:,.2f}" in html
    assert 'id="statement-totals"' in html and 'id="statement-export-csv"' in html
    # The order's goods show in the period it settled (today, as the ledger records it).
    (today,) = selectors.statements(
        shop.pk, period="day", start=timezone.localdate(), end=timezone.localdate()
    )
    assert today.orders_fen > 0 and f"¥{today.orders_fen / 100:,.2f}" in html
    assert 'id="statement-totals"' in monthly
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    body = download.content.decode("utf-8")
    assert body.startswith("\ufeff") and f"{today.orders_fen / 100:.2f}" in body
    withdrawals = client.get("/merchant/withdrawals").content.decode()
    assert 'data-kpi="pending"' in withdrawals


def test_a_range_too_long_is_refused_with_a_message_and_clerks_see_nothing(
    client: Client,
) -> None:
    shop = shop_with_plan(None)
    clerk = MemberFactory.create()
    Staff.objects.create(merchant=shop, member=clerk, role=Staff.Role.STAFF)
    client.force_login(shop.owner)

    long = client.get("/merchant/settlement?period=day&start=2024-01-01&end=2026-01-01")
    junk = client.get("/merchant/settlement?period=year&start=x&end=y")

    assert long.status_code == 200
    assert "A daily statement covers at most 366 days." in long.content.decode()
    assert junk.status_code == 200 and 'id="statement-totals"' not in junk.content.decode()
    client.force_login(clerk)
    assert client.get("/merchant/settlement").status_code == 404

"""Statements of a merchant's available balance, per China day or month, as JSON and as CSV:
opening + orders + shipping − refunds − fees − commissions − withdrawals + other = closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.services import token_issue
from sharemall.config.jobs import run_due_jobs
from sharemall.freight import rules as freight_rules
from sharemall.orders.ledger import platform_fee
from sharemall.settlement import rules
from sharemall.settlement.selectors import STATEMENT_TIME_ZONE, statements
from sharemall.settlement.services import order_settle
from sharemall.wallet.models import LedgerTransaction
from tests.settlement_support import (
    after_window,
    commissions_of,
    receive,
    refund_lines,
    sell,
    set_delay,
    shop_with_plan,
)
from tests.test_settlement import _available, _withdraw

pytestmark = pytest.mark.django_db

BY_PIECE = freight_rules.Template(by="piece", rules=(freight_rules.Rule((), 1, 1000, 1, 500),))


def _today() -> date:
    return timezone.now().astimezone(STATEMENT_TIME_ZONE).date()


def _identity(row: dict[str, Any]) -> int:
    return int(
        row["opening_fen"]
        + row["orders_fen"]
        + row["shipping_fen"]
        - row["refunds_fen"]
        - row["fees_fen"]
        - row["commissions_fen"]
        - row["withdrawals_fen"]
        + row["other_fen"]
    )


def _check(rows: list[dict[str, Any]]) -> None:
    for i, row in enumerate(rows):
        assert _identity(row) == row["closing_fen"], row
        if i:
            assert row["opening_fen"] == rows[i - 1]["closing_fen"]


def test_a_day_shows_the_settled_sales_and_what_followed(api: Api) -> None:
    shop = shop_with_plan()
    order = receive(sell(shop, [(8000, 2)], shipping_template=BY_PIECE))
    assert order.shipping_fen == 1500
    run_due_jobs(after_window())
    fee, commissions = platform_fee(order), commissions_of(order)
    refunded = refund_lines(order, [(order.lines.get().pk, 1)], key=f"manual:{order.pk}:1")
    order.refresh_from_db()
    fee_back = fee * refunded // (order.total_fen - order.shipping_fen)
    commissions_back = commissions - commissions_of(order)
    _withdraw(shop.pk, 1000)
    today = _today()

    answer = api.get(
        f"/merchants/{shop.pk}/statements?period=day&from={today}&to={today}", as_=shop.owner
    )

    assert answer.status == 200, answer.body
    (row,) = answer.body
    assert row == {
        "period_start": today.isoformat(),
        "period_end": today.isoformat(),
        "opening_fen": 0,
        "orders_fen": order.total_fen - order.shipping_fen,
        "shipping_fen": 1500,
        "refunds_fen": refunded,
        "fees_fen": fee - fee_back,
        "commissions_fen": commissions - commissions_back,
        "withdrawals_fen": 1000,
        "other_fen": 0,
        "closing_fen": _available(shop.pk),
        "orders_count": 1,
    }
    _check(answer.body)

    # The month holds the same; the days around today hold nothing but carry the balance on.
    month = api.get(
        f"/merchants/{shop.pk}/statements?period=month&from={today}&to={today}", as_=shop.owner
    ).body
    assert len(month) == 1 and month[0]["period_start"] == today.replace(day=1).isoformat()
    assert {k: v for k, v in month[0].items() if not k.startswith("period")} == {
        k: v for k, v in row.items() if not k.startswith("period")
    }
    days = api.get(
        f"/merchants/{shop.pk}/statements?period=day"
        f"&from={today - timedelta(days=2)}&to={today + timedelta(days=1)}",
        as_=shop.owner,
    ).body
    assert [d["closing_fen"] for d in days] == [0, 0, row["closing_fen"], row["closing_fen"]]
    assert days[3]["opening_fen"] == row["closing_fen"] and days[3]["orders_count"] == 0
    _check(days)


def test_an_unsettled_order_is_not_on_the_statement_yet() -> None:
    shop = shop_with_plan()
    receive(sell(shop, [(8000, 1)]))
    (row,) = statements(shop.pk, period="day", start=_today(), end=_today())
    assert (row.orders_fen, row.closing_fen, row.orders_count) == (0, 0, 0)


def test_days_are_china_days() -> None:
    """A sale settled at 00:30 in Beijing (16:30 UTC the day before) is on the Beijing day."""
    shop = shop_with_plan(None)
    order = receive(sell(shop, [(5000, 1)], through_share=False))
    set_delay(1)
    run_due_jobs(after_window())  # completed, not settled yet
    moment = datetime(2026, 1, 1, 16, 30, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert order_settle(order.pk, now=moment)
    assert LedgerTransaction.objects.get(key=rules.settled_key(order.pk)).created_at == moment
    rows = statements(shop.pk, period="day", start=date(2026, 1, 1), end=date(2026, 1, 2))
    assert [r.orders_count for r in rows] == [0, 1]
    assert rows[1].closing_fen == order.total_fen - platform_fee(order)


def test_statement_csv_is_utf8_with_a_bom_and_chinese_headers(api: Api) -> None:
    shop = shop_with_plan(None)
    order = receive(sell(shop, [(5000, 1)], through_share=False))
    run_due_jobs(after_window())
    today = _today()

    answer = api.client.get(
        f"/api/v1/merchants/{shop.pk}/statements.csv?period=month&from={today}&to={today}",
        headers={"Authorization": f"Bearer {token_issue(shop.owner)}"},
    )

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith("attachment;")
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf")
    header, line = raw.decode("utf-8-sig").splitlines()
    assert "期初余额（元）" in header and "期末余额（元）" in header
    net = order.total_fen - platform_fee(order)
    assert line.startswith(f"{today.replace(day=1)},")
    assert line.split(",")[10] == f"{net // 100}.{net % 100:02d}"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("period=day&from=2025-01-01&to=2026-01-02", "invalid_statement_range"),
        ("period=month&from=2023-01-01&to=2026-01-31", "invalid_statement_range"),
        ("period=day&from=2026-02-01&to=2026-01-01", "invalid_input"),
        ("period=week&from=2026-01-01&to=2026-01-01", "invalid_input"),
        ("period=day&from=2026-13-01&to=2026-01-01", "invalid_input"),
        ("period=day&from=9999-12-31&to=9999-12-31", "invalid_input"),
        ("period=month&from=0001-01-01&to=0001-01-01", "invalid_input"),
    ],
)
def test_a_statement_range_out_of_bounds_is_refused(api: Api, query: str, code: str) -> None:
    shop = shop_with_plan(None)
    for path in ("statements", "statements.csv"):
        answer = api.get(f"/merchants/{shop.pk}/{path}?{query}", as_=shop.owner)
        assert (answer.status, answer.error_code) == (400, code), answer.body


def test_the_longest_ranges_are_allowed(api: Api) -> None:
    shop = shop_with_plan(None)
    days = api.get(
        f"/merchants/{shop.pk}/statements?period=day&from=2025-01-01&to=2026-01-01",
        as_=shop.owner,
    )
    assert days.status == 200 and len(days.body) == 366
    months = api.get(
        f"/merchants/{shop.pk}/statements?period=month&from=2023-02-15&to=2026-01-03",
        as_=shop.owner,
    )
    assert months.status == 200 and len(months.body) == 36
    assert months.body[-1] == {
        **months.body[-1],
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
    }


def test_statements_are_for_the_merchants_people_only(api: Api) -> None:
    shop, other = shop_with_plan(None), shop_with_plan(None)
    query = "period=day&from=2026-01-01&to=2026-01-01"
    assert api.get(f"/merchants/{shop.pk}/statements?{query}", as_=other.owner).status == 404
    assert api.get(f"/merchants/{shop.pk}/statements.csv?{query}", as_=other.owner).status == 404

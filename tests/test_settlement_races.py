"""Races on PostgreSQL around settlement: a refund (with its commission reversal) approved while
the same order settles. Whichever goes first, nothing is stranded on the order's account and the
merchant's available balance is what it must be. Skipped on SQLite, which serialises writers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from sharemall.config.jobs import run_due_jobs
from sharemall.orders.ledger import platform_fee
from sharemall.orders.models import Order
from sharemall.settlement.services import merchants_settle_due
from sharemall.wallet.rules import MERCHANT_AVAILABLE
from sharemall.wallet.services import balance, merchant, order_receivable
from tests.settlement_support import (
    after_window,
    commissions_of,
    ledger_clean,
    receive,
    refund_lines,
    sell,
    set_delay,
    shop_with_plan,
)
from tests.test_money_races import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


@pytest.mark.parametrize("round_", range(4))
def test_a_refund_racing_the_settlement_of_its_order_strands_nothing(round_: int) -> None:
    set_delay(1)
    shop = shop_with_plan()
    order = receive(sell(shop, [(7000 + round_ * 13, 3)]))
    completed_at = after_window()
    run_due_jobs(completed_at)  # completed; due to settle a day later
    order = Order.objects.get(pk=order.pk)
    assert order.status == "completed" and order.settled_at is None
    line = order.lines.get()
    tasks = [
        lambda: merchants_settle_due(completed_at + timedelta(days=1)),
        lambda: refund_lines(order, [(line.pk, 1)], key=f"manual:{order.pk}:race"),
    ]
    if round_ % 2:
        tasks.reverse()

    outcomes = all_at_once(tasks)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    order.refresh_from_db()
    assert order.settled_at is not None and order.refunded_fen > 0
    assert balance(order_receivable(order.pk)) == 0
    fee_back = platform_fee(order) * order.refunded_fen // (order.total_fen - order.shipping_fen)
    expected = order.total_fen - order.refunded_fen - (platform_fee(order) - fee_back)
    assert balance(merchant(MERCHANT_AVAILABLE, shop.pk)) == expected - commissions_of(order)
    assert ledger_clean() == []

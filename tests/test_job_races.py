"""Several workers running the periodic sweeps at once, on PostgreSQL: each item moves once,
and no worker's run fails because another got there first.

SQLite serialises writers, so these prove nothing there; they are skipped on SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.distribution import services as distribution
from sharemall.distribution.models import DividendPeriod, Partner
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderEvent
from sharemall.wallet.services import ledger_check
from tests.factories import MemberFactory, product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
WORKERS = 6


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def at_once(job: Callable[[datetime], int], now: datetime) -> list[Any]:
    """WORKERS threads run `job` together; returns what each returned or raised."""
    start = threading.Barrier(WORKERS)

    def run() -> Any:
        try:
            start.wait()
            return job(now)
        except Exception as exc:  # the outcome is what the test counts
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(run) for _ in range(WORKERS)]
        return [f.result() for f in futures]


def test_workers_timing_out_the_same_payments_cancel_each_order_once() -> None:
    skus = [product(stock=100).skus.get(), product(stock=100).skus.get()]
    buyer = MemberFactory.create()
    for _ in range(30):
        checkout.order_create(
            buyer=buyer,
            items=[checkout.Item(skus[1].pk, 1), checkout.Item(skus[0].pk, 2)],
            delivery=EXPRESS,
        )
    outcomes = at_once(checkout.unpaid_timeout, timezone.now() + timedelta(minutes=31))
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(outcomes) == 30
    assert Order.objects.filter(status="cancelled").count() == 60
    assert OrderEvent.objects.filter(to_status="cancelled").count() == 60
    assert [Sku.objects.get(pk=s.pk).stock for s in skus] == [100, 100]


def test_workers_completing_the_same_orders_complete_each_once() -> None:
    shop = product(stock=100)
    buyer = MemberFactory.create()
    for _ in range(30):
        bought = checkout.order_create(
            buyer=buyer, items=[checkout.Item(shop.skus.get().pk, 1)], delivery=EXPRESS
        )
        checkout.sandbox_complete(bought.payment)
        order = orders.order_ship(
            Order.objects.get(pk=bought.orders[0].pk),
            actor=shop.merchant.owner,
            carrier="SF",
            tracking_no="SF1",
        )
        orders.order_confirm_receipt(order, actor=buyer)
    outcomes = at_once(checkout.orders_complete, timezone.now() + timedelta(days=8))
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(outcomes) == 30
    assert OrderEvent.objects.filter(to_status="completed").count() == 30
    assert ledger_check() == []


def test_workers_paying_the_same_dividend_make_it_once() -> None:
    Partner.objects.create(member=MemberFactory.create())
    outcomes = at_once(distribution.partner_dividends_due, timezone.now())
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(outcomes) >= 1  # a worker arriving just after the first may count it too
    assert DividendPeriod.objects.count() == 1

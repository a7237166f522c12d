"""Flash sales under concurrency, on PostgreSQL (SQLite queues writers; skipped there): never
oversold, the per-member limit exact, the counters consistent with the purchase rows."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.orders.models import Order
from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale
from sharemall.promotions.rules.offers import FLASH
from sharemall.promotions.services import offers
from sharemall.promotions.tests.flash_support import (
    bare_orders,
    forget_snapshots,
    live_sale,
    members,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")
    forget_snapshots()
    yield
    forget_snapshots()


def in_threads(tasks: list[Callable[[], Any]], workers: int = 32) -> list[Any]:
    def run(task: Callable[[], Any]) -> Any:
        try:
            return task()
        except Exception as exc:  # the outcome is what the test counts
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, tasks))


def attempt(sale: FlashSale, buyer: Member, order: Order, quantity: int = 1) -> Callable[[], str]:
    """What checkout does for a flash line: the offer while pricing, then reserve in the
    checkout's transaction."""

    def run() -> str:
        offer = offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
        with transaction.atomic():
            offers.reserve(offer, buyer=buyer, quantity=quantity, order=order)
        return "ok"

    return run


def outcome(result: Any) -> str:
    return result if isinstance(result, str) else getattr(result, "code", repr(result))


def test_a_thousand_buyers_for_a_hundred_units_sell_exactly_a_hundred() -> None:
    sale = live_sale(stock=100, per_member=2)
    buyers = members(1000)
    # Every buyer tries once, and the first hundred three more times: the limit is 2 each.
    tries = buyers + buyers[:100] * 3
    orders = bare_orders(tries, sale.sku)
    tasks = [attempt(sale, b, o) for b, o in zip(tries, orders, strict=True)]
    random.Random(14).shuffle(tasks)

    counted = Counter(outcome(r) for r in in_threads(tasks))

    assert counted["ok"] == 100
    assert set(counted) <= {"ok", "flash_sold_out", "flash_limit"}
    assert FlashSale.objects.get(pk=sale.pk).sold == 100
    purchases = FlashPurchase.objects.filter(sale=sale)
    assert purchases.aggregate(n=Sum("quantity"))["n"] == 100
    per_member = Counter(purchases.values_list("member_id", flat=True))
    assert max(per_member.values()) <= 2
    quota = dict(FlashQuota.objects.filter(sale=sale).values_list("member_id", "bought"))
    assert {m: n for m, n in quota.items() if n} == dict(per_member)


def test_one_member_racing_for_more_than_the_limit_gets_exactly_the_limit() -> None:
    sale = live_sale(stock=100, per_member=3)
    buyer = MemberFactory.create()
    orders = bare_orders([buyer] * 60, sale.sku)
    counted = Counter(outcome(r) for r in in_threads([attempt(sale, buyer, o) for o in orders]))
    assert counted == {"ok": 3, "flash_limit": 57}
    assert FlashSale.objects.get(pk=sale.pk).sold == 3
    assert FlashQuota.objects.get(sale=sale, member=buyer).bought == 3


def test_releases_racing_each_other_give_each_purchase_back_once() -> None:
    sale = live_sale(stock=20, per_member=1)
    buyers = members(20)
    orders = bare_orders(buyers, sale.sku)
    assert Counter(
        outcome(r)
        for r in in_threads([attempt(sale, b, o) for b, o in zip(buyers, orders, strict=True)])
    ) == {"ok": 20}
    ids = [o.pk for o in orders]

    def release() -> str:
        with transaction.atomic():
            offers.release(ids)
        return "ok"

    assert Counter(outcome(r) for r in in_threads([release] * 8, workers=8)) == {"ok": 8}
    assert FlashSale.objects.get(pk=sale.pk).sold == 0
    assert set(FlashQuota.objects.values_list("bought", flat=True)) == {0}
    assert set(FlashPurchase.objects.values_list("status", flat=True)) == {"released"}


def test_with_the_redis_gate_a_thousand_buyers_for_a_hundred_units_sell_exactly_a_hundred(
    settings: Any,
) -> None:
    url = "redis://127.0.0.1:6379/12"  # a scratch database of its own
    client = redis.Redis.from_url(url, socket_timeout=0.5)
    try:
        client.flushdb()
    except (redis.RedisError, OSError):
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.REDIS_URL = url
    try:
        sale = live_sale(stock=100, per_member=1)
        buyers = members(1000)
        tries = buyers + buyers[:100]  # the first hundred try twice: the gate's limit
        orders = bare_orders(tries, sale.sku)
        tasks = [attempt(sale, b, o) for b, o in zip(tries, orders, strict=True)]
        random.Random(15).shuffle(tasks)

        counted = Counter(outcome(r) for r in in_threads(tasks))

        assert counted["ok"] == 100
        assert set(counted) <= {"ok", "flash_sold_out", "flash_limit"}
        assert FlashSale.objects.get(pk=sale.pk).sold == 100
        assert FlashPurchase.objects.filter(sale=sale).count() == 100
        assert int(client.get(f"flash:{sale.pk}:left") or -1) == 0
    finally:
        client.flushdb()

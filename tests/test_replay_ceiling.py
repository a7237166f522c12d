"""The checkout benchmark's replayed ceiling (bench/_replay.py) and its floor
(bench/checkout_floor.py) do the application's own work: the statements captured from one
fast-path order, sent again by pgbench or by the bare WSGI application, place and pay other
buyers' orders of other SKUs, each with its own numbers, its payment captured once, its
balanced ledger posting, its notice and its events, and take the stock. If a value they should
vary were sent as captured (a number, an id), the unique constraints would stop them or the
rows below would not add up."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.test import override_settings

from sharemall.catalog.models import Sku
from sharemall.notifications.models import Notice
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments.models import Payment
from sharemall.wallet.models import LedgerTransaction, Posting
from tests.races import postgres_only

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import checkout as checkout_bench
import checkout_floor
from _setup import pgbench_tps

# reset_sequences: a capture sets ids far from the seeded ones (checkout._CAPTURE_IDS), which a
# sequence carried over from an earlier test would reach.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

CLIENTS, EACH = 2, 10


def _stock(skus: list[int]) -> int:
    return Sku.objects.filter(pk__in=skus).aggregate(total=Sum("stock"))["total"]


def _url() -> str:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


@override_settings(AUTH_THROTTLE=False, SANDBOX_PAYMENTS=True, CHECKOUT_FAST_PATH=True)
def test_a_replayed_order_is_another_whole_order() -> None:
    postgres_only()
    skus, _tokens = checkout_bench.seed(clients=3, skus=4)
    script, statements = checkout_bench.replay_script(
        checkout_bench.captured_order(skus, share=False)
    )
    assert statements == 7  # what bench/checkout.py counts for the fast path
    before = set(Order.objects.values_list("pk", flat=True))
    stock_before = _stock(skus)

    pgbench_tps(
        _url(),
        script.text,
        clients=CLIENTS,
        seconds=0,
        variables=script.variables,
        prepared=True,
        transactions=EACH,
    )

    _assert_whole_orders(Order.objects.exclude(pk__in=before), CLIENTS * EACH, skus, stock_before)


@pytest.mark.parametrize("share", [False, True], ids=["plain", "through a share"])
@override_settings(AUTH_THROTTLE=False, SANDBOX_PAYMENTS=True, CHECKOUT_FAST_PATH=True)
def test_the_floor_places_and_pays_other_whole_orders(share: bool) -> None:
    postgres_only()
    skus, _tokens = checkout_bench.seed(clients=3, skus=4)
    order = checkout_bench.captured_order(skus, share=share)
    floor = checkout_floor.Floor(
        SimpleNamespace(**checkout_floor.portable(dict(vars(order)))), _url()
    )
    before = set(Order.objects.values_list("pk", flat=True))
    stock_before = _stock(skus)

    for _ in range(EACH):
        floor.pay(json.loads(floor.create())["payment_id"])

    _assert_whole_orders(Order.objects.exclude(pk__in=before), EACH, skus, stock_before)


def _assert_whole_orders(replayed: QuerySet[Order], n: int, skus: list[int], stock: int) -> None:
    assert replayed.count() == n
    assert set(replayed.values_list("status", flat=True)) == {"paid"}
    assert replayed.values("order_no").distinct().count() == n
    assert set(replayed.values_list("buyer__phone", flat=True)) <= {
        f"1360000{i:04d}" for i in range(3)
    }
    assert set(replayed.values_list("lines__sku_id", flat=True)) <= set(skus)
    payments = Payment.objects.filter(orders__in=replayed).distinct()
    assert payments.count() == n
    assert set(payments.values_list("status", flat=True)) == {"paid"}
    captures = LedgerTransaction.objects.filter(
        key__in=[f"payment:{p}:captured" for p in payments.values_list("pk", flat=True)]
    )
    assert captures.count() == n
    postings = Posting.objects.filter(transaction__in=captures)
    assert postings.aggregate(total=Sum("amount_fen"))["total"] == 0
    per_capture = postings.values("transaction").annotate(n=Count("pk"))
    assert {row["n"] for row in per_capture} == {6}
    notices = [f"order:{pk}:paid" for pk in replayed.values_list("pk", flat=True)]
    assert Notice.objects.filter(key__in=notices).count() == n
    assert OrderEvent.objects.filter(order__in=replayed).count() == 2 * n
    assert stock - _stock(skus) == n

"""The checkout benchmark's replayed ceiling (bench/_replay.py) does the application's own work:
pgbench replaying the statements captured from one fast-path order places and pays other
buyers' orders of other SKUs, each with its own numbers, its payment captured once, its
balanced ledger posting, its notice and its events, and takes the stock. If a value the replay
should vary were replayed as captured (a number, an id), the unique constraints would stop
pgbench or the rows below would not add up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test import override_settings

from sharemall.catalog.models import Sku
from sharemall.notifications.models import Notice
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments.models import Payment
from sharemall.wallet.models import LedgerTransaction, Posting
from tests.races import postgres_only

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import checkout as checkout_bench
from _setup import pgbench_tps

pytestmark = pytest.mark.django_db(transaction=True)

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

    replayed = Order.objects.exclude(pk__in=before)
    assert replayed.count() == CLIENTS * EACH
    assert set(replayed.values_list("status", flat=True)) == {"paid"}
    assert replayed.values("order_no").distinct().count() == CLIENTS * EACH
    assert set(replayed.values_list("buyer__phone", flat=True)) <= {
        f"1360000{i:04d}" for i in range(3)
    }
    assert set(replayed.values_list("lines__sku_id", flat=True)) <= set(skus)
    payments = Payment.objects.filter(orders__in=replayed).distinct()
    assert payments.count() == CLIENTS * EACH
    assert set(payments.values_list("status", flat=True)) == {"paid"}
    captures = LedgerTransaction.objects.filter(
        key__in=[f"payment:{p}:captured" for p in payments.values_list("pk", flat=True)]
    )
    assert captures.count() == CLIENTS * EACH
    postings = Posting.objects.filter(transaction__in=captures)
    assert postings.aggregate(total=Sum("amount_fen"))["total"] == 0
    per_capture = postings.values("transaction").annotate(n=Count("pk"))
    assert {row["n"] for row in per_capture} == {6}
    notices = [f"order:{pk}:paid" for pk in replayed.values_list("pk", flat=True)]
    assert Notice.objects.filter(key__in=notices).count() == CLIENTS * EACH
    assert OrderEvent.objects.filter(order__in=replayed).count() == 2 * CLIENTS * EACH
    assert stock_before - _stock(skus) == CLIENTS * EACH

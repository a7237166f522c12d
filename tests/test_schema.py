"""The write-heavy tables' schema (docs/schema.md): storage settings on PostgreSQL, the sweeps'
queries able to use their partial indexes, the redundant indexes gone, uniqueness kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.db import IntegrityError, connection, transaction
from django.db.migrations.state import ProjectState
from django.db.migrations.writer import OperationWriter
from django.db.models import QuerySet
from django.utils import timezone

import sharemall
from sharemall.accounts.models import Member
from sharemall.core.migrations_util import StorageSettings
from sharemall.orders import rules
from sharemall.orders.models import Order, OrderLine
from sharemall.orders.services import orders_completed_recently
from sharemall.payments.models import Payment
from tests.factories import product
from tests.flows import buy, pay

pytestmark = pytest.mark.django_db


def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("storage settings and partial indexes are PostgreSQL's")


def _options(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        (options,) = cursor.fetchone()
    return dict(option.split("=", 1) for option in options or [])


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def _plan(queryset: QuerySet) -> str:
    """The plan with sequential scans priced out: on a test-sized table PostgreSQL rightly
    prefers them, and the question here is whether the index can serve the query at all."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_orders_and_payments_leave_room_for_hot_updates_and_vacuum_early() -> None:
    _postgres()
    for table, fill in (
        ("orders_order", "85"),
        ("orders_orderline", "90"),
        ("payments_payment", "85"),
    ):
        options = _options(table)
        assert options["fillfactor"] == fill, table
        assert float(options["autovacuum_vacuum_scale_factor"]) <= 0.05, table
        assert float(options["autovacuum_analyze_scale_factor"]) <= 0.02, table


def test_storage_settings_come_off_when_unapplied_and_back_when_reapplied() -> None:
    _postgres()
    operation = StorageSettings({"payments_payment": {"fillfactor": "85"}})
    state = ProjectState()
    with connection.schema_editor() as editor:
        operation.database_backwards("payments", editor, state, state)
    assert "fillfactor" not in _options("payments_payment")
    assert _options("payments_payment")["autovacuum_vacuum_scale_factor"] == "0.02"
    with connection.schema_editor() as editor:
        operation.database_forwards("payments", editor, state, state)
    assert _options("payments_payment")["fillfactor"] == "85"


def test_storage_settings_write_out_as_themselves_for_a_squash() -> None:
    settings = {"orders_order": {"fillfactor": "85", "autovacuum_vacuum_scale_factor": "0.02"}}
    text, imports = OperationWriter(StorageSettings(settings)).serialize()
    assert imports == {"import sharemall.core.migrations_util"}
    # What a squashed migration would hold, run as that migration would run it.
    written = eval(text.rstrip(","), {"sharemall": sharemall})  # noqa: S307 - the writer's text
    assert isinstance(written, StorageSettings)
    assert written.settings == settings
    assert not written.elidable


def test_the_sweeps_use_their_partial_indexes() -> None:
    _postgres()
    now = timezone.now()
    sweeps = {
        "order_shipped_due": Order.objects.filter(
            status=rules.SHIPPED, shipped_at__lte=now - timedelta(days=10)
        ).order_by("pk")[:1000],
        "order_received_due": Order.objects.filter(
            status=rules.RECEIVED, received_at__lte=now, open_aftersales=0
        ).order_by("pk")[:1000],
        "order_completed_received": orders_completed_recently(now, lookback=timedelta(days=60)),
        "order_unsettled": Order.objects.filter(
            status=rules.COMPLETED, settled_at__isnull=True, completed_at__lte=now
        ).order_by("completed_at", "pk")[:1000],
        "order_unsettled ": Order.objects.filter(
            status=rules.CLOSED, settled_at__isnull=True
        ).order_by("pk")[:1000],
        "order_awaiting_payment": Order.objects.filter(
            status=rules.PENDING_PAYMENT, payment__status=Payment.Status.CLOSED
        )
        .order_by("payment_id")
        .values_list("payment_id", flat=True)
        .distinct()[:500],
        "payment_pending_expiry": Payment.objects.filter(
            status=Payment.Status.PENDING, expires_at__lte=now
        ).order_by("pk")[:500],
        "order_referrer_": Order.objects.filter(referrer_id=1, paid_at__gte=now),
        "order_share_link": Order.objects.filter(share_link_id=7, paid_at__gte=now),
        "order_pickup_code": Order.objects.filter(pickup_store_id=1, pickup_code="12345678"),
        "orderline_product": OrderLine.objects.filter(product_id__in=[1, 2, 3]),
    }
    for index, queryset in sweeps.items():
        assert index.strip() in _plan(queryset), (index, _plan(queryset))


def test_no_index_is_kept_that_another_one_covers() -> None:
    _postgres()
    for table in ("orders_order", "payments_payment"):
        definitions = _indexes(table)
        # The LIKE-pattern twins of unique columns: every look-up is by the whole value.
        assert not [name for name in definitions if name.endswith("_like")], definitions
        # No two indexes alike (columns and WHERE).
        shapes = [d.split(" USING ", 1)[1] for d in definitions.values()]
        assert len(shapes) == len(set(shapes)), definitions
    orders = _indexes("orders_order")
    for column in ("buyer_id", "merchant_id", "referrer_id"):
        assert [d for d in orders.values() if f"({column}" in d], column
        assert not [d for d in orders.values() if f"({column})" in d], column
    assert "payer_id" not in " ".join(_indexes("payments_payment").values())
    # Status is in an index only under a WHERE or behind the merchant: no full status index.
    assert not [d for d in orders.values() if "(status" in d and "WHERE" not in d]


def test_numbers_stay_unique(api: Api, member: Member) -> None:
    """order_no, payment_no, pay_token and provider_txn_id: unique constraints now, not unique
    fields, and just as unique."""
    sku = product(stock=5).skus.get()
    first, second = (buy(api, member, sku) for _ in range(2))
    pay(api, member, first["payment_id"])
    pay(api, member, second["payment_id"])
    orders = [first["orders"][0]["id"], second["orders"][0]["id"]]
    payments = [first["payment_id"], second["payment_id"]]
    for model, ids, field in (
        (Order, orders, "order_no"),
        (Payment, payments, "payment_no"),
        (Payment, payments, "pay_token"),
        (Payment, payments, "provider_txn_id"),
    ):
        taken = model.objects.values_list(field, flat=True).get(pk=ids[0])
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=ids[1]).update(**{field: taken})

"""Races on PostgreSQL: many threads at once against stock and payment callbacks.

SQLite serialises writers, so these prove nothing there; they run on PostgreSQL (CI runs the
suite on both) and are skipped on SQLite.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments.models import Payment
from sharemall.payments.providers.sandbox import SandboxProvider
from sharemall.wallet.models import LedgerTransaction
from sharemall.wallet.services import ledger_check
from tests.factories import MemberFactory, product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def in_threads(tasks: list[Callable[[], Any]], workers: int = 16) -> list[Any]:
    def run(task: Callable[[], Any]) -> Any:
        try:
            return task()
        except Exception as exc:  # the outcome is what the test counts
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, tasks))


def test_fifty_buyers_for_the_last_ten_units() -> None:
    sku = product(stock=10).skus.get()
    buyers = [MemberFactory.create() for _ in range(50)]

    def attempt(buyer: Member) -> Callable[[], Any]:
        return lambda: checkout.order_create(
            buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
        )

    outcomes = in_threads([attempt(b) for b in buyers], workers=25)
    sold = [o for o in outcomes if isinstance(o, checkout.CheckoutResult)]
    refused = [o for o in outcomes if not isinstance(o, checkout.CheckoutResult)]
    assert len(sold) == 10
    assert {getattr(e, "code", repr(e)) for e in refused} == {"out_of_stock"}
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert Order.objects.count() == 10


def _headers(raw: dict[str, str]) -> dict[str, str]:
    return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in raw.items()}


def test_a_hundred_orders_with_six_concurrent_deliveries_each_are_paid_once() -> None:
    sku = product(stock=5000, price_fen=1999).skus.get()
    buyer = MemberFactory.create()
    payments = [
        checkout.order_create(
            buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
        ).payment
        for _ in range(100)
    ]
    sandbox = SandboxProvider()
    # Each delivery is signed when it is sent, as a provider re-signs every retry: signing all
    # of them up front would let the last ones age past the five-minute freshness window on a slow
    # machine and be refused for the wrong reason.
    deliveries = [p for p in payments for _ in range(6)]
    random.Random(7).shuffle(deliveries)

    def deliver(payment: Payment) -> Callable[[], int]:
        def send() -> int:
            headers, body = sandbox.signed_notification(
                payment_no=payment.payment_no,
                amount_fen=payment.amount_fen,
                txn_id=f"TXN-{payment.pk}",
            )
            return (
                Client()
                .post(
                    "/api/v1/payments/notify/sandbox",
                    data=body,
                    content_type="application/json",
                    **_headers(headers),
                )
                .status_code
            )

        return send

    statuses = in_threads([deliver(p) for p in deliveries], workers=16)
    assert Counter(statuses) == {200: len(deliveries)}
    assert Payment.objects.filter(status="paid").count() == len(payments)
    assert OrderEvent.objects.filter(to_status="paid").count() == len(payments)
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == len(payments)
    assert ledger_check() == []


def test_two_hundred_and_fifty_forged_or_replayed_callbacks_are_all_refused() -> None:
    sku = product(stock=200).skus.get()
    buyer = MemberFactory.create()
    payments = [
        checkout.order_create(
            buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
        ).payment
        for _ in range(100)
    ]
    sandbox = SandboxProvider()
    rng = random.Random(11)
    forged = []
    for i in range(250):
        p = payments[i % len(payments)]
        kind = i % 5
        if kind == 0:  # stale: a replay captured more than five minutes ago
            h, b = sandbox.signed_notification(
                payment_no=p.payment_no,
                amount_fen=p.amount_fen,
                timestamp=1_700_000_000 + rng.randint(0, 10**6),
            )
        elif kind == 1:  # amount changed after signing
            h, b = sandbox.signed_notification(payment_no=p.payment_no, amount_fen=p.amount_fen)
            b = b.replace(f'"amount_fen":{p.amount_fen}'.encode(), b'"amount_fen":1')
        elif kind == 2:  # signed, but for the wrong amount
            h, b = sandbox.signed_notification(payment_no=p.payment_no, amount_fen=1)
        elif kind == 3:  # a made-up signature
            h, b = sandbox.signed_notification(payment_no=p.payment_no, amount_fen=p.amount_fen)
            h["Sandbox-Signature"] = "A" * 344
        else:  # a payment that does not exist
            h, b = sandbox.signed_notification(payment_no="P000000", amount_fen=p.amount_fen)
        forged.append((h, b))

    def deliver(headers: dict[str, str], body: bytes) -> Callable[[], int]:
        return lambda: (
            Client()
            .post(
                "/api/v1/payments/notify/sandbox",
                data=body,
                content_type="application/json",
                **_headers(headers),
            )
            .status_code
        )

    statuses = in_threads([deliver(h, b) for h, b in forged], workers=16)
    assert Counter(statuses) == {400: 250}
    assert Payment.objects.filter(status="paid").count() == 0
    assert OrderEvent.objects.filter(to_status="paid").count() == 0
    assert LedgerTransaction.objects.count() == 0


def test_concurrent_bindings_of_one_member_leave_one_parent() -> None:
    from sharemall.accounts.binding import bind  # noqa: PLC0415
    from sharemall.accounts.models import Binding  # noqa: PLC0415

    newcomer = MemberFactory.create()
    sharers = [MemberFactory.create() for _ in range(20)]

    def attempt(sharer: Member) -> Callable[[], Any]:
        return lambda: bind(Member.objects.get(pk=newcomer.pk), sharer, source="race")

    outcomes = in_threads([attempt(s) for s in sharers], workers=20)
    assert outcomes.count(True) == 1
    newcomer.refresh_from_db()
    assert newcomer.parent_id in {s.pk for s in sharers}
    assert Binding.objects.filter(member=newcomer).count() == 1

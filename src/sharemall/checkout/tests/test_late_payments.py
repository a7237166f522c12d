"""Money that arrives for a payment we closed, or a second payment of one already paid: the
provider hears its success answer, and the money goes straight back, once per transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.test import Client
from tests.aftersales_support import EXPRESS, ask, paid_order
from tests.factories import MemberFactory, product

from sharemall.checkout import services as checkout
from sharemall.orders.models import Order
from sharemall.payments.models import Payment, Refund
from sharemall.payments.providers.sandbox import SandboxProvider
from sharemall.wallet.models import LedgerTransaction
from sharemall.wallet.services import balance, ledger_check, platform

pytestmark = pytest.mark.django_db

SUCCESS = {"code": "SUCCESS"}


def _closed_payment() -> Payment:
    sku = product(stock=5, price_fen=2999).skus.get()
    created = checkout.order_create(
        buyer=MemberFactory.create(), items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
    )
    assert checkout.unpaid_timeout(created.payment.expires_at + timedelta(seconds=1)) == 1
    payment = Payment.objects.get(pk=created.payment.pk)
    assert payment.status == Payment.Status.CLOSED
    return payment


def _notify(payment: Payment, txn_id: str) -> tuple[int, object]:
    headers, body = SandboxProvider.from_settings().signed_notification(
        payment_no=payment.payment_no, amount_fen=payment.amount_fen, txn_id=txn_id
    )
    answer = Client().post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    return answer.status_code, answer.json()


def _money_is_back() -> None:
    assert balance(platform("provider_funds")) == 0
    assert balance(platform("buyer_payments_clearing")) == 0
    assert ledger_check() == []


def test_a_late_payment_is_acknowledged_and_refunded() -> None:
    payment = _closed_payment()
    assert _notify(payment, "LATE-1") == (200, SUCCESS)
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount_fen, refund.status) == (
        payment.pk,
        payment.amount_fen,
        Refund.Status.SUCCEEDED,
    )
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CLOSED
    assert LedgerTransaction.objects.filter(kind="late_payment").count() == 1
    _money_is_back()


def test_a_second_late_payment_is_acknowledged_and_refunded_too() -> None:
    payment = _closed_payment()
    assert _notify(payment, "LATE-1") == (200, SUCCESS)
    assert _notify(payment, "LATE-2") == (200, SUCCESS)
    refunds = Refund.objects.order_by("pk")
    assert [r.amount_fen for r in refunds] == [payment.amount_fen] * 2
    assert {r.status for r in refunds} == {Refund.Status.SUCCEEDED}
    assert LedgerTransaction.objects.filter(kind="late_payment").count() == 2
    assert LedgerTransaction.objects.filter(kind="refund_paid").count() == 2
    _money_is_back()


def test_a_replayed_late_payment_is_refunded_once() -> None:
    payment = _closed_payment()
    for _ in range(3):
        assert _notify(payment, "LATE-1") == (200, SUCCESS)
    assert Refund.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="late_payment").count() == 1
    assert LedgerTransaction.objects.filter(kind="refund_paid").count() == 1
    _money_is_back()


def test_a_second_payment_of_a_paid_payment_is_refunded(api: Api) -> None:
    order, buyer, owner = paid_order(units=2, price_fen=1500)
    payment = Payment.objects.get(pk=order.payment_id)

    assert _notify(payment, "OTHER-TXN") == (200, SUCCESS)
    assert _notify(payment, "OTHER-TXN") == (200, SUCCESS)

    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.status) == (payment.amount_fen, Refund.Status.SUCCEEDED)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.provider_txn_id != "OTHER-TXN"
    assert Order.objects.get(pk=order.pk).status == "paid"
    # The order's own money is untouched: the buyer can still get all of it back.
    request = ask(order, buyer, 2)
    approved = api.post(f"/aftersales/{request.pk}/approve", as_=owner)
    assert (approved.status, approved.body["status"]) == (200, "refunded")
    assert Refund.objects.count() == 2
    _money_is_back()
    assert balance(platform("platform_fees")) == 0


def test_a_late_refund_the_provider_failed_is_sent_again_by_the_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sharemall.payments.providers.base import ProviderError  # noqa: PLC0415

    payment = _closed_payment()
    real_refund = SandboxProvider.refund

    def _down(self: SandboxProvider, **kwargs: object) -> object:
        raise ProviderError("provider down")

    monkeypatch.setattr(SandboxProvider, "refund", _down)
    assert _notify(payment, "LATE-1") == (200, SUCCESS)
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.PROCESSING
    assert LedgerTransaction.objects.filter(kind="refund_paid").count() == 0

    monkeypatch.setattr(SandboxProvider, "refund", real_refund)
    assert checkout.late_refunds_retry(refund.created_at) == 1
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert list(refund.events.values_list("from_status", "to_status")) == [
        ("processing", "succeeded")
    ]
    # Run again: nothing more is sent or booked.
    assert checkout.late_refunds_retry(refund.created_at) == 0
    assert LedgerTransaction.objects.filter(kind="refund_paid").count() == 1
    _money_is_back()

"""Every status change writes its event row with the move, and a lost race writes none."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sharemall.aftersales import services as aftersales
from sharemall.checkout import services as checkout
from sharemall.core.errors import InvalidTransition
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments import rules as payment_rules
from sharemall.payments.models import Payment, PaymentEvent, Refund
from tests.aftersales_support import EXPRESS, ask, paid_order
from tests.factories import MemberFactory, product

pytestmark = pytest.mark.django_db


def _unpaid() -> Payment:
    sku = product(stock=5, price_fen=1999).skus.get()
    created = checkout.order_create(
        buyer=MemberFactory.create(), items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
    )
    return Payment.objects.get(pk=created.payment.pk)


def test_capturing_a_payment_writes_its_event() -> None:
    payment = _unpaid()
    checkout.sandbox_complete(payment)
    assert list(payment.events.values_list("from_status", "to_status")) == [("pending", "paid")]
    order = Order.objects.get(payment=payment)
    assert list(order.events.values_list("from_status", "to_status")) == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
    ]


def test_closing_an_expired_payment_writes_its_event() -> None:
    payment = _unpaid()
    assert checkout.unpaid_timeout(payment.expires_at + timedelta(seconds=1)) == 1
    assert list(payment.events.values_list("from_status", "to_status", "actor_id")) == [
        ("pending", "closed", None)
    ]
    order = Order.objects.get(payment=payment)
    assert order.events.filter(from_status="pending_payment", to_status="cancelled").count() == 1


def test_a_refund_writes_its_event() -> None:
    order, buyer, owner = paid_order(units=2, price_fen=1000)
    request = ask(order, buyer, 1)
    aftersales.aftersale_approve(request, actor=owner)
    refund = Refund.objects.get(payment=order.payment)
    assert refund.status == "succeeded"
    assert list(refund.events.values_list("from_status", "to_status")) == [
        ("processing", "succeeded")
    ]


def test_a_lost_race_raises_and_writes_no_event() -> None:
    payment = _unpaid()
    stale = Payment.objects.get(pk=payment.pk)
    # Someone else closes it meanwhile (a conditional update of their own).
    payment_rules.PAYMENT.move(payment, payment_rules.CLOSED)
    with pytest.raises(InvalidTransition):
        payment_rules.PAYMENT.move(stale, payment_rules.PAID, provider="sandbox")
    assert list(PaymentEvent.objects.filter(payment=payment).values_list("to_status")) == [
        ("closed",)
    ]
    assert Payment.objects.get(pk=payment.pk).status == "closed"


def test_an_undeclared_move_raises_and_writes_nothing() -> None:
    payment = _unpaid()
    with pytest.raises(InvalidTransition):
        payment_rules.PAYMENT.move(payment, "refunded")
    assert not PaymentEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_move_many_writes_events_only_for_the_rows_it_moved() -> None:
    first, second = _unpaid(), _unpaid()
    orders = Order.objects.filter(payment__in=[first, second])
    mine = Order.objects.get(payment=first)
    theirs = Order.objects.get(payment=second)
    order_rules.ORDER.move(theirs, order_rules.CANCELLED, note="someone else")
    moved = order_rules.ORDER.move_many(
        orders, order_rules.PENDING_PAYMENT, order_rules.PAID, note="batch"
    )
    assert moved == [mine.pk]
    assert OrderEvent.objects.filter(note="batch").count() == 1
    assert OrderEvent.objects.get(note="batch").order_id == mine.pk
    assert order_rules.ORDER.move_many(orders, order_rules.PENDING_PAYMENT, order_rules.PAID) == []
    assert OrderEvent.objects.filter(to_status="paid").count() == 1


def test_the_late_refund_retry_is_a_periodic_job() -> None:
    from sharemall.config.jobs import all_jobs  # noqa: PLC0415

    assert "late_refunds_retry" in [job.name for job in all_jobs()]

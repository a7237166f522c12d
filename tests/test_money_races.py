"""Races on PostgreSQL around money: concurrent partial refunds of one order and concurrent
after-sales claims on the same units. Skipped on SQLite, which serialises writers."""

from __future__ import annotations

import pytest

from sharemall.aftersales import services
from sharemall.aftersales.models import AfterSale
from sharemall.core.errors import DomainError
from sharemall.orders.models import Order, OrderLine
from sharemall.payments.models import Refund
from sharemall.wallet.services import balance, ledger_check, order_receivable, platform
from tests.aftersales_support import ask, fee_postings_of, paid_order
from tests.races import all_at_once, postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_partial_refunds_give_back_exactly_the_fee(round_: int) -> None:
    units = 9
    order, buyer, owner = paid_order(units=units, price_fen=1111 + round_ * 17, fee_bp=633)
    requests = [ask(order, buyer, 1) for _ in range(units)]

    outcomes = all_at_once(
        [lambda a=a: services.aftersale_approve(a, actor=owner) for a in requests]
    )

    assert [getattr(o, "status", repr(o)) for o in outcomes] == ["refunded"] * units
    order = Order.objects.get(pk=order.pk)
    assert order.refunded_fen == order.total_fen
    assert order.status == "closed"
    assert sum(Refund.objects.values_list("amount_fen", flat=True)) == order.total_fen
    assert fee_postings_of(order) == 0
    assert balance(order_receivable(order.pk)) == 0
    assert balance(platform("platform_fees")) == 0
    assert balance(platform("buyer_payments_clearing")) == 0
    assert balance(platform("provider_funds")) == 0
    assert ledger_check() == []


def test_concurrent_claims_on_the_same_units_give_the_losers_a_clean_refusal() -> None:
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    outcomes = all_at_once([lambda: ask(order, buyer, 2) for _ in range(8)])

    won = [o for o in outcomes if isinstance(o, AfterSale)]
    lost = [o for o in outcomes if not isinstance(o, AfterSale)]
    assert len(won) == 1
    # A loser that raced the winner's claim gets 409 units_unavailable; one that started after
    # the winner committed is turned away by the quantity check first (400 invalid_quantity,
    # as a sequential over-claim is). Which one depends on timing; both write nothing.
    assert all(isinstance(e, DomainError) for e in lost), lost
    assert {(e.status, e.code) for e in lost} <= {
        (409, "units_unavailable"),
        (400, "invalid_quantity"),
    }, lost
    assert len(lost) == 7
    line = OrderLine.objects.get(order=order)
    assert (line.claimed_quantity, line.claimed_fen) == (2, 6666)
    assert AfterSale.objects.count() == 1
    assert Order.objects.get(pk=order.pk).open_aftersales == 1


def test_concurrent_claims_of_single_units_all_win_while_units_last() -> None:
    order, buyer, _owner = paid_order(units=5, price_fen=2001)
    outcomes = all_at_once([lambda: ask(order, buyer, 1) for _ in range(8)])

    won = [o for o in outcomes if isinstance(o, AfterSale)]
    lost = [o for o in outcomes if not isinstance(o, AfterSale)]
    assert len(won) == 5
    # As above: 409 for a loser that raced the last claim, 400 for one that came after it.
    assert len(lost) == 3
    assert {getattr(e, "code", repr(e)) for e in lost} <= {"units_unavailable", "invalid_quantity"}
    line = OrderLine.objects.get(order=order)
    assert (line.claimed_quantity, line.claimed_fen) == (5, line.paid_fen)
    assert sum(a.refund_fen for a in won) == line.paid_fen
    assert Order.objects.get(pk=order.pk).open_aftersales == 5

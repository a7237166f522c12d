"""Claims on a line's units: a request that loses them to another answers 409, never 500, and
a rejected request whose units were claimed again cannot be escalated."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from conftest import Api
from django.db import transaction
from tests.aftersales_support import ask, paid_order

from sharemall.aftersales import services
from sharemall.aftersales.models import AfterSale, Dispute
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db


def _body(line: OrderLine, quantity: int) -> dict[str, Any]:
    return {"type": "refund", "lines": [{"line_id": line.pk, "quantity": quantity}], "reason": "x"}


def test_a_request_whose_units_were_claimed_meanwhile_answers_409(api: Api) -> None:
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    line = order.lines.get()
    real_atomic = transaction.atomic
    raced: list[AfterSale] = []
    started = False

    def another_request_commits_first(*args: Any, **kwargs: Any) -> Any:
        nonlocal started
        if not started:  # after this request checked the line, another one claims its units
            started = True
            raced.append(ask(order, buyer, 2))
        return real_atomic(*args, **kwargs)

    with mock.patch.object(transaction, "atomic", side_effect=another_request_commits_first):
        answer = api.post(f"/orders/{order.pk}/aftersales", _body(line, 2), as_=buyer)

    assert (answer.status, answer.error_code) == (409, "units_unavailable")
    assert answer.body["error"]["details"] == {"line_id": line.pk, "available": 1}
    assert list(AfterSale.objects.all()) == raced
    line.refresh_from_db()
    assert (line.claimed_quantity, line.claimed_fen) == (2, 6666)
    assert Order.objects.get(pk=order.pk).open_aftersales == 1


def test_a_lost_update_on_the_counters_is_retried(api: Api) -> None:
    """Losing the conditional update to a claim that left enough units is no failure."""
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    line = order.lines.get()
    real_claim = orders.line_claim
    started = False

    def another_request_first(claimed_line: OrderLine, quantity: int) -> int:
        nonlocal started
        if not started:  # claims a unit after this request read the line's counters
            started = True
            ask(order, buyer, 1)
        return real_claim(claimed_line, quantity)

    with mock.patch.object(orders, "line_claim", side_effect=another_request_first):
        answer = api.post(f"/orders/{order.pk}/aftersales", _body(line, 2), as_=buyer)

    assert answer.status == 201, answer.body
    assert answer.body["refund_fen"] == 6666
    line.refresh_from_db()
    assert (line.claimed_quantity, line.claimed_fen) == (3, 9999)


def test_escalating_a_rejection_whose_units_were_claimed_again_answers_409(api: Api) -> None:
    order, buyer, owner = paid_order(units=3, price_fen=3333)
    first = ask(order, buyer, 3)
    services.aftersale_reject(first, actor=owner, reason="不同意")
    newer = ask(order, buyer, 2)

    answer = api.post(f"/aftersales/{first.pk}/escalate", {"statement": "我要申诉"}, as_=buyer)

    assert (answer.status, answer.error_code) == (409, "units_reclaimed")
    assert not Dispute.objects.exists()
    first.refresh_from_db()
    assert first.status == "rejected"
    line = order.lines.get()
    assert (line.claimed_quantity, line.claimed_fen) == (2, newer.refund_fen)
    assert Order.objects.get(pk=order.pk).open_aftersales == 1


def test_escalating_a_rejection_whose_units_are_free_still_works(api: Api) -> None:
    order, buyer, owner = paid_order(units=3, price_fen=3333)
    first = ask(order, buyer, 2)
    services.aftersale_reject(first, actor=owner, reason="不同意")
    ask(order, buyer, 1)  # the unit the first request never claimed

    answer = api.post(f"/aftersales/{first.pk}/escalate", {"statement": "我要申诉"}, as_=buyer)

    assert answer.status == 201, answer.body
    line = order.lines.get()
    assert line.claimed_quantity == 3

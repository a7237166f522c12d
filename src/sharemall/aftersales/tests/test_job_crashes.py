"""The after-sales sweeps survive a worker dying half-way, and two workers at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone
from tests.factories import MemberFactory, merchant, product
from tests.flows import ADDRESS

from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale, AfterSaleEvent
from sharemall.orders.models import Order
from sharemall.payments import services as payment_services
from sharemall.payments.models import Refund
from sharemall.wallet.services import ledger_check

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """Stands for the worker being killed: nothing after this point runs."""


def _requested_refund(api: Api) -> AfterSale:
    shop = merchant()
    sku = product(shop, price_fen=3333, stock=10).skus.get()
    buyer = MemberFactory.create()
    created = api.post(
        "/orders", {"items": [{"sku_id": sku.pk, "quantity": 2}], "delivery": ADDRESS}, as_=buyer
    ).body
    assert api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer).status == 200
    order = Order.objects.get(pk=created["orders"][0]["id"])
    answer = api.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "lines": [{"line_id": order.lines.get().pk, "quantity": 1}],
            "reason": "x",
        },
        as_=buyer,
    )
    assert answer.status == 201, answer.body
    return AfterSale.objects.get(pk=answer.body["id"])


def _killed_before_the_provider(api: Api, monkeypatch: pytest.MonkeyPatch) -> AfterSale:
    """Auto-approval committed the refund's bookkeeping, then the worker died."""
    aftersale = _requested_refund(api)

    def dies(*_a: Any, **_k: Any) -> Any:
        raise Killed

    monkeypatch.setattr(payment_services, "refund_request", dies)
    with pytest.raises(Killed):
        aftersales.aftersales_auto_approve(timezone.now() + timedelta(days=4))
    monkeypatch.undo()
    aftersale.refresh_from_db()
    assert aftersale.status == "refunding"
    return aftersale


def _assert_refunded_once(aftersale: AfterSale) -> None:
    aftersale.refresh_from_db()
    assert aftersale.status == "refunded"
    assert Refund.objects.filter(source_key=f"aftersale:{aftersale.pk}").count() == 1
    assert AfterSaleEvent.objects.filter(aftersale=aftersale, to_status="refunded").count() == 1
    assert Order.objects.get(pk=aftersale.order_id).open_aftersales == 0
    assert ledger_check() == []


def test_an_approval_killed_before_the_provider_is_finished_by_the_refunds_job(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    aftersale = _killed_before_the_provider(api, monkeypatch)
    assert aftersales.aftersales_finish_refunds(timezone.now()) == 1
    _assert_refunded_once(aftersale)
    assert aftersales.aftersales_finish_refunds(timezone.now()) == 0


def test_two_workers_finishing_the_same_refund_do_not_break_the_run(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    aftersale = _killed_before_the_provider(api, monkeypatch)
    # A second, stuck request behind it: the run must still reach it.
    second = _killed_before_the_provider(api, monkeypatch)
    real = payment_services.refund_request
    raced: list[int] = []

    def other_worker_first(payment: Any, **kwargs: Any) -> Refund:
        # Another worker finishes this request between this run's selection and its move.
        if not raced:
            raced.append(1)
            monkeypatch.setattr(payment_services, "refund_request", real)
            aftersales._finish_refund(
                AfterSale.objects.get(pk=aftersale.pk), Order.objects.get(pk=aftersale.order_id)
            )
            monkeypatch.setattr(payment_services, "refund_request", other_worker_first)
        return real(payment, **kwargs)

    monkeypatch.setattr(payment_services, "refund_request", other_worker_first)
    assert aftersales.aftersales_finish_refunds(timezone.now()) == 1  # the second one
    _assert_refunded_once(aftersale)
    _assert_refunded_once(second)

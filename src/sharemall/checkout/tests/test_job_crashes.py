"""The periodic sweeps survive a worker dying half-way through an item: either the item's whole
move commits together, or the next run finishes what a dead run began."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone
from tests.factories import MemberFactory, merchant, phone, product
from tests.flows import buy, pay, register, share

from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments.models import Payment
from sharemall.wallet.services import ledger_check

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}


class Killed(BaseException):
    """Stands for the worker being killed: nothing after this point runs."""


def _dies(*_args: Any, **_kwargs: Any) -> Any:
    raise Killed


def _unpaid_cart() -> tuple[checkout.CheckoutResult, list[Sku]]:
    """One payment over two merchants' orders, 2 + 3 units reserved."""
    skus = [product(stock=10).skus.get(), product(stock=10).skus.get()]
    result = checkout.order_create(
        buyer=MemberFactory.create(),
        items=[checkout.Item(skus[0].pk, 2), checkout.Item(skus[1].pk, 3)],
        delivery=EXPRESS,
    )
    assert len(result.orders) == 2
    assert [Sku.objects.get(pk=s.pk).stock for s in skus] == [8, 7]
    return result, skus


def _assert_timed_out(result: checkout.CheckoutResult, skus: list[Sku]) -> None:
    assert Payment.objects.get(pk=result.payment.pk).status == Payment.Status.CLOSED
    assert set(Order.objects.filter(payment=result.payment).values_list("status", flat=True)) == {
        "cancelled"
    }
    # Every unit back, exactly once.
    assert [Sku.objects.get(pk=s.pk).stock for s in skus] == [10, 10]
    cancelled = OrderEvent.objects.filter(order__payment=result.payment, to_status="cancelled")
    assert cancelled.count() == 2


def test_a_timeout_killed_after_closing_the_payment_is_finished_by_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result, skus = _unpaid_cart()
    later = timezone.now() + timedelta(minutes=31)
    monkeypatch.setattr(orders, "orders_cancel_for_payment", _dies)
    with pytest.raises(Killed):
        checkout.unpaid_timeout(later)
    monkeypatch.undo()

    assert checkout.unpaid_timeout(later) == 1
    _assert_timed_out(result, skus)
    assert checkout.unpaid_timeout(later) == 0  # and again: nothing more to do
    _assert_timed_out(result, skus)


def test_the_timeout_picks_up_closed_payments_whose_orders_are_still_unpaid() -> None:
    """What a run of older code killed between its two commits left behind."""
    result, skus = _unpaid_cart()
    later = timezone.now() + timedelta(minutes=31)
    Payment.objects.filter(pk=result.payment.pk).update(status="closed", closed_at=later)

    assert checkout.unpaid_timeout(later) == 1
    _assert_timed_out(result, skus)
    assert checkout.unpaid_timeout(later) == 0
    _assert_timed_out(result, skus)


def _received_sale(api: Api) -> int:
    """A sale through a share, paid, shipped and received: its commissions are pending."""
    shop = merchant()
    item = product(shop, price_fen=9999, stock=100)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200
    _sharer_id, sharer = register(api, phone())
    code = share(api, sharer, item.pk)
    _buyer_id, buyer = register(api, phone(), code)
    created = buy(api, buyer, item.skus.get(), share_code=code)
    pay(api, buyer, created["payment_id"])
    order_id = int(created["orders"][0]["id"])
    assert (
        api.post(
            f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=shop.owner
        ).status
        == 200
    )
    assert api.post(f"/orders/{order_id}/confirm-receipt", as_=buyer).status == 200
    assert CommissionEntry.objects.filter(order_id=order_id, status="pending").count() >= 1
    return order_id


def _assert_completed_and_settled(order_id: int, *, events: int = 1) -> None:
    assert Order.objects.get(pk=order_id).status == "completed"
    statuses = set(
        CommissionEntry.objects.filter(order_id=order_id).values_list("status", flat=True)
    )
    assert statuses == {"settled"}
    assert OrderEvent.objects.filter(order_id=order_id, to_status="completed").count() == events
    assert ledger_check() == []


def test_a_completion_killed_before_settling_is_finished_by_the_next_run(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = _received_sale(api)
    later = timezone.now() + timedelta(days=8)
    monkeypatch.setattr(distribution, "commissions_settle", _dies)
    with pytest.raises(Killed):
        checkout.orders_complete(later)
    monkeypatch.undo()

    assert checkout.orders_complete(later) == 1
    _assert_completed_and_settled(order_id)
    assert checkout.orders_complete(later) == 0
    _assert_completed_and_settled(order_id)


def test_completion_picks_up_completed_orders_whose_commissions_are_still_pending(
    api: Api,
) -> None:
    """What a run of older code killed between completing and settling left behind."""
    order_id = _received_sale(api)
    later = timezone.now() + timedelta(days=8)
    Order.objects.filter(pk=order_id).update(status="completed", completed_at=later)

    assert checkout.orders_complete(later) == 1
    _assert_completed_and_settled(order_id, events=0)
    assert checkout.orders_complete(later) == 0
    _assert_completed_and_settled(order_id, events=0)

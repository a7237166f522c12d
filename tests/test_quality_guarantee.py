"""After completion, the quality-guarantee window (a platform setting, default 15 days) still takes
refund and return-and-refund requests; afterwards a request is refused with guarantee_expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.aftersales import rules
from sharemall.aftersales.models import AfterSale
from sharemall.config.jobs import run_due_jobs
from sharemall.merchants import services as merchant_services
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderEvent
from sharemall.platform import services as platform
from sharemall.wallet.services import ledger_check
from sharemall.web.tests.support import browser, page
from tests.aftersales_support import paid_order

pytestmark = pytest.mark.django_db


def completed_order(units: int = 2) -> tuple[Order, Member, Member]:
    """A paid order shipped, received and completed by the completion job."""
    order, buyer, owner = paid_order(units=units, price_fen=5000)
    orders.order_ship(order, actor=owner, carrier="SF", tracking_no="SF1")
    orders.order_confirm_receipt(Order.objects.get(pk=order.pk), actor=buyer)
    run_due_jobs(timezone.now() + timedelta(days=8))
    order.refresh_from_db()
    assert order.status == "completed"
    return order, buyer, owner


def body(order: Order, quantity: int, kind: str = "refund") -> dict[str, object]:
    line = order.lines.get()
    return {"type": kind, "lines": [{"line_id": line.pk, "quantity": quantity}], "reason": "坏了"}


def completed_days_ago(order: Order, days: float) -> None:
    Order.objects.filter(pk=order.pk).update(completed_at=timezone.now() - timedelta(days=days))


# --- the rule ---------------------------------------------------------------------------------


def test_the_window_is_inclusive_and_only_for_completed_orders() -> None:
    done = datetime(2026, 1, 1, tzinfo=UTC)
    until = rules.guarantee_ends(done, 15)
    assert until == datetime(2026, 1, 16, tzinfo=UTC)
    assert rules.guarantee_ends(None, 15) is None
    refusal = rules.request_refusal
    assert refusal("completed", "refund", guarantee_until=until, now=until) == ""
    assert refusal("completed", "return_refund", guarantee_until=until, now=until) == ""
    later = until + timedelta(seconds=1)
    assert refusal("completed", "refund", guarantee_until=until, now=later) == "guarantee_expired"
    assert refusal("completed", None, guarantee_until=None, now=done) == "guarantee_expired"
    assert refusal("received", "refund", guarantee_until=None, now=later) == ""
    assert refusal("paid", "return_refund", guarantee_until=None, now=done) == "order_not_sent"
    for status in ("pending_payment", "cancelled", "closed"):
        assert refusal(status, "refund", guarantee_until=until, now=done) == "order_not_eligible"


# --- refunds in the window --------------------------------------------------------------------


def test_a_refund_in_the_window_is_refunded_at_once_and_the_order_reads_refunded(
    api: Api,
) -> None:
    order, buyer, owner = completed_order(units=2)
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 2), as_=buyer)
    assert answer.status == 201, answer.body
    assert Order.objects.get(pk=order.pk).open_aftersales == 1

    approved = api.post(f"/aftersales/{answer.body['id']}/approve", as_=owner)
    assert approved.status == 200, approved.body
    assert AfterSale.objects.get(pk=answer.body["id"]).status == "refunded"
    order.refresh_from_db()
    # Still completed: settlement follows completed orders; the buyer reads 已退款.
    assert (order.status, order.open_aftersales, order.refunded_fen) == ("completed", 0, 10000)
    assert api.get(f"/orders/{order.pk}", as_=buyer).body["status_label"] == "已退款"
    assert ledger_check() == []
    # Later jobs leave it be and the books stay balanced.
    run_due_jobs(timezone.now() + timedelta(days=30))
    assert Order.objects.get(pk=order.pk).status == "completed"
    assert ledger_check() == []


def test_a_partial_refund_leaves_the_order_finished(api: Api) -> None:
    order, buyer, owner = completed_order(units=2)
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1), as_=buyer)
    api.post(f"/aftersales/{answer.body['id']}/approve", as_=owner)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("completed", 5000)
    assert api.get(f"/orders/{order.pk}", as_=buyer).body["status_label"] == "待评价"  # not 已退款
    assert ledger_check() == []


def test_a_return_in_the_window_goes_the_whole_way(api: Api) -> None:
    order, buyer, owner = completed_order(units=1)
    merchant_services.merchant_set_return_address(
        order.merchant, receiver="退货组", phone="13800000000", region_code="440305", address="仓库"
    )
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1, "return_refund"), as_=buyer)
    assert answer.status == 201, answer.body
    request_id = answer.body["id"]
    assert api.post(f"/aftersales/{request_id}/approve", as_=owner).status == 200
    shipped = api.post(
        f"/aftersales/{request_id}/return",
        {"carrier": "SF", "tracking_no": "SF9"},
        as_=buyer,
    )
    assert shipped.status == 200, shipped.body
    confirmed = api.post(f"/aftersales/{request_id}/confirm-return", as_=owner)
    assert confirmed.status == 200, confirmed.body
    assert AfterSale.objects.get(pk=request_id).status == "refunded"
    order.refresh_from_db()
    assert (order.status, order.open_aftersales, order.refunded_fen) == ("completed", 0, 5000)
    assert ledger_check() == []


def test_a_rejected_request_in_the_window_can_go_to_the_platform(api: Api) -> None:
    order, buyer, owner = completed_order(units=1)
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1), as_=buyer)
    rejected = api.post(
        f"/aftersales/{answer.body['id']}/reject", {"reason": "不是质量问题"}, as_=owner
    )
    assert rejected.status == 200, rejected.body
    escalated = api.post(
        f"/aftersales/{answer.body['id']}/escalate", {"statement": "是质量问题"}, as_=buyer
    )
    assert escalated.status in (200, 201), escalated.body
    completed_days_ago(order, 16)
    # The window closed while it was disputed: the platform still rules on it.
    assert AfterSale.objects.get(pk=answer.body["id"]).status == "disputed"


# --- after the window -------------------------------------------------------------------------


def test_a_request_after_the_window_is_refused_with_guarantee_expired(api: Api) -> None:
    order, buyer, _owner = completed_order()
    completed_days_ago(order, 15.01)
    for kind in ("refund", "return_refund"):
        answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1, kind), as_=buyer)
        assert (answer.status, answer.error_code) == (400, "guarantee_expired")
        assert "质保期" in answer.body["error"]["message"]
    assert not AfterSale.objects.filter(order=order).exists()
    assert Order.objects.get(pk=order.pk).open_aftersales == 0


def test_the_window_follows_the_platform_setting(api: Api, operator: Member) -> None:
    order, buyer, _owner = completed_order()
    completed_days_ago(order, 20)
    platform.settings_update({"quality_guarantee_days": 30}, actor=operator)
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1), as_=buyer)
    assert answer.status == 201, answer.body
    platform.settings_update({"quality_guarantee_days": 0}, actor=operator)
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1), as_=buyer)
    assert (answer.status, answer.error_code) == (400, "guarantee_expired")


def test_a_rejection_after_the_window_cannot_be_escalated(api: Api) -> None:
    order, buyer, owner = completed_order(units=1)
    answer = api.post(f"/orders/{order.pk}/aftersales", body(order, 1), as_=buyer)
    api.post(f"/aftersales/{answer.body['id']}/reject", {"reason": "不是质量问题"}, as_=owner)
    completed_days_ago(order, 16)
    escalated = api.post(
        f"/aftersales/{answer.body['id']}/escalate", {"statement": "是质量问题"}, as_=buyer
    )
    assert (escalated.status, escalated.error_code) == (400, "guarantee_expired")


# --- the buyer's order page -------------------------------------------------------------------


def test_the_order_page_offers_after_sales_with_its_deadline_only_in_the_window() -> None:
    order, buyer, _owner = completed_order()
    completed_days_ago(order, 3)
    order.refresh_from_db()
    assert order.completed_at is not None
    deadline = timezone.localtime(order.completed_at + timedelta(days=15))
    html = page(browser(buyer), f"/orders/{order.pk}")
    assert 'id="aftersale-link"' in html
    assert f"Quality guarantee until {deadline:%Y-%m-%d}" in html
    assert page(browser(buyer), f"/orders/{order.pk}/aftersales/new").count("quantity-") > 0

    completed_days_ago(order, 16)
    html = page(browser(buyer), f"/orders/{order.pk}")
    assert 'id="aftersale-link"' not in html
    assert "Quality guarantee until" not in html


def test_a_received_order_shows_no_deadline_yet() -> None:
    order, buyer, owner = paid_order(units=1, price_fen=5000)
    orders.order_ship(order, actor=owner, carrier="SF", tracking_no="SF1")
    orders.order_confirm_receipt(Order.objects.get(pk=order.pk), actor=buyer)
    html = page(browser(buyer), f"/orders/{order.pk}")
    assert 'id="aftersale-link"' in html
    assert "Quality guarantee until" not in html
    assert OrderEvent.objects.filter(order=order).count() == 4

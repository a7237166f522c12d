"""After-sales through the API: partial refunds, returns, rejection, disputes, auto-approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.aftersales.models import AfterSale
from sharemall.config.jobs import run_due_jobs
from sharemall.orders.models import Order, OrderLine
from sharemall.payments.models import Refund
from sharemall.wallet.services import balance, ledger_check, order_receivable, platform
from tests.factories import MemberFactory, OperatorFactory, merchant, product, with_return_address
from tests.flows import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(api: Api) -> tuple[Order, Member, Member]:
    """A paid order of 3 units at ¥33.33 (9999 fen) — awkward numbers on purpose."""
    m = merchant()
    p = product(m, price_fen=3333, stock=10)
    buyer = MemberFactory.create()
    created = api.post(
        "/orders",
        {"items": [{"sku_id": p.skus.get().pk, "quantity": 3}], "delivery": ADDRESS},
        as_=buyer,
    ).body
    assert api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer).status == 200
    return Order.objects.get(pk=created["orders"][0]["id"]), buyer, m.owner


def ask(api: Api, order: Order, buyer: Member, quantity: int, kind: str = "refund") -> dict:
    line = order.lines.get()
    answer = api.post(
        f"/orders/{order.pk}/aftersales",
        {"type": kind, "lines": [{"line_id": line.pk, "quantity": quantity}], "reason": "坏了"},
        as_=buyer,
    )
    assert answer.status == 201, answer.body
    return answer.body


def test_partial_refunds_return_exactly_what_was_paid(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, owner = paid_order
    first = ask(api, order, buyer, 1)
    assert (first["status"], first["refund_fen"]) == ("requested", 3333)
    approved = api.post(f"/aftersales/{first['id']}/approve", as_=owner)
    assert approved.status == 200
    assert approved.body["status"] == "refunded"  # sandbox refunds at once
    second = ask(api, order, buyer, 2)
    assert second["refund_fen"] == 6666
    api.post(f"/aftersales/{second['id']}/approve", as_=owner)
    order.refresh_from_db()
    assert order.refunded_fen == order.total_fen == 9999
    assert order.status == "closed"  # everything refunded before it was received
    assert sum(Refund.objects.values_list("amount_fen", flat=True)) == 9999
    # The ledger is back where it started for the merchant and the platform.
    assert balance(order_receivable(order.pk)) == 0
    assert balance(platform("platform_fees")) == 0
    assert balance(platform("provider_funds")) == 0
    assert balance(platform("buyer_payments_clearing")) == 0
    assert ledger_check() == []


def test_cannot_claim_more_units_than_bought(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, _owner = paid_order
    ask(api, order, buyer, 2)
    line = order.lines.get()
    over = api.post(
        f"/orders/{order.pk}/aftersales",
        {"type": "refund", "lines": [{"line_id": line.pk, "quantity": 2}], "reason": "x"},
        as_=buyer,
    )
    assert (over.status, over.error_code) == (400, "invalid_quantity")
    assert AfterSale.objects.count() == 1


def test_rejection_releases_the_units_and_a_dispute_can_refund(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, owner = paid_order
    request = ask(api, order, buyer, 3)
    rejected = api.post(f"/aftersales/{request['id']}/reject", {"reason": "已超出范围"}, as_=owner)
    assert rejected.body["status"] == "rejected"
    assert OrderLine.objects.get(order=order).claimed_quantity == 0
    dispute = api.post(
        f"/aftersales/{request['id']}/escalate", {"statement": "商品有破损"}, as_=buyer
    )
    assert dispute.status == 201
    operator = OperatorFactory.create()
    assert [d["id"] for d in api.get("/platform/disputes", as_=operator).body] == [
        dispute.body["id"]
    ]
    assert api.get("/platform/disputes", as_=buyer).status == 403
    trail = api.get(f"/aftersales/{request['id']}/trail", as_=operator).body
    assert trail["merchant"]["certification"][-1]["to"] == "approved"
    assert [e["to"] for e in trail["aftersale"]["events"]] == ["requested", "rejected", "disputed"]
    assert [e["to"] for e in trail["order"]["events"]] == ["pending_payment", "paid"]
    ruled = api.post(
        f"/platform/disputes/{dispute.body['id']}/rule",
        {"ruling": "refund", "note": "照片显示破损"},
        as_=operator,
    )
    assert ruled.body["status"] == "refunded"
    again = api.post(
        f"/platform/disputes/{dispute.body['id']}/rule",
        {"ruling": "reject", "note": "x"},
        as_=operator,
    )
    assert again.status == 409
    assert ledger_check() == []


def test_return_and_refund(api: Api, paid_order: tuple[Order, Member, Member]) -> None:
    order, buyer, owner = paid_order
    assert (
        api.post(
            f"/orders/{order.pk}/aftersales",
            {
                "type": "return_refund",
                "lines": [{"line_id": order.lines.get().pk, "quantity": 1}],
                "reason": "x",
            },
            as_=buyer,
        ).error_code
        == "order_not_eligible"
    )  # not shipped yet
    api.post(f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner)
    request = ask(api, order, buyer, 1, kind="return_refund")
    with_return_address(order.merchant)
    approved = api.post(f"/aftersales/{request['id']}/approve", as_=owner).body
    assert approved["status"] == "awaiting_return"
    sent_to = {
        "receiver": "退货组",
        "phone": "13900001111",
        "region_code": "440305",
        "region_name": "广东省深圳市南山区",
        "address": "科技园 9 号仓",
    }
    assert approved["return_address"] == sent_to
    assert api.get(f"/aftersales/{request['id']}", as_=buyer).body["return_address"] == sent_to
    sent = api.post(
        f"/aftersales/{request['id']}/return", {"carrier": "SF", "tracking_no": "SF9"}, as_=buyer
    )
    assert sent.body["status"] == "return_shipped"
    assert sent.body["return_address"] == sent_to  # still shown while the parcel travels
    done = api.post(f"/aftersales/{request['id']}/confirm-return", as_=owner)
    assert done.body["status"] == "refunded"
    assert done.body["return_address"] is None
    order.refresh_from_db()
    assert order.status == "shipped"  # partly refunded: the rest is still on its way


def test_unanswered_requests_are_approved_automatically(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, _owner = paid_order
    request = ask(api, order, buyer, 1)
    run_due_jobs(timezone.now() + timedelta(days=2))
    assert AfterSale.objects.get(pk=request["id"]).status == "requested"
    run_due_jobs(timezone.now() + timedelta(days=3, minutes=1))
    assert AfterSale.objects.get(pk=request["id"]).status == "refunded"


def test_open_request_holds_completion(api: Api, paid_order: tuple[Order, Member, Member]) -> None:
    order, buyer, owner = paid_order
    api.post(f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner)
    api.post(f"/orders/{order.pk}/confirm-receipt", as_=buyer)
    request = ask(api, order, buyer, 1, kind="return_refund")
    with_return_address(order.merchant)
    assert api.post(f"/aftersales/{request['id']}/approve", as_=owner).status == 200
    run_due_jobs(timezone.now() + timedelta(days=8))
    assert Order.objects.get(pk=order.pk).status == "received"
    api.post(f"/aftersales/{request['id']}/cancel", as_=buyer)
    run_due_jobs(timezone.now() + timedelta(days=8))
    assert Order.objects.get(pk=order.pk).status == "completed"


def test_aftersales_permissions(api: Api, paid_order: tuple[Order, Member, Member]) -> None:
    order, buyer, owner = paid_order
    stranger, other_owner = MemberFactory.create(), merchant().owner
    line = order.lines.get()
    body = {"type": "refund", "lines": [{"line_id": line.pk, "quantity": 1}], "reason": "x"}
    assert api.post(f"/orders/{order.pk}/aftersales", body, as_=stranger).status == 404
    assert api.post(f"/orders/{order.pk}/aftersales", body, as_=owner).status == 404
    request = ask(api, order, buyer, 1)
    for who in (stranger, other_owner, buyer):
        assert api.post(f"/aftersales/{request['id']}/approve", as_=who).status == 404
    assert api.get(f"/aftersales/{request['id']}", as_=stranger).status == 404
    assert api.get(f"/aftersales/{request['id']}", as_=owner).status == 200


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "invalid_input"),
        ([{"line_id": 999999, "quantity": 1}], "unknown_line"),
        ([{"line_id": "LINE", "quantity": 1}], "invalid_input"),
        ([{"line_id": "LINE", "quantity": 0}], "invalid_quantity"),
        ([{"line_id": "LINE", "quantity": 4}], "invalid_quantity"),
    ],
)
def test_bad_requests_write_nothing(
    api: Api, paid_order: tuple[Order, Member, Member], lines: list, code: str
) -> None:
    order, buyer, _owner = paid_order
    line = order.lines.get()
    if lines and lines[0]["line_id"] == "LINE" and code != "invalid_input":
        lines[0]["line_id"] = line.pk
    answer = api.post(
        f"/orders/{order.pk}/aftersales",
        {"type": "refund", "lines": lines, "reason": "x"},
        as_=buyer,
    )
    assert (answer.status, answer.error_code) == (400, code)
    assert AfterSale.objects.count() == 0
    line.refresh_from_db()
    assert line.claimed_quantity == 0


def test_the_merchant_lists_its_aftersales_queue(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, owner = paid_order
    first = ask(api, order, buyer, 1)
    api.post(f"/aftersales/{first['id']}/approve", as_=owner)
    waiting = ask(api, order, buyer, 1)
    queue = f"/merchants/{order.merchant_id}/aftersales"

    assert [a["id"] for a in api.get(queue, as_=owner).body] == [waiting["id"], first["id"]]
    assert [a["id"] for a in api.get(f"{queue}?status=open", as_=owner).body] == [waiting["id"]]
    assert [a["id"] for a in api.get(f"{queue}?status=refunded", as_=owner).body] == [first["id"]]
    assert [a["id"] for a in api.get(f"{queue}?limit=1&offset=1", as_=owner).body] == [first["id"]]
    unknown = api.get(f"{queue}?status=lost", as_=owner)
    assert (unknown.status, unknown.body["error"]["code"]) == (400, "invalid_status")
    # Another merchant's queue is as good as missing; the buyer is not its staff.
    assert api.get(queue, as_=buyer).status == 404
    assert api.get(f"/merchants/{merchant().pk}/aftersales", as_=owner).status == 404


def test_a_silent_merchant_without_a_return_address_is_approved_by_the_job_all_the_same(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, owner = paid_order
    api.post(f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner)
    request = ask(api, order, buyer, 1, kind="return_refund")

    run_due_jobs(timezone.now() + timedelta(days=3, minutes=1))

    seen = api.get(f"/aftersales/{request['id']}", as_=buyer).body
    assert (seen["status"], seen["return_address"]) == ("awaiting_return", None)
    with_return_address(order.merchant)  # the buyer sees it as soon as the shop sets it
    assert api.get(f"/aftersales/{request['id']}", as_=buyer).body["return_address"] is not None


def test_a_return_approved_before_the_shop_set_an_address_shows_none_until_it_does(
    api: Api, paid_order: tuple[Order, Member, Member]
) -> None:
    order, buyer, owner = paid_order
    api.post(f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner)
    request = ask(api, order, buyer, 1, kind="return_refund")

    approved = api.post(f"/aftersales/{request['id']}/approve", as_=owner)

    assert approved.status == 200
    assert approved.body["status"] == "awaiting_return"
    assert api.get(f"/aftersales/{request['id']}", as_=buyer).body["return_address"] is None
    with_return_address(order.merchant)
    shown = api.get(f"/aftersales/{request['id']}", as_=buyer).body["return_address"]
    assert shown is not None and shown["receiver"] == "退货组"

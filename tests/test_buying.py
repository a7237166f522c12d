"""Buying end to end through the API: order → pay → fulfil → complete, and what must not happen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.catalog.models import Product, Sku
from sharemall.config.jobs import run_due_jobs
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments.models import NotificationLog, Payment, Refund
from sharemall.payments.providers.sandbox import SandboxProvider
from sharemall.posts import services as post_services
from sharemall.wallet.services import (
    AccountRef,
    balance,
    ledger_check,
    order_receivable,
    platform,
)
from tests.factories import MemberFactory, merchant, product
from tests.flows import ADDRESS, buy, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> tuple[Merchant, Product, Sku]:
    p = product(price_fen=9900, stock=10)
    return p.merchant, p, p.skus.get()


def test_order_pay_ship_receive_complete(api: Api, shop: tuple[Merchant, Product, Sku]) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku, quantity=2)
    assert created["amount_fen"] == 19800
    [order] = created["orders"]
    assert (order["merchant_id"], order["status"], order["total_fen"]) == (
        m.pk,
        "pending_payment",
        19800,
    )
    assert [(line["sku_id"], line["quantity"], line["paid_fen"]) for line in order["lines"]] == [
        (sku.pk, 2, 19800)
    ]
    sku.refresh_from_db()
    assert sku.stock == 8  # reserved at order creation

    params = api.post(f"/payments/{created['payment_id']}/pay", {"provider": "sandbox"}, as_=buyer)
    assert params.status == 200
    assert params.body["provider"] == "sandbox"

    assert pay(api, buyer, created["payment_id"]) == {
        "payment_id": created["payment_id"],
        "status": "paid",
    }
    assert api.get(f"/orders/{order['id']}", as_=buyer).body["status"] == "paid"
    # The ledger: money landed in clearing and went to the order's account, owed to the merchant
    # net of the 5 % fee until the order settles.
    assert balance(platform("provider_funds")) == 19800
    assert balance(platform("buyer_payments_clearing")) == 0
    assert balance(order_receivable(order["id"])) == 19800 - 990
    assert balance(platform("platform_fees")) == 990
    assert ledger_check() == []

    shipped = api.post(
        f"/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=m.owner
    )
    assert shipped.body == {"id": order["id"], "status": "shipped"}
    received = api.post(f"/orders/{order['id']}/confirm-receipt", as_=buyer)
    assert received.body == {"id": order["id"], "status": "received"}

    # Nothing completes while the after-sales window is open …
    run_due_jobs(timezone.now() + timedelta(days=6))
    assert Order.objects.get(pk=order["id"]).status == "received"
    # … and it completes once it has closed.
    run_due_jobs(timezone.now() + timedelta(days=7, minutes=1))
    assert Order.objects.get(pk=order["id"]).status == "completed"
    assert list(
        OrderEvent.objects.filter(order_id=order["id"]).values_list("to_status", flat=True)
    ) == ["pending_payment", "paid", "shipped", "received", "completed"]
    # With no settlement delay it settled in the same run: the merchant may withdraw it.
    assert balance(order_receivable(order["id"])) == 0
    assert balance(AccountRef("merchant_available", m.pk)) == 19800 - 990
    assert ledger_check() == []


def test_replayed_sandbox_completion_pays_once(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    for _ in range(5):
        assert pay(api, buyer, created["payment_id"])["status"] == "paid"
    assert OrderEvent.objects.filter(to_status="paid").count() == 1
    assert balance(platform("provider_funds")) == 9900
    assert ledger_check() == []


def test_replayed_notification_changes_nothing(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    payment = Payment.objects.get(pk=created["payment_id"])
    headers, body = SandboxProvider().signed_notification(
        payment_no=payment.payment_no, amount_fen=payment.amount_fen, txn_id="SBX-1"
    )
    http_headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    for _ in range(4):
        response = api.client.post(
            "/api/v1/payments/notify/sandbox",
            data=body,
            content_type="application/json",
            **http_headers,
        )
        assert response.status_code == 200
    assert OrderEvent.objects.filter(to_status="paid").count() == 1
    assert NotificationLog.objects.filter(outcome="duplicate").count() == 3


@pytest.mark.parametrize("tamper", ["amount", "signature", "stale", "currency", "body"])
def test_forged_notifications_are_refused(
    api: Api, shop: tuple[Merchant, Product, Sku], tamper: str
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    payment = Payment.objects.get(pk=created["payment_id"])
    sandbox = SandboxProvider()
    kwargs: dict = {"payment_no": payment.payment_no, "amount_fen": payment.amount_fen}
    if tamper == "amount":
        kwargs["amount_fen"] = 1
    if tamper == "currency":
        kwargs["currency"] = "USD"
    if tamper == "stale":
        kwargs["timestamp"] = int(timezone.now().timestamp()) - 301
    headers, body = sandbox.signed_notification(**kwargs)
    if tamper == "signature":
        headers["Sandbox-Signature"] = headers["Sandbox-Signature"][:-8] + "AAAAAAA="
    if tamper == "body":
        body = body.replace(b'"status":"SUCCESS"', b'"status":"SUCCESS" ')
    http_headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = api.client.post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        **http_headers,
    )
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert Order.objects.get(payment=payment).status == "pending_payment"
    assert NotificationLog.objects.filter(outcome="rejected").count() == 1
    assert balance(platform("provider_funds")) == 0


def test_unpaid_order_times_out_and_returns_its_stock(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku, quantity=3)
    sku.refresh_from_db()
    assert sku.stock == 7
    run_due_jobs(timezone.now() + timedelta(minutes=29))
    assert Order.objects.get(pk=created["orders"][0]["id"]).status == "pending_payment"
    jobs = run_due_jobs(timezone.now() + timedelta(minutes=31))
    assert jobs["unpaid_order_timeout"] == 1
    assert Order.objects.get(pk=created["orders"][0]["id"]).status == "cancelled"
    sku.refresh_from_db()
    assert sku.stock == 10
    # Running again changes nothing (idempotent).
    assert run_due_jobs(timezone.now() + timedelta(minutes=31))["unpaid_order_timeout"] == 0
    sku.refresh_from_db()
    assert sku.stock == 10
    # Paying a closed payment is refused.
    late = api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    assert (late.status, late.error_code) == (409, "not_payable")


def test_a_cart_of_two_merchants_is_two_orders_under_one_payment(api: Api) -> None:
    a = product(price_fen=1000, stock=5)
    b = product(price_fen=2500, stock=5)
    buyer = MemberFactory.create()
    answer = api.post(
        "/orders",
        {
            "items": [
                {"sku_id": a.skus.get().pk, "quantity": 1},
                {"sku_id": b.skus.get().pk, "quantity": 2},
            ],
            "delivery": ADDRESS,
        },
        as_=buyer,
    )
    assert answer.status == 201
    assert answer.body["amount_fen"] == 6000
    assert sorted((o["merchant_id"], o["total_fen"]) for o in answer.body["orders"]) == sorted(
        [(a.merchant_id, 1000), (b.merchant_id, 5000)]
    )
    pay(api, buyer, answer.body["payment_id"])
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    owed = {
        o.merchant_id: balance(order_receivable(o.pk))
        for o in Order.objects.filter(payment_id=answer.body["payment_id"])
    }
    assert owed == {a.merchant_id: 950, b.merchant_id: 4750}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"items": [], "delivery": ADDRESS}, 400, "invalid_input"),
        ({"items": [{"sku_id": 1, "quantity": 0}], "delivery": ADDRESS}, 400, "invalid_quantity"),
        ({"items": [{"sku_id": 999999, "quantity": 1}], "delivery": ADDRESS}, 400, "unknown_sku"),
        ({"items": [{"sku_id": "SKU", "quantity": 1}], "delivery": ADDRESS}, 400, "invalid_input"),
        ({"items": [{"sku_id": 1, "quantity": 1.5}], "delivery": ADDRESS}, 400, "invalid_input"),
        ({"items": [{"sku_id": 1, "quantity": 11}], "delivery": ADDRESS}, 409, "out_of_stock"),
        (
            {
                "items": [{"sku_id": 1, "quantity": 1}],
                "delivery": {**ADDRESS, "region_code": "440300"},
            },
            400,
            "invalid_region",
        ),
        (
            {"items": [{"sku_id": 1, "quantity": 1}], "delivery": {**ADDRESS, "phone": "1"}},
            400,
            "invalid_phone",
        ),
        (
            {"items": [{"sku_id": 1, "quantity": 1}], "delivery": {**ADDRESS, "address": ""}},
            400,
            "invalid_address",
        ),
        (
            {"items": [{"sku_id": 1, "quantity": 1}], "delivery": {"type": "drone"}},
            400,
            "invalid_input",
        ),
        (
            {
                "items": [{"sku_id": 1, "quantity": 1}],
                "delivery": {"type": "pickup", "store_id": 999},
            },
            400,
            "invalid_store",
        ),
        ({"items": [{"sku_id": 1, "quantity": 1}]}, 400, "invalid_input"),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_written(
    api: Api, shop: tuple[Merchant, Product, Sku], body: dict, status: int, code: str
) -> None:
    _m, _p, sku = shop
    for item in body.get("items", []):
        if item["sku_id"] == 1:
            item["sku_id"] = sku.pk
    answer = api.post("/orders", body, as_=MemberFactory.create())
    assert (answer.status, answer.error_code) == (status, code), answer.body
    assert Order.objects.count() == 0
    assert Payment.objects.count() == 0
    sku.refresh_from_db()
    assert sku.stock == 10


def test_products_not_on_sale_cannot_be_bought(api: Api) -> None:
    draft = product(on_sale=False)
    answer = api.post(
        "/orders",
        {"items": [{"sku_id": draft.skus.get().pk, "quantity": 1}], "delivery": ADDRESS},
        as_=MemberFactory.create(),
    )
    assert (answer.status, answer.error_code) == (400, "not_for_sale")


def test_store_pickup_is_verified_once(api: Api) -> None:
    m = merchant()
    store = merchant_services.store_create(
        m,
        kind="offline",
        name="南山店",
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )
    p = product(m, price_fen=500, stock=3)
    buyer = MemberFactory.create()
    created = api.post(
        "/orders",
        {
            "items": [{"sku_id": p.skus.get().pk, "quantity": 1}],
            "delivery": {"type": "pickup", "store_id": store.pk},
        },
        as_=buyer,
    ).body
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]
    assert api.post(f"/orders/{order_id}/ship", as_=m.owner).error_code == "not_express"
    ready = api.post(f"/orders/{order_id}/ready-for-pickup", as_=m.owner)
    assert ready.body["status"] == "ready_for_pickup"
    code = api.get(f"/orders/{order_id}", as_=buyer).body["pickup_code"]
    assert code and len(code) == 8
    assert api.get(f"/orders/{order_id}", as_=m.owner).body["pickup_code"] is None
    clerk = MemberFactory.create()
    merchant_services.staff_add(m, phone=clerk.phone, store_id=store.pk)
    wrong = api.post(f"/stores/{store.pk}/pickups/verify", {"code": "00000000"}, as_=clerk)
    assert wrong.status == 404
    ok = api.post(f"/stores/{store.pk}/pickups/verify", {"code": code}, as_=clerk)
    assert ok.body == {"id": order_id, "status": "received"}
    again = api.post(f"/stores/{store.pk}/pickups/verify", {"code": code}, as_=clerk)
    assert (again.status, again.error_code) == (409, "pickup_not_ready")
    stranger = MemberFactory.create()
    assert (
        api.post(f"/stores/{store.pk}/pickups/verify", {"code": code}, as_=stranger).status == 404
    )


def test_pickup_at_another_merchants_store_is_refused(api: Api) -> None:
    other = merchant()
    store = merchant_services.store_create(
        other,
        kind="offline",
        name="店",
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )
    p = product(stock=3)
    answer = api.post(
        "/orders",
        {
            "items": [{"sku_id": p.skus.get().pk, "quantity": 1}],
            "delivery": {"type": "pickup", "store_id": store.pk},
        },
        as_=MemberFactory.create(),
    )
    assert (answer.status, answer.error_code) == (400, "pickup_store_mismatch")
    assert Order.objects.count() == 0


def test_pay_for_me_records_the_friend_as_payer(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer, friend = MemberFactory.create(), MemberFactory.create()
    created = buy(api, buyer, sku)
    link = api.post(f"/payments/{created['payment_id']}/pay-link", as_=buyer).body
    assert api.get(f"/pay-for-me/{link['token']}", as_=friend).body["amount_fen"] == 9900
    paid = api.post(f"/pay-for-me/{link['token']}/sandbox-complete", as_=friend)
    assert paid.body["status"] == "paid"
    payment = Payment.objects.get(pk=created["payment_id"])
    assert (payment.buyer_id, payment.payer_id) == (buyer.pk, friend.pk)
    assert api.get("/pay-for-me/not-a-token", as_=friend).status == 404


def test_orders_are_private(api: Api, shop: tuple[Merchant, Product, Sku]) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    order_id = created["orders"][0]["id"]
    other_merchant = merchant()
    stranger = MemberFactory.create()
    assert api.get(f"/orders/{order_id}", as_=stranger).status == 404
    assert api.get(f"/orders/{order_id}", as_=other_merchant.owner).status == 404
    assert api.get(f"/orders/{order_id}", as_=m.owner).status == 200
    assert (
        api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=stranger).status == 404
    )
    pay(api, buyer, created["payment_id"])
    assert api.post(f"/orders/{order_id}/ship", as_=buyer).status == 404
    assert api.post(f"/orders/{order_id}/ship", as_=other_merchant.owner).status == 404
    assert api.post(f"/orders/{order_id}/confirm-receipt", as_=m.owner).status == 404
    assert [o["id"] for o in api.get("/orders", as_=buyer).body] == [order_id]
    assert api.get("/orders", as_=stranger).body == []


def test_auto_receipt_after_ten_days(api: Api, shop: tuple[Merchant, Product, Sku]) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]
    api.post(f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=m.owner)
    run_due_jobs(timezone.now() + timedelta(days=9))
    assert Order.objects.get(pk=order_id).status == "shipped"
    run_due_jobs(timezone.now() + timedelta(days=10, minutes=1))
    assert Order.objects.get(pk=order_id).status == "received"


def test_a_paid_payment_notified_under_another_transaction_refunds_the_second_money(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    pay(api, buyer, created["payment_id"])
    payment = Payment.objects.get(pk=created["payment_id"])
    headers, body = SandboxProvider().signed_notification(
        payment_no=payment.payment_no, amount_fen=payment.amount_fen, txn_id="OTHER-TXN"
    )
    http_headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = api.client.post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        **http_headers,
    )
    assert response.status_code == 200  # acknowledged, so the provider stops retrying
    # The second money goes straight back; the payment keeps only its own.
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.status) == (payment.amount_fen, "succeeded")
    assert NotificationLog.objects.filter(outcome="conflicting_transaction").count() == 1
    assert balance(platform("provider_funds")) == 9900


def test_a_payment_arriving_after_the_timeout_is_refunded(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    run_due_jobs(timezone.now() + timedelta(minutes=31))
    payment = Payment.objects.get(pk=created["payment_id"])
    assert payment.status == "closed"
    headers, body = SandboxProvider().signed_notification(
        payment_no=payment.payment_no, amount_fen=payment.amount_fen
    )
    http_headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = api.client.post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        **http_headers,
    )
    assert response.status_code == 200
    [refund] = Refund.objects.all()
    assert (refund.amount_fen, refund.status) == (9900, "succeeded")
    assert Order.objects.get(payment=payment).status == "cancelled"
    assert balance(platform("provider_funds")) == 0
    assert ledger_check() == []


def test_idempotency_key_replays_the_first_order(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    _m, _p, sku = shop
    buyer = MemberFactory.create()
    token = api.post("/auth/login", {"phone": buyer.phone, "password": "Sh4re-Mall-pass"}).body[
        "token"
    ]
    body = {"items": [{"sku_id": sku.pk, "quantity": 1}], "delivery": ADDRESS}
    first = api.post("/orders", body, as_=token, headers={"Idempotency-Key": "k-1"})
    again = api.post("/orders", body, as_=token, headers={"Idempotency-Key": "k-1"})
    assert first.status == again.status == 201
    assert first.body == again.body
    assert Order.objects.count() == 1
    different = api.post(
        "/orders",
        {**body, "items": [{"sku_id": sku.pk, "quantity": 2}]},
        as_=token,
        headers={"Idempotency-Key": "k-1"},
    )
    assert different.status == 422
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"carrier": "SF", "tracking_no": ""},
        {"carrier": "", "tracking_no": "SF1"},
        {"carrier": "  ", "tracking_no": "  "},
        {"carrier": "SF", "no_logistics": False},
    ],
)
def test_an_express_order_ships_only_with_tracking(
    api: Api, shop: tuple[Merchant, Product, Sku], body: dict[str, object] | None
) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]

    refused = api.post(f"/orders/{order_id}/ship", body, as_=m.owner)

    assert (refused.status, refused.error_code) == (400, "tracking_required")
    order = Order.objects.get(pk=order_id)
    assert (order.status, order.carrier, order.tracking_no, order.shipped_at) == (
        "paid",
        "",
        "",
        None,
    )
    assert not OrderEvent.objects.filter(order_id=order_id, to_status="shipped").exists()


def test_an_order_ships_with_no_logistics_and_the_buyer_reads_it(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]

    shipped = api.post(
        f"/orders/{order_id}/ship", {"tracking_no": "ignored", "no_logistics": True}, as_=m.owner
    )

    assert shipped.body == {"id": order_id, "status": "shipped"}
    seen = api.get(f"/orders/{order_id}", as_=buyer).body
    assert (seen["shipped_without_logistics"], seen["carrier"], seen["tracking_no"]) == (
        True,
        "",
        "",
    )
    assert seen["status_label"] == "待收货"


def test_the_buyer_reads_a_fully_refunded_completed_order_as_refunded(
    api: Api, shop: tuple[Merchant, Product, Sku]
) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku)
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]
    assert api.get(f"/orders/{order_id}", as_=buyer).body["status_label"] == "待发货"
    api.post(f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=m.owner)
    api.post(f"/orders/{order_id}/confirm-receipt", as_=buyer)
    assert api.get(f"/orders/{order_id}", as_=buyer).body["status_label"] == "待评价"

    # Every unit refunded, yet the state machine says completed: the buyer reads 已退款.
    Order.objects.filter(pk=order_id).update(status="completed")
    line = Order.objects.get(pk=order_id).lines.get()
    type(line).objects.filter(pk=line.pk).update(
        claimed_quantity=line.quantity,
        claimed_fen=line.paid_fen,
        refunded_quantity=line.quantity,
        refunded_fen=line.paid_fen,
    )

    assert api.get(f"/orders/{order_id}", as_=buyer).body["status_label"] == "已退款"


def test_order_lists_answer_each_orders_buyer_status_in_a_fixed_number_of_queries(
    api: Api, shop: tuple[Merchant, Product, Sku], django_assert_max_num_queries: Any
) -> None:
    m, _p, sku = shop
    buyer = MemberFactory.create()
    ids = []
    for _ in range(3):
        created = buy(api, buyer, sku)
        pay(api, buyer, created["payment_id"])
        ids.append(created["orders"][0]["id"])
    shipped, received = ids[1], ids[2]
    for order_id in (shipped, received):
        api.post(f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=m.owner)
    api.post(f"/orders/{received}/confirm-receipt", as_=buyer)
    post_services.post_create(
        author=buyer,
        order_line_id=Order.objects.get(pk=received).lines.get().pk,
        text="很好",
        rating=5,
        images=[],
    )

    with django_assert_max_num_queries(5):  # member, session, orders, lines, …: not per order
        listed = api.get("/orders", as_=buyer).body
    by_merchant = api.get(f"/merchants/{m.pk}/orders", as_=m.owner).body

    expected = {ids[0]: "待发货", shipped: "待收货", received: "已完成"}
    assert {o["id"]: o["status_label"] for o in listed} == expected
    assert {o["id"]: o["status_label"] for o in by_merchant} == expected

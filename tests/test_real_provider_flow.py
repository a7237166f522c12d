"""A real provider's notification, end to end: WeChat Pay v3's signed, encrypted callback posted
to our endpoint captures the order's payment; a replay and a forgery change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Api

from sharemall.orders.models import Order
from sharemall.payments.models import Payment
from sharemall.payments.providers import registry
from sharemall.payments.tests.test_wechatpay import (
    a_transaction,
    make_wechat_notification,
    stranger_key,
    wechat_settings,  # noqa: F401 - a fixture used by name
)
from sharemall.wallet.services import balance, ledger_check, platform
from tests.factories import MemberFactory, product
from tests.flows import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_providers() -> Any:
    registry._cached.cache_clear()
    yield
    registry._cached.cache_clear()


def _post(api: Api, headers: dict[str, str], body: bytes) -> int:
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return api.client.post(
        "/api/v1/payments/notify/wechatpay", data=body, content_type="application/json", **meta
    ).status_code


def test_wechat_pay_notification_captures_the_payment_once(
    api: Api,
    wechat_settings: dict[str, str],  # noqa: F811
) -> None:
    sku = product(price_fen=12345, stock=5).skus.get()
    buyer = MemberFactory.create()
    created = api.post(
        "/orders", {"items": [{"sku_id": sku.pk, "quantity": 1}], "delivery": ADDRESS}, as_=buyer
    ).body
    payment = Payment.objects.get(pk=created["payment_id"])
    transaction = a_transaction(out_trade_no=payment.payment_no)

    forged_headers, forged_body = make_wechat_notification(transaction, key=stranger_key())
    assert _post(api, forged_headers, forged_body) == 400
    cheap = a_transaction(
        out_trade_no=payment.payment_no,
        amount={"total": 1, "payer_total": 1, "currency": "CNY", "payer_currency": "CNY"},
    )
    assert _post(api, *make_wechat_notification(cheap)) == 400
    assert Payment.objects.get(pk=payment.pk).status == "pending"

    headers, body = make_wechat_notification(transaction)
    assert _post(api, headers, body) == 200
    assert _post(api, headers, body) == 200  # WeChat retries: a duplicate, nothing moves
    payment.refresh_from_db()
    assert (payment.status, payment.provider, payment.provider_txn_id) == (
        "paid",
        "wechatpay",
        transaction["transaction_id"],
    )
    assert Order.objects.get(payment=payment).status == "paid"
    assert balance(platform("provider_funds")) == 12345
    assert ledger_check() == []
    assert json.loads(body)["resource"]["algorithm"] == "AEAD_AES_256_GCM"


def test_an_unconfigured_provider_says_so(api: Api, settings: Any) -> None:
    settings.WECHATPAY = dict.fromkeys(settings.WECHATPAY, "")
    settings.ALIPAY = dict.fromkeys(settings.ALIPAY, "")
    sku = product(stock=5).skus.get()
    buyer = MemberFactory.create()
    created = api.post(
        "/orders", {"items": [{"sku_id": sku.pk, "quantity": 1}], "delivery": ADDRESS}, as_=buyer
    ).body
    for provider in ("wechatpay", "alipay"):
        answer = api.post(
            f"/payments/{created['payment_id']}/pay", {"provider": provider}, as_=buyer
        )
        assert (answer.status, answer.error_code) == (400, "provider_not_configured")
    settings.SANDBOX_PAYMENTS = False
    answer = api.post(f"/payments/{created['payment_id']}/pay", {"provider": "sandbox"}, as_=buyer)
    assert (answer.status, answer.error_code) == (400, "provider_not_configured")
    gone = api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    assert gone.status == 404

"""Alipay adapter, offline: local keys, the SDK's urlopen replaced by a signed fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.error import URLError
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature

from sharemall.core.errors import DomainError
from sharemall.core.money import MoneyError, parse_yuan
from sharemall.payments.providers.alipay import GATEWAY, SANDBOX_GATEWAY, AlipayProvider
from sharemall.payments.providers.base import (
    InvalidNotification,
    PayRequest,
    ProviderError,
    ProviderNotConfigured,
    TransferRequest,
)
from sharemall.payments.providers.keys import CHINA_TZ
from sharemall.payments.tests.provider_keys import (
    private_pem,
    public_pem,
    rsa_key,
    sign_sha256,
    verify_sha256,
    write,
)

APPID = "2021000000000001"
SELLER_ID = "2088000000000001"


def app_key() -> Any:
    return rsa_key("alipay-app")


def alipay_key() -> Any:
    return rsa_key("alipay-platform")


def stranger_key() -> Any:
    return rsa_key("stranger")


@pytest.fixture
def alipay_settings(settings: Any, tmp_path: Path) -> dict[str, str]:
    settings.ALIPAY = {
        "APPID": APPID,
        "PRIVATE_KEY_PATH": write(tmp_path / "app_private_key.pem", private_pem(app_key())),
        "PUBLIC_KEY_PATH": write(tmp_path / "alipay_public_key.pem", public_pem(alipay_key())),
        "SELLER_ID": SELLER_ID,
    }
    settings.ALIPAY_SANDBOX_GATEWAY = False
    configured: dict[str, str] = settings.ALIPAY
    return configured


@pytest.fixture
def provider(alipay_settings: dict[str, str]) -> AlipayProvider:
    return AlipayProvider.from_settings()


def china_now(offset_seconds: int = 0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=offset_seconds)
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


# --- exact yuan text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"), [(12345, "123.45"), (5, "0.05"), (100, "1.00"), (10_000_000_01, "10000000.01")]
)
def test_fen_and_yuan_text_convert_exactly(fen: int, text: str) -> None:
    assert AlipayProvider._yuan(fen) == text
    assert parse_yuan(text, plain=True) == fen


@pytest.mark.parametrize("fen", [0, -1, 1.5, True, "1"])
def test_only_positive_whole_fen_become_yuan_text(fen: Any) -> None:
    with pytest.raises(DomainError):
        AlipayProvider._yuan(fen)


@pytest.mark.parametrize(
    "text", ["1.001", "0.005", "-1.00", "+1.00", "1e3", "1,000.00", "¥1.00", " 1.00", "", "."]
)
def test_yuan_text_that_is_not_plain_whole_fen_is_refused(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text, plain=True)


def test_trailing_zeros_are_still_whole_fen() -> None:
    assert parse_yuan("1.000", plain=True) == 100


# --- notifications -----------------------------------------------------------------------------


def a_notification(**changes: str) -> dict[str, str]:
    fields = {
        "notify_time": china_now(),
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "app_id": APPID,
        "auth_app_id": APPID,
        "trade_no": "2026010122001400000000000001",
        "out_trade_no": "P20260101000001",
        "buyer_id": "2088102122524333",
        "seller_id": SELLER_ID,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "123.45",
        "receipt_amount": "120.00",
        "buyer_pay_amount": "120.00",
        "subject": "ShareMall 订单 #1 & 2 = 3",
        "gmt_create": "2026-01-01 10:00:00",
        "gmt_payment": "2026-01-01 10:00:05",
        "fund_bill_list": '[{"amount":"120.00","fundChannel":"ALIPAYACCOUNT"}]',
    }
    fields.update(changes)
    return fields


def make_alipay_notification(fields: dict[str, str], *, key: Any = None) -> bytes:
    """An asynchronous notification as Alipay posts it: form-encoded, RSA2 over the sorted
    key=value pairs without sign and sign_type."""
    unsigned = "&".join(
        f"{name}={value}"
        for name, value in sorted(fields.items())
        if name not in {"sign", "sign_type"}
    )
    signed = {**fields, "sign": sign_sha256(key or alipay_key(), unsigned)}
    return urlencode(signed).encode()


def test_a_genuine_notification_is_decoded(provider: AlipayProvider) -> None:
    notification = provider.parse_notification({}, make_alipay_notification(a_notification()))
    assert notification.provider == "alipay"
    assert notification.payment_no == "P20260101000001"
    assert notification.provider_txn_id == "2026010122001400000000000001"
    assert notification.amount_fen == 12345
    assert notification.currency == "CNY"
    assert notification.paid is True
    assert notification.app_id == APPID
    assert notification.merchant_id == SELLER_ID
    assert notification.paid_at == datetime(2026, 1, 1, 2, 0, 5, tzinfo=UTC)
    assert notification.raw["subject"] == "ShareMall 订单 #1 & 2 = 3"


@pytest.mark.parametrize(
    ("trade_status", "paid"),
    [
        ("TRADE_SUCCESS", True),
        ("TRADE_FINISHED", True),
        ("WAIT_BUYER_PAY", False),
        ("TRADE_CLOSED", False),
    ],
)
def test_only_success_states_are_paid(
    provider: AlipayProvider, trade_status: str, paid: bool
) -> None:
    body = make_alipay_notification(a_notification(trade_status=trade_status))
    assert provider.parse_notification({}, body).paid is paid


def test_a_tampered_amount_is_refused(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification())
    tampered = body.replace(b"total_amount=123.45", b"total_amount=1.00")
    assert tampered != body
    with pytest.raises(InvalidNotification, match="signature"):
        provider.parse_notification({}, tampered)


def test_a_notification_signed_with_another_key_is_refused(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification(), key=stranger_key())
    with pytest.raises(InvalidNotification, match="signature"):
        provider.parse_notification({}, body)


def test_a_notification_signed_with_our_own_key_is_refused(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification(), key=app_key())
    with pytest.raises(InvalidNotification):
        provider.parse_notification({}, body)


@pytest.mark.parametrize("offset", [-310, -86400, 310, 86400], ids=["old", "day", "ahead", "far"])
def test_a_stale_or_future_notify_time_is_refused(provider: AlipayProvider, offset: int) -> None:
    body = make_alipay_notification(a_notification(notify_time=china_now(offset)))
    with pytest.raises(InvalidNotification, match="window"):
        provider.parse_notification({}, body)


def test_a_notify_time_just_inside_the_window_is_accepted(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification(notify_time=china_now(-290)))
    assert provider.parse_notification({}, body).paid is True


@pytest.mark.parametrize("notify_time", ["", "2026-01-01T10:00:00", "yesterday"])
def test_a_malformed_notify_time_is_refused(provider: AlipayProvider, notify_time: str) -> None:
    body = make_alipay_notification(a_notification(notify_time=notify_time))
    with pytest.raises(InvalidNotification, match="notify_time"):
        provider.parse_notification({}, body)


@pytest.mark.parametrize("amount", ["1.001", "0.005", "-1.00", "1e3", "1,000.00", "abc", ""])
def test_an_amount_that_is_not_whole_fen_is_refused(provider: AlipayProvider, amount: str) -> None:
    body = make_alipay_notification(a_notification(total_amount=amount))
    with pytest.raises(InvalidNotification, match="total_amount"):
        provider.parse_notification({}, body)


@pytest.mark.parametrize("missing", ["out_trade_no", "trade_no", "trade_status"])
def test_a_notification_missing_a_key_field_is_refused(
    provider: AlipayProvider, missing: str
) -> None:
    fields = a_notification()
    del fields[missing]
    with pytest.raises(InvalidNotification):
        provider.parse_notification({}, make_alipay_notification(fields))


def test_a_malformed_gmt_payment_is_refused(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification(gmt_payment="2026/01/01"))
    with pytest.raises(InvalidNotification, match="gmt_payment"):
        provider.parse_notification({}, body)


def test_an_unsigned_notification_is_refused(provider: AlipayProvider) -> None:
    with pytest.raises(InvalidNotification, match="not signed"):
        provider.parse_notification({}, urlencode(a_notification()).encode())


def test_rsa1_is_refused(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification(sign_type="RSA"))
    with pytest.raises(InvalidNotification, match="RSA2"):
        provider.parse_notification({}, body)


def test_a_garbled_signature_is_refused(provider: AlipayProvider) -> None:
    fields = {**a_notification(), "sign": "@@not base64@@"}
    with pytest.raises(InvalidNotification):
        provider.parse_notification({}, urlencode(fields).encode())


def test_a_repeated_field_is_refused(provider: AlipayProvider) -> None:
    body = make_alipay_notification(a_notification()) + b"&total_amount=0.01"
    with pytest.raises(InvalidNotification, match="repeats"):
        provider.parse_notification({}, body)


@pytest.mark.parametrize("body", [b"", b"\xff\xfe", b"no-equals-sign", b"a=1&&b=2"])
def test_a_body_that_is_not_a_form_is_refused(provider: AlipayProvider, body: bytes) -> None:
    with pytest.raises(InvalidNotification):
        provider.parse_notification({}, body)


def test_acknowledgements_are_the_words_alipay_reads(provider: AlipayProvider) -> None:
    ok = provider.acknowledge(True)
    assert (ok.status, ok.body, ok.content_type) == (200, b"success", "text/plain")
    failed = provider.acknowledge(False)
    assert failed.body == b"failure"
    assert failed.content_type == "text/plain"


# --- from_settings -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["APPID", "PRIVATE_KEY_PATH", "PUBLIC_KEY_PATH"])
def test_a_missing_setting_is_named(alipay_settings: dict[str, str], name: str) -> None:
    alipay_settings[name] = ""
    with pytest.raises(ProviderNotConfigured) as caught:
        AlipayProvider.from_settings()
    assert caught.value.details["missing"] == [f"ALIPAY_{name}"]
    assert f"ALIPAY_{name}" in caught.value.message


def test_the_seller_id_is_optional(alipay_settings: dict[str, str]) -> None:
    alipay_settings["SELLER_ID"] = ""
    provider = AlipayProvider.from_settings()
    assert (provider.app_id, provider.merchant_id) == (APPID, "")


def test_an_unreadable_key_file_is_not_configured(
    alipay_settings: dict[str, str], tmp_path: Path
) -> None:
    alipay_settings["PUBLIC_KEY_PATH"] = str(tmp_path / "nowhere.pem")
    with pytest.raises(ProviderNotConfigured, match="ALIPAY_PUBLIC_KEY_PATH"):
        AlipayProvider.from_settings()


def test_a_public_key_in_place_of_the_private_key_is_not_configured(
    alipay_settings: dict[str, str], tmp_path: Path
) -> None:
    alipay_settings["PRIVATE_KEY_PATH"] = write(tmp_path / "pub.pem", public_pem(app_key()))
    with pytest.raises(ProviderNotConfigured):
        AlipayProvider.from_settings()


def test_bare_base64_keys_from_alipays_tool_are_accepted(
    alipay_settings: dict[str, str], tmp_path: Path
) -> None:
    def bare(pem: str) -> str:
        return "".join(line for line in pem.splitlines() if not line.startswith("-----"))

    alipay_settings["PRIVATE_KEY_PATH"] = write(tmp_path / "a", bare(private_pem(app_key())))
    alipay_settings["PUBLIC_KEY_PATH"] = write(tmp_path / "b", bare(public_pem(alipay_key())))
    provider = AlipayProvider.from_settings()
    assert provider.parse_notification({}, make_alipay_notification(a_notification())).paid


# --- paying ------------------------------------------------------------------------------------


def a_pay_request(**changes: Any) -> PayRequest:
    values: dict[str, Any] = {
        "payment_no": "P20260101000001",
        "amount_fen": 12345,
        "description": "ShareMall 订单",
        "notify_url": "https://mall.example.com/payments/notify/alipay",
        "scene": "wap",
        "return_url": "https://mall.example.com/orders/1",
    }
    values.update(changes)
    return PayRequest(**values)


def signed_params(url: str) -> dict[str, str]:
    """The query of a signed request URL, after checking it was signed with the app key."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    unsigned = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    verify_sha256(app_key(), unsigned, params["sign"])
    return params


def assert_china_timestamp(text: str) -> None:
    stamped = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
    assert abs((datetime.now(UTC) - stamped).total_seconds()) < 60


@pytest.mark.parametrize(
    ("scene", "method", "product_code"),
    [
        ("wap", "alipay.trade.wap.pay", "QUICK_WAP_WAY"),
        ("page", "alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
    ],
)
def test_the_pay_url_carries_the_signed_order(
    provider: AlipayProvider, scene: str, method: str, product_code: str
) -> None:
    expires = datetime(2026, 1, 1, 2, 30, tzinfo=UTC)
    result = provider.create_payment(a_pay_request(scene=scene, expires_at=expires))
    url = result["pay_url"]
    assert url.startswith(GATEWAY + "?")
    params = signed_params(url)
    assert params["method"] == method
    assert params["app_id"] == APPID
    assert params["sign_type"] == "RSA2"
    assert params["charset"] == "utf-8"
    assert params["notify_url"] == "https://mall.example.com/payments/notify/alipay"
    assert params["return_url"] == "https://mall.example.com/orders/1"
    assert_china_timestamp(params["timestamp"])
    biz_content = json.loads(params["biz_content"])
    assert biz_content["total_amount"] == "123.45"
    assert biz_content["out_trade_no"] == "P20260101000001"
    assert biz_content["subject"] == "ShareMall 订单"
    assert biz_content["product_code"] == product_code
    assert biz_content["time_expire"] == "2026-01-01 10:30:00"


def test_the_sandbox_gateway_is_used_when_asked(
    alipay_settings: dict[str, str], settings: Any
) -> None:
    settings.ALIPAY_SANDBOX_GATEWAY = True
    provider = AlipayProvider.from_settings()
    assert provider.create_payment(a_pay_request())["pay_url"].startswith(SANDBOX_GATEWAY + "?")
    assert provider._client._gateway == SANDBOX_GATEWAY  # the SDK calls APIs there too


@pytest.mark.parametrize(
    "request_",
    [
        a_pay_request(scene="jsapi"),
        a_pay_request(amount_fen=0),
        a_pay_request(amount_fen=-5),
        a_pay_request(currency="USD"),
    ],
    ids=["wechat-scene", "zero", "negative", "usd"],
)
def test_payments_alipay_cannot_take_are_refused(
    provider: AlipayProvider, request_: PayRequest
) -> None:
    with pytest.raises(DomainError):
        provider.create_payment(request_)


# --- synchronous APIs --------------------------------------------------------------------------


class FakeGateway:
    """Stands in for the SDK's urlopen: records each URL, answers in turn as Alipay would."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.answers: list[bytes | Exception] = []

    def answer(self, method: str, payload: dict[str, Any], *, key: Any = None) -> None:
        response_type = method.replace(".", "_") + "_response"
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        sign = sign_sha256(key or alipay_key(), content)
        raw = f'{{"{response_type}":{content},"sign":"{sign}"}}'
        self.answers.append(raw.encode())

    def unsigned(self, raw: dict[str, Any]) -> None:
        self.answers.append(json.dumps(raw).encode())

    def fail(self, error: Exception) -> None:
        self.answers.append(error)

    def __call__(self, url: str, timeout: float) -> Any:
        self.urls.append(url)
        if not self.answers:
            raise URLError("nothing more to answer")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return mock.Mock(read=mock.Mock(return_value=answer))

    def sent(self, index: int = 0) -> tuple[dict[str, str], dict[str, Any]]:
        params = signed_params(self.urls[index])
        return params, json.loads(params["biz_content"])


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    with mock.patch("alipay.urlopen", fake):
        yield fake


def refund(provider: AlipayProvider, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "payment_no": "P1",
        "refund_no": "R1",
        "refund_fen": 1230,
        "total_fen": 12345,
        "reason": "退货",
    }
    values.update(changes)
    return provider.refund(**values)


REFUNDED = {
    "code": "10000",
    "msg": "Success",
    "trade_no": "2026010122001400000000000001",
    "out_trade_no": "P1",
    "buyer_logon_id": "159****5620",
    "fund_change": "Y",
    "refund_fee": "12.30",
}


def test_a_refund_with_money_moved_has_succeeded(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.answer("alipay.trade.refund", REFUNDED)
    result = refund(provider)
    assert result.status == "succeeded"
    assert result.provider_refund_id == "2026010122001400000000000001:R1"
    params, biz_content = gateway.sent()
    assert params["method"] == "alipay.trade.refund"
    assert params["app_id"] == APPID
    assert_china_timestamp(params["timestamp"])
    assert biz_content == {
        "out_trade_no": "P1",
        "refund_amount": "12.30",
        "out_request_no": "R1",
        "refund_reason": "退货",
    }
    assert gateway.urls[0].startswith(GATEWAY + "?")


def test_a_repeated_refund_is_confirmed_by_a_query(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.answer("alipay.trade.refund", {**REFUNDED, "fund_change": "N"})
    gateway.answer(
        "alipay.trade.fastpay.refund.query",
        {
            "code": "10000",
            "msg": "Success",
            "out_request_no": "R1",
            "refund_status": "REFUND_SUCCESS",
        },
    )
    assert refund(provider).status == "succeeded"
    params, biz_content = gateway.sent(1)
    assert params["method"] == "alipay.trade.fastpay.refund.query"
    assert biz_content == {"out_trade_no": "P1", "out_request_no": "R1"}


def test_an_unconfirmed_refund_is_processing(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.answer("alipay.trade.refund", {**REFUNDED, "fund_change": "N"})
    gateway.answer("alipay.trade.fastpay.refund.query", {"code": "10000", "msg": "Success"})
    assert refund(provider).status == "processing"


def test_a_refused_refund_has_failed(provider: AlipayProvider, gateway: FakeGateway) -> None:
    gateway.answer(
        "alipay.trade.refund",
        {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.TRADE_NOT_ALLOW_REFUND",
            "sub_msg": "交易不允许退款",
        },
    )
    result = refund(provider)
    assert result.status == "failed"
    assert result.raw["sub_code"] == "ACQ.TRADE_NOT_ALLOW_REFUND"


def test_alipays_own_trouble_is_a_provider_error(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.answer(
        "alipay.trade.refund",
        {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.SYSTEM_ERROR"},
    )
    with pytest.raises(ProviderError) as caught:
        refund(provider)
    assert caught.value.details["sub_code"] == "ACQ.SYSTEM_ERROR"


def test_an_unsigned_error_answer_is_a_provider_error(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.unsigned(
        {
            "alipay_trade_refund_response": {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-app-id",
            }
        }
    )
    with pytest.raises(ProviderError, match="40002"):
        refund(provider)


def test_an_answer_not_signed_by_alipay_is_a_provider_error(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.answer("alipay.trade.refund", REFUNDED, key=stranger_key())
    with pytest.raises(ProviderError, match="signature"):
        refund(provider)


def test_no_connection_is_a_provider_error(provider: AlipayProvider, gateway: FakeGateway) -> None:
    gateway.fail(URLError("timed out"))
    with pytest.raises(ProviderError, match="request failed"):
        refund(provider)


def test_a_refund_beyond_the_total_is_refused(provider: AlipayProvider) -> None:
    with pytest.raises(DomainError):
        refund(provider, refund_fen=20000)


def a_transfer(**changes: Any) -> TransferRequest:
    values: dict[str, Any] = {
        "transfer_no": "T20260101000001",
        "amount_fen": 5000,
        "payee": "2088123412341234",
        "payee_name": "张三",
        "remark": "三月佣金",
    }
    values.update(changes)
    return TransferRequest(**values)


TRANSFERRED = {
    "code": "10000",
    "msg": "Success",
    "out_biz_no": "T20260101000001",
    "order_id": "20260101110070000006210000000001",
    "pay_fund_order_id": "20260101110070001506210000000001",
    "status": "SUCCESS",
    "trans_date": "2026-01-01 10:00:00",
}


def test_a_transfer_to_a_user_id(provider: AlipayProvider, gateway: FakeGateway) -> None:
    gateway.answer("alipay.fund.trans.uni.transfer", TRANSFERRED)
    result = provider.transfer(a_transfer())
    assert result.status == "succeeded"
    assert result.provider_transfer_id == "20260101110070000006210000000001"
    params, biz_content = gateway.sent()
    assert params["method"] == "alipay.fund.trans.uni.transfer"
    assert biz_content == {
        "out_biz_no": "T20260101000001",
        "trans_amount": "50.00",
        "product_code": "TRANS_ACCOUNT_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
        "order_title": "三月佣金",
        "payee_info": {
            "identity": "2088123412341234",
            "identity_type": "ALIPAY_USER_ID",
            "name": "张三",
        },
        "remark": "三月佣金",
    }


def test_a_transfer_to_a_logon_id(provider: AlipayProvider, gateway: FakeGateway) -> None:
    gateway.answer("alipay.fund.trans.uni.transfer", {**TRANSFERRED, "status": "DEALING"})
    result = provider.transfer(a_transfer(payee="13800138000"))
    assert result.status == "processing"
    _, biz_content = gateway.sent()
    assert biz_content["payee_info"]["identity_type"] == "ALIPAY_LOGON_ID"


def test_a_logon_id_needs_the_payee_name(provider: AlipayProvider) -> None:
    with pytest.raises(DomainError) as caught:
        provider.transfer(a_transfer(payee="someone@example.com", payee_name=""))
    assert caught.value.code == "payee_name_required"


def test_a_refused_transfer_has_failed(provider: AlipayProvider, gateway: FakeGateway) -> None:
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {"code": "40004", "msg": "Business Failed", "sub_code": "PAYEE_NOT_EXIST"},
    )
    result = provider.transfer(a_transfer())
    assert result.status == "failed"
    assert result.provider_transfer_id == ""


def test_an_unavailable_service_is_a_provider_error(
    provider: AlipayProvider, gateway: FakeGateway
) -> None:
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {"code": "20000", "msg": "Service Currently Unavailable", "sub_code": "isp.unknow-error"},
    )
    with pytest.raises(ProviderError):
        provider.transfer(a_transfer())


def test_the_signature_helper_catches_a_wrong_key() -> None:
    with pytest.raises(InvalidSignature):
        verify_sha256(app_key(), "x", sign_sha256(stranger_key(), "x"))

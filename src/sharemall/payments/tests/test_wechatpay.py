"""WeChat Pay v3 adapter, offline: local keys, HTTP answered by `responses`."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from requests.structures import CaseInsensitiveDict

from sharemall.core.errors import DomainError
from sharemall.payments.providers.base import (
    InvalidNotification,
    PayRequest,
    ProviderError,
    ProviderNotConfigured,
    TransferRequest,
)
from sharemall.payments.providers.wechatpay import WeChatPayProvider
from sharemall.payments.tests.provider_keys import (
    private_pem,
    public_pem,
    rsa_key,
    self_signed_certificate,
    sign_sha256,
    verify_sha256,
    write,
)

API = "https://api.mch.weixin.qq.com"
MCHID = "1900000001"
APPID = "wx8888888888888888"
CERT_SERIAL_NO = "3775B6A45ACD588826D15E583A95F5DD00000001"
APIV3_KEY = "0123456789abcdefghijklmnopqrstuv"  # 32 bytes
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012025000000000000"
PLATFORM_CERT_SERIAL = 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1


def merchant_key() -> Any:
    return rsa_key("wechat-merchant")


def platform_key() -> Any:
    return rsa_key("wechat-platform")


def stranger_key() -> Any:
    return rsa_key("stranger")


@pytest.fixture
def wechat_settings(settings: Any, tmp_path: Path) -> dict[str, str]:
    settings.WECHATPAY = {
        "MCHID": MCHID,
        "APPID": APPID,
        "CERT_SERIAL_NO": CERT_SERIAL_NO,
        "PRIVATE_KEY_PATH": write(tmp_path / "apiclient_key.pem", private_pem(merchant_key())),
        "APIV3_KEY": APIV3_KEY,
        "PUBLIC_KEY_PATH": write(tmp_path / "pub_key.pem", public_pem(platform_key())),
        "PUBLIC_KEY_ID": PUBLIC_KEY_ID,
        "CERT_DIR": "",
    }
    configured: dict[str, str] = settings.WECHATPAY
    return configured


@pytest.fixture
def provider(wechat_settings: dict[str, str]) -> WeChatPayProvider:
    return WeChatPayProvider.from_settings()


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


# --- what WeChat sends -------------------------------------------------------------------------


def a_transaction(**changes: Any) -> dict[str, Any]:
    transaction: dict[str, Any] = {
        "appid": APPID,
        "mchid": MCHID,
        "out_trade_no": "P20260101000001",
        "transaction_id": "4200000000202601010000000001",
        "trade_type": "JSAPI",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "success_time": "2026-01-01T10:00:05+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {
            "total": 12345,
            "payer_total": 12000,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }
    transaction.update(changes)
    return transaction


def encrypt_resource(plaintext: str, *, apiv3_key: str = APIV3_KEY) -> dict[str, str]:
    nonce = secrets.token_hex(6)  # WeChat uses 12 characters
    associated_data = "transaction"
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), plaintext.encode(), associated_data.encode()
    )
    return {
        "original_type": "transaction",
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def signed_headers(body: str, *, key: Any = None, timestamp: int | None = None) -> dict[str, str]:
    """The headers WeChat signs a message (callback or API answer) with."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16)
    return {
        "Wechatpay-Timestamp": ts,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign_sha256(key or platform_key(), f"{ts}\n{nonce}\n{body}\n"),
        "Wechatpay-Serial": PUBLIC_KEY_ID,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


def make_wechat_notification(
    transaction: dict[str, Any] | None = None,
    *,
    key: Any = None,
    apiv3_key: str = APIV3_KEY,
    timestamp: int | None = None,
    serial: str = PUBLIC_KEY_ID,
    resource_type: str = "encrypt-resource",
    event_type: str = "TRANSACTION.SUCCESS",
    resource: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """A payment notification as WeChat Pay v3 posts it: AES-256-GCM resource, RSA-signed."""
    if raw_body is None:
        envelope = {
            "id": "EV-2018022511223320873",
            "create_time": "2026-01-01T10:00:06+08:00",
            "resource_type": resource_type,
            "event_type": event_type,
            "summary": "支付成功",
            "resource": resource
            or encrypt_resource(json.dumps(transaction or a_transaction()), apiv3_key=apiv3_key),
        }
        raw_body = json.dumps(envelope, ensure_ascii=False)
    headers = signed_headers(raw_body, key=key, timestamp=timestamp)
    headers["Wechatpay-Serial"] = serial
    return headers, raw_body.encode()


# --- notifications -----------------------------------------------------------------------------


def test_a_genuine_notification_is_decoded(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    notification = provider.parse_notification(CaseInsensitiveDict(headers), body)
    assert notification.provider == "wechatpay"
    assert notification.payment_no == "P20260101000001"
    assert notification.provider_txn_id == "4200000000202601010000000001"
    assert notification.amount_fen == 12345  # the order total, not what the payer paid
    assert notification.currency == "CNY"
    assert notification.paid is True
    assert notification.app_id == APPID
    assert notification.merchant_id == MCHID
    assert notification.paid_at == datetime(2026, 1, 1, 2, 0, 5, tzinfo=UTC)
    assert notification.raw["payer"]["openid"] == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def test_header_names_are_matched_whatever_their_case(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    lowered = {name.lower(): value for name, value in headers.items()}
    assert provider.parse_notification(lowered, body).amount_fen == 12345


def test_a_missing_signature_type_header_means_rsa(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    del headers["Wechatpay-Signature-Type"]
    assert provider.parse_notification(headers, body).paid is True


def test_an_unpaid_state_is_not_paid(provider: WeChatPayProvider) -> None:
    transaction = a_transaction(trade_state="CLOSED")
    del transaction["success_time"]
    headers, body = make_wechat_notification(transaction)
    notification = provider.parse_notification(headers, body)
    assert notification.paid is False
    assert notification.paid_at is None


def test_a_timestamp_just_inside_the_window_is_accepted(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification(timestamp=int(time.time()) - 290)
    assert provider.parse_notification(headers, body).paid is True


@pytest.mark.parametrize("offset", [-310, -3600, 310, 3600], ids=["old", "older", "ahead", "far"])
def test_a_stale_or_future_timestamp_is_refused(provider: WeChatPayProvider, offset: int) -> None:
    headers, body = make_wechat_notification(timestamp=int(time.time()) + offset)
    with pytest.raises(InvalidNotification, match="window"):
        provider.parse_notification(headers, body)


def test_a_tampered_body_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    tampered = body.replace("支付成功".encode(), "支付失败".encode())
    assert tampered != body
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, tampered)


def test_a_swapped_resource_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    envelope = json.loads(body)
    envelope["resource"] = encrypt_resource(json.dumps(a_transaction(amount={"total": 1})))
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, json.dumps(envelope, ensure_ascii=False).encode())


def test_a_wrong_signature_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    headers["Wechatpay-Signature"] = sign_sha256(platform_key(), "something else")
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


def test_a_garbled_signature_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    headers["Wechatpay-Signature"] = "not base64 at all!"
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


def test_a_notification_signed_with_another_key_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification(key=stranger_key())
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


def test_an_unknown_serial_is_refused_without_fetching_certificates(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    headers, body = make_wechat_notification(serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
    with pytest.raises(InvalidNotification, match="unknown key"):
        provider.parse_notification(headers, body)
    assert len(http.calls) == 0


def test_a_resource_encrypted_with_another_apiv3_key_is_refused(
    provider: WeChatPayProvider,
) -> None:
    headers, body = make_wechat_notification(apiv3_key="another-32-byte-key-0123456789ab")
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


@pytest.mark.parametrize(
    "ciphertext",
    [
        base64.b64encode(b"short").decode(),
        base64.b64encode(secrets.token_bytes(64)).decode(),
        "%%% not base64 %%%",
    ],
    ids=["short", "random", "not-base64"],
)
def test_bad_ciphertext_is_refused(provider: WeChatPayProvider, ciphertext: str) -> None:
    resource = encrypt_resource(json.dumps(a_transaction()))
    resource["ciphertext"] = ciphertext
    headers, body = make_wechat_notification(resource=resource)
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


def test_an_unsupported_algorithm_is_refused(provider: WeChatPayProvider) -> None:
    resource = encrypt_resource(json.dumps(a_transaction()))
    resource["algorithm"] = "AEAD_SM4_GCM"
    headers, body = make_wechat_notification(resource=resource)
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


@pytest.mark.parametrize(
    "header",
    ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"],
)
def test_a_missing_header_is_refused(provider: WeChatPayProvider, header: str) -> None:
    headers, body = make_wechat_notification()
    del headers[header]
    with pytest.raises(InvalidNotification, match="missing"):
        provider.parse_notification(headers, body)


def test_a_malformed_timestamp_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    headers["Wechatpay-Timestamp"] = "1e9"
    with pytest.raises(InvalidNotification, match="Timestamp"):
        provider.parse_notification(headers, body)


def test_another_signature_type_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification()
    headers["Wechatpay-Signature-Type"] = "WECHATPAY2-SM2-WITH-SM3"
    with pytest.raises(InvalidNotification, match="signature type"):
        provider.parse_notification(headers, body)


@pytest.mark.parametrize("raw_body", ["not json", "[1, 2]", '"text"', ""])
def test_a_body_that_is_not_a_json_object_is_refused(
    provider: WeChatPayProvider, raw_body: str
) -> None:
    headers, body = make_wechat_notification(raw_body=raw_body)
    with pytest.raises(InvalidNotification, match="JSON"):
        provider.parse_notification(headers, body)


def test_a_body_that_is_not_utf8_is_refused(provider: WeChatPayProvider) -> None:
    headers, _ = make_wechat_notification()
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, b"\xff\xfe{}")


def test_a_wrong_resource_type_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification(resource_type="plain-resource")
    with pytest.raises(InvalidNotification, match="resource_type"):
        provider.parse_notification(headers, body)


def test_a_refund_notification_is_not_taken_for_a_payment(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification(event_type="REFUND.SUCCESS")
    with pytest.raises(InvalidNotification, match="not a payment"):
        provider.parse_notification(headers, body)


@pytest.mark.parametrize(
    "transaction",
    [
        a_transaction(out_trade_no=""),
        a_transaction(transaction_id=None),
        a_transaction(amount={"total": "12345", "currency": "CNY"}),
        a_transaction(amount={"total": 123.45, "currency": "CNY"}),
        a_transaction(amount={"total": -1, "currency": "CNY"}),
        a_transaction(amount=None),
        a_transaction(trade_state=None),
        a_transaction(success_time="yesterday"),
        a_transaction(success_time="2026-01-01T10:00:05"),
    ],
    ids=[
        "no-trade-no",
        "no-txn-id",
        "text-total",
        "float-total",
        "negative",
        "no-amount",
        "no-state",
        "bad-time",
        "naive-time",
    ],
)
def test_a_malformed_transaction_is_refused(
    provider: WeChatPayProvider, transaction: dict[str, Any]
) -> None:
    headers, body = make_wechat_notification(transaction)
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


def test_a_resource_that_is_not_json_is_refused(provider: WeChatPayProvider) -> None:
    headers, body = make_wechat_notification(resource=encrypt_resource("not json"))
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)


def test_acknowledgements_follow_v3() -> None:
    provider = WeChatPayProvider.__new__(WeChatPayProvider)
    ok = provider.acknowledge(True)
    assert (ok.status, ok.body) == (200, b"")
    failed = provider.acknowledge(False)
    assert failed.status == 400
    assert failed.content_type == "application/json"
    assert json.loads(failed.body)["code"] == "FAIL"


# --- platform certificates ---------------------------------------------------------------------


def test_platform_certificates_from_cert_dir_verify_notifications(
    wechat_settings: dict[str, str], tmp_path: Path, http: responses.RequestsMock
) -> None:
    cert_dir = tmp_path / "certs"
    cert_dir.mkdir()
    write(cert_dir / "platform.pem", self_signed_certificate(platform_key(), PLATFORM_CERT_SERIAL))
    wechat_settings.update(PUBLIC_KEY_PATH="", PUBLIC_KEY_ID="", CERT_DIR=str(cert_dir))
    provider = WeChatPayProvider.from_settings()
    headers, body = make_wechat_notification(serial=f"{PLATFORM_CERT_SERIAL:X}")
    assert provider.parse_notification(headers, body).amount_fen == 12345
    headers, body = make_wechat_notification(serial=PUBLIC_KEY_ID)
    with pytest.raises(InvalidNotification):
        provider.parse_notification(headers, body)
    assert len(http.calls) == 0  # nothing downloaded, at start-up or since


def test_public_key_and_certificates_together_accept_both_signers(
    wechat_settings: dict[str, str], tmp_path: Path
) -> None:
    cert_dir = tmp_path / "certs"
    cert_dir.mkdir()
    write(cert_dir / "old.pem", self_signed_certificate(stranger_key(), PLATFORM_CERT_SERIAL))
    wechat_settings["CERT_DIR"] = str(cert_dir)
    provider = WeChatPayProvider.from_settings()
    headers, body = make_wechat_notification()
    assert provider.parse_notification(headers, body).paid is True
    headers, body = make_wechat_notification(key=stranger_key(), serial=f"{PLATFORM_CERT_SERIAL:X}")
    assert provider.parse_notification(headers, body).paid is True


def test_an_empty_cert_dir_is_not_enough(
    wechat_settings: dict[str, str], tmp_path: Path, http: responses.RequestsMock
) -> None:
    wechat_settings.update(PUBLIC_KEY_PATH="", PUBLIC_KEY_ID="", CERT_DIR=str(tmp_path))
    with pytest.raises(ProviderNotConfigured, match="platform certificate"):
        WeChatPayProvider.from_settings()
    assert len(http.calls) == 0


# --- from_settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["MCHID", "APPID", "CERT_SERIAL_NO", "PRIVATE_KEY_PATH", "APIV3_KEY", "PUBLIC_KEY_ID"]
)
def test_a_missing_setting_is_named(wechat_settings: dict[str, str], name: str) -> None:
    wechat_settings[name] = ""
    with pytest.raises(ProviderNotConfigured) as caught:
        WeChatPayProvider.from_settings()
    assert caught.value.details["missing"] == [f"WECHATPAY_{name}"]


def test_nothing_set_names_everything(settings: Any) -> None:
    settings.WECHATPAY = dict.fromkeys(
        (
            "MCHID",
            "APPID",
            "CERT_SERIAL_NO",
            "PRIVATE_KEY_PATH",
            "APIV3_KEY",
            "PUBLIC_KEY_PATH",
            "PUBLIC_KEY_ID",
            "CERT_DIR",
        ),
        "",
    )
    with pytest.raises(ProviderNotConfigured) as caught:
        WeChatPayProvider.from_settings()
    assert caught.value.details["missing"] == [
        "WECHATPAY_MCHID",
        "WECHATPAY_APPID",
        "WECHATPAY_CERT_SERIAL_NO",
        "WECHATPAY_PRIVATE_KEY_PATH",
        "WECHATPAY_APIV3_KEY",
        "WECHATPAY_PUBLIC_KEY_PATH",
        "WECHATPAY_PUBLIC_KEY_ID",
    ]
    assert "WECHATPAY_CERT_DIR" in caught.value.message


def test_an_unreadable_key_file_is_not_configured(
    wechat_settings: dict[str, str], tmp_path: Path
) -> None:
    wechat_settings["PRIVATE_KEY_PATH"] = str(tmp_path / "missing.pem")
    with pytest.raises(ProviderNotConfigured, match="WECHATPAY_PRIVATE_KEY_PATH"):
        WeChatPayProvider.from_settings()


def test_a_key_file_that_holds_no_key_is_not_configured(
    wechat_settings: dict[str, str], tmp_path: Path
) -> None:
    wechat_settings["PRIVATE_KEY_PATH"] = write(tmp_path / "junk.pem", "junk")
    with pytest.raises(ProviderNotConfigured):
        WeChatPayProvider.from_settings()


def test_an_apiv3_key_of_the_wrong_length_is_not_configured(
    wechat_settings: dict[str, str],
) -> None:
    wechat_settings["APIV3_KEY"] = "too-short"
    with pytest.raises(ProviderNotConfigured, match="32 bytes"):
        WeChatPayProvider.from_settings()


# --- paying ------------------------------------------------------------------------------------


def answer(mock: responses.RequestsMock, method: str, path: str, payload: Any, **kw: Any) -> None:
    """Register an API answer, signed by the platform key as WeChat signs its answers."""
    status = kw.pop("status", 200)
    body = json.dumps(payload)
    headers = signed_headers(body, key=kw.pop("key", None)) if status < 300 else {}
    mock.add(
        method,
        API + path,
        body=body,
        status=status,
        headers=headers,
        content_type="application/json",
    )


def sent(call: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(call.request.body)
    return body


def assert_signed_by_merchant(call: Any, method: str, path: str) -> None:
    authorization = call.request.headers["Authorization"]
    scheme, _, params = authorization.partition(" ")
    assert scheme == "WECHATPAY2-SHA256-RSA2048"
    fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
    assert fields["mchid"] == MCHID
    assert fields["serial_no"] == CERT_SERIAL_NO
    body = call.request.body.decode() if isinstance(call.request.body, bytes) else call.request.body
    message = f"{method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body or ''}\n"
    verify_sha256(merchant_key(), message, fields["signature"])


def a_pay_request(**changes: Any) -> PayRequest:
    values: dict[str, Any] = {
        "payment_no": "P20260101000001",
        "amount_fen": 12345,
        "description": "ShareMall 订单",
        "notify_url": "https://mall.example.com/payments/notify/wechatpay",
        "scene": "jsapi",
        "payer_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    }
    values.update(changes)
    return PayRequest(**values)


def test_jsapi_payment_sends_the_order_and_returns_signed_parameters(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(http, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx201410272009395522657a"})
    expires = datetime(2026, 1, 1, 2, 30, tzinfo=UTC)
    params = provider.create_payment(a_pay_request(expires_at=expires))

    call = http.calls[0]
    assert sent(call) == {
        "appid": APPID,
        "mchid": MCHID,
        "description": "ShareMall 订单",
        "out_trade_no": "P20260101000001",
        "notify_url": "https://mall.example.com/payments/notify/wechatpay",
        "amount": {"total": 12345, "currency": "CNY"},
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "time_expire": "2026-01-01T10:30:00+08:00",
    }
    assert_signed_by_merchant(call, "POST", "/v3/pay/transactions/jsapi")
    assert call.request.headers["Wechatpay-Serial"] == PUBLIC_KEY_ID

    assert set(params) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["appId"] == APPID
    assert params["package"] == "prepay_id=wx201410272009395522657a"
    assert params["signType"] == "RSA"
    assert abs(int(params["timeStamp"]) - time.time()) < 60
    message = f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    verify_sha256(merchant_key(), message, params["paySign"])


def test_jsapi_payment_needs_the_payer(provider: WeChatPayProvider) -> None:
    with pytest.raises(DomainError) as caught:
        provider.create_payment(a_pay_request(payer_openid=""))
    assert caught.value.code == "payer_openid_required"


def test_native_payment_returns_the_code_url(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(
        http, "POST", "/v3/pay/transactions/native", {"code_url": "weixin://wxpay/bizpayurl?pr=a"}
    )
    params = provider.create_payment(a_pay_request(scene="native", payer_openid=""))
    assert params == {"code_url": "weixin://wxpay/bizpayurl?pr=a"}
    body = sent(http.calls[0])
    assert body["amount"] == {"total": 12345, "currency": "CNY"}
    assert body["out_trade_no"] == "P20260101000001"
    assert "payer" not in body
    assert_signed_by_merchant(http.calls[0], "POST", "/v3/pay/transactions/native")


def test_h5_payment_returns_the_h5_url(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(http, "POST", "/v3/pay/transactions/h5", {"h5_url": "https://wx.tenpay.com/h5?x=1"})
    params = provider.create_payment(
        a_pay_request(scene="h5", client_ip="203.0.113.9", return_url="https://mall.example.com/o")
    )
    assert params == {
        "h5_url": "https://wx.tenpay.com/h5?x=1&redirect_url=https%3A%2F%2Fmall.example.com%2Fo"
    }
    assert sent(http.calls[0])["scene_info"] == {
        "payer_client_ip": "203.0.113.9",
        "h5_info": {"type": "Wap"},
    }


def test_h5_payment_needs_the_client_ip(provider: WeChatPayProvider) -> None:
    with pytest.raises(DomainError):
        provider.create_payment(a_pay_request(scene="h5"))


@pytest.mark.parametrize(
    "request_",
    [a_pay_request(scene="wap"), a_pay_request(amount_fen=0), a_pay_request(currency="USD")],
    ids=["alipay-scene", "zero", "usd"],
)
def test_payments_wechat_cannot_take_are_refused(
    provider: WeChatPayProvider, request_: PayRequest
) -> None:
    with pytest.raises(DomainError):
        provider.create_payment(request_)


def test_a_refused_order_is_a_provider_error(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(
        http,
        "POST",
        "/v3/pay/transactions/jsapi",
        {"code": "ORDERPAID", "message": "该订单已支付"},
        status=400,
    )
    with pytest.raises(ProviderError) as caught:
        provider.create_payment(a_pay_request())
    assert caught.value.details == {"status": 400, "code": "ORDERPAID", "message": "该订单已支付"}


def test_an_answer_not_signed_by_wechat_is_a_provider_error(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(http, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx1"}, key=stranger_key())
    with pytest.raises(ProviderError):
        provider.create_payment(a_pay_request())


def test_no_connection_is_a_provider_error(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    with pytest.raises(ProviderError, match="request failed"):
        provider.create_payment(a_pay_request())


# --- refunds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wechat_status", "status"),
    [
        ("SUCCESS", "succeeded"),
        ("PROCESSING", "processing"),
        ("ABNORMAL", "failed"),
        ("CLOSED", "failed"),
    ],
)
def test_refund_status_is_mapped(
    provider: WeChatPayProvider, http: responses.RequestsMock, wechat_status: str, status: str
) -> None:
    answer(
        http,
        "POST",
        "/v3/refund/domestic/refunds",
        {
            "refund_id": "50000000382019052709732678859",
            "out_refund_no": "R1",
            "status": wechat_status,
            "amount": {"refund": 2345, "total": 12345, "currency": "CNY"},
        },
    )
    result = provider.refund(
        payment_no="P1", refund_no="R1", refund_fen=2345, total_fen=12345, reason="退货"
    )
    assert result.status == status
    assert result.provider_refund_id == "50000000382019052709732678859"
    assert sent(http.calls[0]) == {
        "out_refund_no": "R1",
        "out_trade_no": "P1",
        "amount": {"refund": 2345, "total": 12345, "currency": "CNY"},
        "reason": "退货",
    }
    assert_signed_by_merchant(http.calls[0], "POST", "/v3/refund/domestic/refunds")


def test_a_refused_refund_is_a_provider_error(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(
        http,
        "POST",
        "/v3/refund/domestic/refunds",
        {"code": "NOT_ENOUGH", "message": "基本账户余额不足"},
        status=403,
    )
    with pytest.raises(ProviderError) as caught:
        provider.refund(payment_no="P1", refund_no="R1", refund_fen=1, total_fen=1, reason="")
    assert caught.value.details["code"] == "NOT_ENOUGH"


def test_a_refund_beyond_the_total_is_refused(provider: WeChatPayProvider) -> None:
    with pytest.raises(DomainError):
        provider.refund(payment_no="P1", refund_no="R1", refund_fen=2, total_fen=1, reason="")


# --- transfers ---------------------------------------------------------------------------------

TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"


def a_transfer(**changes: Any) -> TransferRequest:
    values: dict[str, Any] = {
        "transfer_no": "T20260101000001",
        "amount_fen": 5000,
        "payee": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    }
    values.update(changes)
    return TransferRequest(**values)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("SUCCESS", "succeeded"),
        ("WAIT_USER_CONFIRM", "processing"),
        ("ACCEPTED", "processing"),
        ("TRANSFERING", "processing"),
        ("FAIL", "failed"),
        ("CANCELLED", "failed"),
    ],
)
def test_transfer_state_is_mapped(
    provider: WeChatPayProvider, http: responses.RequestsMock, state: str, status: str
) -> None:
    answer(
        http,
        "POST",
        TRANSFER_PATH,
        {
            "out_bill_no": "T20260101000001",
            "transfer_bill_no": "1330000071100999991182020050700019480001",
            "create_time": "2026-01-01T10:00:00+08:00",
            "state": state,
            "package_info": "affffddafdfafddffda==",
        },
    )
    result = provider.transfer(a_transfer())
    assert result.status == status
    assert result.provider_transfer_id == "1330000071100999991182020050700019480001"
    assert result.raw["package_info"] == "affffddafdfafddffda=="
    body = sent(http.calls[0])
    assert body["out_bill_no"] == "T20260101000001"
    assert body["transfer_amount"] == 5000
    assert body["openid"] == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    assert body["appid"] == APPID
    assert body["transfer_scene_id"] == "1005"
    assert {info["info_type"] for info in body["transfer_scene_report_infos"]} == {
        "岗位类型",
        "报酬说明",
    }
    assert "notify_url" not in body  # WeChat refuses a null one
    assert "user_name" not in body
    assert_signed_by_merchant(http.calls[0], "POST", TRANSFER_PATH)


def test_the_payee_name_is_encrypted_for_wechat(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(http, "POST", TRANSFER_PATH, {"transfer_bill_no": "1", "state": "ACCEPTED"})
    provider.transfer(a_transfer(amount_fen=250_000, payee_name="张三", remark="三月佣金"))
    body = sent(http.calls[0])
    plain = platform_key().decrypt(
        base64.b64decode(body["user_name"]),
        padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
    )
    assert plain.decode() == "张三"
    assert body["transfer_remark"] == "三月佣金"
    assert http.calls[0].request.headers["Wechatpay-Serial"] == PUBLIC_KEY_ID


def test_a_large_transfer_needs_the_payee_name(provider: WeChatPayProvider) -> None:
    with pytest.raises(DomainError) as caught:
        provider.transfer(a_transfer(amount_fen=200_000))
    assert caught.value.code == "payee_name_required"


def test_a_retried_transfer_is_answered_from_the_existing_bill(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(
        http,
        "POST",
        TRANSFER_PATH,
        {"code": "INVALID_REQUEST", "message": "商户单号重复"},
        status=400,
    )
    answer(
        http,
        "GET",
        f"{TRANSFER_PATH}/out-bill-no/T20260101000001",
        {
            "out_bill_no": "T20260101000001",
            "transfer_bill_no": "1330000071100999991182020050700019480001",
            "state": "SUCCESS",
        },
    )
    result = provider.transfer(a_transfer())
    assert result.status == "succeeded"
    assert result.provider_transfer_id == "1330000071100999991182020050700019480001"
    assert_signed_by_merchant(http.calls[1], "GET", f"{TRANSFER_PATH}/out-bill-no/T20260101000001")


def test_a_transfer_wechat_never_took_is_a_provider_error(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    answer(http, "POST", TRANSFER_PATH, {"code": "SYSTEM_ERROR", "message": "系统错误"}, status=500)
    answer(
        http,
        "GET",
        f"{TRANSFER_PATH}/out-bill-no/T20260101000001",
        {"code": "NOT_FOUND", "message": "记录不存在"},
        status=404,
    )
    with pytest.raises(ProviderError) as caught:
        provider.transfer(a_transfer())
    assert caught.value.details["code"] == "SYSTEM_ERROR"


def test_a_transfer_without_connection_is_a_provider_error(
    provider: WeChatPayProvider, http: responses.RequestsMock
) -> None:
    with pytest.raises(ProviderError, match="no answer"):
        provider.transfer(a_transfer())
    assert len(http.calls) == 2  # the bill, then the look-up by our number


def test_jsapi_signature_check_helper_catches_a_wrong_key() -> None:
    # Guards the helper the JSAPI test relies on.
    with pytest.raises(InvalidSignature):
        verify_sha256(merchant_key(), "x", sign_sha256(stranger_key(), "x"))

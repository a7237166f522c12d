"""The SMS backends offline: Aliyun and Tencent against mocked HTTP, the sandbox's outbox, and
the settings each needs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured

from sharemall.sms import selectors, services
from sharemall.sms.providers import AliyunBackend, TencentBackend
from sharemall.sms.rules import SmsUnavailable, aliyun_authorization, template_for

ALIYUN_URL = "https://dysmsapi.aliyuncs.com/"
TENCENT_URL = "https://sms.tencentcloudapi.com/"
# The SDK dates its signature with datetime.utcfromtimestamp (deprecated, still correct).
SDK_DATES = "ignore:datetime.datetime.utcfromtimestamp:DeprecationWarning"

ALIYUN_SETTINGS = {
    "ACCESS_KEY_ID": "LTAI-test",
    "ACCESS_KEY_SECRET": "secret-test",
    "SIGN_NAME": "分享商城",
    "ENDPOINT": "",
}
TENCENT_SETTINGS = {
    "SECRET_ID": "AKID-test",
    "SECRET_KEY": "secret-test",
    "SDK_APP_ID": "1400000000",
    "SIGN_NAME": "分享商城",
    "REGION": "",
    "ENDPOINT": "",
}


def aliyun() -> AliyunBackend:
    return AliyunBackend.from_settings(ALIYUN_SETTINGS, {"verify": "SMS_100"})


def tencent() -> TencentBackend:
    return TencentBackend.from_settings(TENCENT_SETTINGS, {"verify": "200"})


def test_a_template_name_falls_back_to_its_first_word() -> None:
    table = {"verify": "SMS_1", "verify_login": "SMS_2"}
    assert template_for(table, "verify_login") == "SMS_2"
    assert template_for(table, "verify_register") == "SMS_1"
    assert template_for(table, "order_shipped") is None


@responses.activate
def test_aliyun_sends_a_signed_sendsms_request() -> None:
    responses.post(
        ALIYUN_URL,
        json={"Code": "OK", "Message": "OK", "BizId": "9006197469364984", "RequestId": "r"},
    )
    message_id = aliyun().send("13800138000", "verify_login", {"code": "123 456"})
    assert message_id == "9006197469364984"
    call = responses.calls[0].request
    raw_query = urlsplit(str(call.url)).query
    assert "+" not in raw_query  # spaces and all encoded as signed (RFC 3986)
    query = dict(parse_qsl(raw_query))
    assert query == {
        "PhoneNumbers": "13800138000",
        "SignName": "分享商城",
        "TemplateCode": "SMS_100",
        "TemplateParam": '{"code": "123 456"}',
    }
    headers = call.headers
    assert headers["x-acs-action"] == "SendSms"
    assert headers["x-acs-version"] == "2017-05-25"
    # The signature is over exactly what was sent: recomputing it gives the same header.
    signed = {
        name: str(headers[name])
        for name in (
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        )
    }
    assert headers["Authorization"] == aliyun_authorization(
        method="POST",
        path="/",
        query=query,
        headers=signed,
        body=b"",
        access_key_id="LTAI-test",
        access_key_secret="secret-test",
    )
    assert headers["Authorization"].startswith(
        "ACS3-HMAC-SHA256 Credential=LTAI-test,SignedHeaders=host;x-acs-action;"
    )


def test_the_aliyun_signature_matches_the_official_signer() -> None:
    """The expected value was computed by Aliyun's own signer for these inputs
    (alibabacloud-openapi-util 0.2.4, Client.get_authorization, ACS3-HMAC-SHA256)."""
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    authorization = aliyun_authorization(
        method="POST",
        path="/",
        query={
            "PhoneNumbers": "13800138000",
            "SignName": "分享商城",
            "TemplateCode": "SMS_100",
            "TemplateParam": '{"code": "123 456~*"}',
        },
        headers={
            "host": "dysmsapi.aliyuncs.com",
            "x-acs-action": "SendSms",
            "x-acs-version": "2017-05-25",
            "x-acs-date": "2026-12-06T10:00:00Z",
            "x-acs-signature-nonce": "abc",
            "x-acs-content-sha256": empty,
        },
        body=b"",
        access_key_id="AK",
        access_key_secret="SECRET",
    )
    assert authorization == (
        "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
        "x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=b9f76949d53ace9e213827a0444592bb09cb0be54ccb7df3e7526ecfd9339da7"
    )


def test_the_aliyun_signature_changes_with_the_secret_and_the_query() -> None:
    base: dict[str, Any] = {
        "method": "POST",
        "path": "/",
        "query": {"PhoneNumbers": "13800138000", "TemplateParam": '{"code": "1 2"}'},
        "headers": {"host": "dysmsapi.aliyuncs.com", "x-acs-action": "SendSms"},
        "body": b"",
        "access_key_id": "id",
        "access_key_secret": "s1",
    }
    first = aliyun_authorization(**base)
    assert first == aliyun_authorization(**base)
    assert first != aliyun_authorization(**{**base, "access_key_secret": "s2"})
    assert first != aliyun_authorization(**{**base, "query": {"PhoneNumbers": "13800138001"}})


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {"json": {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}},
        {"json": {"Code": "InvalidAccessKeyId.NotFound"}, "status": 404},
        {"body": "<html>bad gateway</html>", "status": 502},
        {"body": requests.ConnectionError("down")},
    ],
)
def test_aliyun_failures_are_sms_unavailable(answer: dict[str, Any]) -> None:
    responses.post(ALIYUN_URL, **answer)
    with pytest.raises(SmsUnavailable):
        aliyun().send("13800138000", "verify_login", {"code": "123456"})


@pytest.mark.filterwarnings(SDK_DATES)
@responses.activate
def test_tencent_sends_through_its_sdk() -> None:
    responses.post(
        TENCENT_URL,
        json={
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": "5000:1045710669157053657849499619",
                        "PhoneNumber": "+8613800138000",
                        "Fee": 1,
                        "SessionContext": "",
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
            }
        },
    )
    message_id = tencent().send("13800138000", "verify_register", {"code": "654321"})
    assert message_id == "5000:1045710669157053657849499619"
    call = responses.calls[0].request
    body = json.loads(str(call.body))
    assert body["PhoneNumberSet"] == ["+8613800138000"]
    assert body["SmsSdkAppId"] == "1400000000"
    assert body["TemplateId"] == "200"
    assert body["TemplateParamSet"] == ["654321"]
    assert call.headers["X-TC-Action"] == "SendSms"
    authorization = str(call.headers["Authorization"])
    assert authorization.startswith("TC3-HMAC-SHA256 Credential=AKID-test/")


@pytest.mark.filterwarnings(SDK_DATES)
@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {
            "Response": {
                "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"},
                "RequestId": "r",
            }
        },
        {
            "Response": {
                "SendStatusSet": [
                    {"SerialNo": "", "Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "x"}
                ],
                "RequestId": "r",
            }
        },
    ],
)
def test_tencent_failures_are_sms_unavailable(answer: dict[str, Any]) -> None:
    responses.post(TENCENT_URL, json=answer)
    with pytest.raises(SmsUnavailable):
        tencent().send("13800138000", "verify_login", {"code": "123456"})


@pytest.mark.parametrize(
    ("kind", "missing"),
    [("aliyun", "ALIYUN_SMS_ACCESS_KEY_SECRET"), ("tencent", "TENCENT_SMS_SDK_APP_ID")],
)
def test_a_real_backend_without_its_settings_is_improperly_configured(
    settings: Any, kind: str, missing: str
) -> None:
    settings.SMS_BACKEND = kind
    settings.ALIYUN_SMS = {**ALIYUN_SETTINGS, "ACCESS_KEY_SECRET": ""}
    settings.TENCENT_SMS = {**TENCENT_SETTINGS, "SDK_APP_ID": ""}
    settings.ALIYUN_SMS_TEMPLATES = {"verify": "SMS_1"}
    settings.TENCENT_SMS_TEMPLATES = {"verify": "1"}
    with pytest.raises(ImproperlyConfigured, match=missing):
        services.backend()


def test_a_real_backend_without_a_template_is_improperly_configured(settings: Any) -> None:
    settings.SMS_BACKEND = "aliyun"
    settings.ALIYUN_SMS = ALIYUN_SETTINGS
    settings.ALIYUN_SMS_TEMPLATES = {}
    with pytest.raises(ImproperlyConfigured, match="ALIYUN_SMS_TEMPLATE_VERIFY"):
        services.backend()


@pytest.mark.django_db
def test_the_sandbox_records_what_it_sends(settings: Any) -> None:
    settings.SMS_BACKEND = "sandbox"
    first = services.send("13800138000", "verify_login", {"code": "111111"})
    second = services.send("13800138000", "order_shipped", {"order": "A1"})
    assert first != second
    outbox = list(selectors.sandbox_outbox("13800138000"))
    assert [m.template for m in outbox] == ["order_shipped", "verify_login"]
    assert outbox[1].params == {"code": "111111"}


@pytest.mark.django_db
def test_without_a_backend_nothing_is_sent(settings: Any) -> None:
    settings.SMS_BACKEND = ""
    with pytest.raises(SmsUnavailable):
        services.send("13800138000", "verify_login", {"code": "111111"})

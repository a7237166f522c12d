"""The real SMS providers behind the one `Backend` interface: Aliyun SMS and Tencent Cloud SMS.

A backend sends one templated message: `send(phone, template, params)` with our template name
(looked up in the provider's template table, see `rules.template_for`) and its parameters, and
answers the provider's message id. Failures raise `SmsUnavailable` (503), never a 5xx crash.

Aliyun: called over HTTPS with its signature v3 (ACS3-HMAC-SHA256, `rules.aliyun_authorization`)
rather than `alibabacloud-dysmsapi20170525`: that SDK's runtime (darabonba-core with
alibabacloud-credentials) pulls aiohttp, APScheduler, aiofiles and websocket-client into the
server for one POST. The request is the documented `SendSms` action of API version 2017-05-25.

Tencent: its official SDK (`tencentcloud-sdk-python-sms` with `-common`), which needs only
`requests`; it signs with TC3-HMAC-SHA256 itself. Tencent templates take positional parameters,
so the params are sent in the order given.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import requests
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from sharemall.sms.rules import (
    SmsUnavailable,
    aliyun_authorization,
    aliyun_canonical_query,
    template_for,
)

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
ALIYUN_API_VERSION = "2017-05-25"


class Backend(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> str:
        """Send one message to a mainland mobile number (11 digits); the provider's id."""
        ...


def _unavailable() -> SmsUnavailable:
    return SmsUnavailable(_("The text message could not be sent. Try again in a minute."))


def _require(settings_name: str, values: Mapping[str, str], keys: tuple[str, ...]) -> None:
    missing = [f"{settings_name}_{key}" for key in keys if not values.get(key)]
    if missing:
        raise ImproperlyConfigured(
            f"SMS_BACKEND needs these settings from the environment: {', '.join(missing)}"
        )


@dataclass(frozen=True)
class AliyunBackend:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: Mapping[str, str]
    endpoint: str = "dysmsapi.aliyuncs.com"
    name: str = "aliyun"

    @classmethod
    def from_settings(
        cls, values: Mapping[str, str], templates: Mapping[str, str]
    ) -> AliyunBackend:
        _require("ALIYUN_SMS", values, ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME"))
        if not templates:
            raise ImproperlyConfigured(
                "SMS_BACKEND=aliyun needs a template: ALIYUN_SMS_TEMPLATE_VERIFY=SMS_…"
            )
        return cls(
            access_key_id=values["ACCESS_KEY_ID"],
            access_key_secret=values["ACCESS_KEY_SECRET"],
            sign_name=values["SIGN_NAME"],
            templates=dict(templates),
            endpoint=values.get("ENDPOINT") or "dysmsapi.aliyuncs.com",
        )

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> str:
        template_code = template_for(self.templates, template)
        if template_code is None:
            raise ImproperlyConfigured(f"No Aliyun SMS template for {template!r}")
        query = {
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False),
        }
        body = b""
        headers = {
            "host": self.endpoint,
            "x-acs-action": "SendSms",
            "x-acs-version": ALIYUN_API_VERSION,
            "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": secrets.token_hex(16),
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        headers["Authorization"] = aliyun_authorization(
            method="POST",
            path="/",
            query=query,
            headers=headers,
            body=body,
            access_key_id=self.access_key_id,
            access_key_secret=self.access_key_secret,
        )
        try:
            # The query exactly as signed (RFC 3986: a space is %20, never "+").
            response = requests.post(
                f"https://{self.endpoint}/?{aliyun_canonical_query(query)}",
                data=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
            )
            answer: Any = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("aliyun sms: request failed: %s", exc)
            raise _unavailable() from None
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            code = answer.get("Code") if isinstance(answer, dict) else None
            logger.warning("aliyun sms refused: %s (%s)", code, response.status_code)
            raise _unavailable()
        return str(answer.get("BizId") or answer.get("RequestId") or "")


@dataclass(frozen=True)
class TencentBackend:
    secret_id: str
    secret_key: str
    sdk_app_id: str
    sign_name: str
    templates: Mapping[str, str]
    region: str = "ap-guangzhou"
    endpoint: str = "sms.tencentcloudapi.com"
    name: str = "tencent"

    @classmethod
    def from_settings(
        cls, values: Mapping[str, str], templates: Mapping[str, str]
    ) -> TencentBackend:
        _require("TENCENT_SMS", values, ("SECRET_ID", "SECRET_KEY", "SDK_APP_ID", "SIGN_NAME"))
        if not templates:
            raise ImproperlyConfigured(
                "SMS_BACKEND=tencent needs a template: TENCENT_SMS_TEMPLATE_VERIFY=<template id>"
            )
        return cls(
            secret_id=values["SECRET_ID"],
            secret_key=values["SECRET_KEY"],
            sdk_app_id=values["SDK_APP_ID"],
            sign_name=values["SIGN_NAME"],
            templates=dict(templates),
            region=values.get("REGION") or "ap-guangzhou",
            endpoint=values.get("ENDPOINT") or "sms.tencentcloudapi.com",
        )

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> str:
        # The SDK is imported here: only a server that sends through Tencent needs it loaded.
        from tencentcloud.common import credential  # noqa: PLC0415
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # noqa: PLC0415
            TencentCloudSDKException,
        )
        from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: PLC0415
        from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: PLC0415
        from tencentcloud.sms.v20210111 import models, sms_client  # noqa: PLC0415

        template_id = template_for(self.templates, template)
        if template_id is None:
            raise ImproperlyConfigured(f"No Tencent SMS template for {template!r}")
        profile = ClientProfile(
            httpProfile=HttpProfile(endpoint=self.endpoint, reqTimeout=TIMEOUT_SECONDS)
        )
        client = sms_client.SmsClient(
            credential.Credential(self.secret_id, self.secret_key), self.region, profile
        )
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = [str(value) for value in params.values()]
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            logger.warning("tencent sms: request failed: %s", exc.get_code())
            raise _unavailable() from None
        statuses = response.SendStatusSet or []
        if not statuses or statuses[0].Code != "Ok":
            code = statuses[0].Code if statuses else None
            logger.warning("tencent sms refused: %s", code)
            raise _unavailable()
        return str(statuses[0].SerialNo or response.RequestId or "")

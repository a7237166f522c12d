"""Sending a text message through the configured backend (SMS_BACKEND).

`send(phone, template, params)` is the one way out: verification codes use it now, notices
later. `template` is our name for the message (e.g. `verify_login`); each provider maps it to
its own template id from the environment (`ALIYUN_SMS_TEMPLATE_*`, `TENCENT_SMS_TEMPLATE_*`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext as _

from sharemall.sms.models import SandboxSms
from sharemall.sms.providers import AliyunBackend, Backend, TencentBackend
from sharemall.sms.rules import SmsUnavailable


class SandboxBackend:
    """Sends nothing: records the message in the sandbox outbox (SandboxSms) instead."""

    name = "sandbox"

    def send(
        self, phone: str, template: str, params: Mapping[str, str], *, dedupe_id: str = ""
    ) -> str:
        """Idempotent by `dedupe_id`: the same id sent again records nothing more."""
        message_id = (
            ("sandbox-" + dedupe_id)[:40] if dedupe_id else "sandbox-" + secrets.token_hex(12)
        )
        SandboxSms.objects.get_or_create(
            message_id=message_id,
            defaults={"phone": phone, "template": template[:64], "params": dict(params)},
        )
        return message_id


def backend() -> Backend | None:
    """The configured backend, or None when SMS_BACKEND is unset (no messages can be sent)."""
    kind = settings.SMS_BACKEND
    if kind == "sandbox":
        return SandboxBackend()
    if kind == "aliyun":
        return AliyunBackend.from_settings(settings.ALIYUN_SMS, settings.ALIYUN_SMS_TEMPLATES)
    if kind == "tencent":
        return TencentBackend.from_settings(settings.TENCENT_SMS, settings.TENCENT_SMS_TEMPLATES)
    return None


def is_sandbox() -> bool:
    return bool(settings.SMS_BACKEND == "sandbox")


def send(phone: str, template: str, params: Mapping[str, str], *, dedupe_id: str = "") -> str:
    """Send one message; the provider's message id. SmsUnavailable when it cannot be sent.

    `dedupe_id` names the message across retries (notices): the sandbox sends one message per
    id; Aliyun and Tencent have no idempotent send, so a retry after a lost answer may repeat."""
    channel = backend()
    if channel is None:
        raise SmsUnavailable(_("Text messages are not set up on this site yet."))
    if isinstance(channel, SandboxBackend):
        return channel.send(phone, template, params, dedupe_id=dedupe_id)
    return channel.send(phone, template, params)

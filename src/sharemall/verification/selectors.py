"""Reads of verification codes: what the sandbox texted a phone."""

from __future__ import annotations

from typing import Any

from sharemall.sms import selectors as sms
from sharemall.verification.rules import TEMPLATE_PREFIX


def sandbox_codes(phone: str) -> list[dict[str, Any]]:
    """The codes the sandbox backend "sent" to a phone, newest first."""
    return [
        {
            "code": str(message.params.get("code", "")),
            "purpose": message.template.removeprefix(TEMPLATE_PREFIX),
            "sent_at": message.sent_at,
        }
        for message in sms.sandbox_outbox(phone)
        if message.template.startswith(TEMPLATE_PREFIX)
    ]

"""The sandbox SMS inbox: what the sandbox backend texted a phone (demo and tests only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from sharemall.core.errors import NotFound
from sharemall.sms import services as sms
from sharemall.verification import selectors
from sharemall.verification.schemas import SandboxSmsOut

router = Router(tags=["verification"])

_PHONE_DIGITS = 11
_WITH_COUNTRY = 13


def _national(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    if len(digits) == _WITH_COUNTRY and digits.startswith("86"):
        digits = digits[2:]
    return digits[:_PHONE_DIGITS]


@router.get("/sandbox/sms/{phone}", response=list[SandboxSmsOut], auth=None)
def sandbox_sms(request: HttpRequest, phone: str) -> list[dict[str, Any]]:
    """The codes texted to a phone, newest first: `[{code, purpose, sent_at}]`. Only while
    SMS_BACKEND is sandbox; otherwise 404, as if the path did not exist."""
    if not sms.is_sandbox():
        raise NotFound(_("Not found."))
    return selectors.sandbox_codes(_national(phone))

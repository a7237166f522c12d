"""Reads of the SMS channel: the sandbox outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from sharemall.sms.models import SandboxSms

OUTBOX_LIMIT = 20


def sandbox_outbox(phone: str, *, limit: int = OUTBOX_LIMIT) -> QuerySet[SandboxSms]:
    """The messages the sandbox "sent" to a phone, newest first."""
    return SandboxSms.objects.filter(phone=phone).order_by("-sent_at", "-id")[:limit]

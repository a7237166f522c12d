from __future__ import annotations

from django.db.models import QuerySet

from sharemall.accounts.models import Member
from sharemall.notifications.models import Notice


def messages_of(member: Member) -> QuerySet[Notice]:
    """A member's in-app messages, newest first (index notice_recipient_idx)."""
    return Notice.objects.filter(recipient=member).order_by("-id")


def unread_count(member_id: int) -> int:
    """For the header badge (partial index notice_unread_idx)."""
    return Notice.objects.filter(recipient_id=member_id, read_at__isnull=True).count()

from __future__ import annotations

from django.db.models import QuerySet

from sharemall.accounts.models import Member
from sharemall.notifications import rules
from sharemall.notifications.models import Notice, NotificationPreference


def messages_of(member: Member) -> QuerySet[Notice]:
    """A member's in-app messages, newest first (index notice_recipient_idx)."""
    return Notice.objects.filter(recipient=member).order_by("-id")


def unread_count(member_id: int) -> int:
    """For the header badge (partial index notice_unread_idx)."""
    return Notice.objects.filter(recipient_id=member_id, read_at__isnull=True).count()


def settings_of(member: Member) -> list[dict[str, object]]:
    """Each kind with the channels it goes out on for this member: the defaults and their own
    choices (`[{kind, in_app: true, sms, wechat}]`)."""
    chosen: dict[str, dict[str, bool]] = {}
    for kind, channel, enabled in NotificationPreference.objects.filter(member=member).values_list(
        "kind", "channel", "enabled"
    ):
        chosen.setdefault(kind, {})[channel] = enabled
    found: list[dict[str, object]] = []
    for kind in rules.KINDS:
        on = rules.outbound_channels(kind, chosen.get(kind, {}))
        found.append({"kind": kind, rules.IN_APP: True, **{c: c in on for c in rules.OUTBOUND}})
    return found

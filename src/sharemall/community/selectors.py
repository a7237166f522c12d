"""Reads of the convention, penalties and appeals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from sharemall.community import rules
from sharemall.community.models import ConventionVersion, Penalty


@dataclass(frozen=True)
class Mute:
    """A member's standing mute: until when (None: for good) and the penalty behind it."""

    until: datetime | None
    penalty_id: int
    rule: str


def active_mute(member_id: int, *, now: datetime | None = None) -> Mute | None:
    """The mute that silences the member now, the longest if several stand; None if free to
    speak. A closed account is silenced for good too."""
    now = now or timezone.now()
    standing = list(
        Penalty.objects.filter(
            member_id=member_id,
            status=rules.ACTIVE,
            level__in=(*rules.MUTES, rules.CLOSE),
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .only("pk", "ends_at", "rule")
    )
    if not standing:
        return None
    longest = max(standing, key=lambda p: p.ends_at or datetime.max.replace(tzinfo=now.tzinfo))
    return Mute(until=longest.ends_at, penalty_id=longest.pk, rule=longest.rule)


def current_convention() -> ConventionVersion | None:
    return ConventionVersion.objects.order_by("-version").first()

"""Reads of the convention, penalties and appeals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.community import rules
from sharemall.community.models import Appeal, ConventionVersion, Penalty


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


def convention_versions() -> QuerySet[ConventionVersion]:
    return ConventionVersion.objects.select_related("author").order_by("-version")


def convention_version(version: int) -> ConventionVersion | None:
    return ConventionVersion.objects.filter(version=version).first()


def penalties_of(member_id: int) -> QuerySet[Penalty]:
    """The member's penalties, newest first, with who imposed each."""
    return (
        Penalty.objects.filter(member_id=member_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def standing_levels(member_id: int) -> list[str]:
    """The levels of the member's penalties that stand (not overturned): the ladder's memory."""
    return list(
        Penalty.objects.filter(member_id=member_id, status=rules.ACTIVE).values_list(
            "level", flat=True
        )
    )


def suggestion(member_id: int, aggravations: Iterable[str] = ()) -> str:
    return rules.suggested_level(standing_levels(member_id), aggravations)


def standing_close(member_id: int) -> bool:
    return Penalty.objects.filter(
        member_id=member_id, status=rules.ACTIVE, level=rules.CLOSE
    ).exists()


def appeals_by_decision(decision_type: str, decision_ids: Iterable[int]) -> dict[int, Appeal]:
    """The appeal of each of these decisions that has one, by decision id (one query)."""
    return {
        appeal.decision_id: appeal
        for appeal in Appeal.objects.filter(
            decision_type=decision_type, decision_id__in=list(decision_ids)
        )
    }


def appeals_of(member: Member) -> QuerySet[Appeal]:
    return Appeal.objects.filter(appellant=member).order_by("-created_at", "-pk")


def appeal_queue(status: str | None = rules.PENDING) -> QuerySet[Appeal]:
    """Appeals for operators, oldest first while pending (first filed, first reviewed), newest
    first otherwise."""
    appeals = Appeal.objects.select_related("appellant", "decided_by", "reviewer")
    if status:
        appeals = appeals.filter(status=status)
    if status == rules.PENDING:
        return appeals.order_by("created_at", "pk")
    return appeals.order_by("-created_at", "-pk")


def member_search(query: str) -> QuerySet[Member]:
    """Members (not operators) by id, phone or nickname; everyone, newest first, without a query."""
    members = Member.objects.filter(is_operator=False)
    query = query.strip()
    if query:
        match = Q(phone__contains=query) | Q(nickname__icontains=query)
        if query.isdigit() and len(query) < 19:
            match |= Q(pk=int(query))
        members = members.filter(match)
    return members.order_by("-date_joined", "-pk")

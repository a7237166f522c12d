"""Binding a member to a parent (绑定上级): no self-binding, no cycles, one parent at a time.

The mode is a platform rule: permanent first-touch (default), time-limited (rebindable once the
binding expires) or last-touch (every new share rebinds). Binding is tried at sign-up, when a
signed-in member lands on a share link, and at checkout through a share (PRODUCT §4.2). Each
binding is a conditional update of the member row, so concurrent attempts leave exactly one
parent, and a `Binding` row records it. The member row also keeps its grandparent and
great-grandparent, so the three-level chain is one indexed read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sharemall.accounts.models import Binding, Member
from sharemall.core.locks import serialize
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import current as platform_settings

_WALK_LIMIT = 10_000  # far deeper than any real chain; stops a corrupt loop from spinning
_REBIND_LOCK = 0x5348_4249  # the advisory lock key that serializes rebindings ("SHBI")


def is_ancestor(candidate_id: int, of_member_id: int) -> bool:
    """Whether `candidate_id` is `of_member_id` or anywhere above it in the binding chain."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM accounts_member WHERE id = %s
                UNION ALL
                SELECT m.id, m.parent_id, up.depth + 1
                FROM accounts_member m JOIN up ON m.id = up.parent_id
                WHERE up.depth < %s
            )
            SELECT 1 FROM up WHERE id = %s LIMIT 1
            """,
            [of_member_id, _WALK_LIMIT, candidate_id],
        )
        return cursor.fetchone() is not None


def _allowed(mode: str, parent: Member, now: datetime) -> Q:
    """Which current bindings the platform's mode lets `parent` replace now (PRODUCT §4.2).

    Nobody's binding, or one that has run out, is free under every mode. Permanent first-touch
    keeps any live binding for ever; time-limited keeps it until `bound_until`; last-touch lets
    every share by someone else rebind.
    """
    free = Q(parent__isnull=True) | Q(bound_until__lte=now)
    if mode == platform_rules.LAST_TOUCH:
        return free | ~Q(parent=parent)
    return free


def _replaceable(member_id: int, mode: str, parent_id: int, now: datetime) -> bool:
    """A cheap first look at whether the mode would let `parent_id` take the member now; the
    conditional update decides for good."""
    return (
        Member.objects.filter(pk=member_id)
        .filter(_allowed(mode, Member(pk=parent_id), now))
        .exists()
    )


def _serialize_rebindings() -> None:
    """Rebindings one at a time, so two that would close a loop together (A under B while B goes
    under A) cannot both pass the cycle check. SQLite's write transactions are serial already;
    on PostgreSQL a transaction-scoped advisory lock does it (rebinding is rare next to
    reading)."""
    serialize(_REBIND_LOCK)


def bind(
    member: Member,
    parent: Member,
    *,
    source: str,
    now: datetime | None = None,
    newcomer: bool = False,
) -> bool:
    """Bind `member` to `parent` if the platform's binding mode allows it now.

    Returns whether a binding was made. Never binds a member to itself or to anyone below it.
    A rebinding moves the member's team with it: the stored ancestors of the member, of its
    children and of its grandchildren follow the new parent. Each binding adds a `Binding` row
    (the history: old parent, new parent, mode, when, and `source`, why).
    `newcomer`: the member was created in this same transaction, so it has no team below it and
    no parent yet — the cycle walk and the team rewrite are skipped (sign-up is a hot path).
    """
    if member.pk == parent.pk or not parent.is_active:
        return False
    now = now or timezone.now()
    rules = platform_settings()
    mode = rules.binding_mode
    until = (
        now + timedelta(days=rules.binding_days) if mode == platform_rules.TIME_LIMITED else None
    )
    if not newcomer and not _replaceable(member.pk, mode, parent.pk, now):
        return False  # the common case (a live binding the mode keeps): no lock, no write
    with transaction.atomic():
        if not newcomer:
            _serialize_rebindings()
            if is_ancestor(member.pk, parent.pk):
                return False  # parent sits below member: binding would close a loop
        previous = (
            None
            if newcomer
            else Member.objects.filter(pk=member.pk).values_list("parent_id", flat=True).first()
        )
        above = (
            Member.objects.filter(pk=parent.pk, is_active=True)
            .values_list("parent_id", "grandparent_id")
            .first()
        )
        if above is None:
            return False
        parent_of_parent, grandparent_of_parent = above
        moved = (
            Member.objects.filter(pk=member.pk, parent_id=previous)  # unchanged since read
            .filter(_allowed(mode, parent, now))
            .update(
                parent=parent,
                grandparent_id=parent_of_parent,
                great_grandparent_id=grandparent_of_parent,
                bound_until=until,
            )
        )
        if not moved:
            return False
        if not newcomer:
            # The member's own team now hangs below the new parent.
            Member.objects.filter(parent=member).update(
                grandparent=parent, great_grandparent_id=parent_of_parent
            )
            Member.objects.filter(grandparent=member).update(great_grandparent=parent)
        Binding.objects.create(
            member=member,
            parent=parent,
            previous_parent_id=previous,
            mode=mode,
            source=source[:60],
            bound_at=now,
            bound_until=until,
        )
    member.parent, member.bound_until = parent, until
    member.grandparent_id, member.great_grandparent_id = parent_of_parent, grandparent_of_parent
    return True


def binding_status(member: Member) -> dict[str, Any]:
    """Who `member` is bound to and until when, with the whole history (oldest first): what
    the member's binding page and `GET /me/binding` show. `bound_until` is None for a
    binding without an end; `parent_id` is None when unbound or when the binding ran out."""
    now = timezone.now()
    current = (
        Member.objects.filter(pk=member.pk)
        .values("parent_id", "parent__nickname", "bound_until")
        .get()
    )
    history = list(Binding.objects.filter(member_id=member.pk).order_by("bound_at", "id"))
    live = current["parent_id"] is not None and (
        current["bound_until"] is None or current["bound_until"] > now
    )
    latest = next((b for b in reversed(history) if b.parent_id == current["parent_id"]), None)
    return {
        "parent_id": current["parent_id"] if live else None,
        "parent_nickname": current["parent__nickname"] if live else None,
        "mode": latest.mode if live and latest is not None else None,
        "bound_at": latest.bound_at if live and latest is not None else None,
        "bound_until": current["bound_until"] if live else None,
        "history": [
            {
                "parent_id": b.parent_id,
                "previous_parent_id": b.previous_parent_id,
                "mode": b.mode,
                "source": b.source,
                "bound_at": b.bound_at,
                "bound_until": b.bound_until,
            }
            for b in history
        ],
    }

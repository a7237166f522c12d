"""Binding a member to a parent (绑定上级): no self-binding, no cycles, one parent at a time.

The mode is a platform rule: permanent first-touch (default), time-limited (rebindable once the
binding expires) or last-touch (every new share rebinds). Each binding is a conditional update
of the member row, so concurrent attempts leave exactly one parent, and a `Binding` row records
it. The member row also keeps its grandparent and great-grandparent, so the three-level chain is
one indexed read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sharemall.accounts.models import Binding, Member
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import current as platform_settings

_WALK_LIMIT = 10_000  # far deeper than any real chain; stops a corrupt loop from spinning


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
    `newcomer`: the member was created in this same transaction, so it has no team below it and
    no parent yet — the cycle walk and the team rewrite are skipped (sign-up is a hot path).
    """
    if member.pk == parent.pk or not parent.is_active:
        return False
    now = now or timezone.now()
    rules = platform_settings()
    mode = rules.binding_mode
    if mode == platform_rules.FIRST_TOUCH:
        allowed = Q(parent__isnull=True)
        until = None
    elif mode == platform_rules.TIME_LIMITED:
        allowed = Q(parent__isnull=True) | Q(bound_until__lte=now)
        until = now + timedelta(days=rules.binding_days)
    else:
        allowed = ~Q(parent=parent) | Q(parent__isnull=True)
        until = None
    if not newcomer and is_ancestor(member.pk, parent.pk):
        return False  # parent sits below member: binding would close a loop
    previous = (
        None
        if newcomer
        else Member.objects.filter(pk=member.pk).values_list("parent_id", flat=True).first()
    )
    with transaction.atomic():
        moved = (
            Member.objects.filter(pk=member.pk)
            .filter(allowed)
            .update(
                parent=parent,
                grandparent_id=parent.parent_id,
                great_grandparent_id=parent.grandparent_id,
                bound_until=until,
            )
        )
        if not moved:
            return False
        if previous is not None:
            # A rebinding: the member's own team now hangs below the new parent.
            Member.objects.filter(parent=member).update(
                grandparent=parent, great_grandparent_id=parent.parent_id
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
    member.grandparent_id, member.great_grandparent_id = parent.parent_id, parent.grandparent_id
    return True

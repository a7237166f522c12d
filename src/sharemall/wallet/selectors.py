"""Reads of withdrawals, always scoped to the caller: a member sees only their own."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.wallet import rules
from sharemall.wallet.models import Withdrawal, WithdrawalDay


def _not_found() -> NotFound:
    return NotFound(_("No such withdrawal."))


def withdrawals_of(member: Member) -> QuerySet[Withdrawal]:
    """The member's withdrawals, newest first."""
    return Withdrawal.objects.filter(member=member).order_by("-id")


def withdrawal_of_member(member: Member, withdrawal_id: int) -> Withdrawal:
    """The member's own withdrawal; anyone else's answers 404 like a missing one."""
    found = Withdrawal.objects.filter(member=member, pk=withdrawal_id).first()
    if found is None:
        raise _not_found()
    return found


def withdrawal_queue(status: str | None = None) -> QuerySet[Withdrawal]:
    """For operators: every withdrawal, or those in `status`, oldest first."""
    found = Withdrawal.objects.order_by("id")
    return found if status is None else found.filter(status=status)


def withdrawal_by_id(withdrawal_id: int) -> Withdrawal:
    """For operators, who may see any withdrawal."""
    found = Withdrawal.objects.filter(pk=withdrawal_id).first()
    if found is None:
        raise _not_found()
    return found


def requested_today(member: Member, now: datetime) -> int:
    """What the member has asked to withdraw on `now`'s cap day, in fen (the daily cap's count)."""
    asked = (
        WithdrawalDay.objects.filter(member=member, day=rules.cap_day(now))
        .values_list("requested_fen", flat=True)
        .first()
    )
    return asked or 0

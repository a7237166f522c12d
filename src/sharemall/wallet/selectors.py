"""Reads of withdrawals, always scoped to the caller: a member sees only their own (never a
merchant's they asked for), a merchant only its own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.wallet import rules
from sharemall.wallet.models import Account, Withdrawal, WithdrawalDay


def _not_found() -> NotFound:
    return NotFound(_("No such withdrawal."))


def holder_filter(holder: rules.Holder) -> dict[str, Any]:
    """The fields that name a holder on a day of the cap (also to create one)."""
    if holder.is_merchant:
        return {"member_id": None, "merchant_id": holder.owner_id}
    return {"member_id": holder.owner_id, "merchant_id": None}


def held_by(holder: rules.Holder) -> QuerySet[Withdrawal]:
    """Every withdrawal of the holder's money (a member's own excludes their merchants')."""
    found = Withdrawal.objects.all()
    if holder.is_merchant:
        return found.filter(merchant_id=holder.owner_id)
    return found.filter(member_id=holder.owner_id, merchant_id__isnull=True)


def day_rows(holder: rules.Holder, day: date) -> QuerySet[WithdrawalDay]:
    """The holder's count of `day` for the daily cap (one row, once something was asked)."""
    return WithdrawalDay.objects.filter(day=day, **holder_filter(holder))


def withdrawals_of(member: Member) -> QuerySet[Withdrawal]:
    """The member's own withdrawals, newest first."""
    return held_by(rules.Holder(rules.HOLDER_MEMBER, member.pk)).order_by("-id")


def withdrawal_of_member(member: Member, withdrawal_id: int) -> Withdrawal:
    """The member's own withdrawal; anyone else's answers 404 like a missing one."""
    found = withdrawals_of(member).filter(pk=withdrawal_id).first()
    if found is None:
        raise _not_found()
    return found


def withdrawals_of_merchant(merchant_id: int) -> QuerySet[Withdrawal]:
    """The merchant's withdrawals, newest first (the caller checked who may see them)."""
    return held_by(rules.Holder(rules.HOLDER_MERCHANT, merchant_id)).order_by("-id")


def withdrawal_of_merchant(merchant_id: int, withdrawal_id: int) -> Withdrawal:
    """The merchant's own withdrawal; another merchant's or a member's answers 404."""
    found = withdrawals_of_merchant(merchant_id).filter(pk=withdrawal_id).first()
    if found is None:
        raise _not_found()
    return found


def withdrawal_queue(
    status: str | None = None, holder_kind: str | None = None
) -> QuerySet[Withdrawal]:
    """For operators: every withdrawal, or those in `status`, of members' own money or of
    merchants' (`holder_kind`), oldest first."""
    found = Withdrawal.objects.order_by("id")
    if status is not None:
        found = found.filter(status=status)
    if holder_kind is not None:
        found = found.filter(merchant_id__isnull=holder_kind != rules.HOLDER_MERCHANT)
    return found


def withdrawal_by_id(withdrawal_id: int) -> Withdrawal:
    """For operators, who may see any withdrawal."""
    found = Withdrawal.objects.filter(pk=withdrawal_id).first()
    if found is None:
        raise _not_found()
    return found


def _requested_on(holder: rules.Holder, now: datetime) -> int:
    asked = day_rows(holder, rules.cap_day(now)).values_list("requested_fen", flat=True).first()
    return asked or 0


def requested_today(member: Member, now: datetime) -> int:
    """What the member has asked to withdraw of their own money on `now`'s cap day, in fen
    (the daily cap's count)."""
    return _requested_on(rules.Holder(rules.HOLDER_MEMBER, member.pk), now)


def merchant_requested_today(merchant_id: int, now: datetime) -> int:
    """What has been asked to withdraw of the merchant's money on `now`'s cap day, in fen."""
    return _requested_on(rules.Holder(rules.HOLDER_MERCHANT, merchant_id), now)


def merchant_withdrawal_balances(merchant_id: int) -> tuple[int, int]:
    """The merchant's (available, withdrawing) balances, from the two tracked accounts (0 for
    an account not opened yet; available below 0 is a debt)."""
    holder = rules.Holder(rules.HOLDER_MERCHANT, merchant_id)
    found = dict(
        Account.objects.filter(
            owner_id=merchant_id, kind__in=(holder.available.kind, holder.withdrawing.kind)
        ).values_list("kind", "balance_fen")
    )
    return found.get(holder.available.kind, 0), found.get(holder.withdrawing.kind, 0)

"""Withdrawals, the provider side and the outcomes: a payout is sent (or asked about again)
under the withdrawal's own out-bill number, and its answer moves the withdrawal to paid (the
money leaves for the payee and the fee) or failed (the money goes back), each with its ledger
posting in one transaction, on the accounts of the withdrawal's holder (a member or a
merchant). `services_withdrawals` holds the request and the operator's decisions and
re-exports what its callers use from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import InvalidTransition
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.wallet import payouts, rules
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.selectors import day_rows
from sharemall.wallet.services import Entry, hold, ledger_post, platform

logger = logging.getLogger(__name__)

# A payout approved more recently than this is left to the call that approved it.
RECHECK_AFTER = timedelta(minutes=1)
JOB_BATCH = 500


def ledger_key(withdrawal: Withdrawal, event: str) -> str:
    base = f"withdrawal:{withdrawal.pk}:{event}"
    return base if withdrawal.retries == 0 or event == "paid" else f"{base}:{withdrawal.retries}"


def move(
    withdrawal: Withdrawal,
    target: str,
    *,
    actor: Member | None,
    note: str = "",
    **updates: Any,
) -> Withdrawal:
    rules.WITHDRAWAL.move(withdrawal, target, actor=actor, note=note, **updates)
    withdrawal.refresh_from_db()
    return withdrawal


def provider_for(withdrawal: Withdrawal) -> str:
    if withdrawal.channel not in rules.PROVIDER_CHANNELS:
        return ""  # a bank card: paid by hand
    return payouts.provider_name_for(withdrawal.channel)


def _day_release(withdrawal: Withdrawal) -> None:
    released = (
        day_rows(withdrawal.holder, withdrawal.cap_day)
        .filter(requested_fen__gte=withdrawal.amount_fen)
        .update(requested_fen=F("requested_fen") - withdrawal.amount_fen)
    )
    if released != 1:
        logger.error(
            "withdrawal %s: the day counter of %s had less than %s to release",
            withdrawal.pk,
            withdrawal.cap_day,
            withdrawal.amount_fen,
        )


def give_back(withdrawal: Withdrawal) -> None:
    """Return the held money to the holder's available balance and free its share of the day's
    cap."""
    holder = withdrawal.holder
    hold(
        key=ledger_key(withdrawal, "returned"),
        source=holder.withdrawing,
        destination=holder.available,
        amount_fen=withdrawal.amount_fen,
        kind="withdrawal_returned",
        memo=withdrawal.out_bill_no,
    )
    _day_release(withdrawal)


def record_paid(withdrawal: Withdrawal, *, actor: Member | None, reference: str) -> Withdrawal:
    entries = [
        Entry(withdrawal.holder.withdrawing, withdrawal.amount_fen),
        Entry(platform(rules.PAYOUTS), -withdrawal.payout_fen),
    ]
    if withdrawal.fee_fen:
        entries.append(Entry(platform(rules.PLATFORM_FEES), -withdrawal.fee_fen))
    with transaction.atomic():
        withdrawal = move(
            withdrawal,
            rules.WITHDRAWAL_PAID,
            actor=actor,
            note=reference,
            paid_at=timezone.now(),
            provider_transfer_id=(reference or withdrawal.provider_transfer_id)[:64],
        )
        ledger_post(
            key=ledger_key(withdrawal, "paid"),
            kind="withdrawal_paid",
            entries=entries,
            memo=withdrawal.out_bill_no,
        )
        notify(
            withdrawal.member_id,
            notices.WITHDRAWAL_PAID,
            ledger_key(withdrawal, "paid"),
            bill_no=withdrawal.out_bill_no,
            amount=notices.yuan(withdrawal.amount_fen),
        )
    return withdrawal


def record_failed(withdrawal: Withdrawal, *, actor: Member | None, reason: str) -> Withdrawal:
    with transaction.atomic():
        withdrawal = move(
            withdrawal, rules.WITHDRAWAL_FAILED, actor=actor, note=reason, reason=reason[:500]
        )
        give_back(withdrawal)
        notify(
            withdrawal.member_id,
            notices.WITHDRAWAL_FAILED,
            ledger_key(withdrawal, "failed"),
            bill_no=withdrawal.out_bill_no,
            amount=notices.yuan(withdrawal.amount_fen),
        )
    return withdrawal


def pay_out(withdrawal: Withdrawal, *, first: bool) -> Withdrawal:
    """Ask the provider to pay (again) and act on its answer. Outside any transaction: the
    approval is committed before the provider hears of it.

    `first` is False when asking again about a payout that may already exist: then only the
    provider's own "failed" fails it, never an error of ours.
    """
    try:
        answer = payouts.payout_send(
            provider_name=withdrawal.provider,
            transfer_no=withdrawal.out_bill_no,
            amount_fen=withdrawal.payout_fen,
            payee=withdrawal.payee,
            payee_name=withdrawal.payee_name,
        )
    except payouts.PayoutRefused as exc:
        if first:
            why = exc.message
            return _settle(withdrawal, lambda: record_failed(withdrawal, actor=None, reason=why))
        logger.warning("withdrawal %s: payout refused on asking again: %s", withdrawal.pk, exc)
        return withdrawal
    except payouts.PayoutUncertain as exc:
        logger.warning(
            "withdrawal %s: no clear payout answer, will ask again: %s", withdrawal.pk, exc
        )
        return withdrawal
    if answer.status == "succeeded":
        reference = answer.provider_transfer_id
        return _settle(withdrawal, lambda: record_paid(withdrawal, actor=None, reference=reference))
    if answer.status == "failed":
        reason = answer.message or _("The payment provider could not pay this withdrawal.")
        return _settle(withdrawal, lambda: record_failed(withdrawal, actor=None, reason=reason))
    changes: dict[str, str] = {}
    transfer_id = answer.provider_transfer_id[:64]
    if transfer_id and transfer_id != withdrawal.provider_transfer_id:
        changes["provider_transfer_id"] = transfer_id
    if answer.package_info != withdrawal.package_info:
        # Kept while WeChat waits for the payee's confirmation; gone once it stops waiting.
        changes["package_info"] = answer.package_info
    if changes:
        Withdrawal.objects.filter(pk=withdrawal.pk, status=rules.WITHDRAWAL_APPROVED).update(
            **changes
        )
        for name, value in changes.items():
            setattr(withdrawal, name, value)
    return withdrawal


def _settle(withdrawal: Withdrawal, outcome: Callable[[], Withdrawal]) -> Withdrawal:
    try:
        return outcome()
    except InvalidTransition:
        # Someone else (the job, or the approving call) recorded the answer first.
        withdrawal.refresh_from_db()
        return withdrawal


def withdrawals_check(now: datetime) -> int:
    """Job: ask the provider again about approved payouts it has not settled yet (same
    out-bill number, so never a second payment). Returns how many were settled."""
    due = Withdrawal.objects.filter(
        status=rules.WITHDRAWAL_APPROVED,
        channel__in=rules.PROVIDER_CHANNELS,
        decided_at__lte=now - RECHECK_AFTER,
    ).order_by("pk")
    settled = 0
    for withdrawal in due[:JOB_BATCH]:
        if pay_out(withdrawal, first=False).status != rules.WITHDRAWAL_APPROVED:
            settled += 1
    return settled

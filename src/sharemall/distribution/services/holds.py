"""Held commission entries: an operator releases or rejects them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError, InvalidTransition
from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import COMMISSION, HELD, PENDING, REJECTED, SETTLED
from sharemall.distribution.services.postings import move_pending_to_available, post_moves
from sharemall.orders.models import Order


def hold_release(entry: CommissionEntry, *, operator: Member, note: str = "") -> CommissionEntry:
    """An operator clears a held entry: pending again, settled at once if the order completed.
    The operator is on the event rows."""
    with transaction.atomic():
        _decide(entry, PENDING, operator=operator, note=note, reason=f"released: {note}"[:300])
        order = Order.objects.get(pk=entry.order_id)
        if order.status == "completed":
            entry.refresh_from_db()
            COMMISSION.move(
                entry,
                SETTLED,
                actor=operator,
                note="released after the order completed",
                settled_at=timezone.now(),
            )
            move_pending_to_available(f"commissions:{entry.pk}:released", order, [entry])
    entry.refresh_from_db()
    return entry


def hold_reject(entry: CommissionEntry, *, operator: Member, reason: str) -> CommissionEntry:
    """An operator rejects a held entry with a reason: the money goes back to the merchant.
    The operator is on the event row."""
    why = " ".join((reason or "").split())
    if not why:
        raise DomainError(_("Give the reason for rejecting."), code="invalid_input")
    with transaction.atomic():
        # The order row first, as completion and settlement lock it before anything else: the
        # money goes back to the merchant's side of the order, wherever that is (post_moves).
        order = Order.objects.select_for_update().get(pk=entry.order_id)
        _decide(entry, REJECTED, operator=operator, note=why, reason=why[:300])
        post_moves(
            f"commissions:{entry.pk}:rejected",
            "commission_rejected",
            order,
            [(entry.beneficiary_id, "member_pending", entry.amount_fen)],
            reverse=True,
        )
    entry.refresh_from_db()
    return entry


def _decide(
    entry: CommissionEntry, target: str, *, operator: Member, note: str, reason: str
) -> None:
    """Move a held entry on, whatever the caller's copy says: only a held one moves."""
    held = CommissionEntry(pk=entry.pk, status=HELD)
    try:
        COMMISSION.move(held, target, actor=operator, note=note, reason=reason)
    except InvalidTransition:
        raise InvalidTransition(_("This commission is not held.")) from None

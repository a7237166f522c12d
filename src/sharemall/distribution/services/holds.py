"""Held commission entries: an operator releases or rejects them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError, InvalidTransition
from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import HELD, PENDING, REJECTED, SETTLED
from sharemall.distribution.services.postings import move_pending_to_available, post_moves
from sharemall.orders.models import Order


def hold_release(entry: CommissionEntry, *, operator: Member, note: str = "") -> CommissionEntry:
    """An operator clears a held entry: pending again, settled at once if the order completed."""
    with transaction.atomic():
        if not CommissionEntry.objects.filter(pk=entry.pk, status=HELD).update(
            status=PENDING, reason=f"released: {note}"[:300]
        ):
            raise InvalidTransition(_("This commission is not held."))
        order = Order.objects.get(pk=entry.order_id)
        if order.status == "completed":
            entry.refresh_from_db()
            CommissionEntry.objects.filter(pk=entry.pk).update(
                status=SETTLED, settled_at=timezone.now()
            )
            move_pending_to_available(f"commissions:{entry.pk}:released", order, [entry])
    entry.refresh_from_db()
    return entry


def hold_reject(entry: CommissionEntry, *, operator: Member, reason: str) -> CommissionEntry:
    """An operator rejects a held entry with a reason: the money goes back to the merchant."""
    why = " ".join((reason or "").split())
    if not why:
        raise DomainError(_("Give the reason for rejecting."), code="invalid_input")
    with transaction.atomic():
        if not CommissionEntry.objects.filter(pk=entry.pk, status=HELD).update(
            status=REJECTED, reason=why[:300]
        ):
            raise InvalidTransition(_("This commission is not held."))
        order = Order.objects.get(pk=entry.order_id)
        post_moves(
            f"commissions:{entry.pk}:rejected",
            "commission_rejected",
            order,
            [(entry.beneficiary_id, "member_pending", entry.amount_fen)],
            reverse=True,
        )
    entry.refresh_from_db()
    return entry

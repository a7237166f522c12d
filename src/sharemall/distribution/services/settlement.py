"""Settlement: a completed order's pending entries become available to withdraw."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.core.errors import InvalidTransition
from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import COMMISSION, PENDING, SETTLED
from sharemall.distribution.services.postings import move_pending_to_available
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.orders.models import Order


def commissions_settle(orders: Iterable[Order]) -> int:
    """Completed orders: their pending entries become available to withdraw."""
    settled = 0
    now = timezone.now()
    for order in orders:
        with transaction.atomic():
            entries = CommissionEntry.objects.filter(order=order, reversal_of=None)
            expected = entries.filter(status=PENDING).count()
            if not expected:
                continue
            moved = COMMISSION.move_many(
                entries, PENDING, SETTLED, note="order completed", settled_at=now
            )
            # All of the order's pending entries or none: the posting's key is per order.
            if len(moved) != expected:
                raise InvalidTransition(_("Commissions changed meanwhile; try again."))
            due = list(CommissionEntry.objects.filter(pk__in=moved))
            move_pending_to_available(f"commissions:{order.pk}:settled", order, due)
            _tell_beneficiaries(order, due)
            settled += len(moved)
    return settled


def _tell_beneficiaries(order: Order, entries: list[CommissionEntry]) -> None:
    """Each member paid by the order hears once, in the settlement's transaction, what became
    available to withdraw (the notice's key is per order and member)."""
    totals: dict[int, int] = defaultdict(int)
    for entry in entries:
        totals[entry.beneficiary_id] += entry.amount_fen
    for member_id, amount in sorted(totals.items()):
        if amount > 0:
            notify(
                member_id,
                notices.COMMISSION_SETTLED,
                f"commissions:{order.pk}:settled:{member_id}",
                amount=notices.yuan(amount),
            )

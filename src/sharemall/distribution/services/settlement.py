"""Settlement: a completed order's pending entries become available to withdraw."""

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
            settled += len(moved)
    return settled

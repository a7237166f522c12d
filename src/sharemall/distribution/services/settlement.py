"""Settlement: a completed order's pending entries become available to withdraw."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.core.errors import InvalidTransition
from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import PENDING, SETTLED
from sharemall.distribution.services.postings import move_pending_to_available
from sharemall.orders.models import Order


def commissions_settle(orders: Iterable[Order]) -> int:
    """Completed orders: their pending entries become available to withdraw."""
    settled = 0
    now = timezone.now()
    for order in orders:
        with transaction.atomic():
            due = list(
                CommissionEntry.objects.filter(order=order, status=PENDING, reversal_of=None)
            )
            if not due:
                continue
            moved = CommissionEntry.objects.filter(
                pk__in=[e.pk for e in due], status=PENDING
            ).update(status=SETTLED, settled_at=now)
            if moved != len(due):
                raise InvalidTransition(_("Commissions changed meanwhile; try again."))
            move_pending_to_available(f"commissions:{order.pk}:settled", order, due)
            settled += moved
    return settled

"""Orders settle into their merchant's available balance.

What a paid order owes its merchant waits in the order's own `order_receivable` account (see
orders/ledger.py for what posts there). The settlement job moves that account's whole balance
to the merchant's available balance, T+N days after the order is done:

- order settled:  order_receivable +n, merchant_available −n   (key `order:<id>:settled`,
  kind `order_settled`; nothing posted when n is 0, the order is marked settled all the same)

An order is done when it completes (`completed_at`), or when it closes after a full refund
before it was received: then the moment it closed (its `closed` event) counts, so whatever a
closed order still holds (nothing, normally) is never stranded. N is the platform's
`settlement_delay_days` (0: the same run of the jobs that completes the order settles it).

Each order settles in its own transaction, which first locks the order row and marks it settled
only if it is not yet: a refund or commission reversal of the same order locks that row too
(`orders.ledger.merchant_side`) before it posts, so it either goes first and is swept along, or
comes after and is booked on the available balance. A worker killed half-way leaves every
order wholly settled or not; the next run picks up the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery

from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderEvent
from sharemall.platform import services as platform_services
from sharemall.settlement.rules import SETTLED_KIND, settled_key
from sharemall.wallet.rules import MERCHANT_AVAILABLE
from sharemall.wallet.services import balance, ledger_post, merchant, order_receivable, transfer

logger = logging.getLogger(__name__)

# Orders one run settles at most, as many as one run of the completion job completes.
BATCH = 1000


def settlement_cutoff(now: datetime) -> datetime:
    """Orders done at or before this moment are due to settle at `now`."""
    return now - timedelta(days=platform_services.current().settlement_delay_days)


def _due_ids(now: datetime) -> list[int]:
    cutoff = settlement_cutoff(now)
    completed = list(
        Order.objects.filter(
            status=order_rules.COMPLETED, settled_at__isnull=True, completed_at__lte=cutoff
        )
        .order_by("completed_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    closed_at = (
        OrderEvent.objects.filter(order=OuterRef("pk"), to_status=order_rules.CLOSED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    closed = list(
        Order.objects.filter(status=order_rules.CLOSED, settled_at__isnull=True)
        .annotate(closed_at=Subquery(closed_at))
        .filter(closed_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return completed + closed


def order_settle(order_id: int, *, now: datetime) -> bool:
    """Settle one done order: True if this call settled it, False if it was settled already
    (or is not done). Idempotent, and the posting's key makes it so even in the ledger."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(
                pk=order_id,
                settled_at__isnull=True,
                status__in=(order_rules.COMPLETED, order_rules.CLOSED),
            )
            .only("pk", "merchant_id")
            .first()
        )
        if order is None:
            return False
        Order.objects.filter(pk=order_id, settled_at__isnull=True).update(settled_at=now)
        owed = balance(order_receivable(order_id))
        if owed:
            ledger_post(
                key=settled_key(order_id),
                kind=SETTLED_KIND,
                entries=transfer(
                    debit=order_receivable(order_id),
                    credit=merchant(MERCHANT_AVAILABLE, order.merchant_id),
                    amount_fen=owed,
                ),
            )
    return True


def merchants_settle_due(now: datetime) -> int:
    """Job: settle every order done at least the settlement delay before `now`. Returns how
    many orders it settled."""
    settled = 0
    for order_id in _due_ids(now):
        if order_settle(order_id, now=now):
            settled += 1
    return settled

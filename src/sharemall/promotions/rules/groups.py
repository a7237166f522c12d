"""Group-buy (拼团): the limits a merchant's group-buy keeps and the life of one group.

A group forms from the moment its leader opens it until `expires_at` (opened + hours). Only
members who paid hold a seat: the payer that takes the last seat turns the group succeeded;
a group still forming at its deadline fails and every paid member is refunded in full.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sharemall.core.i18n import gettext as _
from sharemall.core.transitions import StateMachine

MIN_SIZE, MAX_SIZE = 2, 50
MIN_HOURS, MAX_HOURS = 1, 72

# A merchant's group-buy.
ACTIVE, STOPPED = "active", "stopped"
GROUP_BUY_STATUSES = (ACTIVE, STOPPED)

# One group.
FORMING, SUCCEEDED, FAILED = "forming", "succeeded", "failed"
GROUP_STATUSES = (FORMING, SUCCEEDED, FAILED)

GROUP = StateMachine(
    "group",
    {FORMING: {SUCCEEDED, FAILED}},
    event_model="promotions.GroupEvent",
    event_fk="group",
)

# A member's seat. Pending: joined, not paid yet (holds nothing). Paid: holds a seat.
# Cancelled: never paid (the payment timed out). Refused: paid when the group had no seat left
# (full, failed or past its deadline) and refunded at once. Refunded: paid, and the group failed.
PENDING, PAID, CANCELLED, REFUSED, REFUNDED = "pending", "paid", "cancelled", "refused", "refunded"
SEAT_STATUSES = (PENDING, PAID, CANCELLED, REFUSED, REFUNDED)
LIVE_SEATS = (PENDING, PAID)

# Event notes (msgids, translated when shown).
NOTE_FILLED = "the last seat was paid"
NOTE_EXPIRED = "the time limit passed before every seat was paid"
NOTE_LEADER_NEVER_PAID = "the leader never paid"


def group_buy_refusal(*, price_fen: int, sku_price_fen: int, size: int, hours: int) -> str | None:
    """Why a group-buy cannot be set up this way (a message), or None."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        return _("A group has %(min)d to %(max)d members.") % {"min": MIN_SIZE, "max": MAX_SIZE}
    if not MIN_HOURS <= hours <= MAX_HOURS:
        return _("A group forms in %(min)d to %(max)d hours.") % {
            "min": MIN_HOURS,
            "max": MAX_HOURS,
        }
    if price_fen < 1 or price_fen >= sku_price_fen:
        return _("The group price is at least 1 fen and below the list price.")
    return None


def expires_at(opened_at: datetime, hours: int) -> datetime:
    return opened_at + timedelta(hours=hours)


def seats_left(size: int, paid_count: int) -> int:
    return max(0, size - paid_count)

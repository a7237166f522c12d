"""Order states and the pure arithmetic of order amounts."""

from __future__ import annotations

from sharemall.core.i18n import gettext_lazy, system_note
from sharemall.core.transitions import StateMachine

PENDING_PAYMENT = "pending_payment"
PAID = "paid"
SHIPPED = "shipped"
READY_FOR_PICKUP = "ready_for_pickup"
RECEIVED = "received"
COMPLETED = "completed"
CANCELLED = "cancelled"  # never paid
CLOSED = "closed"  # paid, then everything refunded before it was received

ORDER = StateMachine(
    "order",
    {
        PENDING_PAYMENT: {PAID, CANCELLED},
        PAID: {SHIPPED, READY_FOR_PICKUP, CLOSED},
        SHIPPED: {RECEIVED, CLOSED},
        READY_FOR_PICKUP: {RECEIVED, CLOSED},
        RECEIVED: {COMPLETED},
    },
    event_model="orders.OrderEvent",
    event_fk="order",
)
ALL_STATUSES = (
    PENDING_PAYMENT,
    PAID,
    SHIPPED,
    READY_FOR_PICKUP,
    RECEIVED,
    COMPLETED,
    CANCELLED,
    CLOSED,
)

# Orders that were paid for: the buyer really bought, even if it was refunded later.
BOUGHT_STATUSES = (PAID, SHIPPED, READY_FOR_PICKUP, RECEIVED, COMPLETED, CLOSED)
# Lines of these orders are in the buyer's hands and may be reviewed (PRODUCT §6.1).
RECEIVED_STATUSES = (RECEIVED, COMPLETED)

EXPRESS, PICKUP = "express", "pickup"

# The buyer's order tabs (待付款 / 待发货 / 待收货 / 待评价 / 售后), as the `status` query parameter
# of /orders names them, and the order states each holds. 待评价 is narrower than its states (a
# line not yet reviewed) and 售后 is about open after-sales requests, not a state.
UNPAID, TO_SHIP, TO_RECEIVE, TO_REVIEW, AFTERSALES = (
    "unpaid",
    "to_ship",
    "to_receive",
    "to_review",
    "aftersales",
)
BUYER_TABS = (UNPAID, TO_SHIP, TO_RECEIVE, TO_REVIEW, AFTERSALES)
BUYER_TAB_STATUSES: dict[str, tuple[str, ...]] = {
    UNPAID: (PENDING_PAYMENT,),
    TO_SHIP: (PAID,),
    TO_RECEIVE: (SHIPPED, READY_FOR_PICKUP),
    TO_REVIEW: RECEIVED_STATUSES,
}


def refund_share(
    paid_fen: int,
    quantity: int,
    refund_quantity: int,
    already_refunded_fen: int,
    already_refunded_quantity: int,
) -> int:
    """What refunding `refund_quantity` more units of a line gives back.

    Proportional to quantity; the last units refunded take whatever is left, so refunding a line
    piece by piece returns exactly its paid amount, never a fen more or less.
    """
    if refund_quantity <= 0 or already_refunded_quantity + refund_quantity > quantity:
        raise ValueError("refund quantity out of range")
    if already_refunded_quantity + refund_quantity == quantity:
        return paid_fen - already_refunded_fen
    target = paid_fen * (already_refunded_quantity + refund_quantity) // quantity
    return target - already_refunded_fen


# Notes the system writes on an order's events, kept in English; people read the labels.
NOTE_PICKUP_VERIFIED = "pickup verified"
NOTE_WINDOW_CLOSED = "after-sales window closed"
NOTE_FULLY_REFUNDED = "fully refunded"
NOTE_UNPAID_TIMEOUT = "unpaid timeout"
NOTES = {
    NOTE_PICKUP_VERIFIED: gettext_lazy("Pickup code verified at the store"),
    NOTE_WINDOW_CLOSED: gettext_lazy("The after-sales window closed"),
    NOTE_FULLY_REFUNDED: gettext_lazy("Everything was refunded"),
    NOTE_UNPAID_TIMEOUT: gettext_lazy("Not paid in time"),
}


def note_text(note: str) -> str:
    """An order event's note in the reader's language (a person's own words as written)."""
    return system_note(note, NOTES)

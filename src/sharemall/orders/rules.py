"""Order states and the pure arithmetic of order amounts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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


# The status a buyer understands (PRODUCT §5): one of these, whatever the order's state machine
# says. The state alone is not enough: a completed order whose every unit was refunded reads
# 已退款, and a received order reads 待评价 while a line is not reviewed yet.
LABEL_UNPAID, LABEL_TO_SHIP, LABEL_TO_RECEIVE, LABEL_TO_REVIEW = (
    UNPAID,
    TO_SHIP,
    TO_RECEIVE,
    TO_REVIEW,
)
LABEL_DONE, LABEL_REFUNDED, LABEL_CANCELLED = "done", "refunded", "cancelled"
BUYER_LABELS = {
    LABEL_UNPAID: gettext_lazy("Unpaid"),  # 待付款
    LABEL_TO_SHIP: gettext_lazy("To ship"),  # 待发货
    LABEL_TO_RECEIVE: gettext_lazy("To receive"),  # 待收货
    LABEL_TO_REVIEW: gettext_lazy("To review"),  # 待评价
    LABEL_DONE: gettext_lazy("Finished"),  # 已完成
    LABEL_REFUNDED: gettext_lazy("Refunded"),  # 已退款
    LABEL_CANCELLED: gettext_lazy("Cancelled"),  # 已取消 (never paid)
}


def fully_refunded(lines: Iterable[tuple[int, int]]) -> bool:
    """Whether every unit of every (quantity, refunded_quantity) line went back."""
    lines = list(lines)
    return bool(lines) and all(refunded >= quantity for quantity, refunded in lines)


def buyer_status(status: str, lines: Iterable[tuple[int, int]], *, unreviewed: bool = False) -> str:
    """The buyer's status key (a key of BUYER_LABELS) of an order in `status` whose lines are
    (quantity, refunded_quantity) pairs; `unreviewed`: a line still waits for the buyer's post."""
    if status == PENDING_PAYMENT:
        return LABEL_UNPAID
    if status == CANCELLED:
        return LABEL_CANCELLED
    if status == CLOSED or fully_refunded(lines):
        return LABEL_REFUNDED
    if status == PAID:
        return LABEL_TO_SHIP
    if status in (SHIPPED, READY_FOR_PICKUP):
        return LABEL_TO_RECEIVE
    return LABEL_TO_REVIEW if unreviewed else LABEL_DONE


def buyer_status_label(
    status: str, lines: Iterable[tuple[int, int]], *, unreviewed: bool = False
) -> str:
    """buyer_status in the reader's language."""
    return str(BUYER_LABELS[buyer_status(status, lines, unreviewed=unreviewed)])


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


# --- batch shipping (a merchant's CSV of order numbers and tracking) -------------------------

SHIP_BATCH_MAX_BYTES = 1024 * 1024
SHIP_BATCH_MAX_ROWS = 1_000
# Canonical column → the header spellings accepted (compared case-insensitively, spaces ignored).
SHIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "order_no": ("order_no", "订单号", "订单编号", "order no.", "order no", "order number"),
    "carrier": ("carrier", "快递公司", "物流公司", "承运商"),
    "tracking_no": ("tracking_no", "快递单号", "运单号", "物流单号", "tracking number"),
}
# The downloadable template's header (the English names are read back just as well).
SHIP_TEMPLATE_HEADER = ("订单号", "快递公司", "快递单号")
# A carrier cell meaning "shipped with no parcel to track" when the tracking cell is empty.
NO_LOGISTICS_WORDS = frozenset({"无需物流", "no logistics", "no_logistics"})
_SHIP_HEADERS = {
    alias.casefold().replace(" ", ""): name
    for name, aliases in SHIP_COLUMNS.items()
    for alias in aliases
}


def ship_columns(header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Where each shipping column is in a header row, and the canonical columns it lacks."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _SHIP_HEADERS.get(cell.strip().casefold().replace(" ", ""))
        if name is not None and name not in found:
            found[name] = index
    return found, [name for name in SHIP_COLUMNS if name not in found]


def is_no_logistics(carrier: str, tracking_no: str) -> bool:
    return not tracking_no.strip() and carrier.strip().casefold() in NO_LOGISTICS_WORDS


# --- the merchant's order export ---------------------------------------------------------------

EXPORT_MAX_ROWS = 50_000
_PHONE_LIKE = re.compile(r"\+?\d[\d -]{6,}\d")


def masked_phone(phone: str) -> str:
    """A phone number with the middle hidden (139****5678): enough to tell buyers apart."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def buyer_name(nickname: str, phone: str) -> str:
    """How an export names a buyer: the nickname, never a full phone number (a nickname that
    is one is masked too; no nickname shows the masked phone)."""
    nickname = nickname.strip()
    if not nickname:
        return masked_phone(phone)
    return _PHONE_LIKE.sub(lambda m: masked_phone(m.group()), nickname)

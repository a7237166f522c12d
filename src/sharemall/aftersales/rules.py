"""After-sales states."""

from datetime import datetime, timedelta

from sharemall.core.i18n import LazyText, gettext_lazy, system_note
from sharemall.core.transitions import StateMachine

# Photos a buyer may send with a request, and the side of their thumbnails.
MAX_PHOTOS = 9
THUMBNAIL_SIDE = 480

REFUND, RETURN_REFUND = "refund", "return_refund"

# Why the buyer asks, as a code the merchant's quality report counts (the free-text reason
# says the rest). Requests from before the codes, and whole-order refunds, have "".
REASON_CODES: dict[str, LazyText] = {
    "quality": gettext_lazy("Quality problem"),
    "not_as_described": gettext_lazy("Not as described"),
    "damaged": gettext_lazy("Damaged in transit"),
    "wrong_item": gettext_lazy("Wrong item or size sent"),
    "size_fit": gettext_lazy("Size or fit"),
    "changed_mind": gettext_lazy("No longer wanted"),
    "other": gettext_lazy("Other"),
}

REQUESTED = "requested"
AWAITING_RETURN = "awaiting_return"  # approved return: the buyer sends the goods back
RETURN_SHIPPED = "return_shipped"
REFUNDING = "refunding"  # the provider is still processing the refund
REFUNDED = "refunded"
REJECTED = "rejected"
DISPUTED = "disputed"
CANCELLED = "cancelled"

AFTERSALE = StateMachine(
    "after-sales request",
    {
        REQUESTED: {AWAITING_RETURN, REFUNDING, REFUNDED, REJECTED, CANCELLED},
        AWAITING_RETURN: {RETURN_SHIPPED, CANCELLED},
        RETURN_SHIPPED: {REFUNDING, REFUNDED, DISPUTED},
        REJECTED: {DISPUTED},
        DISPUTED: {REFUNDING, REFUNDED, REJECTED},
        REFUNDING: {REFUNDED},
    },
    event_model="aftersales.AfterSaleEvent",
    event_fk="aftersale",
)
OPEN = (REQUESTED, AWAITING_RETURN, RETURN_SHIPPED, REFUNDING, DISPUTED)
# A list filter meaning every request in OPEN.
OPEN_FILTER = "open"
ALL = (
    REQUESTED,
    AWAITING_RETURN,
    RETURN_SHIPPED,
    REFUNDING,
    REFUNDED,
    REJECTED,
    DISPUTED,
    CANCELLED,
)
# Orders a buyer may ask about: paid, and not completed longer ago than the quality-guarantee
# window (PRODUCT §12: a platform setting, days after completion).
COMPLETED_ORDER = "completed"
ELIGIBLE_ORDER_STATUSES = ("paid", "shipped", "ready_for_pickup", "received", COMPLETED_ORDER)
RETURN_ORDER_STATUSES = ("shipped", "received", COMPLETED_ORDER)
# Why an order cannot take a request (request_refusal), as error codes.
NOT_ELIGIBLE, NOT_SENT, GUARANTEE_EXPIRED = (
    "order_not_eligible",
    "order_not_sent",
    "guarantee_expired",
)
# Why a merchant cannot give the postage back with a request (shipping_offer_refusal).
NO_SHIPPING, SHIPPING_WITH_LAST_GOODS = "no_shipping", "shipping_with_last_goods"


def guarantee_ends(completed_at: datetime | None, days: int) -> datetime | None:
    """The last moment of a completed order's quality-guarantee window; None before completion."""
    return None if completed_at is None else completed_at + timedelta(days=days)


def request_refusal(
    order_status: str, kind: str | None, *, guarantee_until: datetime | None, now: datetime
) -> str:
    """Why an order in `order_status` cannot take a request of `kind` (None: of any kind) at
    `now`: one of NOT_ELIGIBLE, NOT_SENT, GUARANTEE_EXPIRED, or "" when it can. A completed
    order takes requests until `guarantee_until` (guarantee_ends), inclusive."""
    if order_status not in ELIGIBLE_ORDER_STATUSES:
        return NOT_ELIGIBLE
    if order_status == COMPLETED_ORDER and (guarantee_until is None or now > guarantee_until):
        return GUARANTEE_EXPIRED
    if kind == RETURN_REFUND and order_status not in RETURN_ORDER_STATUSES:
        return NOT_SENT
    return ""


# While the goods travel back, the buyer is shown where to send them (and the tracking they
# gave); before approval there is nothing to send, afterwards nothing to show.
RETURN_ADDRESS_STATUSES = (AWAITING_RETURN, RETURN_SHIPPED)


def shows_return_address(kind: str, status: str) -> bool:
    return kind == RETURN_REFUND and status in RETURN_ADDRESS_STATUSES


# A request's states in words, for the back office's trail (the model has no choices).
STATUS_LABELS = {
    REQUESTED: gettext_lazy("requested"),
    AWAITING_RETURN: gettext_lazy("awaiting the return"),
    RETURN_SHIPPED: gettext_lazy("return shipped"),
    REFUNDING: gettext_lazy("refunding"),
    REFUNDED: gettext_lazy("refunded"),
    REJECTED: gettext_lazy("rejected"),
    DISPUTED: gettext_lazy("disputed"),
    CANCELLED: gettext_lazy("cancelled"),
}

# Notes the system writes on a request's events, kept in English; people read the labels.
NOTE_RETURN_RECEIVED = "return received"
NOTE_AUTO_APPROVED = "approved automatically"
NOTE_RULING_PREFIX = "ruling: "
NOTES = {
    NOTE_RETURN_RECEIVED: gettext_lazy("The returned goods arrived"),
    NOTE_AUTO_APPROVED: gettext_lazy("Approved automatically: the merchant did not answer in time"),
}
NOTE_PREFIXES = {NOTE_RULING_PREFIX: gettext_lazy("Platform ruling: %(text)s")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def note_text(note: str) -> str:
    """A request event's note in the reader's language (a person's own words as written)."""
    return system_note(note, NOTES, NOTE_PREFIXES)


def shipping_offer_refusal(
    *, shipping_fen: int, shipping_included: bool, everything: bool
) -> str | None:
    """Why a merchant cannot give the postage back with this request (docs/freight.md), or
    None: the order must have paid shipping, and the request must be the one that refunds the
    order's last goods, unless it carries the shipping already (given back before dispatch)."""
    if shipping_fen <= 0:
        return NO_SHIPPING
    if shipping_included:
        return None
    if not everything:
        return SHIPPING_WITH_LAST_GOODS
    return None


def shipping_refund_fen(shipping_fen: int, *, shipped: bool, everything: bool) -> int:
    """Shipping given back with a refund (docs/freight.md): an order that has not shipped
    refunds it with the request that refunds everything; after shipping, never automatically."""
    return shipping_fen if everything and not shipped else 0

"""After-sales states."""

from sharemall.core.transitions import StateMachine

# Photos a buyer may send with a request, and the side of their thumbnails.
MAX_PHOTOS = 9
THUMBNAIL_SIDE = 480

REFUND, RETURN_REFUND = "refund", "return_refund"

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
# Orders a buyer may ask about: paid and not yet completed.
ELIGIBLE_ORDER_STATUSES = ("paid", "shipped", "ready_for_pickup", "received")
RETURN_ORDER_STATUSES = ("shipped", "received")

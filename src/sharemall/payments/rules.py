"""Payment and refund states (pure: the transition tables)."""

from sharemall.core.transitions import StateMachine

PENDING, PAID, CLOSED = "pending", "paid", "closed"
PROCESSING, SUCCEEDED, FAILED = "processing", "succeeded", "failed"

PAYMENT = StateMachine(
    "payment",
    {PENDING: {PAID, CLOSED}},
    event_model="payments.PaymentEvent",
    event_fk="payment",
)
REFUND = StateMachine(
    "refund",
    {PROCESSING: {SUCCEEDED, FAILED}},
    event_model="payments.RefundEvent",
    event_fk="refund",
)

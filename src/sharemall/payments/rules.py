"""Payment and refund states (pure: the transition tables)."""

from sharemall.core.i18n import gettext_lazy
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

# The payment providers by name (Payment.provider, PROVIDER_NAMES), as people know them.
PROVIDER_LABELS = {
    "sandbox": gettext_lazy("Sandbox"),
    "wechatpay": gettext_lazy("WeChat Pay"),
    "alipay": gettext_lazy("Alipay"),
}


def provider_label(name: str) -> str:
    return str(PROVIDER_LABELS.get(name, name)) if name else ""

"""How order money moves in the ledger. Every posting has an idempotency key, so a replayed
callback or a retried job can never post twice.

Sign convention (wallet): debit positive, credit negative; every transaction sums to zero.

- payment captured: provider_funds +A, buyer_payments_clearing −A (the money lands in clearing),
  and in the same transaction, per order: clearing +T, merchant_receivable −(T − fee),
  platform_fees −fee
- refund approved:  merchant_receivable +(r − fee_r), platform_fees +fee_r, clearing −r
- refund paid out:  clearing +r, provider_funds −r
"""

from __future__ import annotations

from collections.abc import Sequence

from sharemall.core.money import apply_bp
from sharemall.orders.models import Order
from sharemall.payments.models import Payment, Refund
from sharemall.wallet.services import Entry, ledger_post, merchant_receivable, platform

PROVIDER_FUNDS = "provider_funds"
CLEARING = "buyer_payments_clearing"
FEES = "platform_fees"


def platform_fee(order: Order) -> int:
    return apply_bp(order.total_fen, order.platform_fee_bp)


def _nonzero(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.amount_fen != 0]


def post_payment_captured(payment: Payment, orders: Sequence[Order]) -> None:
    """The payment lands in clearing and is allocated at once to each order's merchant (net of
    the platform fee): one ledger transaction, so capture and allocation never part."""
    fees = [platform_fee(order) for order in orders]
    entries = [
        Entry(platform(PROVIDER_FUNDS), payment.amount_fen),
        Entry(platform(CLEARING), -payment.amount_fen),
        Entry(platform(CLEARING), sum(order.total_fen for order in orders)),
        *(
            Entry(merchant_receivable(order.merchant_id), -(order.total_fen - fee))
            for order, fee in zip(orders, fees, strict=True)
        ),
        Entry(platform(FEES), -sum(fees)),
    ]
    ledger_post(
        key=f"payment:{payment.pk}:captured",
        kind="payment_captured",
        entries=_nonzero(entries),
        memo=payment.payment_no,
    )


def post_late_payment(payment: Payment, *, provider_txn_id: str, amount_fen: int) -> None:
    """Money for a payment we had already closed: it waits in clearing to go back."""
    ledger_post(
        key=f"payment:{payment.pk}:late:{provider_txn_id}",
        kind="late_payment",
        entries=[
            Entry(platform(PROVIDER_FUNDS), amount_fen),
            Entry(platform(CLEARING), -amount_fen),
        ],
        memo=payment.payment_no,
    )


def refund_fee_share(order: Order, refunded_before: int, amount: int) -> int:
    """The platform fee given back with a refund: cumulative, so pieces sum to the whole fee."""
    fee = platform_fee(order)
    after = fee * (refunded_before + amount) // order.total_fen
    before = fee * refunded_before // order.total_fen
    return after - before


def post_refund_approved(order: Order, *, key: str, amount: int, refunded_before: int) -> None:
    fee_back = refund_fee_share(order, refunded_before, amount)
    ledger_post(
        key=f"refund:{key}:approved",
        kind="refund_approved",
        entries=_nonzero(
            [
                Entry(merchant_receivable(order.merchant_id), amount - fee_back),
                Entry(platform(FEES), fee_back),
                Entry(platform(CLEARING), -amount),
            ]
        ),
    )


def post_refund_paid(refund: Refund) -> None:
    ledger_post(
        key=f"refund:{refund.refund_no}:paid",
        kind="refund_paid",
        entries=[
            Entry(platform(CLEARING), refund.amount_fen),
            Entry(platform(PROVIDER_FUNDS), -refund.amount_fen),
        ],
        memo=refund.refund_no,
    )

"""How order money moves in the ledger. Every posting has an idempotency key, so a replayed
callback or a retried job can never post twice.

Sign convention (wallet): debit positive, credit negative; every transaction sums to zero.

What an order owes its merchant waits in the order's own account, `order_receivable:<order id>`,
until the order settles (settlement.services); from then on the merchant's side of the order is
the merchant's `merchant_available` balance. `merchant_side(order)` says which, read under a lock
of the order row, and every posting that touches the merchant's side of an order goes there.

- payment captured: provider_funds +A, buyer_payments_clearing −A (the money lands in clearing),
  and in the same transaction, per order: clearing +T, order_receivable −T (the order's gross),
  order_receivable +fee (the fee, a separate entry so the breakdown reads from the ledger),
  platform_fees −fee. T is the order's total, goods − discount + shipping: the merchant is owed
  the shipping it sends the parcel with. The fee is charged on the goods only,
  fee = (T − shipping) × rate rounded down (PRODUCT names no fee on postage; like the commission
  base, shipping stays out of it)
  A platform-funded discount (the platform's coupons, `order.platform_funded_fen`, s) is owed
  to the merchant as if the buyer had paid it: platform_fees +s, order_receivable −s, in the
  same transaction. The fee stays a share of what the buyer paid.
- late payment (paid after we closed the payment, or a second payment of a paid one):
  provider_funds +A, clearing −A; it goes back at once as a refund paid out
- refund approved:  side +r, side −fee_r (two entries), platform_fees +fee_r, clearing −r, where
  side = merchant_side(order): the order's account before settlement, the merchant's available
  balance after (which may then go negative: a debt, never dropped)
- platform-funded part given back with a refund: side +s_r, platform_fees −s_r, a transaction
  of its own beside the approval, s_r cumulative exactly like fee_r (below)
- refund paid out:  clearing +r, provider_funds −r
- order settled (settlement.services): order_receivable +n, merchant_available −n, n the order
  account's whole balance

Keys: `payment:<id>:captured`, `payment:<id>:late:<provider txn id>`,
`refund:<source key>:approved` (source key `aftersale:<id>`),
`refund:<source key>:platform_funded`, `refund:<refund no>:paid`,
`order:<id>:settled`.

Orders captured before per-order accounts existed owe their merchant through the legacy
`merchant_receivable:<merchant id>` account, which counts as pending; nothing new posts there.

The fee given back with a refund (fee_r) is cumulative: after any refund the order's fee given
back is fee × refunded ÷ goods rounded down (goods: the fee's base, total − shipping), and the
refund that brings the refunded total to the goods gives back whatever fee remains, read from
the ledger. Shipping refunded (docs/freight.md) is the merchant's alone: it moves the merchant's
side back to clearing with no fee; shipping kept after all the goods are refunded carries no fee.
The refunds of one order are serialised by the update of the order's refunded total in the same
transaction, so the fee postings of a fully refunded order always sum to zero, however many
refunds ran at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Sum

from sharemall.core.money import apply_bp
from sharemall.orders.models import Order
from sharemall.payments.models import Payment, Refund
from sharemall.wallet.models import Posting
from sharemall.wallet.rules import MERCHANT_AVAILABLE
from sharemall.wallet.services import (
    AccountRef,
    Entry,
    ledger_post,
    merchant,
    order_receivable,
    platform,
)

PROVIDER_FUNDS = "provider_funds"
CLEARING = "buyer_payments_clearing"
FEES = "platform_fees"


def platform_fee(order: Order) -> int:
    """The fee the platform keeps on an order: a share of the goods the buyer pays for, never
    of the shipping (which is the merchant's, to pay the carrier)."""
    return apply_bp(order.total_fen - order.shipping_fen, order.platform_fee_bp)


def merchant_side(order: Order) -> AccountRef:
    """Where the merchant's side of `order` is booked now: the order's own account until it
    settles, the merchant's available balance after.

    Locks the order row (inside the caller's atomic block) and reads `settled_at` fresh, so a
    posting racing the settlement of the same order queues behind it or goes first, and never
    lands on an account the settlement has already emptied. Callers that lock order lines lock
    them before calling this, as every refund does: lines, then the order.
    """
    settled_at = (
        Order.objects.select_for_update()
        .filter(pk=order.pk)
        .values_list("settled_at", flat=True)
        .get()
    )
    if settled_at is None:
        return order_receivable(order.pk)
    return merchant(MERCHANT_AVAILABLE, order.merchant_id)


def _nonzero(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.amount_fen != 0]


def payment_captured_key(payment: Payment) -> str:
    return f"payment:{payment.pk}:captured"


def payment_captured_entries(payment: Payment, orders: Sequence[Order]) -> list[Entry]:
    """The capture's postings (see the top of this module), zero amounts left out."""
    fees = [platform_fee(order) for order in orders]
    entries = [
        Entry(platform(PROVIDER_FUNDS), payment.amount_fen),
        Entry(platform(CLEARING), -payment.amount_fen),
        Entry(platform(CLEARING), sum(order.total_fen for order in orders)),
        # Just paid, so never settled: straight to the order's own account.
        *(
            entry
            for order, fee in zip(orders, fees, strict=True)
            for entry in (
                Entry(order_receivable(order.pk), -order.total_fen),
                Entry(order_receivable(order.pk), fee),
                Entry(order_receivable(order.pk), -order.platform_funded_fen),
            )
        ),
        Entry(platform(FEES), -sum(fees)),
        Entry(platform(FEES), sum(order.platform_funded_fen for order in orders)),
    ]
    return _nonzero(entries)


PAYMENT_CAPTURED = "payment_captured"


def post_payment_captured(payment: Payment, orders: Sequence[Order]) -> None:
    """The payment lands in clearing and is allocated at once to each order's merchant (net of
    the platform fee): one ledger transaction, so capture and allocation never part."""
    ledger_post(
        key=payment_captured_key(payment),
        kind=PAYMENT_CAPTURED,
        entries=payment_captured_entries(payment, orders),
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


def fee_to_give_back(*, fee: int, total_fen: int, refunded_fen: int, fee_returned: int) -> int:
    """The platform fee a refund gives back, from the order's refunded total including this
    refund and the fee its earlier refunds already gave back. `total_fen` is the fee's base, the
    order's goods paid (total − shipping); shipping is refunded only with the last goods.

    Cumulative: after any refund the fee given back is fee × refunded ÷ total rounded down, and
    the refund that completes the order gives back whatever fee remains — so the pieces sum to
    the whole fee whatever their sizes and whatever order they commit in.
    """
    target = fee if refunded_fen >= total_fen else fee * refunded_fen // total_fen
    return max(0, min(target, fee) - fee_returned)


def refund_approved_key(source_key: str) -> str:
    return f"refund:{source_key}:approved"


def platform_funded_key(source_key: str) -> str:
    return f"refund:{source_key}:platform_funded"


def _fees_posted(keys: Sequence[str]) -> int:
    posted = Posting.objects.filter(
        transaction__key__in=list(keys), account__kind=FEES, account__owner_id__isnull=True
    ).aggregate(s=Sum("amount_fen"))["s"]
    return int(posted or 0)


def fee_returned(source_keys: Sequence[str]) -> int:
    """The fee the refunds with these source keys gave back, read from their fee postings."""
    return _fees_posted([refund_approved_key(k) for k in source_keys])


def platform_funded_returned(source_keys: Sequence[str]) -> int:
    """The platform-funded discount these refunds took back from the merchant."""
    return -_fees_posted([platform_funded_key(k) for k in source_keys])


def post_refund_approved(
    order: Order, *, key: str, amount: int, refunded_fen: int, earlier_keys: Sequence[str]
) -> None:
    """Book an approved refund of `amount` on `order`.

    `refunded_fen` is the order's refunded total including this refund and `earlier_keys` the
    source keys of every other refund of the order, both read after the caller's update of the
    order row: that update serialises the refunds of one order, so the fee already given back
    is read from the ledger fresh, never split from a stale total by two refunds at once.
    """
    earlier = [k for k in earlier_keys if k != key]
    fee_back = fee_to_give_back(
        fee=platform_fee(order),
        # The fee's base: the goods. Their full refund gives back the whole fee, shipping or not.
        total_fen=order.total_fen - order.shipping_fen,
        refunded_fen=refunded_fen,
        fee_returned=fee_returned(earlier),
    )
    side = merchant_side(order)
    funded_back = fee_to_give_back(
        fee=order.platform_funded_fen,
        total_fen=order.total_fen - order.shipping_fen,
        refunded_fen=refunded_fen,
        fee_returned=platform_funded_returned(earlier),
    )
    if funded_back:
        # The merchant was owed the platform's coupon as if the buyer had paid it; refunded
        # goods take that part back to the platform, in proportion, as the fee goes back.
        ledger_post(
            key=platform_funded_key(key),
            kind="refund_platform_funded",
            entries=[Entry(side, funded_back), Entry(platform(FEES), -funded_back)],
        )
    ledger_post(
        key=refund_approved_key(key),
        kind="refund_approved",
        entries=_nonzero(
            [
                Entry(side, amount),
                Entry(side, -fee_back),
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

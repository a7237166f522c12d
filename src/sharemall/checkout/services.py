"""Checkout: a cart of several merchants' goods becomes one order per merchant under one
payment; and the payment's notification moves orders and ledger together.

POST /api/v1/orders, from the edge to the database, in order:

1. Edge: `checkout.api.order_create` parses the body and authenticates the buyer.
2. Idempotency: `core.idempotency.atomic_answer` runs the view in one transaction with the
   storing of its answer under the Idempotency-Key, so a retry replays the first answer.
3. Service (`order_create` below), reads only: the cart is merged and bounded (`merged`), its
   SKUs must exist and be on sale (`_buyable_skus`), the delivery is checked (`_destination`),
   the share that brought the buyer is attributed, lines are priced from the database with the
   share discount (`_priced_lines`) and one order draft is made per merchant (`_order_drafts`).
   A cart delivered by express takes the fast path on PostgreSQL instead (checkout/fast.py):
   the same pricing over rows read in one statement, the payment, orders and (for a plain
   cart) stock written in one more, and `reservations.reserve` as below for the rest.
4. Then one transaction writes: the payment (`payments.payment_create`), the orders with their
   lines and first events (`orders.orders_create`), then `reservations.reserve`: the
   promotions' reservations and campaign rows, the buyer's binding to the sharer, and last
   the catalog stock (`catalog.stock_reserve`: one conditional UPDATE per SKU in id order), so
   a hot SKU's row stays locked for the shortest time. Any error rolls all of it back.
5. Ledger: nothing is posted at checkout; the provider's notification that captures the payment
   (`payment_notification_handle`) marks the orders paid, posts the ledger and creates the
   commissions in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.addresses import selectors as address_book
from sharemall.aftersales import services as aftersales
from sharemall.checkout import fast, pricing, reservations
from sharemall.core import sql
from sharemall.core.errors import Conflict, DomainError, NotFound
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.orders import ledger as order_ledger
from sharemall.orders import rules as order_rules
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderLine
from sharemall.payments import services as payments
from sharemall.payments.models import Payment, Refund
from sharemall.payments.providers.base import Scene
from sharemall.payments.providers.sandbox import SandboxProvider
from sharemall.promotions.services import coupons
from sharemall.promotions.services import offers as promotion_offers

logger = logging.getLogger(__name__)

# The shapes of a checkout request, where callers have always found them.
Item = pricing.Item
Delivery = pricing.Delivery
InvalidOrder = pricing.InvalidOrder
MAX_LINES = pricing.MAX_LINES
MAX_QUANTITY = pricing.MAX_QUANTITY


def saved_delivery(buyer: Member, delivery_type: str, address_id: int) -> Delivery:
    """Express delivery to one of the buyer's saved addresses (`delivery.address_id`): another
    member's answers 404; a saved address with pickup is refused as invalid_address."""
    if delivery_type != order_rules.EXPRESS:
        raise InvalidOrder(_("A saved address is for express delivery."), code="invalid_address")
    address = address_book.address_of(buyer, address_id)
    return Delivery(
        order_rules.EXPRESS, address.region_code, address.address, address.receiver, address.phone
    )


@dataclass(frozen=True)
class CheckoutResult:
    payment: Payment
    orders: list[Order]
    lines: dict[int, list[OrderLine]]


def quote(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery: Delivery,
    share_code: str | None = None,
    coupon_ids: Sequence[int] = (),
) -> pricing.Priced:
    """What `order_create` would charge for the same request, writing nothing (POST
    /orders/quote and the checkout page): the very pricing it runs."""
    return pricing.price(
        buyer=buyer,
        items=items,
        delivery=delivery,
        share_code=share_code,
        coupon_ids=coupon_ids,
        now=timezone.now(),
    )


def quote_preview(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery_type: str,
    region_code: str,
    share_code: str | None = None,
    coupon_ids: Sequence[int] = (),
) -> pricing.Priced:
    """The checkout page's quote while the address is being filled in: the same pricing, with
    shipping once a district is chosen (`Priced.shipping_known`)."""
    return pricing.preview(
        buyer=buyer,
        items=items,
        delivery_type=delivery_type,
        region_code=region_code,
        share_code=share_code,
        coupon_ids=coupon_ids,
        now=timezone.now(),
    )


def order_create(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery: Delivery,
    share_code: str | None = None,
    coupon_ids: Sequence[int] = (),
    client_ip: str | None = None,
    device_id: str = "",
) -> CheckoutResult:
    """Reserve stock and create the orders and their payment, all or nothing.

    Prices come from the database, never from the client.
    """
    now = timezone.now()
    if fast.eligible(items=items, delivery=delivery):
        placed = fast.order_create(
            buyer=buyer,
            items=items,
            delivery=delivery,
            share_code=share_code,
            client_ip=client_ip,
            device_id=device_id,
            coupon_ids=coupon_ids,
            now=now,
        )
        if placed is not None:
            payment, created = placed
            return CheckoutResult(payment, created.orders, created.lines)
    priced = pricing.price(
        buyer=buyer,
        items=items,
        delivery=delivery,
        share_code=share_code,
        coupon_ids=coupon_ids,
        now=now,
        client_ip=client_ip,
        device_id=device_id,
    )
    with transaction.atomic():
        payment = payments.payment_create(
            buyer=buyer,
            amount_fen=priced.total_fen,
            expires_at=now + timedelta(minutes=settings.ORDER_UNPAID_TIMEOUT_MINUTES),
        )
        created = orders.orders_create(buyer=buyer, payment=payment, drafts=priced.drafts)
        # Promotions, the binding to the sharer, and the stock last (a hot SKU's row stays
        # locked only from there to the commit).
        reservations.reserve(buyer, priced, created, payment, now=now)
    return CheckoutResult(payment, created.orders, created.lines)


def payment_notification_handle(
    provider_name: str, headers: Mapping[str, str], body: bytes
) -> payments.NotificationResult:
    """A provider's notification: verify it, and if it captures the payment, move its orders
    to paid and post the ledger in the same transaction. Replays change nothing.

    Money the payment does not keep (paid after it was closed, or paid a second time) is
    acknowledged like any payment — the provider would otherwise keep retrying — booked, and
    refunded at once, once per provider transaction.
    """
    captured = fast.capture(provider_name, headers, body)
    if captured is not None:
        for due in captured.refunds_due:
            refund_promotion_order(due.order, reason=due.reason)
        return payments.NotificationResult(
            payments.CAPTURED,
            captured.provider.acknowledge(True),
            captured.payment,
            captured.notification,
        )
    late_refund: Refund | None = None
    refunds_due: list[promotion_offers.RefundDue] = []
    with transaction.atomic():
        result = payments.notification_accept(provider_name, headers, body)
        if result.captured:
            assert result.payment is not None
            paid = orders.orders_mark_paid(result.payment)
            order_ledger.post_payment_captured(result.payment, paid)
            distribution.commissions_create(paid)
            refunds_due = promotion_offers.paid(paid)
        elif result.outcome in payments.UNWANTED and result.payment is not None:
            late_refund = _book_late_payment(result)
    if late_refund is not None:
        _refund_late_payment(late_refund, result)
    for due in refunds_due:
        refund_promotion_order(due.order, reason=due.reason)
    return result


def refund_promotion_order(order: Order, *, reason: str) -> None:
    """Give a paid order's money back in full because its promotion cannot keep it (a full
    group's extra payer, an expired group's members), through after-sales' system refund. A
    refund that cannot start now is logged; the group's expiry job tries its orders again."""
    try:
        aftersales.order_refund_whole(order, reason=reason)
    except DomainError:
        logger.exception("promotion refund of order %s could not start", order.order_no)


def _book_late_payment(result: payments.NotificationResult) -> Refund:
    """The money lands in clearing to go back, and its refund is recorded, with the notice."""
    payment, n = result.payment, result.notification
    assert payment is not None and n is not None
    order_ledger.post_late_payment(
        payment, provider_txn_id=n.provider_txn_id, amount_fen=n.amount_fen
    )
    return payments.late_refund_record(payment, n)


def _refund_late_payment(refund: Refund, result: payments.NotificationResult) -> None:
    """Money that arrived after we closed the payment (or a second time) goes back to the
    payer, through the provider it came from."""
    n = result.notification
    assert n is not None
    try:
        _send_late_refund(refund, provider_name=n.provider)
    except DomainError:
        # The provider still gets its acknowledgement; the refund stays recorded as processing
        # and `late_refunds_retry` sends it again.
        logger.exception("late payment refund %s could not be sent", refund.refund_no)


def _send_late_refund(refund: Refund, *, provider_name: str) -> Refund:
    """Ask the provider for a late payment's refund; its outcome and, once paid, the money
    leaving clearing are written in one transaction."""
    with transaction.atomic():
        refund = payments.refund_send(refund, provider_name=provider_name)
        if refund.status == Refund.Status.SUCCEEDED:
            order_ledger.post_refund_paid(refund)
    return refund


def late_refunds_retry(now: datetime) -> int:
    """Job: send again the refunds of late or second payments left processing. The refund
    number is kept, so a provider that already took the first request answers with the same
    refund and nothing is paid twice; each refund moves on in its own transaction. Returns
    how many finished (succeeded or failed)."""
    finished = 0
    for refund in payments.late_refunds_due(now):
        try:
            sent = _send_late_refund(refund, provider_name=payments.late_refund_provider(refund))
        except DomainError as exc:
            logger.warning("late payment refund %s: not sent: %s", refund.refund_no, exc)
            continue
        if sent.status != Refund.Status.PROCESSING:
            finished += 1
    return finished


def sandbox_complete(payment: Payment) -> payments.NotificationResult:
    """The sandbox "bank" pays and calls back through the real verification path."""
    provider = SandboxProvider.from_settings()
    if payment.status != Payment.Status.PENDING or payment.expires_at <= timezone.now():
        raise Conflict(_("This payment is no longer waiting to be paid."), code="not_payable")
    headers, body = provider.signed_notification(
        payment_no=payment.payment_no, amount_fen=payment.amount_fen, currency=payment.currency
    )
    return payment_notification_handle("sandbox", headers, body)


def unpaid_timeout(now: datetime) -> int:
    """Job: close payments past their deadline, cancel their orders, return their stock.

    Each payment moves with its orders in one transaction; the run also finishes payments a
    killed run of older code closed without cancelling their orders. Returns how many
    payments' orders it cancelled."""
    closed = payments.payments_close_expired(now, then=_cancel_unpaid_orders)
    return len(closed) + _cancel_left_unpaid()


UNPAID_TIMEOUT_NOTE = order_rules.NOTE_UNPAID_TIMEOUT
# How far back completion looks for completed orders whose commissions a killed run left
# pending (before completing and settling moved together).
UNSETTLED_LOOKBACK = timedelta(days=60)


def _cancel_unpaid_orders(payment: Payment) -> None:
    """In the transaction closing the payment: its orders are cancelled, and their promotion
    reservations (flash units, group seats, a bargain's purchase), their stock and their coupons
    go back. Promotions first, then the catalogue: checkout locks them in that order, so a
    checkout racing a timeout over one flash SKU waits instead of deadlocking."""
    pending = list(
        Order.objects.filter(payment=payment, status=order_rules.PENDING_PAYMENT).values_list(
            "pk", flat=True
        )
    )
    if pending:
        promotion_offers.release(pending)
    cancelled = [o.pk for o in orders.orders_cancel_for_payment(payment, note=UNPAID_TIMEOUT_NOTE)]
    if cancelled:
        coupons.coupons_give_back(cancelled)


def _cancel_left_unpaid() -> int:
    """Orders still waiting on a payment already closed (a timeout run killed between the two,
    before both moved in one transaction) are cancelled as the timeout cancels them. Returns
    how many payments' orders it cancelled."""
    healed = 0
    for payment in orders.payments_left_unpaid():
        try:
            with transaction.atomic():
                before = Order.objects.filter(
                    payment=payment, status=order_rules.PENDING_PAYMENT
                ).exists()
                _cancel_unpaid_orders(payment)
            healed += int(before)
        except Conflict:
            continue  # another worker cancelled them meanwhile
    return healed


def _settle_commissions(order: Order) -> None:
    distribution.commissions_settle([order])


def orders_complete(now: datetime) -> int:
    """Job: complete orders whose after-sales window closed, and settle their commissions.

    Each order completes with its commissions in one transaction; the run also settles
    completed orders whose commissions a killed run of older code left pending. Returns how
    many orders it completed or settled."""
    done = orders.orders_complete_due(now, then=_settle_commissions)
    return len(done) + _settle_left_pending(now)


def _settle_left_pending(now: datetime) -> int:
    pending = CommissionEntry.objects.filter(
        order=OuterRef("pk"), status=CommissionEntry.Status.PENDING, reversal_of=None
    )
    stuck = orders.orders_completed_recently(now, lookback=UNSETTLED_LOOKBACK).filter(
        Exists(pending)
    )
    settled = 0
    for order in stuck[:1000]:
        try:
            if distribution.commissions_settle([order]):
                settled += 1
        except Conflict:
            continue  # another worker settled them meanwhile
    return settled


def payment_for_member(member: Member, payment_id: int) -> Payment:
    # On every pay request: a prepared statement on PostgreSQL, without the ORM.
    payment = (
        sql.fetch_one(Payment, id=payment_id, buyer_id=member.pk)
        if 0 < payment_id < 2**63
        else None
    )
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


def payment_payable_by(member: Member, payment_no: str) -> Payment | None:
    """A payment the member may pay: their own, or one they are paying for a friend."""
    return (
        Payment.objects.filter(payment_no=payment_no)
        .filter(Q(buyer=member) | Q(payer=member))
        .first()
    )


def pay_for_me_url(payment: Payment) -> str:
    """The link a buyer sends a friend to pay for them (找人代付): the friend's page."""
    return f"{settings.PUBLIC_BASE_URL}/pay-for-me/{payment.pay_token}"


def pay_for_friend(payment: Payment, payer: Member) -> None:
    """A friend takes up a pay-for-me link: they are the payer while it waits to be paid."""
    if payment.status != Payment.Status.PENDING:
        raise Conflict(_("This payment is no longer waiting to be paid."), code="not_payable")
    payments.payer_record(payment, payer)


def sandbox_pay_page_complete(payment: Payment, member: Member) -> payments.NotificationResult:
    if payment.buyer_id != member.pk:
        payments.payer_record(payment, member)
    return sandbox_complete(payment)


def payment_pay(
    payment: Payment,
    payer: Member,
    *,
    provider_name: str,
    scene: Scene | None = None,
    client_ip: str = "",
    payer_openid: str = "",
    return_url: str = "",
) -> dict[str, object]:
    """Start paying `payment` with a provider, remembering who pays: the buyer, or the friend
    paying through a pay-for-me link. The API and the pages both start paying here, so the
    payer is recorded whichever way the money comes."""
    payments.payer_record(payment, payer)
    return payments.payment_start(
        payment,
        provider_name=provider_name,
        scene=scene,
        client_ip=client_ip,
        payer_openid=payer_openid,
        return_url=return_url,
    )

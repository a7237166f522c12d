"""Checkout: a cart of several merchants' goods becomes one order per merchant under one
payment; and the payment's notification moves orders and ledger together.

POST /api/v1/orders, from the edge to the database, in order:

1. Edge: `checkout.api.order_create` parses the body and authenticates the buyer.
2. Idempotency: `core.idempotency.atomic_answer` runs the view in one transaction with the
   storing of its answer under the Idempotency-Key, so a retry replays the first answer.
3. Service (`order_create` below), reads only: the cart is merged and bounded (`_merged`), its
   SKUs must exist and be on sale (`_buyable_skus`), the delivery is checked (`_destination`),
   the share that brought the buyer is attributed, lines are priced from the database with the
   share discount (`_priced_lines`) and one order draft is made per merchant (`_order_drafts`).
4. Then one transaction writes: the payment (`payments.payment_create`), the orders with their
   lines and first events (`orders.orders_create`), the buyer's binding to the sharer, and last
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
from sharemall.accounts.rules import normalize_phone
from sharemall.catalog import rules as catalog_rules
from sharemall.catalog import services as catalog
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict, DomainError, NotFound
from sharemall.core.http import ip_or_none
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import ledger as order_ledger
from sharemall.orders import rules as order_rules
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderLine
from sharemall.payments import services as payments
from sharemall.payments.models import Payment, Refund
from sharemall.payments.providers.base import Scene
from sharemall.payments.providers.sandbox import SandboxProvider

logger = logging.getLogger(__name__)

MAX_LINES = 50
MAX_QUANTITY = 999


@dataclass(frozen=True)
class Item:
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Delivery:
    type: str
    region_code: str = ""
    address: str = ""
    receiver: str = ""
    phone: str = ""
    store_id: int | None = None


@dataclass(frozen=True)
class CheckoutResult:
    payment: Payment
    orders: list[Order]
    lines: dict[int, list[OrderLine]]


class InvalidOrder(DomainError):
    code = "invalid_order"


def _merged(items: Sequence[Item]) -> dict[int, int]:
    if not items:
        raise InvalidOrder(_("The order has no items."))
    wanted: dict[int, int] = {}
    for item in items:
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise InvalidOrder(
                _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY},
                code="invalid_quantity",
            )
        wanted[item.sku_id] = wanted.get(item.sku_id, 0) + item.quantity
    if len(wanted) > MAX_LINES:
        raise InvalidOrder(_("An order has at most %(n)d lines.") % {"n": MAX_LINES})
    if any(q > MAX_QUANTITY for q in wanted.values()):
        raise InvalidOrder(
            _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY}, code="invalid_quantity"
        )
    return wanted


def _express_fields(delivery: Delivery) -> dict[str, str]:
    region = merchant_rules.region(delivery.region_code)
    if region.level != "district":
        raise merchant_rules.InvalidRegion(_("Choose the district to deliver to."))
    address = " ".join(delivery.address.split())
    receiver = " ".join(delivery.receiver.split())
    if not address or len(address) > 200:
        raise InvalidOrder(_("Enter the delivery address."), code="invalid_address")
    if not receiver or len(receiver) > 40:
        raise InvalidOrder(_("Enter who receives the parcel."), code="invalid_address")
    return {
        "region_code": region.code,
        "address": address,
        "receiver": receiver,
        "phone": normalize_phone(delivery.phone),
    }


def _pickup_store(delivery: Delivery) -> Store:
    if delivery.store_id is None:
        raise InvalidOrder(_("Choose the store to pick up at."), code="invalid_store")
    store = (
        Store.objects.select_related("merchant")
        .filter(
            pk=delivery.store_id,
            kind=Store.Kind.OFFLINE,
            is_active=True,
            merchant__status=merchant_rules.APPROVED,
        )
        .first()
    )
    if store is None:
        raise InvalidOrder(_("That store does not take pickup orders."), code="invalid_store")
    return store


def order_create(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery: Delivery,
    share_code: str | None = None,
    client_ip: str | None = None,
    device_id: str = "",
) -> CheckoutResult:
    """Reserve stock and create the orders and their payment, all or nothing.

    Prices come from the database, never from the client.
    """
    wanted = _merged(items)
    if delivery.type not in (order_rules.EXPRESS, order_rules.PICKUP):
        raise InvalidOrder(_("Delivery is express or pickup."), code="invalid_delivery")
    skus = _buyable_skus(wanted)
    address, store = _destination(delivery, skus)
    now = timezone.now()
    attribution = distribution.attribute(buyer, share_code=share_code, now=now)
    drafts = _order_drafts(
        _priced_lines(wanted, skus, attribution),
        delivery_type=delivery.type,
        address=address,
        store=store,
        attribution=attribution,
        client_ip=client_ip,
        device_id=device_id,
    )
    with transaction.atomic():
        payment = payments.payment_create(
            buyer=buyer,
            amount_fen=sum(d.total_fen for d in drafts),
            expires_at=now + timedelta(minutes=settings.ORDER_UNPAID_TIMEOUT_MINUTES),
        )
        created = orders.orders_create(buyer=buyer, payment=payment, drafts=drafts)
        distribution.binding_at_checkout(buyer, attribution, now=now)
        # Stock last: a popular SKU's row stays locked only from here to the commit, so
        # concurrent checkouts of it queue for the shortest time (a flash sale's hot row).
        catalog.stock_reserve(wanted)
    return CheckoutResult(payment, created.orders, created.lines)


def _buyable_skus(wanted: Mapping[int, int]) -> dict[int, Sku]:
    """The wanted SKUs with their products and merchants; each must exist and be on sale."""
    skus = {
        s.pk: s for s in Sku.objects.select_related("product__merchant").filter(pk__in=list(wanted))
    }
    missing = sorted(set(wanted) - set(skus))
    if missing:
        raise InvalidOrder(
            _("Unknown SKU: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="unknown_sku",
            details={"sku_ids": missing},
        )
    for sku in skus.values():
        if not catalog_rules.is_buyable(sku.product.status, sku.product.merchant.status):
            raise InvalidOrder(
                _("%(title)s is not on sale.") % {"title": sku.product.title}, code="not_for_sale"
            )
    return skus


def _destination(
    delivery: Delivery, skus: Mapping[int, Sku]
) -> tuple[dict[str, str], Store | None]:
    """Where the goods go: an express address, or an offline store of the goods' merchant."""
    if delivery.type == order_rules.EXPRESS:
        return _express_fields(delivery), None
    store = _pickup_store(delivery)
    if any(s.product.merchant_id != store.merchant_id for s in skus.values()):
        raise InvalidOrder(
            _("A store can only hand over its own merchant's goods."),
            code="pickup_store_mismatch",
        )
    return {"region_code": "", "address": "", "receiver": "", "phone": ""}, store


@dataclass(frozen=True)
class _MerchantLines:
    merchant: Merchant
    lines: list[orders.LineDraft]


def _priced_lines(
    wanted: Mapping[int, int], skus: Mapping[int, Sku], attribution: distribution.Attribution
) -> list[_MerchantLines]:
    """Each merchant's lines at database prices, less the share discount, in merchant order."""
    plans = distribution.plans_for(list(skus.values()))
    by_merchant: dict[int, list[orders.LineDraft]] = {}
    merchants = {}
    for sku_id in sorted(wanted):
        sku = skus[sku_id]
        plan = plans.get(sku_id)
        list_fen = sku.price_fen * wanted[sku_id]
        # A buyer arriving through a share saves the plan's buyer discount (PRODUCT §5.1).
        discount = (
            distribution_rules.buyer_discount(plan, list_fen=list_fen, quantity=wanted[sku_id])
            if plan is not None and attribution.through_share
            else 0
        )
        merchants[sku.product.merchant_id] = sku.product.merchant
        by_merchant.setdefault(sku.product.merchant_id, []).append(
            orders.LineDraft(
                sku_id=sku.pk,
                product_id=sku.product_id,
                title=sku.product.title,
                sku_name=sku.name,
                unit_price_fen=sku.price_fen,
                quantity=wanted[sku_id],
                discount_fen=discount,
                plan=plan.as_snapshot() if plan is not None else None,
            )
        )
    return [_MerchantLines(merchants[mid], lines) for mid, lines in sorted(by_merchant.items())]


def _order_drafts(
    priced: list[_MerchantLines],
    *,
    delivery_type: str,
    address: dict[str, str],
    store: Store | None,
    attribution: distribution.Attribution,
    client_ip: str | None,
    device_id: str,
) -> list[orders.OrderDraft]:
    """One order per merchant, each carrying the delivery and the share that brought the buyer."""
    return [
        orders.OrderDraft(
            merchant=group.merchant,
            delivery=delivery_type,
            lines=group.lines,
            pickup_store=store,
            region_code=address["region_code"],
            address=address["address"],
            receiver=address["receiver"],
            phone=address["phone"],
            referrer_id=attribution.referrer.pk if attribution.referrer else None,
            share_link_id=attribution.link_id,
            attribution=attribution.kind,
            share_rewarded=attribution.rewarded,
            degree=_degree(attribution, group.lines),
            client_ip=ip_or_none(client_ip),
            device_id=device_id,
        )
        for group in priced
    ]


def _degree(attribution: distribution.Attribution, lines: list[orders.LineDraft]) -> int | None:
    if not attribution.through_share or attribution.referrer is None:
        return None
    return distribution_selectors.share_degree(
        attribution.referrer.pk, sorted({line.product_id for line in lines})
    )


def payment_notification_handle(
    provider_name: str, headers: Mapping[str, str], body: bytes
) -> payments.NotificationResult:
    """A provider's notification: verify it, and if it captures the payment, move its orders
    to paid and post the ledger in the same transaction. Replays change nothing.

    Money the payment does not keep (paid after it was closed, or paid a second time) is
    acknowledged like any payment — the provider would otherwise keep retrying — booked, and
    refunded at once, once per provider transaction.
    """
    late_refund: Refund | None = None
    with transaction.atomic():
        result = payments.notification_accept(provider_name, headers, body)
        if result.captured:
            assert result.payment is not None
            paid = orders.orders_mark_paid(result.payment)
            order_ledger.post_payment_captured(result.payment, paid)
            distribution.commissions_create(paid)
        elif result.outcome in payments.UNWANTED and result.payment is not None:
            late_refund = _book_late_payment(result)
    if late_refund is not None:
        _refund_late_payment(late_refund, result)
    return result


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
    return len(closed) + orders.orders_cancel_left_unpaid(note=UNPAID_TIMEOUT_NOTE)


UNPAID_TIMEOUT_NOTE = order_rules.NOTE_UNPAID_TIMEOUT
# How far back completion looks for completed orders whose commissions a killed run left
# pending (before completing and settling moved together).
UNSETTLED_LOOKBACK = timedelta(days=60)


def _cancel_unpaid_orders(payment: Payment) -> None:
    orders.orders_cancel_for_payment(payment, note=UNPAID_TIMEOUT_NOTE)


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
    payment = Payment.objects.filter(pk=payment_id, buyer=member).first()
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

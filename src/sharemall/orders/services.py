"""Writes for orders: creation (called by checkout), the lifecycle, pickup verification, the
periodic sweeps, and the bookkeeping after-sales needs. Each state change is a conditional
update plus an OrderEvent row in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.accounts.services import device_seen
from sharemall.catalog import importing
from sharemall.catalog import services as catalog
from sharemall.core.errors import Conflict, DomainError, InvalidTransition, NotFound
from sharemall.core.ids import numeric_code
from sharemall.merchants.models import Merchant, Store
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.orders import rules
from sharemall.orders.models import Order, OrderEvent, OrderLine
from sharemall.payments.models import Payment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineDraft:
    sku_id: int
    product_id: int
    title: str
    sku_name: str
    unit_price_fen: int
    quantity: int
    discount_fen: int = 0
    plan: dict[str, object] | None = None

    @property
    def list_fen(self) -> int:
        return self.unit_price_fen * self.quantity


@dataclass(frozen=True)
class OrderDraft:
    merchant: Merchant
    delivery: str
    lines: Sequence[LineDraft]
    region_code: str = ""
    address: str = ""
    receiver: str = ""
    phone: str = ""
    pickup_store: Store | None = None
    shipping_fen: int = 0
    referrer_id: int | None = None
    share_link_id: int | None = None
    attribution: str = ""
    share_rewarded: bool = False
    degree: int | None = None
    client_ip: str | None = None
    device_id: str = ""
    platform_funded_fen: int = 0
    on_hold: bool = False

    @property
    def goods_fen(self) -> int:
        return sum(line.list_fen for line in self.lines)

    @property
    def discount_fen(self) -> int:
        return sum(line.discount_fen for line in self.lines)

    @property
    def total_fen(self) -> int:
        return self.goods_fen - self.discount_fen + self.shipping_fen


@dataclass(frozen=True)
class CreatedOrders:
    orders: list[Order]
    lines: dict[int, list[OrderLine]]  # order id → its lines, as inserted


def orders_new(
    *, buyer: Member, payment: Payment, drafts: Sequence[OrderDraft], now: datetime
) -> list[Order]:
    """The unsaved orders of one checkout, as both the ORM insert below and checkout's fast
    path (checkout/fast.py) write them."""
    return [
        Order(
            buyer=buyer,
            merchant=d.merchant,
            payment=payment,
            delivery=d.delivery,
            region_code=d.region_code,
            address=d.address,
            receiver=d.receiver,
            phone=d.phone,
            pickup_store=d.pickup_store,
            goods_fen=d.goods_fen,
            discount_fen=d.discount_fen,
            shipping_fen=d.shipping_fen,
            total_fen=d.total_fen,
            platform_funded_fen=d.platform_funded_fen,
            on_hold=d.on_hold,
            platform_fee_bp=d.merchant.platform_fee_bp,
            referrer_id=d.referrer_id,
            share_link_id=d.share_link_id,
            attribution=d.attribution,
            share_rewarded=d.share_rewarded,
            degree=d.degree,
            client_ip=d.client_ip,
            device_id=d.device_id[:64],
            created_at=now,
        )
        for d in drafts
    ]


def lines_new(order: Order, draft: OrderDraft) -> list[OrderLine]:
    """The unsaved lines of one order, from its draft."""
    return [
        OrderLine(
            order=order,
            sku_id=line.sku_id,
            product_id=line.product_id,
            title=line.title,
            sku_name=line.sku_name,
            unit_price_fen=line.unit_price_fen,
            quantity=line.quantity,
            discount_fen=line.discount_fen,
            paid_fen=line.list_fen - line.discount_fen,
            plan=line.plan,
        )
        for line in draft.lines
    ]


def created_event(order: Order, *, buyer: Member, now: datetime) -> OrderEvent:
    """An order's first event: made, waiting for its payment."""
    return OrderEvent(order=order, to_status=rules.PENDING_PAYMENT, actor=buyer, created_at=now)


def orders_create(
    *, buyer: Member, payment: Payment, drafts: Sequence[OrderDraft]
) -> CreatedOrders:
    """Insert the orders of one checkout with their lines and first events (bulk: a checkout is
    a hot path). Stock has already been reserved by the caller in the same transaction."""
    now = timezone.now()
    orders = Order.objects.bulk_create(
        orders_new(buyer=buyer, payment=payment, drafts=drafts, now=now)
    )
    lines = OrderLine.objects.bulk_create(
        [line for order, d in zip(orders, drafts, strict=True) for line in lines_new(order, d)]
    )
    by_order: dict[int, list[OrderLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    OrderEvent.objects.bulk_create(created_event(o, buyer=buyer, now=now) for o in orders)
    # One checkout is one device: the fraud signals list the devices a member buys from.
    for device, ip in {(d.device_id, d.client_ip) for d in drafts if d.device_id}:
        device_seen(buyer.pk, device, ip)
    return CreatedOrders(orders, by_order)


def _move(
    order: Order, target: str, *, actor: Member | None, note: str = "", **updates: Any
) -> Order:
    rules.ORDER.move(order, target, actor=actor, note=note, **updates)
    order.refresh_from_db()
    return order


def orders_mark_paid(payment: Payment) -> list[Order]:
    """Move a captured payment's orders from pending to paid (only those still pending)."""
    now = payment.paid_at or timezone.now()
    moved = rules.ORDER.move_many(
        Order.objects.filter(payment=payment), rules.PENDING_PAYMENT, rules.PAID, paid_at=now
    )
    if not moved:
        return []
    paid = list(Order.objects.filter(pk__in=moved).select_related("merchant").order_by("pk"))
    for o in paid:  # in the caller's transaction (checkout's capture): the outbox
        notify(o.merchant.owner_id, notices.ORDER_PAID, f"order:{o.pk}:paid", order_no=o.order_no)
    return paid


def _release_stock(order_ids: Sequence[int]) -> None:
    """Put the orders' units back, one update per SKU in id order (as checkout reserves them),
    so two transactions returning stock at once cannot deadlock."""
    returned: dict[int, int] = {}
    for sku_id, quantity in OrderLine.objects.filter(order_id__in=order_ids).values_list(
        "sku_id", "quantity"
    ):
        returned[sku_id] = returned.get(sku_id, 0) + quantity
    catalog.stock_return(returned)


def orders_cancel_for_payment(payment: Payment, *, note: str) -> list[Order]:
    """Cancel a closed payment's unpaid orders and put their stock back."""
    with transaction.atomic():
        ids = rules.ORDER.move_many(
            Order.objects.filter(payment=payment),
            rules.PENDING_PAYMENT,
            rules.CANCELLED,
            note=note,
            cancelled_at=timezone.now(),
        )
        _release_stock(ids)
    return list(Order.objects.filter(pk__in=ids).order_by("pk"))


def payments_left_unpaid(*, limit: int = 500) -> list[Payment]:
    """Closed payments whose orders still wait on them: what a timeout run killed between
    closing a payment and cancelling its orders left (before both moved in one transaction).
    Cheap: few orders are ever pending payment."""
    payment_ids = list(
        Order.objects.filter(status=rules.PENDING_PAYMENT, payment__status=Payment.Status.CLOSED)
        .order_by("payment_id")
        .values_list("payment_id", flat=True)
        .distinct()[:limit]
    )
    return list(Payment.objects.filter(pk__in=payment_ids).order_by("pk"))


def order_ship(
    order: Order,
    *,
    actor: Member,
    carrier: str = "",
    tracking_no: str = "",
    no_logistics: bool = False,
) -> Order:
    """Ship an express order: with a carrier and a tracking number the buyer can follow, or
    explicitly with no logistics (virtual goods, the shop's own local delivery)."""
    if order.delivery != rules.EXPRESS:
        raise DomainError(
            _("A pickup order is collected at the store, not shipped."), code="not_express"
        )
    rules.ORDER.check(order.status, rules.SHIPPED)  # shipped twice: say so, not "tracking"
    carrier, tracking_no = carrier.strip()[:40], tracking_no.strip()[:64]
    if not no_logistics and not (carrier and tracking_no):
        raise DomainError(
            _("Give the carrier and the tracking number, or say no logistics is needed."),
            code="tracking_required",
        )
    if no_logistics:
        carrier = tracking_no = ""
    _check_can_send(order)
    with transaction.atomic():
        order = _move(
            order,
            rules.SHIPPED,
            actor=actor,
            shipped_at=timezone.now(),
            carrier=carrier,
            tracking_no=tracking_no,
            shipped_without_logistics=no_logistics,
        )
        notify(
            order.buyer_id,
            notices.ORDER_SHIPPED,
            f"order:{order.pk}:shipped",
            order_no=order.order_no,
        )
    return order


def order_ready_for_pickup(order: Order, *, actor: Member) -> Order:
    if order.delivery != rules.PICKUP:
        raise DomainError(_("Only pickup orders are collected at a store."), code="not_pickup")
    _check_can_send(order)
    return _move(
        order,
        rules.READY_FOR_PICKUP,
        actor=actor,
        pickup_code=numeric_code(8),
        shipped_at=timezone.now(),
    )


def _check_can_send(order: Order) -> None:
    if order.refunded_fen >= order.total_fen:
        raise InvalidTransition(_("Everything in this order was refunded."))
    if order.on_hold:
        raise Conflict(
            _("This order waits for its group to fill before it can be sent."),
            code="order_on_hold",
        )


def orders_release_hold(order_ids: Sequence[int]) -> int:
    """Let held orders go on to shipping (a group-buy that filled). Returns how many moved."""
    return Order.objects.filter(pk__in=list(order_ids), on_hold=True).update(on_hold=False)


def pickup_verify(store: Store, *, code: str, actor: Member) -> Order:
    """Store staff verify (核销) a pickup code: exactly once, only at the order's store."""
    order = Order.objects.filter(
        pickup_store=store, pickup_code=code.strip(), delivery=rules.PICKUP
    ).first()
    if order is None or not code.strip():
        raise NotFound(_("No order at this store has that pickup code."))
    if order.status != rules.READY_FOR_PICKUP:
        raise Conflict(
            _("This pickup code was already used or is not ready."), code="pickup_not_ready"
        )
    return _move(
        order,
        rules.RECEIVED,
        actor=actor,
        note=rules.NOTE_PICKUP_VERIFIED,
        received_at=timezone.now(),
    )


def order_confirm_receipt(order: Order, *, actor: Member) -> Order:
    if order.status != rules.SHIPPED:
        raise InvalidTransition(_("Only a shipped order can be confirmed as received."))
    return _move(order, rules.RECEIVED, actor=actor, received_at=timezone.now())


def _sweep(candidates: Iterable[Order], target: str, note: str, **updates: Any) -> int:
    moved = 0
    for order in candidates:
        try:
            _move(order, target, actor=None, note=note, **updates)
        except InvalidTransition:
            continue  # changed meanwhile (a buyer confirmed, a refund closed it): fine
        moved += 1
    return moved


def orders_auto_receive(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.ORDER_AUTO_RECEIVE_DAYS)
    due = Order.objects.filter(status=rules.SHIPPED, shipped_at__lte=cutoff).order_by("pk")
    return _sweep(due[:1000], rules.RECEIVED, "received automatically", received_at=now)


def orders_complete_due(
    now: datetime, *, then: Callable[[Order], object] | None = None
) -> list[Order]:
    """Complete received orders whose after-sales window closed with nothing open.

    Each order completes in its own transaction together with `then(order)` (the caller
    settles its commissions there): a worker dying half-way leaves every order either received
    or completed with everything that goes with it."""
    cutoff = now - timedelta(days=settings.AFTERSALES_WINDOW_DAYS)
    due = list(
        Order.objects.filter(
            status=rules.RECEIVED, received_at__lte=cutoff, open_aftersales=0
        ).order_by("pk")[:1000]
    )
    done = []
    for order in due:
        try:
            with transaction.atomic():
                if not rules.ORDER.move_many(
                    Order.objects.filter(pk=order.pk, open_aftersales=0),
                    rules.RECEIVED,
                    rules.COMPLETED,
                    note=rules.NOTE_WINDOW_CLOSED,
                    completed_at=now,
                ):
                    continue  # changed meanwhile (an after-sales request, another worker)
                order.status, order.completed_at = rules.COMPLETED, now
                if then is not None:
                    then(order)
        except Conflict as exc:
            logger.warning("order %s: not completed: %s", order.pk, exc)
            order.status = rules.RECEIVED
            continue
        done.append(order)
    return done


def orders_completed_recently(now: datetime, *, lookback: timedelta) -> QuerySet[Order]:
    """Completed orders received within `lookback` before the after-sales window closed: where
    a completion run killed half-way (before completing and settling moved together) left
    something unsettled. Bounded by the order_completed_received index."""
    cutoff = now - timedelta(days=settings.AFTERSALES_WINDOW_DAYS)
    return Order.objects.filter(
        status=rules.COMPLETED, received_at__lte=cutoff, received_at__gt=cutoff - lookback
    ).order_by("pk")


# --- bookkeeping for after-sales --------------------------------------------------------------


def aftersale_opened(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(open_aftersales=F("open_aftersales") + 1)


def aftersale_closed(order: Order) -> None:
    Order.objects.filter(pk=order.pk, open_aftersales__gt=0).update(
        open_aftersales=F("open_aftersales") - 1
    )


def line_claim(line: OrderLine, quantity: int) -> int:
    """Claim `quantity` more units of a line for an after-sales request; returns the fen they
    give back if refunded.

    A conditional update on the claimed counters: two requests racing for the last unit cannot
    both win, so a line is never refunded beyond what was bought or paid.
    """
    line.refresh_from_db()
    amount = rules.refund_share(
        line.paid_fen, line.quantity, quantity, line.claimed_fen, line.claimed_quantity
    )
    updated = OrderLine.objects.filter(
        pk=line.pk, claimed_quantity=line.claimed_quantity, claimed_fen=line.claimed_fen
    ).update(
        claimed_quantity=F("claimed_quantity") + quantity, claimed_fen=F("claimed_fen") + amount
    )
    if not updated:
        raise Conflict(_("This line changed meanwhile; try again."), code="conflict")
    return amount


def line_release(line_id: int, quantity: int, amount: int) -> None:
    """Give back a claim that was rejected or withdrawn."""
    OrderLine.objects.filter(
        pk=line_id, claimed_quantity__gte=quantity, claimed_fen__gte=amount
    ).update(
        claimed_quantity=F("claimed_quantity") - quantity, claimed_fen=F("claimed_fen") - amount
    )


def lines_refunded(
    order: Order, parts: Sequence[tuple[int, int, int]], *, shipping_fen: int = 0
) -> int:
    """Record refunded (line_id, quantity, fen) parts of a claim, and the shipping it gives
    back; returns the order's refunded total before them (the ledger splits the fee
    cumulatively from it)."""
    order.refresh_from_db()
    before = order.refunded_fen
    for line_id, quantity, amount in parts:
        OrderLine.objects.filter(pk=line_id).update(
            refunded_quantity=F("refunded_quantity") + quantity,
            refunded_fen=F("refunded_fen") + amount,
        )
    total = sum(amount for _line, _q, amount in parts) + shipping_fen
    Order.objects.filter(pk=order.pk).update(refunded_fen=F("refunded_fen") + total)
    return before


def order_close_if_fully_refunded(order: Order, *, actor: Member | None) -> Order:
    order.refresh_from_db()
    if order.refunded_fen >= order.total_fen and order.status in (
        rules.PAID,
        rules.SHIPPED,
        rules.READY_FOR_PICKUP,
    ):
        return _move(order, rules.CLOSED, actor=actor, note=rules.NOTE_FULLY_REFUNDED)
    return order


# --- batch shipping ---------------------------------------------------------------------------


class ShipBatchTooLarge(DomainError):
    code = "file_too_large"


class ShipBatchBadColumns(DomainError):
    code = "missing_columns"


SHIPPED_ROW, ERROR_ROW = "shipped", "error"


@dataclass(frozen=True)
class ShipRowResult:
    row: int  # as the spreadsheet numbers it: the header is row 1
    order_no: str
    status: str  # SHIPPED_ROW or ERROR_ROW
    code: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"row": self.row, "order_no": self.order_no, "status": self.status}
        if self.status == ERROR_ROW:
            found.update(code=self.code, message=self.message)
        return found


@dataclass(frozen=True)
class ShipBatchResult:
    results: list[ShipRowResult]

    @property
    def shipped(self) -> int:
        return sum(1 for r in self.results if r.status == SHIPPED_ROW)


def _ship_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The sheet's rows under its header as (row number, {column: text}); refuses a file too
    large, unreadable, or without the three columns."""
    if len(data) > rules.SHIP_BATCH_MAX_BYTES:
        raise ShipBatchTooLarge(
            _("A shipping file can be at most %(mb)d MB.")
            % {"mb": rules.SHIP_BATCH_MAX_BYTES // (1024 * 1024)}
        )
    too_many = ShipBatchTooLarge(
        _("A shipping file can have at most %(n)s order rows.")
        % {"n": f"{rules.SHIP_BATCH_MAX_ROWS:,}"},
        code="too_many_rows",
    )
    try:
        rows = importing.read_rows(data)
    except importing.ImportTooLarge:
        raise too_many from None
    (_header_row, header), body = rows[0], rows[1:]
    columns, missing = rules.ship_columns(header)
    if missing:
        raise ShipBatchBadColumns(
            _(
                "The first row must name the columns 订单号 (order_no), 快递公司 (carrier) and "
                "快递单号 (tracking_no); missing: %(missing)s."
            )
            % {"missing": ", ".join(missing)},
            details={"missing": missing},
        )
    if len(body) > rules.SHIP_BATCH_MAX_ROWS:
        raise too_many
    return [
        (
            number,
            {
                name: (cells[index] if index < len(cells) else "").strip()
                for name, index in columns.items()
            },
        )
        for number, cells in body
    ]


def orders_ship_batch(merchant: Merchant, data: bytes, *, actor: Member) -> ShipBatchResult:
    """Ship the merchant's express orders listed in a CSV (or XLSX) sheet of order numbers,
    carriers and tracking numbers. Each row ships through order_ship, in its own transaction:
    a row that is refused (unknown number, another merchant's order, not waiting to ship, no
    tracking) is reported with its reason and the others still ship."""
    rows = _ship_rows(data)
    numbers = {cells["order_no"] for _n, cells in rows if cells["order_no"]}
    found = {o.order_no: o for o in Order.objects.filter(order_no__in=numbers)}
    seen: set[str] = set()
    results = []
    for number, cells in rows:
        order_no = cells["order_no"][:24]
        refusal = _row_refusal(merchant, order_no, found.get(order_no), seen)
        seen.add(order_no)
        if refusal is None:
            refusal = _ship_row(found[order_no], actor, cells["carrier"], cells["tracking_no"])
        if refusal is None:
            results.append(ShipRowResult(number, order_no, SHIPPED_ROW))
        else:
            results.append(ShipRowResult(number, order_no, ERROR_ROW, *refusal))
    return ShipBatchResult(results)


def _row_refusal(
    merchant: Merchant, order_no: str, order: Order | None, seen: set[str]
) -> tuple[str, str] | None:
    """Why a row cannot name an order to ship (code, message), before trying to ship it."""
    if not order_no:
        return "missing_order_no", _("The order number is missing.")
    if order_no in seen:
        return "duplicate_row", _("This order number is on an earlier row too.")
    if order is None:
        return "unknown_order", _("No order has this number.")
    if order.merchant_id != merchant.pk:
        return "not_your_order", _("This order belongs to another shop.")
    return None


def _ship_row(
    order: Order, actor: Member, carrier: str, tracking_no: str
) -> tuple[str, str] | None:
    """Ship one row's order as a single shipment would be; the refusal (code, message) if not."""
    try:
        with transaction.atomic():
            order_ship(
                order,
                actor=actor,
                carrier=carrier,
                tracking_no=tracking_no,
                no_logistics=rules.is_no_logistics(carrier, tracking_no),
            )
    except InvalidTransition:
        order.refresh_from_db(fields=["status"])
        return "not_shippable", _("This order is not waiting to be shipped: it is %(status)s.") % {
            "status": Order.Status(order.status).label
        }
    except DomainError as exc:
        return exc.code, exc.message
    return None

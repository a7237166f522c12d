"""Reads for orders: a buyer sees their own, a merchant's staff see the merchant's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError, NotFound
from sharemall.core.sheets import Cell
from sharemall.merchants.rules import InvalidRegion, region
from sharemall.merchants.selectors import merchant_ids_of
from sharemall.orders import rules
from sharemall.orders.models import Order, OrderLine


def _detailed(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related("lines")


def order_for_party(member: Member, order_id: int) -> Order:
    """The buyer or the selling merchant's staff (and operators) may see an order."""
    orders = Order.objects.filter(pk=order_id)
    if not member.is_operator:
        orders = orders.filter(Q(buyer=member) | Q(merchant_id__in=merchant_ids_of(member)))
    order = _detailed(orders).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_for_buyer(member: Member, order_id: int) -> Order:
    order = _detailed(Order.objects.filter(pk=order_id, buyer=member)).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_for_merchant_staff(member: Member, order_id: int) -> Order:
    order = _detailed(
        Order.objects.filter(pk=order_id, merchant_id__in=merchant_ids_of(member))
    ).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def orders_of_payment(payment_id: int) -> QuerySet[Order]:
    """The orders one payment pays for (several merchants' orders share one payment)."""
    return _detailed(Order.objects.filter(payment_id=payment_id)).order_by("pk")


def orders_of_buyer(member: Member, *, status: str | None = None) -> QuerySet[Order]:
    # The buyer's order list in the API: each order answers with its buyer status.
    orders = Order.objects.filter(buyer=member)
    if status:
        orders = orders.filter(status=status)
    return with_review_state(_detailed(orders)).order_by("-created_at", "-id")


def orders_of_merchant(merchant_id: int, *, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(merchant_id=merchant_id)
    if status:
        orders = orders.filter(status=status)
    return _detailed(orders).order_by("-created_at", "-id")


def _unreviewed_line() -> Exists:
    # A line without a post. Posts sit above orders (they are about order lines), so the
    # reverse name of their one-to-one link is how orders can ask without importing them.
    return Exists(OrderLine.objects.filter(order=OuterRef("pk"), post__isnull=True))


def _buyer_tab(tab: str) -> Q:
    """Which of a buyer's orders a tab lists (after-sales lists requests, see aftersales)."""
    if tab == rules.AFTERSALES:
        return Q(open_aftersales__gt=0)
    # Pickup orders wait in 待发货 until the store has the goods ready (rules.BUYER_TAB_STATUSES).
    holding = Q(status__in=rules.BUYER_TAB_STATUSES[tab])
    return holding & Q(_unreviewed_line()) if tab == rules.TO_REVIEW else holding


def buyer_status_counts(member_id: int) -> dict[str, int]:
    """How many of the buyer's orders wait in each tab; for after-sales, the open requests.
    One aggregate query."""
    counts = Order.objects.filter(buyer_id=member_id).aggregate(
        **{
            tab: Count("pk", filter=_buyer_tab(tab))
            for tab in rules.BUYER_TABS
            if tab != rules.AFTERSALES
        },
        aftersales=Coalesce(Sum("open_aftersales"), 0),
    )
    return {tab: int(counts[tab]) for tab in rules.BUYER_TABS}


def orders_of_buyer_tab(member: Member, tab: str | None) -> QuerySet[Order]:
    """The buyer's orders in one tab (any other value: all of them), newest first."""
    orders = Order.objects.filter(buyer=member)
    if tab in rules.BUYER_TABS:
        orders = orders.filter(_buyer_tab(tab))
    return _detailed(orders).order_by("-created_at", "-id")


def _sold_lines() -> QuerySet[OrderLine]:
    """Units really sold: lines of paid orders, less what was refunded."""
    return OrderLine.objects.filter(order__status__in=rules.BOUGHT_STATUSES)


def sold_counts(product_ids: Iterable[int]) -> dict[int, int]:
    """已售 for each product: units bought in paid orders, less refunded units (one query)."""
    rows = (
        _sold_lines()
        .filter(product_id__in=list(product_ids))
        .values("product_id")
        .annotate(sold=Sum(F("quantity") - F("refunded_quantity")))
    )
    return {row["product_id"]: int(row["sold"] or 0) for row in rows if row["sold"]}


def best_selling_product_ids(limit: int) -> list[int]:
    """The products that sold the most units, most first (ties: the newer product first)."""
    rows = (
        _sold_lines()
        .values("product_id")
        .annotate(sold=Sum(F("quantity") - F("refunded_quantity")))
        .filter(sold__gt=0)
        .order_by("-sold", "-product_id")[:limit]
    )
    return [row["product_id"] for row in rows]


def with_review_state(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders that know whether a line waits for the buyer's post (`has_unreviewed`), so a
    page of them reads its buyer statuses without one query per order."""
    return orders.annotate(has_unreviewed=Exists(_unreviewed_line()))


def buyer_status_label(order: Order, lines: Sequence[OrderLine]) -> str:
    """The status the buyer reads (rules.buyer_status_label) of an order with its lines loaded;
    asks about reviews (unless with_review_state did) only when the order is in the buyer's
    hands."""
    known: bool | None = getattr(order, "has_unreviewed", None)
    unreviewed = order.status in rules.RECEIVED_STATUSES and (
        known
        if known is not None
        else OrderLine.objects.filter(order=order, post__isnull=True).exists()
    )
    return rules.buyer_status_label(
        order.status,
        [(line.quantity, line.refunded_quantity) for line in lines],
        unreviewed=unreviewed,
    )


# --- the merchant's order export: one row per order line ---------------------------------------

EXPORT_COLUMNS = (
    gettext_lazy("Order no."),  # 订单号
    gettext_lazy("Placed at"),  # 下单时间 (China time)
    gettext_lazy("Status"),
    gettext_lazy("Buyer"),
    gettext_lazy("Receiver"),
    gettext_lazy("Region"),
    gettext_lazy("Address"),
    gettext_lazy("Goods"),
    gettext_lazy("SKU"),
    gettext_lazy("Quantity"),
    gettext_lazy("Paid (yuan)"),
    gettext_lazy("Shipping (yuan)"),
    gettext_lazy("Order total (yuan)"),
    gettext_lazy("Refunded (yuan)"),
    gettext_lazy("Carrier"),
    gettext_lazy("Tracking number"),
)
# The order-wide amounts are on the first line of each order only, so a column sums right.
CHINA = ZoneInfo("Asia/Shanghai")
SEARCHED = ("order_no", "buyer__phone", "phone", "receiver", "lines__title")


class ExportTooLarge(DomainError):
    code = "export_too_large"


def order_lines_to_export(
    merchant_id: int,
    *,
    status: str = "",
    start: date | None = None,
    end: date | None = None,
    q: str = "",
    delivery: str = "",
) -> QuerySet[OrderLine]:
    """The lines of the merchant's orders, narrowed like its order list: by status, by the day
    placed (from and to inclusive, China time), by delivery, and by a search of the order
    number, the buyer's or receiver's phone, the receiver and the goods; newest order first."""
    orders = Order.objects.filter(merchant_id=merchant_id)
    if status:
        orders = orders.filter(status=status)
    if delivery:
        orders = orders.filter(delivery=delivery)
    if start:
        orders = orders.filter(created_at__date__gte=start)
    if end:
        orders = orders.filter(created_at__date__lte=end)
    q = q.strip()[:100]
    if q:
        match = Q()
        for lookup in SEARCHED:
            match |= Q(**{f"{lookup}__icontains": q})
        orders = orders.filter(match)
    return (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .select_related("order", "order__buyer")
        .order_by("-order__created_at", "-order_id", "pk")
    )


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _region_name(code: str) -> str:
    try:
        return region(code).full_name if code else ""
    except InvalidRegion:
        return code


def export_rows(lines: QuerySet[OrderLine]) -> Iterator[list[Cell]]:
    """The header and one row per line, read in chunks; refuses (ExportTooLarge) more than
    rules.EXPORT_MAX_ROWS lines before reading any."""
    total = lines.count()
    if total > rules.EXPORT_MAX_ROWS:
        raise ExportTooLarge(
            _(
                "%(n)s order lines match; an export holds at most %(max)s. "
                "Narrow the filters (status, dates) and export again."
            )
            % {"n": f"{total:,}", "max": f"{rules.EXPORT_MAX_ROWS:,}"}
        )
    return _export_rows(lines)


def _export_rows(lines: QuerySet[OrderLine]) -> Iterator[list[Cell]]:
    yield [str(label) for label in EXPORT_COLUMNS]
    previous = None
    for line in lines.iterator(chunk_size=1000):
        order = line.order
        first = order.pk != previous
        previous = order.pk
        yield [
            order.order_no,
            f"{timezone.localtime(order.created_at, CHINA):%Y-%m-%d %H:%M:%S}",
            str(Order.Status(order.status).label),
            rules.buyer_name(order.buyer.nickname, order.buyer.phone),
            order.receiver,
            _region_name(order.region_code),
            order.address,
            line.title,
            line.sku_name,
            line.quantity,
            _yuan(line.paid_fen),
            _yuan(order.shipping_fen) if first else None,
            _yuan(order.total_fen) if first else None,
            _yuan(line.refunded_fen),
            order.carrier,
            order.tracking_no,
        ]

"""Reads for orders: a buyer sees their own, a merchant's staff see the merchant's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
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

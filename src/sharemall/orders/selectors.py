"""Reads for orders: a buyer sees their own, a merchant's staff see the merchant's."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.merchants.selectors import merchant_ids_of
from sharemall.orders import rules
from sharemall.orders.models import Order, OrderLine

# The buyer's order tabs (待付款 / 待发货 / 待收货 / 待评价 / 售后), as the `status` of the
# orders page and the keys of buyer_status_counts.
UNPAID, TO_SHIP, TO_RECEIVE, TO_REVIEW, AFTERSALES = (
    "unpaid",
    "to_ship",
    "to_receive",
    "to_review",
    "aftersales",
)
BUYER_TABS = (UNPAID, TO_SHIP, TO_RECEIVE, TO_REVIEW, AFTERSALES)


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
    orders = Order.objects.filter(buyer=member)
    if status:
        orders = orders.filter(status=status)
    return _detailed(orders).order_by("-created_at", "-id")


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
    return {
        UNPAID: Q(status=rules.PENDING_PAYMENT),
        # Pickup orders wait here too until the store has the goods ready.
        TO_SHIP: Q(status=rules.PAID),
        TO_RECEIVE: Q(status__in=(rules.SHIPPED, rules.READY_FOR_PICKUP)),
        TO_REVIEW: Q(status__in=rules.RECEIVED_STATUSES) & Q(_unreviewed_line()),
        AFTERSALES: Q(open_aftersales__gt=0),
    }[tab]


def buyer_status_counts(member_id: int) -> dict[str, int]:
    """How many of the buyer's orders wait in each tab; for after-sales, the open requests.
    One aggregate query."""
    counts = Order.objects.filter(buyer_id=member_id).aggregate(
        **{tab: Count("pk", filter=_buyer_tab(tab)) for tab in BUYER_TABS if tab != AFTERSALES},
        aftersales=Coalesce(Sum("open_aftersales"), 0),
    )
    return {tab: int(counts[tab]) for tab in BUYER_TABS}


def orders_of_buyer_tab(member: Member, tab: str | None) -> QuerySet[Order]:
    """The buyer's orders in one tab (any other value: all of them), newest first."""
    orders = Order.objects.filter(buyer=member)
    if tab in BUYER_TABS:
        orders = orders.filter(_buyer_tab(tab))
    return _detailed(orders).order_by("-created_at", "-id")

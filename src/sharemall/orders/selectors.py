"""Reads for orders: a buyer sees their own, a merchant's staff see the merchant's."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet, Sum
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
    orders = Order.objects.filter(buyer=member)
    if status:
        orders = orders.filter(status=status)
    return _detailed(orders).order_by("-created_at", "-id")


def orders_of_merchant(merchant_id: int, *, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(merchant_id=merchant_id)
    if status:
        orders = orders.filter(status=status)
    return _detailed(orders).order_by("-created_at", "-id")


def sold_counts(product_ids: Iterable[int]) -> dict[int, int]:
    """Units sold per product (已售): paid lines less the units refunded, in one query.
    Products that never sold are absent."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = (
        OrderLine.objects.filter(product_id__in=ids, order__status__in=rules.BOUGHT_STATUSES)
        .values("product_id")
        .annotate(sold=Sum(F("quantity") - F("refunded_quantity")))
        .values_list("product_id", "sold")
    )
    return {product_id: sold for product_id, sold in rows if sold}

"""The console's order and after-sales lists, declared side by side: both lead with the order
number people quote on the phone, both search it, and both export what they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales.models import AfterSale
from sharemall.orders.models import Order
from sharemall.web.merchant.console import AFTERSALE_STATUS_LABELS, ORDER_STATUS_LABELS
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    MONEY,
    STATUS,
    ChoiceFilter,
    Column,
    DateRangeFilter,
    TableSpec,
    labelled,
)


def order_no_column(key: str, order_id: Callable[[Any], int]) -> Column:
    """The order number (订单编号), linked to the order's page."""
    return Column(
        key,
        gettext_lazy("Order no."),
        sortable=True,
        # Numbers are handed out in time order, so the id sorts them without a string compare.
        sort_field=key.replace("order_no", "id").replace(".", "__"),
        link=lambda row: reverse("web:merchant_order", args=[order_id(row)]),
    )


def _goods(order: Order) -> str:
    return "; ".join(
        f"{line.title} ({line.sku_name}) × {line.quantity}" for line in order.lines.all()
    )


ORDERS = TableSpec(
    columns=(
        order_no_column("order_no", lambda o: o.pk),
        Column("goods", gettext_lazy("Items"), value=_goods),
        Column("buyer.nickname", gettext_lazy("Buyer")),
        Column("phone", gettext_lazy("Phone")),
        Column("total_fen", gettext_lazy("Amount"), sortable=True, kind=MONEY),
        Column("delivery", gettext_lazy("Delivery"), formatter=labelled(Order.Delivery.choices)),
        Column(
            "status",
            gettext_lazy("Status"),
            kind=STATUS,
            formatter=labelled(ORDER_STATUS_LABELS),
        ),
        Column("created_at", gettext_lazy("Placed"), sortable=True, kind=DATETIME),
        Column("paid_at", gettext_lazy("Paid"), sortable=True, kind=DATETIME, in_page=False),
        Column("carrier", gettext_lazy("Carrier"), in_page=False),
        Column("tracking_no", gettext_lazy("Tracking number"), in_page=False),
    ),
    filters=(
        ChoiceFilter("status", gettext_lazy("Status"), Order.Status.choices),
        ChoiceFilter("delivery", gettext_lazy("Delivery"), Order.Delivery.choices),
        DateRangeFilter("created", gettext_lazy("Placed"), lookup="created_at"),
    ),
    search=("order_no", "buyer__phone", "phone", "receiver", "lines__title"),
    search_label=gettext_lazy("Order no., buyer phone, receiver or goods"),
    batch=(EXPORT_SELECTED,),
    export_name="orders",
    # The downloads hold one row per order line, with the receiver and the amounts.
    export_view="web:merchant_orders_export",
    empty=gettext_lazy("No orders here."),
)


def _open_or_status(found: QuerySet[AfterSale], status: str) -> QuerySet[AfterSale]:
    if status == aftersale_rules.OPEN_FILTER:
        return found.filter(status__in=aftersale_rules.OPEN)
    return found.filter(status=status)


AFTERSALES = TableSpec(
    columns=(
        Column(
            "pk",
            gettext_lazy("Request"),
            sortable=True,
            sort_field="id",
            link=lambda a: reverse("web:merchant_aftersale", args=[a.pk]),
        ),
        order_no_column("order.order_no", lambda a: a.order_id),
        Column("kind", gettext_lazy("Kind"), formatter=labelled(AfterSale.Kind.choices)),
        Column("order.buyer.nickname", gettext_lazy("Buyer")),
        Column("refund_fen", gettext_lazy("Refund"), sortable=True, kind=MONEY),
        Column(
            "status",
            gettext_lazy("Status"),
            kind=STATUS,
            formatter=labelled(AFTERSALE_STATUS_LABELS),
        ),
        Column("reason", gettext_lazy("Reason"), formatter=lambda r: Truncator(r).chars(40)),
        Column("respond_by", gettext_lazy("Answer by"), sortable=True, kind=DATETIME),
        Column("created_at", gettext_lazy("Requested"), sortable=True, kind=DATETIME),
    ),
    filters=(
        ChoiceFilter(
            "status",
            gettext_lazy("Status"),
            [
                (aftersale_rules.OPEN_FILTER, gettext_lazy("Open requests")),
                *AFTERSALE_STATUS_LABELS.items(),
            ],
            apply=_open_or_status,
        ),
        ChoiceFilter("kind", gettext_lazy("Kind"), AfterSale.Kind.choices),
        DateRangeFilter("created", gettext_lazy("Requested"), lookup="created_at"),
    ),
    search=("order__order_no", "order__buyer__phone", "reason"),
    search_label=gettext_lazy("Order no., buyer phone or reason"),
    batch=(EXPORT_SELECTED,),
    export_name="aftersales",
    empty=gettext_lazy("No after-sales requests here."),
)

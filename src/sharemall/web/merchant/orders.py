"""The merchant's orders: shipping, readying for pickup, and the pickup desk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Store
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import (
    AFTERSALE_STATUS_LABELS,
    ORDER_STATUS_LABELS,
    Console,
    _back,
    _render,
    _trail,
    console_page,
)
from sharemall.web.merchant.forms import (
    PickupForm,
    ShipForm,
)
from sharemall.web.merchant.stores import _region_name
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


def _goods(order: Order) -> str:
    return "; ".join(
        f"{line.title} ({line.sku_name}) × {line.quantity}" for line in order.lines.all()
    )


# Orders have no order number of their own yet (helper "buying" adds Order.order_no): the id
# column stands in for it until then.
ORDERS = TableSpec(
    columns=(
        Column(
            "pk",
            gettext_lazy("Order"),
            sortable=True,
            sort_field="id",
            link=lambda o: reverse("web:merchant_order", args=[o.pk]),
        ),
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
    search=("buyer__phone", "phone", "receiver", "lines__title"),
    search_label=gettext_lazy("Buyer phone, receiver or goods"),
    batch=(EXPORT_SELECTED,),
    export_name="orders",
    empty=gettext_lazy("No orders here."),
)


@console_page
def merchant_orders(request: HttpRequest, console: Console) -> HttpResponse:
    found = order_selectors.orders_of_merchant(console.merchant.pk).select_related("buyer")
    table = ORDERS.bind(request, found)
    if table.wants_csv:
        return table.csv_response()
    return _render(request, console, "web/merchant/orders.html", {"table": table})


def _order_page(
    request: HttpRequest, console: Console, order: Order, ship_form: ShipForm | None = None
) -> HttpResponse:
    context = {
        "order": order,
        "region_name": _region_name(order.region_code),
        "events": _trail(
            [
                {"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.created_at}
                for e in order.events.order_by("created_at", "id")
            ],
            ORDER_STATUS_LABELS,
        ),
        "aftersales": [
            (a, AFTERSALE_STATUS_LABELS.get(a.status, a.status))
            for a in aftersale_selectors.aftersales_of_order(order.pk)
        ],
        "ship_form": ship_form or ShipForm(),
        "can_ship": order.status == order_rules.PAID and order.delivery == order_rules.EXPRESS,
        "can_ready": order.status == order_rules.PAID and order.delivery == order_rules.PICKUP,
    }
    return _render(request, console, "web/merchant/order.html", context)


def _own_order(request: HttpRequest, console: Console, order_id: int) -> tuple[Console, Order]:
    order = order_selectors.order_for_merchant_staff(console.member, order_id)
    return console.at(request, order.merchant_id), order


@console_page
def merchant_order(request: HttpRequest, console: Console, order_id: int) -> HttpResponse:
    console, order = _own_order(request, console, order_id)
    return _order_page(request, console, order)


@require_POST
@console_page
def merchant_order_ship(request: HttpRequest, console: Console, order_id: int) -> HttpResponse:
    console, order = _own_order(request, console, order_id)
    form = ShipForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: orders.order_ship(
                order,
                actor=console.member,
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
            ),
            _("The order was marked as shipped."),
        )
        return _back("merchant_order", order.pk)
    return _order_page(request, console, order, ship_form=form)


@require_POST
@console_page
def merchant_order_ready(request: HttpRequest, console: Console, order_id: int) -> HttpResponse:
    console, order = _own_order(request, console, order_id)
    run_action(
        request,
        lambda: orders.order_ready_for_pickup(order, actor=console.member),
        _("The buyer was given a pickup code. Verify it when they come to the store."),
    )
    return _back("merchant_order", order.pk)


@console_page
def merchant_pickups(request: HttpRequest, console: Console) -> HttpResponse:
    """Verify (核销) the code a buyer shows at the store: each code works exactly once."""
    stores = [
        (s.pk, s.name)
        for s in merchant_selectors.stores_of(console.merchant)
        if s.kind == Store.Kind.OFFLINE
    ]
    form = PickupForm(request.POST or None, stores=stores)

    def verify() -> Order:
        store = merchant_selectors.store_for_staff(
            console.member, form.cleaned_data["store"], owner_only=False
        )
        return orders.pickup_verify(store, code=form.cleaned_data["code"], actor=console.member)

    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            verify,
            lambda order: (
                _("Pickup verified: order %(id)s is now with the buyer.") % {"id": order.pk}
            ),
            form=form,
            field="code",
        )
    ):
        return _back("merchant_pickups")
    return _render(
        request, console, "web/merchant/pickups.html", {"form": form, "has_stores": bool(stores)}
    )

"""The merchant's orders: shipping, readying for pickup, and the pickup desk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
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
    Console,
    _back,
    _render,
    console_page,
    order_trail,
)
from sharemall.web.merchant.forms import PickupForm, ShipForm
from sharemall.web.merchant.lists import ORDERS
from sharemall.web.merchant.stores import _region_name


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
        "events": order_trail(order),
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
        # A refusal (no tracking, already shipped) comes back as a message on the order page.
        run_action(
            request,
            lambda: orders.order_ship(
                order,
                actor=console.member,
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
                no_logistics=form.cleaned_data["no_logistics"],
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
                _("Pickup verified: order %(number)s is now with the buyer.")
                % {"number": order.order_no}
            ),
            form=form,
            field="code",
        )
    ):
        return _back("merchant_pickups")
    return _render(
        request, console, "web/merchant/pickups.html", {"form": form, "has_stores": bool(stores)}
    )

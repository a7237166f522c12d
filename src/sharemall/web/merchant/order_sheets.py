"""The merchant's order sheets: shipping many orders from an uploaded sheet (with a template to
fill in), and exporting the order list, one row per order line, as CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from sharemall.core import sheets
from sharemall.core.errors import DomainError
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.web.merchant.console import Console, _render, console_page
from sharemall.web.merchant.forms import ImportForm


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


@console_page
def merchant_orders_ship_batch(request: HttpRequest, console: Console) -> HttpResponse:
    """Upload a sheet of order numbers, carriers and tracking numbers; every row ships through
    the same service as a single order, and the page lists what shipped and why others did not."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "form": form,
        "columns": order_rules.SHIP_TEMPLATE_HEADER,
        "max_rows": f"{order_rules.SHIP_BATCH_MAX_ROWS:,}",
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(order_rules.SHIP_BATCH_MAX_BYTES + 1)
        try:
            result = orders.orders_ship_batch(console.merchant, data, actor=console.member)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            context["result"] = result
    return _render(request, console, "web/merchant/ship_batch.html", context)


@console_page
def merchant_orders_ship_template(request: HttpRequest, console: Console) -> HttpResponse:
    """The sheet to fill in: the header, then the express orders waiting to ship."""
    waiting = (
        order_selectors.orders_of_merchant(console.merchant.pk, status=order_rules.PAID)
        .filter(delivery=order_rules.EXPRESS)
        .values_list("order_no", flat=True)[: order_rules.SHIP_BATCH_MAX_ROWS]
    )
    rows: list[list[sheets.Cell]] = [list(order_rules.SHIP_TEMPLATE_HEADER)]
    rows += [[order_no, "", ""] for order_no in waiting]
    return sheets.sheet_response(rows, name="sharemall-ship")


@console_page
def merchant_orders_export(request: HttpRequest, console: Console) -> HttpResponse:
    """The order list as the page filters it (status, delivery, days placed, search), one row
    per order line; too many rows go back to the list with a message."""
    params = request.GET
    status = params.get("status", "")
    delivery = params.get("delivery", "")
    lines = order_selectors.order_lines_to_export(
        console.merchant.pk,
        status=status if status in order_rules.ALL_STATUSES else "",
        delivery=delivery if delivery in dict(Order.Delivery.choices) else "",
        start=_day(params.get("created_from")),
        end=_day(params.get("created_to")),
        q=params.get("q", ""),
    )
    try:
        rows = order_selectors.export_rows(lines)
    except DomainError as exc:
        messages.error(request, exc.message)
        query = params.copy()
        query.pop("format", None)
        return HttpResponseRedirect(f"{reverse('web:merchant_orders')}?{query.urlencode()}")
    file_format = sheets.XLSX if params.get("format") == sheets.XLSX else sheets.CSV
    return sheets.sheet_response(
        rows, name=f"orders-{timezone.localdate():%Y%m%d}", file_format=file_format
    )

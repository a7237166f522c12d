"""The cart pages (the cart itself lives in the session, see session_cart).

A change made through htmx (a stepper, the product page's add-to-cart) answers with the
cart-changed event (the HX-Trigger header) carrying the new count: site.js sets the badges on
the tab bar and the buy bar from it, so they follow without reloading the page."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sharemall.catalog import selectors as catalog
from sharemall.catalog.models import Sku
from sharemall.web.buyer import session_cart as cart
from sharemall.web.buyer.common import _is_htmx, _local_path, _product_url
from sharemall.web.buyer.forms import (
    AddToCartForm,
    QuantityForm,
)


def _public_sku(sku_id: int) -> Sku | None:
    """A SKU a stranger could buy: its product is on sale at an approved merchant."""
    return (
        Sku.objects.select_related("product")
        .filter(pk=sku_id, product__in=catalog.visible_products(None))
        .first()
    )


CART_CHANGED = "cart-changed"


def _cart_changed(request: HttpRequest, response: HttpResponse, message: str = "") -> HttpResponse:
    """Tell the page the cart's new count (and a short note to show) with the answer."""
    detail: dict[str, object] = {"count": cart.count(request.session)}
    if message:
        detail["message"] = message
    # ASCII JSON: a header value must be, and JSON.parse turns the escapes back into Chinese.
    response["HX-Trigger"] = json.dumps({CART_CHANGED: detail})
    return response


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """To another page: htmx is told to navigate there, since it would swap a followed
    redirect into the page instead."""
    if _is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _sku_to_add(request: HttpRequest, form: AddToCartForm) -> tuple[Sku | None, str]:
    """The SKU the product page's form asks for, or None, the reason told, and where to go."""
    if not form.is_valid():
        messages.error(request, _("Choose an option and a quantity from 1 to 999."))
        return None, _local_path(request, request.POST.get("back"))
    sku = _public_sku(form.cleaned_data["sku"])
    if sku is None:
        messages.error(request, _("This item is not on sale."))
        return None, reverse("web:home")
    if sku.stock <= 0:
        messages.error(request, _("This option is sold out."))
        return None, _product_url(sku.product_id)
    return sku, ""


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """The product page's form: "Add to cart" keeps the item, "Buy now" checks out just it.
    Through htmx, adding keeps the shopper on the product page; without it they see the cart."""
    form = AddToCartForm(request.POST)
    sku, refused = _sku_to_add(request, form)
    if sku is None:
        return _go(request, refused)
    quantity = form.cleaned_data["quantity"]
    if form.cleaned_data["intent"] == "buy":
        query = urlencode({"sku": sku.pk, "quantity": quantity})
        return _go(request, f"{reverse('web:buyer_checkout')}?{query}")
    try:
        cart.add(request.session, sku.pk, quantity)
    except cart.CartFull:
        messages.error(
            request, _("Your cart is full: check out or remove something before adding more.")
        )
        return _go(request, reverse("web:buyer_cart"))
    if _is_htmx(request):
        return _cart_changed(request, HttpResponse(), _("Added to your cart"))
    messages.success(request, _("Added %(title)s to your cart.") % {"title": sku.product.title})
    return HttpResponseRedirect(reverse("web:buyer_cart"))


@never_cache
def cart_page(request: HttpRequest) -> HttpResponse:
    lines = cart.lines_for(cart.contents(request.session))
    available = [line for line in lines if line.available]
    return render(
        request,
        "web/buyer/cart.html",
        {
            "groups": cart.by_merchant(lines),
            # Everything that can be bought starts ticked; the page's script keeps the sum and
            # the count in step with the ticks.
            "total_fen": cart.total_fen(lines),
            "picked_count": sum(line.quantity for line in available),
            "can_check_out": bool(available),
        },
    )


@require_POST
def cart_update(request: HttpRequest, sku_id: int) -> HttpResponse:
    """The stepper. With htmx only the line's stepper and price come back, so the ticks the
    shopper made elsewhere on the page stay as they are."""
    form = QuantityForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("A quantity is between 1 and 999.")
    elif not cart.set_quantity(request.session, sku_id, form.wanted()):
        error = _("That item is not in your cart.")
    if _is_htmx(request):
        found = cart.lines_for(cart.chosen(cart.contents(request.session), [sku_id]))
        if not found:
            return _cart_changed(request, HttpResponse(status=204))
        return _cart_changed(
            request,
            render(
                request, "web/buyer/cart.html#cart_line_body", {"line": found[0], "error": error}
            ),
        )
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(reverse("web:buyer_cart"))


@require_POST
def cart_remove(request: HttpRequest, sku_id: int) -> HttpResponse:
    cart.remove(request.session, [sku_id])
    return HttpResponseRedirect(reverse("web:buyer_cart"))

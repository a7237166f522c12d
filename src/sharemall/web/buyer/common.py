"""Small helpers the buyer's pages share."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError, NotFound
from sharemall.merchants import rules as merchant_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders.models import Order


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _product_url(product_id: int) -> str:
    return reverse("web:product", args=[product_id])


def _local_path(request: HttpRequest, target: str | None) -> str:
    """A path on this site to go back to; anything else (another site) goes home."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return reverse("web:home")


def _region_name(code: str) -> str:
    try:
        return merchant_rules.region(code).full_name if code else ""
    except DomainError:
        return code  # a division retired since the order was placed


def _buyer_order(member: Member, order_id: int) -> Order | None:
    try:
        return order_selectors.order_for_buyer(member, order_id)
    except NotFound:
        return None


def _back_to(order_id: int) -> HttpResponse:
    return HttpResponseRedirect(reverse("web:buyer_order", args=[order_id]))


def error_links(
    form: forms.Form, anchors: Mapping[str, str] | None = None, top: str = "content"
) -> list[tuple[str, str]]:
    """(link, text) for each error of a bound form, for the summary at the top of its page:
    a field's errors link to the field (or to `anchors[name]` when the field is drawn by hand,
    e.g. a list of radio cards), the form's own errors to `top`."""
    if not form.is_bound:
        return []
    links = [(f"#{top}", str(error)) for error in form.non_field_errors()]
    for field in form:
        anchor = (anchors or {}).get(field.name) or field.id_for_label
        links.extend((f"#{anchor}", f"{field.label}: {error}") for error in field.errors)
    return links

"""How the shop's products and posts spread: an overview of every product, and one product's (or
one post's) report by degree and by day, with its CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.analytics import rules as analytics_rules
from sharemall.analytics import selectors as analytics
from sharemall.catalog import selectors as catalog
from sharemall.core.errors import DomainError, NotFound
from sharemall.web.access import not_found
from sharemall.web.common import _int_param
from sharemall.web.dashboards import count_text, period_links
from sharemall.web.merchant.console import _console, _render, console_page, owner_page
from sharemall.web.propagation import report_context
from sharemall.web.wechat_browser import login_redirect


@never_cache
def merchant_propagation(request: HttpRequest) -> HttpResponse:
    """With ?product_id= or ?post_id=, that product's (or post's) report; without, the overview
    of the shop's products. Operators may open any product's report, as the API lets them."""
    member = caller(request)
    if member is None:
        return login_redirect(request, request.get_full_path())
    product_id = _int_param(request.GET.get("product_id"))
    post_id = _int_param(request.GET.get("post_id"))
    if product_id is None and post_id is None:
        return _overview(request)
    try:
        report = analytics.propagation(member, product_id=product_id, post_id=post_id)
    except DomainError:
        # Another merchant's product looks like no product at all; a bad query likewise.
        return not_found(request)
    context: dict[str, Any] = {
        "product": catalog.product_for_viewer(member, report.product_id),
        **report_context(report, post_id=post_id),
    }
    try:
        console = _console(request, member)
    except NotFound:
        console = None
    product = context["product"]
    if console is not None and product is not None:
        console = next(
            (console.at(request, m.pk) for m in console.merchants if m.pk == product.merchant_id),
            None,
        )
    if console is None:  # an operator: the report on the plain page
        return render(request, "web/propagation_page.html", context)
    return _render(request, console, "web/merchant/propagation.html", context)


@console_page
@owner_page
def _overview(request: HttpRequest, console: Any) -> HttpResponse:
    days = analytics_rules.period_days(request.GET.get("days"))
    rows = analytics.propagation_by_product(console.merchant.pk, days)
    totals = {
        "links": count_text(sum(r.links for r in rows)),
        "clicks": count_text(sum(r.clicks for r in rows)),
        "orders": count_text(sum(r.orders for r in rows)),
        "gmv_fen": sum(r.gmv_fen for r in rows),
    }
    return _render(
        request,
        console,
        "web/merchant/propagation.html",
        {"rows": rows, "totals": totals, "days": days, "periods": period_links(request, days)},
    )

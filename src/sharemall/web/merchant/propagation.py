"""How a product or a post spread, for its merchant."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.analytics import selectors as analytics
from sharemall.catalog import selectors as catalog
from sharemall.core.errors import DomainError
from sharemall.web.charts import grouped_bars
from sharemall.web.common import _int_param


@never_cache
def merchant_propagation(request: HttpRequest) -> HttpResponse:
    """How a product or a post spread, for its merchant: charts by degree and by day, CSV."""
    member = caller(request)
    if member is None:
        return redirect_to_login(request.get_full_path())
    product_id = _int_param(request.GET.get("product_id"))
    post_id = _int_param(request.GET.get("post_id"))
    try:
        report = analytics.propagation(member, product_id=product_id, post_id=post_id)
    except DomainError:
        # Another merchant's product looks like no product at all; a bad query likewise.
        return render(request, "web/not_found.html", status=404)
    query = f"post_id={post_id}" if post_id else f"product_id={report.product_id}"
    return render(
        request,
        "web/propagation.html",
        {
            "report": report,
            "product": catalog.product_for_viewer(member, report.product_id),
            "csv_url": f"/api/v1/analytics/propagation.csv?{query}",
            "by_degree_chart": grouped_bars(
                [(str(row.degree), (row.clicks, row.orders)) for row in report.by_degree]
            ),
            "daily_chart": grouped_bars(
                [(day["date"].strftime("%m-%d"), (day["clicks"],)) for day in report.series],
                label_every=7,
            ),
        },
    )

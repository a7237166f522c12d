"""Propagation across the platform: which products spread through shares, and how far."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.analytics import rules as analytics_rules
from sharemall.analytics import spread
from sharemall.web.access import operator_page
from sharemall.web.charts import MAX_X_LABELS, bar_chart
from sharemall.web.dashboards import count_text, period_links
from sharemall.web.platform.common import _render

CHART_PRODUCTS = MAX_X_LABELS


@operator_page
def propagation(request: HttpRequest, member: Member) -> HttpResponse:
    days = analytics_rules.period_days(request.GET.get("days"))
    report = spread.platform_spread(days)
    labels = [_("Degree %(n)s") % {"n": row.degree} for row in report.by_degree]
    return _render(
        request,
        "web/platform/propagation.html",
        {
            "report": report,
            "days": days,
            "minute_in_hours": 1 / 60,
            "periods": period_links(request, days),
            "degree_plot": bar_chart(
                labels,
                [[r.clicks for r in report.by_degree], [r.orders for r in report.by_degree]],
                fmt=count_text,
            ),
            "product_plot": bar_chart(
                # As many bars as the axis has labels, each named by a few characters: the
                # table below names them all in full.
                [p.title[:4] for p in report.top_products[:CHART_PRODUCTS]],
                [[p.orders for p in report.top_products[:CHART_PRODUCTS]]],
                fmt=count_text,
            ),
        },
    )

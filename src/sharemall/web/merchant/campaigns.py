"""The shop's campaigns: what each coupon, 满减, flash sale, group-buy, bargain and share task
sold, what it cost, and how its orders spread by degree."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from sharemall.analytics import campaigns as analytics
from sharemall.web.campaigns import campaign_rows, degree_labels
from sharemall.web.merchant.console import _render, console_page, owner_page


@console_page
@owner_page
def merchant_campaigns(request: HttpRequest, console: Any) -> HttpResponse:
    stats = analytics.merchant_campaigns(console.merchant.pk)
    return _render(
        request,
        console,
        "web/merchant/campaigns.html",
        {
            "rows": campaign_rows(stats),
            "degree_legend": degree_labels(),
            "totals": {
                "orders": sum(s.orders for s in stats),
                "gmv_fen": sum(s.gmv_fen for s in stats),
                "cost_fen": sum(s.cost_fen for s in stats),
            },
        },
    )

"""商品质量: each of the shop's SKUs as the last training run judged it (returns, complaints,
rating, whether it was demoted and why, what buyers gave as reasons, the weekly trend and what
to do), worst first; before the first training run, judged on the spot (as the API's
GET /merchants/{id}/quality-report). Staff read it as they read after-sales."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sharemall.recommendations import quality_facts
from sharemall.web.matching import quality_rows
from sharemall.web.merchant.console import Console, _render, console_page


@console_page
def merchant_quality(request: HttpRequest, console: Console) -> HttpResponse:
    rows = quality_rows(quality_facts.merchant_report(console.merchant.pk))
    return _render(
        request,
        console,
        "web/merchant/quality.html",
        {
            "rows": rows,
            # Staff cannot edit products: they read the shop's page of one.
            "product_url": "web:merchant_product" if console.is_owner else "web:product",
            "demoted": sum(1 for item in rows if item.row.demoted),
            "computed_at": max((item.row.computed_at for item in rows), default=None),
        },
    )

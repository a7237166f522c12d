"""问题商品: the platform's worst SKUs as the last training run judged them, demoted first, with
their shop, rates and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sharemall.accounts.models import Member
from sharemall.recommendations import quality_facts
from sharemall.web.access import operator_page
from sharemall.web.matching import quality_rows
from sharemall.web.platform.common import _render

WORST_SHOWN = 50


@operator_page
def quality(request: HttpRequest, member: Member) -> HttpResponse:
    rows = quality_rows(quality_facts.worst_report(limit=WORST_SHOWN))
    return _render(
        request,
        "web/platform/quality.html",
        {
            "rows": rows,
            "demoted": sum(1 for item in rows if item.row.demoted),
            "computed_at": max((item.row.computed_at for item in rows), default=None),
            "shown": WORST_SHOWN,
        },
    )

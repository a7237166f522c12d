"""问题商品: the platform's worst SKUs as the last training run judged them, demoted first, with
their shop, rates and why; those with nothing against them are left out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sharemall.accounts.models import Member
from sharemall.recommendations import quality as verdicts
from sharemall.recommendations import quality_facts
from sharemall.web.access import operator_page
from sharemall.web.matching import quality_rows
from sharemall.web.platform.common import _render

WORST_SHOWN = 50


def _troubled(row: quality_facts.ReportRow) -> bool:
    """Demoted, or with something wrong: a problem reason, a return or a complaint."""
    return bool(
        row.demoted
        or row.returns
        or row.complaints
        or verdicts.PROBLEMS.intersection(row.reason_codes)
    )


@operator_page
def quality(request: HttpRequest, member: Member) -> HttpResponse:
    worst = quality_facts.worst_report(limit=WORST_SHOWN)
    # Among the worst there may be SKUs with nothing against them in a young mall: left out.
    rows = quality_rows([row for row in worst if _troubled(row)])
    return _render(
        request,
        "web/platform/quality.html",
        {
            "rows": rows,
            "demoted": sum(1 for item in rows if item.row.demoted),
            "computed_at": max((item.row.computed_at for item in rows), default=None),
            "shown": WORST_SHOWN,
            "clean": len(worst) - len(rows),
        },
    )

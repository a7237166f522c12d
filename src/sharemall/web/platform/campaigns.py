"""The mall's campaigns: the platform's own coupons and share tasks, and every shop's
campaigns summed per kind."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sharemall.accounts.models import Member
from sharemall.analytics import campaigns as analytics
from sharemall.web.access import operator_page
from sharemall.web.campaigns import campaign_rows, degree_labels
from sharemall.web.platform.common import _render


@operator_page
def campaigns(request: HttpRequest, member: Member) -> HttpResponse:
    found = analytics.platform_campaigns()
    return _render(
        request,
        "web/platform/campaigns.html",
        {
            "coupons": campaign_rows(found.coupons),
            "tasks": campaign_rows(found.tasks),
            "by_kind": campaign_rows(found.by_kind),
            "degree_legend": degree_labels(),
        },
    )

"""The distributor's commissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.money import format_yuan
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution.models import CommissionEntry
from sharemall.web.access import member_page
from sharemall.web.distributor.common import PAGE_SIZE
from sharemall.web.humanize import percent


def rate_text(entry: CommissionEntry) -> str:
    """A commission's rate: a percentage of the base, or a fixed amount per unit."""
    if entry.unit == distribution_rules.BP:
        return percent(entry.rate)
    return _("%(amount)s per unit") % {"amount": format_yuan(entry.rate)}


@dataclass(frozen=True)
class CommissionRow:
    entry: CommissionEntry
    rate: str


@member_page
def commissions(request: HttpRequest, member: Member) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in CommissionEntry.Status.values:
        status = ""
    entries = distribution_selectors.commissions_of(member, status=status or None).select_related(
        "order"  # each card names its order by number
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/distributor/commissions.html",
        {
            "page": page,
            "rows": [CommissionRow(entry=e, rate=rate_text(e)) for e in page.object_list],
            "status": status,
            "statuses": CommissionEntry.Status.choices,
            "section": "commissions",
        },
    )

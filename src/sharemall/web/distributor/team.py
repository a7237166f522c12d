"""The distributor's team."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sharemall.accounts.models import Member
from sharemall.distribution import selectors as distribution_selectors
from sharemall.web.access import member_page


@member_page
def team(request: HttpRequest, member: Member) -> HttpResponse:
    found = distribution_selectors.team(member)
    ids = [row["id"] for row in found["direct"]]
    joined = dict(Member.objects.filter(pk__in=ids).values_list("pk", "date_joined"))
    direct = [{**row, "date_joined": joined.get(row["id"])} for row in found["direct"]]
    return render(
        request,
        "web/distributor/team.html",
        {
            "counts": found["counts"],
            "direct": direct,
            "shown_max": distribution_selectors.TEAM_DIRECT_SHOWN,
            "section": "team",
        },
    )

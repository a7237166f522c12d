"""The distributor's overview: enabling distribution and the sub-store link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.accounts import services as accounts
from sharemall.accounts.binding import binding_status
from sharemall.accounts.models import Member
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.web.access import member_page
from sharemall.web.distributor.common import (
    _create_substore_link,
    _earnings,
    _recent_links,
    _redirect,
    _share_addresses,
    _substore_link,
)


@member_page
def overview(request: HttpRequest, member: Member) -> HttpResponse:
    substore_link = _substore_link(member) if member.is_distributor else None
    return render(
        request,
        "web/distributor/overview.html",
        {
            "member": member,
            "substore_link": substore_link,
            "substore": _share_addresses(substore_link.code) if substore_link else None,
            "links": _recent_links(member),
            "wallet": withdrawals.wallet_summary(member.pk),
            "earnings": _earnings(member, timezone.localdate()),
            # Who the member is bound to and until when, linked to the binding page.
            "binding": binding_status(member),
            "section": "overview",
        },
    )


@member_page
@require_POST
def enable(request: HttpRequest, member: Member) -> HttpResponse:
    """POST /me/distributor, then the sub-store link the member will share."""
    was_enabled = member.is_distributor
    accounts.distributor_enable(member)
    if not was_enabled:
        messages.success(request, _("Distribution is on. Your sub-store is open; share it below."))
    if _substore_link(member) is None:
        _create_substore_link(request, member)
    return _redirect("web:distributor_overview")


@member_page
@require_POST
def substore_link(request: HttpRequest, member: Member) -> HttpResponse:
    """A fresh sub-store link: for when the last one was made past a daily cap and earns
    nothing."""
    _create_substore_link(request, member)
    return _redirect("web:distributor_overview")

"""Reviewing merchants: approve, reject, suspend, reinstate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.web.access import not_found, operator_page
from sharemall.web.humanize import percent
from sharemall.web.platform.common import (
    Step,
    _choices_label,
    _decide,
    _found,
    _post_only,
    _render,
)
from sharemall.web.platform.forms import (
    MerchantFeeForm,
    MerchantNoteForm,
    MerchantReasonForm,
)
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    NUMBER,
    Column,
    StatusTabs,
    TableSpec,
    status_column,
)

MERCHANT_FILTERS = (
    merchant_rules.SUBMITTED,
    merchant_rules.APPROVED,
    merchant_rules.REJECTED,
    merchant_rules.SUSPENDED,
    merchant_rules.DRAFT,
)


def _merchant_link(m: Merchant) -> str:
    return reverse("web:platform_merchant", args=[m.pk])


MERCHANTS = TableSpec(
    columns=[
        Column("legal_name", gettext_lazy("Legal name"), sortable=True, link=_merchant_link),
        Column("uscc", gettext_lazy("Licence code")),
        Column("owner.nickname", gettext_lazy("Applicant")),
        Column("owner.phone", gettext_lazy("Mobile number")),
        status_column("status", gettext_lazy("Status"), Merchant.Status.choices),
        Column(
            "platform_fee_bp",
            gettext_lazy("Platform fee"),
            sortable=True,
            kind=NUMBER,
            formatter=percent,
        ),
        Column("created_at", gettext_lazy("Applied"), sortable=True, kind=DATETIME),
    ],
    search=("legal_name", "uscc", "owner__phone", "owner__nickname", "contact_phone"),
    search_label=gettext_lazy("Name, licence code or phone"),
    batch=(EXPORT_SELECTED,),
    default_sort="created_at",
    export_name="merchants",
    empty=gettext_lazy("No merchant is in this state."),
    tabs=StatusTabs.pick(Merchant.Status.choices, MERCHANT_FILTERS, lookup="status"),
    row_id="merchant",
)


@operator_page
def merchants(request: HttpRequest, member: Member) -> HttpResponseBase:
    return MERCHANTS.respond(
        request,
        merchant_selectors.merchant_review_queue(None).select_related("owner"),
        lambda table: _render(request, "web/platform/merchants.html", {"table": table}),
    )


def _merchant(member: Member, merchant_id: int) -> Merchant | None:
    return _found(lambda: merchant_selectors.merchant_for_viewer(member, merchant_id))


@operator_page
def merchant(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    found = _merchant(member, merchant_id)
    if found is None:
        return not_found(request)
    targets = merchant_rules.APPLICATION.transitions.get(found.status, frozenset())
    steps = [
        Step(
            at=e.created_at,
            # A fee change leaves the status as it was: only its note says what changed.
            source=_choices_label(Merchant.Status.choices, e.from_status)
            if e.from_status and e.from_status != e.to_status
            else "",
            target=_choices_label(Merchant.Status.choices, e.to_status),
            who=e.actor.nickname if e.actor else _("the system"),
            note=e.reason,
        )
        for e in merchant_selectors.merchant_events(found)
    ]
    return _render(
        request,
        "web/platform/merchant.html",
        {
            "merchant": found,
            "steps": steps,
            "can_approve": found.status == merchant_rules.SUBMITTED,
            "can_reject": merchant_rules.REJECTED in targets,
            "can_suspend": merchant_rules.SUSPENDED in targets,
            "can_reinstate": found.status == merchant_rules.SUSPENDED,
            "reject_form": MerchantReasonForm(auto_id="reject_%s"),
            "suspend_form": MerchantReasonForm(auto_id="suspend_%s"),
            "reinstate_form": MerchantNoteForm(auto_id="reinstate_%s"),
            "fee_form": MerchantFeeForm(auto_id="fee_%s", initial={"fee": found.platform_fee_bp}),
        },
    )


def _merchant_decision(
    request: HttpRequest,
    member: Member,
    merchant_id: int,
    *,
    form_class: type[forms.Form] | None,
    decide: Callable[[Merchant, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    return _decide(
        request,
        _merchant(member, merchant_id),
        form_class(request.POST) if form_class is not None else None,
        decide,
        done,
        back=reverse("web:platform_merchant", args=[merchant_id]),
    )


@operator_page
@_post_only
def merchant_approve(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=None,
        decide=lambda m, _data: merchant_services.merchant_approve(m, operator=member),
        done=_("The merchant is approved."),
    )


@operator_page
@_post_only
def merchant_reject(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=MerchantReasonForm,
        decide=lambda m, data: merchant_services.merchant_reject(
            m, operator=member, reason=data["reason"]
        ),
        done=_("The application is rejected."),
    )


@operator_page
@_post_only
def merchant_suspend(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=MerchantReasonForm,
        decide=lambda m, data: merchant_services.merchant_suspend(
            m, operator=member, reason=data["reason"]
        ),
        done=_("The merchant is suspended."),
    )


@operator_page
@_post_only
def merchant_reinstate(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=MerchantNoteForm,
        decide=lambda m, data: merchant_services.merchant_reinstate(
            m, operator=member, reason=data["reason"]
        ),
        done=_("The merchant is reinstated."),
    )


@operator_page
@_post_only
def merchant_fee(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    """Set the platform fee on the merchant's future orders, typed in percent."""
    return _decide(
        request,
        _merchant(member, merchant_id),
        MerchantFeeForm(request.POST),
        lambda m, data: merchant_services.merchant_set_fee(m, operator=member, fee_bp=data["fee"]),
        lambda m: _("The platform fee is now %(rate)s.") % {"rate": percent(m.platform_fee_bp)},
        back=reverse("web:platform_merchant", args=[merchant_id]),
    )

"""Commission holds (the fraud queue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution_services
from sharemall.distribution.models import CommissionEntry
from sharemall.web.access import not_found, operator_page
from sharemall.web.actions import run_action, run_batch
from sharemall.web.platform.common import _back, _batch_ids, _form_errors, _page, _post_only
from sharemall.web.platform.forms import (
    CommissionRejectForm,
    CommissionReleaseForm,
)


@dataclass(frozen=True)
class Held:
    entry: CommissionEntry
    reasons: list[str]  # why it is held, in the reader's words


@operator_page
def holds(request: HttpRequest, member: Member) -> HttpResponse:
    queue = distribution_selectors.held_commissions().select_related(
        "order__buyer", "order__merchant"
    )
    page = _page(request, queue)
    return render(
        request,
        "web/platform/holds.html",
        {
            "page": page,
            "rows": [Held(e, distribution_rules.hold_reasons(e.reason)) for e in page],
            "release_form": CommissionReleaseForm(auto_id=False),
            "reject_form": CommissionRejectForm(auto_id=False),
        },
    )


def _hold_decision(
    request: HttpRequest,
    entry_id: int,
    form: forms.Form,
    decide: Callable[[CommissionEntry, str], object],
    done: str,
) -> HttpResponse:
    entry = distribution_selectors.commission_for_operator(entry_id)
    if entry is None:
        return not_found(request)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        run_action(request, lambda: decide(entry, form.cleaned_data["reason"]), done)
    return _back(request, reverse("web:platform_holds"))


@operator_page
@_post_only
def hold_release(request: HttpRequest, member: Member, entry_id: int) -> HttpResponse:
    return _hold_decision(
        request,
        entry_id,
        CommissionReleaseForm(request.POST),
        lambda e, note: distribution_services.hold_release(e, operator=member, note=note),
        _("The commission is released."),
    )


@operator_page
@_post_only
def hold_reject(request: HttpRequest, member: Member, entry_id: int) -> HttpResponse:
    return _hold_decision(
        request,
        entry_id,
        CommissionRejectForm(request.POST),
        lambda e, reason: distribution_services.hold_reject(e, operator=member, reason=reason),
        _("The commission is rejected."),
    )


def _held(entry_id: int) -> CommissionEntry:
    entry = distribution_selectors.commission_for_operator(entry_id)
    if entry is None:
        raise NotFound(_("This commission does not exist."))
    return entry


@operator_page
@_post_only
def holds_release_batch(request: HttpRequest, member: Member) -> HttpResponse:
    """Release every ticked hold with one note, each through the same service as one release."""
    form = CommissionReleaseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, reverse("web:platform_holds"))
    note = form.cleaned_data["reason"]
    run_batch(
        request,
        _batch_ids(request),
        lambda pk: distribution_services.hold_release(_held(pk), operator=member, note=note),
        name=lambda pk: _("Commission %(id)s") % {"id": pk},
        done=lambda n: (
            ngettext("%(n)d commission released.", "%(n)d commissions released.", n) % {"n": n}
        ),
    )
    return _back(request, reverse("web:platform_holds"))

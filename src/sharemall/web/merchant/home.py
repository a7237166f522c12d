"""The console's home: the application, the licence and the dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.catalog import selectors as catalog_selectors
from sharemall.core.errors import NotFound
from sharemall.core.images import read_image_upload
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants import services as merchants
from sharemall.merchants.models import Merchant
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.dashboards import dashboard_context
from sharemall.web.merchant.console import (
    SESSION_MERCHANT,
    Console,
    _back,
    _console,
    _render,
    _trail,
    console_page,
    owner_page,
    todo_counts,
)
from sharemall.web.merchant.forms import (
    ApplicationForm,
    LicenceForm,
)

APPLICATION_ERROR_FIELDS = {
    "invalid_uscc": "uscc",
    "uscc_taken": "uscc",
    "invalid_phone": "contact_phone",
    "invalid_image": "licence",
}


def _application_initial(merchant: Merchant) -> dict[str, str]:
    return {
        "legal_name": merchant.legal_name,
        "uscc": merchant.uscc,
        "legal_rep": merchant.legal_rep,
        "contact_phone": merchant.contact_phone,
    }


def _licence(form: ApplicationForm) -> bytes | None:
    upload = form.cleaned_data.get("licence")
    return read_image_upload(upload) if upload else None


def _apply(request: HttpRequest, member: Member, form: ApplicationForm) -> Merchant | None:
    outcome = run_action(
        request,
        lambda: merchants.merchant_apply_with_licence(
            owner=member,
            legal_name=form.cleaned_data["legal_name"],
            uscc=form.cleaned_data["uscc"],
            legal_rep=form.cleaned_data["legal_rep"],
            contact_phone=form.cleaned_data["contact_phone"],
            licence=_licence(form),
        ),
        form=form,
        error_fields=APPLICATION_ERROR_FIELDS,
    )
    if not outcome:
        return None
    merchant = outcome.value
    request.session[SESSION_MERCHANT] = merchant.pk
    return merchant


@member_page
def merchant_home(request: HttpRequest, member: Member) -> HttpResponse:
    try:
        console = _console(request, member)
    except NotFound:
        return not_found(request)
    if console is None:
        form = ApplicationForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid() and _apply(request, member, form):
            messages.success(
                request, _("Your application was sent. The platform will review it shortly.")
            )
            return _back("merchant_home")
        return _render(request, None, "web/merchant/apply.html", {"form": form})
    if console.merchant.is_approved:
        context = _dashboard(request, console)
        return _render(request, console, "web/merchant/dashboard.html", context)
    return _render(request, console, "web/merchant/certification.html", _home_context(console))


def _dashboard(request: HttpRequest, console: Console) -> dict[str, Any]:
    """To-do counts for everyone at the shop; the business figures for its owner only, as the
    API's analytics are the owner's."""
    merchant = console.merchant
    context: dict[str, Any] = {
        "counts": {
            **todo_counts(merchant),
            "on_sale": catalog_selectors.merchant_products(merchant.pk, status="on_sale").count(),
        }
    }
    if console.is_owner:
        context.update(dashboard_context(request, merchant.pk))
    return context


@console_page
def merchant_certification(request: HttpRequest, console: Console) -> HttpResponse:
    """The shop's certification: its application, licence photo and review history."""
    return _render(request, console, "web/merchant/certification.html", _home_context(console))


def _home_context(console: Console) -> dict[str, Any]:
    merchant = console.merchant
    editable = console.is_owner and merchant.status in merchant_rules.EDITABLE_STATUSES
    can_replace_licence = console.is_owner and merchant.status in (
        *merchant_rules.EDITABLE_STATUSES,
        merchant_rules.SUBMITTED,
    )
    return {
        "merchant": merchant,
        "events": _trail(
            [
                {"from": e.from_status, "to": e.to_status, "note": e.reason, "at": e.created_at}
                for e in merchant_selectors.merchant_events(merchant)
            ],
            dict(Merchant.Status.choices),
        ),
        "application_form": ApplicationForm(initial=_application_initial(merchant))
        if editable
        else None,
        "licence_form": LicenceForm() if can_replace_licence and not editable else None,
    }


@require_POST
@console_page
@owner_page
def merchant_application(request: HttpRequest, console: Console) -> HttpResponse:
    """Correct a draft or rejected application and send it (again) for review."""
    merchant = console.merchant
    form = ApplicationForm(request.POST, request.FILES)
    if form.is_valid():
        outcome = run_action(
            request,
            lambda: merchants.merchant_resubmit(
                merchant,
                actor=console.member,
                licence=_licence(form),
                legal_name=form.cleaned_data["legal_name"],
                uscc=form.cleaned_data["uscc"],
                legal_rep=form.cleaned_data["legal_rep"],
                contact_phone=form.cleaned_data["contact_phone"],
            ),
            _("Your application was sent again for review."),
            form=form,
            error_fields=APPLICATION_ERROR_FIELDS,
        )
        if outcome:
            return _back("merchant_certification")
        merchant.refresh_from_db()  # the rolled-back edit must not show as saved
    context = _home_context(console)
    context["application_form"] = form
    return _render(request, console, "web/merchant/certification.html", context)


@require_POST
@console_page
@owner_page
def merchant_licence(request: HttpRequest, console: Console) -> HttpResponse:
    form = LicenceForm(request.POST, request.FILES)
    if form.is_valid():
        run_action(
            request,
            lambda: merchants.licence_upload(
                console.merchant, read_image_upload(form.cleaned_data["licence"])
            ),
            _("The licence photo was saved."),
        )
    else:
        messages.error(request, _("Choose a photo of the business licence."))
    return _back("merchant_certification")

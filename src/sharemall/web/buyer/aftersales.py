"""The buyer's after-sales requests, each on its own page: asking (which lines, how many, why,
with photos), following one, sending the goods back, withdrawing, going to the platform."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.core.errors import NotFound
from sharemall.core.images import read_image_upload
from sharemall.merchants import selectors as merchant_selectors
from sharemall.orders.models import Order
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer import order_views
from sharemall.web.buyer.common import _buyer_order, error_links
from sharemall.web.buyer.forms import (
    AfterSaleForm,
    EscalateForm,
    ReturnForm,
)
from sharemall.web.buyer.orders import can_request_aftersale, line_views

AFTERSALE_ERROR_FIELDS = {
    "invalid_image": "photos",
    "invalid_input": "reason",
    "invalid_reason_code": "reason_code",
}
ESCALATE_ERROR_FIELDS = {"invalid_image": "photos", "invalid_input": "statement"}


def _aftersale_url(aftersale_id: int) -> str:
    return reverse("web:buyer_aftersale", args=[aftersale_id])


def _claimed_lines(request: HttpRequest, order: Order) -> list[tuple[int, int]] | None:
    """(line id, quantity) for every line given a quantity; None when one is not a number."""
    claimed = []
    for line in order.lines.all():
        raw = request.POST.get(f"quantity-{line.pk}", "").strip() or "0"
        try:
            quantity = int(raw)
        except ValueError:
            return None
        if quantity:
            claimed.append((line.pk, quantity))
    return claimed


def _request_page(
    request: HttpRequest, member: Member, order: Order, form: AfterSaleForm
) -> HttpResponse:
    lines = line_views(member, order)
    if not can_request_aftersale(order, lines):
        messages.info(request, _("This order cannot take an after-sales request now."))
        return HttpResponseRedirect(reverse("web:buyer_order", args=[order.pk]))
    refundable = [view for view in lines if view.refundable > 0]
    # What the shopper typed comes back after an error; one line alone starts at all of it.
    whole = len(refundable) == 1 and not form.is_bound
    claims = [
        (
            view,
            request.POST.get(f"quantity-{view.line.pk}", "0")[:4]
            if form.is_bound
            else str(view.refundable if whole else 0),
        )
        for view in refundable
    ]
    return render(
        request,
        "web/buyer/aftersale_new.html",
        {
            "order": order,
            "shop": merchant_selectors.shops([order.merchant_id]).get(order.merchant_id),
            "claims": claims,
            "can_return": order.status in aftersale_rules.RETURN_ORDER_STATUSES,
            "form": form,
            "errors": error_links(
                form, {"type": "aftersale-type", "photos": "upload-photos"}, top="claim-lines"
            ),
            "max_photos": aftersale_rules.MAX_PHOTOS,
        },
    )


@member_page
def aftersale_new(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    return _request_page(request, member, order, AfterSaleForm(initial={"type": "refund"}))


@require_POST
@member_page
def aftersale_request(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    form = AfterSaleForm(request.POST, request.FILES)
    claimed = _claimed_lines(request, order)
    if claimed is None:
        form.add_error(None, _("A quantity is a whole number."))
    if form.is_valid() and claimed is not None:
        outcome = run_action(
            request,
            lambda: aftersales.aftersale_request(
                buyer=member,
                order=order,
                kind=form.cleaned_data["type"],
                lines=claimed,
                reason=form.cleaned_data["reason"],
                reason_code=form.cleaned_data["reason_code"],
                photos=[read_image_upload(upload) for upload in form.cleaned_data["photos"]],
            ),
            _("Your request was sent to the merchant."),
            form=form,
            error_fields=AFTERSALE_ERROR_FIELDS,
        )
        if outcome:
            return HttpResponseRedirect(_aftersale_url(outcome.value.pk))
    return _request_page(request, member, order, form)


def _buyer_aftersale(member: Member, aftersale_id: int) -> AfterSale | None:
    try:
        return aftersale_selectors.aftersale_for_buyer(member, aftersale_id)
    except NotFound:
        return None


@member_page
def aftersale_page(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    return _aftersale_page(request, aftersale, EscalateForm())


def _aftersale_page(
    request: HttpRequest, aftersale: AfterSale, escalate_form: EscalateForm
) -> HttpResponse:
    card = order_views.aftersale_cards([aftersale])[0]
    status = aftersale.status
    return render(
        request,
        "web/buyer/aftersale.html",
        {
            "aftersale": aftersale,
            "card": card,
            "reason_label": str(aftersale_rules.REASON_CODES.get(aftersale.reason_code, "")),
            "timeline": [
                (str(order_views.AFTERSALE_STATUS_LABELS.get(e.to_status, e.to_status)), e)
                for e in sorted(aftersale.events.all(), key=lambda e: (e.created_at, e.pk))[::-1]
            ],
            "shows_return_address": aftersale_rules.shows_return_address(aftersale.kind, status),
            "return_address": aftersale_selectors.return_address_of(aftersale),
            "can_cancel": status in (aftersale_rules.REQUESTED, aftersale_rules.AWAITING_RETURN),
            "can_return": status == aftersale_rules.AWAITING_RETURN,
            "can_escalate": status in (aftersale_rules.REJECTED, aftersale_rules.RETURN_SHIPPED),
            "return_form": ReturnForm(),
            "escalate_form": escalate_form,
            "escalate_errors": error_links(
                escalate_form,
                {"statement": f"statement-{aftersale.pk}", "photos": "upload-photos"},
            ),
            "max_photos": aftersale_rules.MAX_PHOTOS,
            "dispute": getattr(aftersale, "dispute", None),
        },
    )


@require_POST
@member_page
def aftersale_cancel(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    run_action(
        request,
        lambda: aftersales.aftersale_cancel(aftersale, actor=member),
        _("Your request was withdrawn."),
    )
    return HttpResponseRedirect(_aftersale_url(aftersale.pk))


@require_POST
@member_page
def aftersale_return(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the tracking number of the parcel you sent back."))
        return HttpResponseRedirect(_aftersale_url(aftersale.pk))
    run_action(
        request,
        lambda: aftersales.aftersale_return_shipped(
            aftersale,
            actor=member,
            carrier=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
        ),
        _("Thank you. The merchant refunds once the goods arrive."),
    )
    return HttpResponseRedirect(_aftersale_url(aftersale.pk))


@require_POST
@member_page
def aftersale_escalate(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    form = EscalateForm(request.POST, request.FILES)
    if not form.is_valid():
        if "statement" in form.errors:
            messages.error(request, _("Tell the platform what went wrong."))
        return _aftersale_page(request, aftersale, form)
    outcome = run_action(
        request,
        lambda: aftersales.aftersale_escalate(
            aftersale,
            actor=member,
            statement=form.cleaned_data["statement"],
            photos=[read_image_upload(upload) for upload in form.cleaned_data["photos"]],
        ),
        _("The platform will look into it and rule."),
        form=form,
        error_fields=ESCALATE_ERROR_FIELDS,
    )
    if outcome:
        return HttpResponseRedirect(_aftersale_url(aftersale.pk))
    return _aftersale_page(request, _buyer_aftersale(member, aftersale.pk) or aftersale, form)

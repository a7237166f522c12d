"""The buyer's after-sales requests: asking, cancelling, returning, escalating."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.core.errors import NotFound
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer.common import _back_to, _buyer_order
from sharemall.web.buyer.forms import (
    AfterSaleForm,
    EscalateForm,
    ReturnForm,
)
from sharemall.web.buyer.orders import _claimed_lines, _order_page


@require_POST
@member_page
def aftersale_request(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    form = AfterSaleForm(request.POST)
    claimed = _claimed_lines(request, order)
    if claimed is None:
        form.add_error(None, _("A quantity is a whole number."))
    if (
        form.is_valid()
        and claimed is not None
        and run_action(
            request,
            lambda: aftersales.aftersale_request(
                buyer=member,
                order=order,
                kind=form.cleaned_data["type"],
                lines=claimed,
                reason=form.cleaned_data["reason"],
            ),
            _("Your request was sent to the merchant."),
            form=form,
        )
    ):
        return _back_to(order.pk)
    return _order_page(request, member, order, aftersale_form=form)


def _buyer_aftersale(member: Member, aftersale_id: int) -> AfterSale | None:
    try:
        return aftersale_selectors.aftersale_for_buyer(member, aftersale_id)
    except NotFound:
        return None


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
    return _back_to(aftersale.order_id)


@require_POST
@member_page
def aftersale_return(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the tracking number of the parcel you sent back."))
        return _back_to(aftersale.order_id)
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
    return _back_to(aftersale.order_id)


@require_POST
@member_page
def aftersale_escalate(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell the platform what went wrong."))
        return _back_to(aftersale.order_id)
    run_action(
        request,
        lambda: aftersales.aftersale_escalate(
            aftersale, actor=member, statement=form.cleaned_data["statement"]
        ),
        _("The platform will look into it and rule."),
    )
    return _back_to(aftersale.order_id)

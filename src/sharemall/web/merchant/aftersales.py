"""After-sales requests the merchant decides."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import (
    AFTERSALE_STATUS_LABELS,
    Console,
    _back,
    _render,
    console_page,
    order_trail,
    status_trail,
)
from sharemall.web.merchant.forms import ApproveForm, RejectForm
from sharemall.web.merchant.lists import AFTERSALES


@console_page
def merchant_aftersales(request: HttpRequest, console: Console) -> HttpResponse:
    found = aftersale_selectors.aftersales_of_merchant(console.merchant.pk).select_related(
        "order__buyer"
    )
    # Opens on what waits; choosing "All" sends an empty status and shows everything.
    table = AFTERSALES.bind(request, found, defaults={"status": aftersale_rules.OPEN_FILTER})
    if table.wants_csv:
        return table.csv_response()
    return _render(request, console, "web/merchant/aftersales.html", {"table": table})


def _own_aftersale(
    request: HttpRequest, console: Console, aftersale_id: int, *, to_decide: bool = False
) -> tuple[Console, AfterSale]:
    """The request at the merchant the member works for; `to_decide`: only its owner's."""
    find = (
        aftersale_selectors.aftersale_to_decide
        if to_decide
        else aftersale_selectors.aftersale_for_merchant
    )
    aftersale = find(console.member, aftersale_id)
    return console.at(request, aftersale.order.merchant_id), aftersale


def _aftersale_page(
    request: HttpRequest,
    console: Console,
    aftersale: AfterSale,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    context = {
        "aftersale": aftersale,
        "label": AFTERSALE_STATUS_LABELS.get(aftersale.status, aftersale.status),
        # The reason the buyer chose from the list (older requests have none).
        "reason_label": str(aftersale_rules.REASON_CODES.get(aftersale.reason_code, "")),
        "lines": aftersale.lines.select_related("order_line").order_by("pk"),
        "request_events": status_trail(
            aftersale.events.all(), AFTERSALE_STATUS_LABELS, aftersale_rules.note_text
        ),
        "order_events": order_trail(aftersale.order),
        "note_form": ApproveForm(),
        "shipping_offer_fen": aftersale_selectors.shipping_offer_fen(aftersale),
        "reject_form": reject_form or RejectForm(),
        "can_answer": console.is_owner and aftersale.status == aftersale_rules.REQUESTED,
        "can_confirm_return": aftersale.status == aftersale_rules.RETURN_SHIPPED,
        "is_return": aftersale.kind == aftersale_rules.RETURN_REFUND,
        "return_to": aftersale_selectors.return_address_of_order(aftersale.order),
        "dispute": getattr(aftersale, "dispute", None),
    }
    return _render(request, console, "web/merchant/aftersale.html", context)


@console_page
def merchant_aftersale(request: HttpRequest, console: Console, aftersale_id: int) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id)
    return _aftersale_page(request, console, aftersale)


@require_POST
@console_page
def merchant_aftersale_approve(
    request: HttpRequest, console: Console, aftersale_id: int
) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id, to_decide=True)
    form = ApproveForm(request.POST)
    valid = form.is_valid()
    note = form.cleaned_data["note"] if valid else ""
    refund_shipping = bool(valid and form.cleaned_data["refund_shipping"])
    outcome = run_action(
        request,
        lambda: aftersales.aftersale_approve(
            aftersale, actor=console.member, note=note, refund_shipping=refund_shipping
        ),
    )
    if outcome:
        done = outcome.value
        if done.status == aftersale_rules.AWAITING_RETURN:
            messages.success(request, _("Approved. The buyer will send the goods back."))
        else:
            messages.success(request, _("Approved. The refund is on its way to the buyer."))
    return _back("merchant_aftersale", aftersale.pk)


@require_POST
@console_page
def merchant_aftersale_reject(
    request: HttpRequest, console: Console, aftersale_id: int
) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id, to_decide=True)
    form = RejectForm(request.POST)
    if form.is_valid() and run_action(
        request,
        lambda: aftersales.aftersale_reject(
            aftersale, actor=console.member, reason=form.cleaned_data["reason"]
        ),
        _("The request was rejected. The buyer may ask the platform."),
        form=form,
        field="reason",
    ):
        return _back("merchant_aftersale", aftersale.pk)
    return _aftersale_page(request, console, aftersale, reject_form=form)


@require_POST
@console_page
def merchant_aftersale_confirm_return(
    request: HttpRequest, console: Console, aftersale_id: int
) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id)
    run_action(
        request,
        lambda: aftersales.aftersale_confirm_return(aftersale, actor=console.member),
        _("Return received. The refund is on its way to the buyer."),
    )
    return _back("merchant_aftersale", aftersale.pk)

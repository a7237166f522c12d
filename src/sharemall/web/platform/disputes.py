"""Disputes the platform rules on."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersale_services
from sharemall.aftersales.models import Dispute
from sharemall.merchants.models import Merchant
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order
from sharemall.payments import rules as payment_rules
from sharemall.payments.models import Refund
from sharemall.web.access import not_found, operator_page
from sharemall.web.platform.common import (
    _choices_label,
    _decide,
    _found,
    _names,
    _post_only,
    _render,
    _steps,
    _who,
)
from sharemall.web.platform.forms import RulingForm
from sharemall.web.tables import DATETIME, EXPORT_SELECTED, MONEY, NUMBER, Column, TableSpec

AFTERSALE_STATUSES = aftersale_rules.STATUS_LABELS


def _dispute_link(d: Dispute) -> str:
    return reverse("web:platform_dispute", args=[d.pk])


DISPUTES = TableSpec(
    columns=[
        Column("id", gettext_lazy("Dispute"), sortable=True, kind=NUMBER, link=_dispute_link),
        Column("aftersale.order.merchant.legal_name", gettext_lazy("Merchant")),
        Column("aftersale.buyer.nickname", gettext_lazy("Buyer")),
        Column("aftersale.order.order_no", gettext_lazy("Order number")),
        Column(
            "aftersale.kind",
            gettext_lazy("Request"),
            value=lambda d: d.aftersale.get_kind_display(),
        ),
        Column(
            "aftersale.refund_fen",
            gettext_lazy("Refund asked"),
            sortable=True,
            kind=MONEY,
            sort_field="aftersale__refund_fen",
        ),
        Column(
            "statement",
            gettext_lazy("The buyer's statement"),
            formatter=lambda s: Truncator(s).chars(80),
        ),
        Column("opened_at", gettext_lazy("Opened"), sortable=True, kind=DATETIME),
    ],
    default_sort="opened_at",
    search=(
        "aftersale__order__merchant__legal_name",
        "aftersale__buyer__phone",
        "aftersale__buyer__nickname",
        "statement",
        "aftersale__order__order_no",
    ),
    search_label=gettext_lazy("Merchant, buyer, order number or words"),
    batch=(EXPORT_SELECTED,),
    export_name="disputes",
    empty=gettext_lazy("No dispute is waiting for a ruling."),
    row_link=_dispute_link,
    row_id="dispute",
)


@operator_page
def disputes(request: HttpRequest, member: Member) -> HttpResponseBase:
    return DISPUTES.respond(
        request,
        aftersale_selectors.disputes_open().select_related(
            "aftersale__order__merchant", "aftersale__buyer"
        ),
        lambda table: _render(request, "web/platform/disputes.html", {"table": table}),
    )


def _dispute(dispute_id: int) -> Dispute | None:
    return _found(lambda: aftersale_selectors.dispute_for_operator(dispute_id))


@operator_page
def dispute(request: HttpRequest, member: Member, dispute_id: int) -> HttpResponse:
    found = _dispute(dispute_id)
    if found is None:
        return not_found(request)
    trail = aftersale_selectors.responsibility_trail(found.aftersale)
    merchant_events = trail["merchant"]["certification"]
    order_events = trail["order"]["events"]
    aftersale_events = trail["aftersale"]["events"]
    names = _names(
        [e["actor_id"] for e in (*merchant_events, *order_events, *aftersale_events)]
        + [trail["payment"]["payer_id"], found.ruled_by_id]
    )
    return _render(
        request,
        "web/platform/dispute.html",
        {
            "dispute": found,
            "aftersale": found.aftersale,
            "trail": trail,
            "payer": _who(names, trail["payment"]["payer_id"]),
            "ruled_by": _who(names, found.ruled_by_id) if found.ruled_by_id else "",
            "merchant_status": _choices_label(Merchant.Status.choices, trail["merchant"]["status"]),
            "order_status": _choices_label(Order.Status.choices, trail["order"]["status"]),
            "aftersale_status": _choices_label(
                AFTERSALE_STATUSES.items(), trail["aftersale"]["status"]
            ),
            "merchant_steps": _steps(merchant_events, Merchant.Status.choices, names),
            "order_steps": _steps(order_events, Order.Status.choices, names, order_rules.note_text),
            "aftersale_steps": _steps(
                aftersale_events, AFTERSALE_STATUSES.items(), names, aftersale_rules.note_text
            ),
            "provider": payment_rules.provider_label(trail["payment"]["provider"]),
            "refunds": [
                {**r, "status_label": _choices_label(Refund.Status.choices, r["status"])}
                for r in trail["payment"]["refunds"]
            ],
            "attribution": aftersale_selectors.order_attribution(found.aftersale.order),
            "form": RulingForm(),
        },
    )


@operator_page
@_post_only
def dispute_rule(request: HttpRequest, member: Member, dispute_id: int) -> HttpResponse:
    return _decide(
        request,
        _dispute(dispute_id),
        RulingForm(request.POST),
        lambda found, data: aftersale_services.dispute_rule(
            found, operator=member, ruling=data["ruling"], note=data["note"]
        ),
        _("The ruling is recorded."),
        back=reverse("web:platform_dispute", args=[dispute_id]),
    )

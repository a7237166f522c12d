"""Commission holds (the fraud queue)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution_services
from sharemall.distribution.models import CommissionEntry
from sharemall.web.access import operator_page
from sharemall.web.actions import run_form_batch
from sharemall.web.platform.common import _back, _decide, _post_only, _render
from sharemall.web.platform.forms import (
    CommissionRejectForm,
    CommissionReleaseForm,
)
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    MONEY,
    BatchAction,
    Column,
    TableSpec,
    selected_ids,
)


def _level(entry: CommissionEntry) -> str:
    if entry.kind == CommissionEntry.Kind.REGION_AGENT:
        return _("Regional agent")
    return _("Level %(level)s") % {"level": entry.level}


# Device ids are long random strings; the page shows enough of one to tell two apart, the
# spreadsheet export all of it.
_DEVICE_SHOWN = 14
# A member's devices, most recent first, shown on the page.
_DEVICES_SHOWN = 3


def _device(device_id: str, *, whole: bool = False) -> str:
    if not device_id:
        return "—"
    if whole or len(device_id) <= _DEVICE_SHOWN:
        return device_id
    return device_id[:_DEVICE_SHOWN] + "…"


def _devices(member: Member, *, whole: bool = False) -> str:
    # Prefetched with the queue (`devices`), so sorting here costs no query.
    seen = sorted(member.devices.all(), key=lambda d: d.last_seen, reverse=True)
    shown = seen if whole else seen[:_DEVICES_SHOWN]
    text = "、".join(_device(d.device_id, whole=whole) for d in shown) or "—"
    if len(seen) > len(shown):
        text += " " + _("(%(n)d in all)") % {"n": len(seen)}
    return text


def _signals(entry: CommissionEntry, *, whole: bool = False) -> str:
    """The facts the fraud signals weigh, for the operator deciding: where the order was placed
    from, and where the earner and the buyer signed up and have been seen."""
    order, earner, buyer = entry.order, entry.beneficiary, entry.order.buyer
    return "\n".join(
        [
            _("Order: device %(device)s, IP %(ip)s")
            % {"device": _device(order.device_id, whole=whole), "ip": order.client_ip or "—"},
            _("Earner signed up: device %(device)s, IP %(ip)s")
            % {"device": _device(earner.signup_device, whole=whole), "ip": earner.signup_ip or "—"},
            _("Earner's devices: %(devices)s") % {"devices": _devices(earner, whole=whole)},
            _("Buyer signed up: device %(device)s, IP %(ip)s")
            % {"device": _device(buyer.signup_device, whole=whole), "ip": buyer.signup_ip or "—"},
            _("Buyer's devices: %(devices)s") % {"devices": _devices(buyer, whole=whole)},
        ]
    )


HOLDS = TableSpec(
    columns=[
        Column("amount_fen", gettext_lazy("Commission"), sortable=True, kind=MONEY),
        Column("beneficiary.nickname", gettext_lazy("Earner")),
        Column("beneficiary.phone", gettext_lazy("Earner's phone")),
        Column("level", gettext_lazy("Level"), value=_level),
        Column(
            "reason",
            gettext_lazy("Why it is held"),
            formatter=lambda r: "\n".join(distribution_rules.hold_reasons(r)),
        ),
        Column(
            "signals",
            gettext_lazy("Devices and addresses"),
            value=_signals,
            kind="signals",
            in_csv=False,
        ),
        Column(
            "signals_whole",
            gettext_lazy("Devices and addresses"),
            value=lambda e: _signals(e, whole=True),
            in_page=False,
        ),
        Column("order.buyer.nickname", gettext_lazy("Buyer")),
        Column("order.order_no", gettext_lazy("Order number")),
        Column("order.merchant.legal_name", gettext_lazy("Merchant")),
        Column("base_fen", gettext_lazy("Base"), kind=MONEY, in_page=False),
        Column("created_at", gettext_lazy("Held since"), sortable=True, kind=DATETIME),
    ],
    default_sort="created_at",
    search=(
        "beneficiary__phone",
        "beneficiary__nickname",
        "order__buyer__phone",
        "order__merchant__legal_name",
        "order__order_no",
    ),
    search_label=gettext_lazy("Earner, buyer, merchant or order number"),
    batch=(
        BatchAction(
            "release",
            gettext_lazy("Release the selected"),
            url="web:platform_holds_release",
            confirm=gettext_lazy("Release every selected commission? Each is paid as usual."),
            primary=True,
        ),
        EXPORT_SELECTED,
    ),
    export_name="fraud-holds",
    empty=gettext_lazy("No commission is held for review."),
    row_actions="web/platform/holds.html#actions",
    actions_label=gettext_lazy("Decision"),
    row_id="entry",
    batch_fields="web/platform/holds.html#batch_fields",
)


@operator_page
def holds(request: HttpRequest, member: Member) -> HttpResponseBase:
    return HOLDS.respond(
        request,
        distribution_selectors.held_commissions()
        .select_related("order__buyer", "order__merchant")
        .prefetch_related("beneficiary__devices", "order__buyer__devices"),
        lambda table: _render(
            request,
            "web/platform/holds.html",
            {
                "table": table,
                "release_form": CommissionReleaseForm(auto_id=False),
                "reject_form": CommissionRejectForm(auto_id=False),
            },
        ),
    )


QUEUE = "web:platform_holds"


@operator_page
@_post_only
def hold_release(request: HttpRequest, member: Member, entry_id: int) -> HttpResponse:
    return _decide(
        request,
        distribution_selectors.commission_for_operator(entry_id),
        CommissionReleaseForm(request.POST),
        lambda e, data: distribution_services.hold_release(e, operator=member, note=data["reason"]),
        _("The commission is released."),
        back=reverse(QUEUE),
    )


@operator_page
@_post_only
def hold_reject(request: HttpRequest, member: Member, entry_id: int) -> HttpResponse:
    return _decide(
        request,
        distribution_selectors.commission_for_operator(entry_id),
        CommissionRejectForm(request.POST),
        lambda e, data: distribution_services.hold_reject(
            e, operator=member, reason=data["reason"]
        ),
        _("The commission is rejected."),
        back=reverse(QUEUE),
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
    run_form_batch(
        request,
        CommissionReleaseForm(request.POST),
        selected_ids(request),
        lambda pk, data: distribution_services.hold_release(
            _held(pk), operator=member, note=data["reason"]
        ),
        name=lambda pk: _("Commission %(id)s") % {"id": pk},
        done=lambda n: (
            ngettext("%(n)d commission released.", "%(n)d commissions released.", n) % {"n": n}
        ),
    )
    return _back(request, reverse(QUEUE))

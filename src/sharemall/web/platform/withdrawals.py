"""The withdrawal queue: members' own withdrawals and merchants', decided alike."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sharemall.accounts.models import Member
from sharemall.merchants.models import Merchant
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.web.access import operator_page
from sharemall.web.actions import run_form_batch
from sharemall.web.platform.common import (
    _back,
    _choices_label,
    _decide,
    _found,
    _post_only,
    _render,
)
from sharemall.web.platform.forms import (
    ReferenceForm,
    WithdrawalReasonForm,
)
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    MONEY,
    NUMBER,
    BatchAction,
    ChoiceFilter,
    Column,
    DateRangeFilter,
    StatusTabs,
    TableSpec,
    selected_ids,
    status_column,
)

WITHDRAWAL_FILTERS = (
    wallet_rules.WITHDRAWAL_REQUESTED,
    wallet_rules.WITHDRAWAL_APPROVED,
    wallet_rules.WITHDRAWAL_FAILED,
    wallet_rules.WITHDRAWAL_PAID,
    wallet_rules.WITHDRAWAL_REJECTED,
)


HOLDERS = (
    (wallet_rules.HOLDER_MEMBER, gettext_lazy("Member")),
    (wallet_rules.HOLDER_MERCHANT, gettext_lazy("Merchant")),
)


def _holder(withdrawal: Withdrawal) -> str:
    kind = _choices_label(HOLDERS, withdrawal.holder.kind)
    if withdrawal.merchant_id is None:
        return kind
    name = getattr(withdrawal, "merchant_name", None) or withdrawal.merchant_id
    return f"{kind}\n{name}"


def _of_holder(queryset: QuerySet[Withdrawal], kind: str) -> QuerySet[Withdrawal]:
    return queryset.filter(merchant_id__isnull=kind != wallet_rules.HOLDER_MERCHANT)


WITHDRAWALS = TableSpec(
    columns=[
        Column("id", gettext_lazy("Number"), sortable=True, kind=NUMBER),
        # Whose money: a member's own, or a merchant's (then the member is the owner who asked).
        Column("holder", gettext_lazy("Whose money"), value=_holder, in_csv=False),
        Column(
            "member",
            gettext_lazy("Member"),
            value=lambda w: f"{w.member.nickname}\n{w.member.phone}",
            in_csv=False,
        ),
        Column("member.nickname", gettext_lazy("Member"), in_page=False),
        Column("member.phone", gettext_lazy("Mobile number"), in_page=False),
        Column("amount_fen", gettext_lazy("Amount"), sortable=True, kind=MONEY),
        Column("fee_fen", gettext_lazy("Fee"), kind=MONEY),
        Column("payout_fen", gettext_lazy("To pay"), kind=MONEY),
        Column(
            "channel",
            gettext_lazy("Channel"),
            formatter=lambda c: _choices_label(Withdrawal.Channel.choices, c),
        ),
        Column("payee", gettext_lazy("Payee account")),
        Column("payee_name", gettext_lazy("Payee name"), in_page=False),
        status_column("status", gettext_lazy("Status"), Withdrawal.Status.choices),
        Column("requested_at", gettext_lazy("Requested"), sortable=True, kind=DATETIME),
        Column("out_bill_no", gettext_lazy("Bill number"), in_page=False),
        Column("provider_transfer_id", gettext_lazy("Transfer reference"), in_page=False),
        Column("reason", gettext_lazy("Reason"), in_page=False),
        Column(
            "holder_kind",
            gettext_lazy("Whose money"),
            value=lambda w: _choices_label(HOLDERS, w.holder.kind),
            in_page=False,
        ),
        Column("merchant_name", gettext_lazy("Merchant"), in_page=False),
    ],
    default_sort="requested_at",
    filters=(
        ChoiceFilter("holder", gettext_lazy("Whose money"), HOLDERS, apply=_of_holder),
        ChoiceFilter("channel", gettext_lazy("Channel"), Withdrawal.Channel.choices),
        DateRangeFilter("requested", gettext_lazy("Requested"), "requested_at"),
    ),
    search=("member__phone", "member__nickname", "out_bill_no", "payee_name", "merchant_name"),
    search_label=gettext_lazy("Member, merchant, phone or bill number"),
    batch=(
        BatchAction(
            "approve",
            gettext_lazy("Approve and pay the selected"),
            url="web:platform_withdrawals_approve",
            confirm=gettext_lazy(
                "Approve and pay every selected withdrawal? The money leaves at once."
            ),
            primary=True,
        ),
        EXPORT_SELECTED,
    ),
    export_name="withdrawals",
    empty=gettext_lazy("No withdrawal is in this state."),
    tabs=StatusTabs.pick(Withdrawal.Status.choices, WITHDRAWAL_FILTERS, lookup="status"),
    row_actions="web/platform/withdrawals.html#actions",
    actions_label=gettext_lazy("Decision"),
    row_id="withdrawal",
)


@operator_page
def withdrawal_queue(request: HttpRequest, member: Member) -> HttpResponseBase:
    return WITHDRAWALS.respond(
        request,
        wallet_selectors.withdrawal_queue()
        .select_related("member")
        .annotate(
            # The merchant's legal name: who the money is paid to (a plain id on the withdrawal).
            merchant_name=Subquery(
                Merchant.objects.filter(pk=OuterRef("merchant_id")).values("legal_name")[:1]
            )
        ),
        lambda table: _render(
            request,
            "web/platform/withdrawals.html",
            {
                "table": table,
                "bank": wallet_rules.CHANNEL_BANK,
                "reason_form": WithdrawalReasonForm(auto_id=False),
                "reference_form": ReferenceForm(auto_id=False),
            },
        ),
        # Only requested withdrawals of others can be approved in a batch.
        selectable=lambda w: (
            w.status == wallet_rules.WITHDRAWAL_REQUESTED and w.member_id != member.pk
        ),
    )


def _withdrawal(withdrawal_id: int) -> Withdrawal | None:
    return _found(lambda: wallet_selectors.withdrawal_by_id(withdrawal_id))


def _now_is(after: Withdrawal) -> str:
    return _("Withdrawal %(id)s is now %(status)s.") % {
        "id": after.pk,
        "status": after.get_status_display(),
    }


QUEUE = "web:platform_withdrawals"


@operator_page
@_post_only
def withdrawal_approve(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _decide(
        request,
        _withdrawal(withdrawal_id),
        None,
        lambda w, _data: withdrawals.withdrawal_approve(w, operator=member),
        _now_is,
        back=reverse(QUEUE),
    )


@operator_page
@_post_only
def withdrawal_reject(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _decide(
        request,
        _withdrawal(withdrawal_id),
        WithdrawalReasonForm(request.POST),
        lambda w, data: withdrawals.withdrawal_reject(w, operator=member, reason=data["reason"]),
        _now_is,
        back=reverse(QUEUE),
    )


@operator_page
@_post_only
def withdrawal_mark_paid(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _decide(
        request,
        _withdrawal(withdrawal_id),
        ReferenceForm(request.POST),
        lambda w, data: withdrawals.withdrawal_mark_paid(
            w, operator=member, reference=data["reference"]
        ),
        _now_is,
        back=reverse(QUEUE),
    )


@operator_page
@_post_only
def withdrawal_mark_failed(
    request: HttpRequest, member: Member, withdrawal_id: int
) -> HttpResponse:
    return _decide(
        request,
        _withdrawal(withdrawal_id),
        WithdrawalReasonForm(request.POST),
        lambda w, data: withdrawals.withdrawal_mark_failed(
            w, operator=member, reason=data["reason"]
        ),
        _now_is,
        back=reverse(QUEUE),
    )


@operator_page
@_post_only
def withdrawal_retry(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _decide(
        request,
        _withdrawal(withdrawal_id),
        None,
        lambda w, _data: withdrawals.withdrawal_retry(w, operator=member),
        _now_is,
        back=reverse(QUEUE),
    )


@operator_page
@_post_only
def withdrawals_approve_batch(request: HttpRequest, member: Member) -> HttpResponse:
    """Approve and pay every ticked withdrawal, one by one through the same service as one
    approval: a refused one (already decided, the operator's own, over the day's cap) is
    reported and the others go on."""
    run_form_batch(
        request,
        None,
        selected_ids(request),
        lambda pk, _data: withdrawals.withdrawal_approve(
            wallet_selectors.withdrawal_by_id(pk), operator=member
        ),
        name=lambda pk: _("Withdrawal %(id)s") % {"id": pk},
        done=lambda n: (
            ngettext("%(n)d withdrawal approved.", "%(n)d withdrawals approved.", n) % {"n": n}
        ),
    )
    return _back(request, reverse(QUEUE))

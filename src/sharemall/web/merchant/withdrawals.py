"""The shop's money: what it may withdraw, withdrawing it, and its withdrawals so far.

The owner only, as in the API (`POST /merchants/{id}/withdrawals`); the request goes through the
same service, so the page holds the money at once and refuses what the API refuses.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.core.money import format_yuan
from sharemall.settlement import selectors as settlement_selectors
from sharemall.settlement import services_withdrawals as settlement
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.merchant.forms import WithdrawForm
from sharemall.web.tables import (
    DATETIME,
    MONEY,
    NUMBER,
    ChoiceFilter,
    Column,
    TableSpec,
    labelled,
    status_column,
)

# Which field of the form a refusal of the service belongs to, by its code.
ERROR_FIELDS = {
    "invalid_amount": "amount",
    "below_minimum": "amount",
    "daily_cap_exceeded": "amount",
    "insufficient_balance": "amount",
    "invalid_channel": "channel",
    "invalid_payee": "payee",
    "wechat_not_linked": "channel",
}

WITHDRAWALS = TableSpec(
    columns=(
        Column("id", gettext_lazy("Number"), kind=NUMBER),
        Column("requested_at", gettext_lazy("Requested"), sortable=True, kind=DATETIME),
        Column("amount_fen", gettext_lazy("Amount"), sortable=True, kind=MONEY),
        Column("fee_fen", gettext_lazy("Fee"), kind=MONEY),
        Column("payout_fen", gettext_lazy("To pay"), kind=MONEY),
        Column("channel", gettext_lazy("Channel"), formatter=labelled(Withdrawal.Channel.choices)),
        Column(
            "payee",
            gettext_lazy("Payee account"),
            value=lambda w: wallet_rules.mask_payee(w.channel, w.payee),
        ),
        status_column("status", gettext_lazy("Status"), Withdrawal.Status.choices),
        Column("reason", gettext_lazy("Reason")),
        Column("paid_at", gettext_lazy("Paid"), kind=DATETIME, in_page=False),
    ),
    default_sort="-requested_at",
    filters=(ChoiceFilter("status", gettext_lazy("Status"), Withdrawal.Status.choices),),
    export_name="withdrawals",
    empty=gettext_lazy("No withdrawals yet."),
    row_id="withdrawal",
)


@console_page
@owner_page
def merchant_withdrawals(request: HttpRequest, console: Console) -> HttpResponse:
    merchant_id = console.merchant.pk
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            lambda: settlement.merchant_withdrawal_request(
                member=console.member,
                merchant_id=merchant_id,
                amount_fen=data["amount"],
                channel=data["channel"],
                payee=data["payee"],
                payee_name=data["payee_name"],
            ),
            lambda made: (
                _("You asked to withdraw %(amount)s. The money is held until it is paid out.")
                % {"amount": format_yuan(made.amount_fen)}
            ),
            form=form,
            error_fields=ERROR_FIELDS,
        )
        if done:
            return _back("merchant_withdrawals")
    table = WITHDRAWALS.bind(request, wallet_selectors.withdrawals_of_merchant(merchant_id))
    if table.wants_csv:
        return table.csv_response()
    policy = withdrawals.withdrawal_policy(wallet_rules.HOLDER_MERCHANT)
    available, withdrawing = wallet_selectors.merchant_withdrawal_balances(merchant_id)
    asked = wallet_selectors.merchant_requested_today(merchant_id, timezone.now())
    return _render(
        request,
        console,
        "web/merchant/withdrawals.html",
        {
            "form": form,
            "table": table,
            "available_fen": available,
            "withdrawing_fen": withdrawing,
            "pending_fen": settlement_selectors.merchant_balance(merchant_id).pending_fen,
            "policy": policy,
            "left_today_fen": max(0, policy.daily_cap_fen - asked),
            "can_withdraw": console.merchant.is_approved,
        },
    )

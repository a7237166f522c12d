"""Withdrawing the distributor's balance."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.identities import openid_of
from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.core.money import format_yuan
from sharemall.payments.providers.registry import provider_for
from sharemall.wallet import payouts
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.distributor.common import PAGE_SIZE, _redirect
from sharemall.web.distributor.forms import WithdrawForm, fen_from_yuan
from sharemall.web.humanize import percent
from sharemall.web.wechat_browser import oauth_start_url
from sharemall.wechat import config as wechat_config
from sharemall.wechat import oauth as wechat_oauth

# Which field of the withdrawal form a refusal of the service belongs to, by its code.
WITHDRAW_ERROR_FIELDS = {
    "invalid_amount": "amount",
    "below_minimum": "amount",
    "daily_cap_exceeded": "amount",
    "insufficient_balance": "amount",
    "invalid_channel": "channel",
    "invalid_payee": "payee",
}


@dataclass(frozen=True)
class WithdrawalRow:
    withdrawal: Withdrawal
    payee: str


def _left_today(member: Member, policy: wallet_rules.WithdrawalPolicy) -> int:
    asked = wallet_selectors.requested_today(member, timezone.now())
    return max(0, policy.daily_cap_fen - asked)


def _fee_preview(raw: str, policy: wallet_rules.WithdrawalPolicy) -> dict[str, int] | None:
    """The fee the service will charge for what was typed, by the policy's own rule."""
    try:
        amount = fen_from_yuan(raw)
    except ValidationError:
        return None
    fee = policy.fee_for(amount)
    return {"amount_fen": amount, "fee_fen": fee, "payout_fen": amount - fee}


def _wechat_payee(member: Member) -> dict[str, object]:
    """到账微信: whether a WeChat payout has a linked account to go to (the member's openid
    under WeChat Pay's app, else under the official account), where to link one, and what
    the page's 确认收款 hands WeChat (WeChat Pay's merchant and app ids)."""
    mch_id, app_id = "", ""
    try:
        provider = provider_for("wechatpay")
        mch_id, app_id = provider.merchant_id, provider.app_id
    except DomainError:
        account = wechat_config.account(wechat_config.OA)
        app_id = account.app_id if account else ""
    return {
        "wechat_linked": bool(app_id and openid_of(member, app_id)),
        "wechat_link_url": (
            oauth_start_url(reverse("web:distributor_withdraw")) if wechat_oauth.available() else ""
        ),
        "wechat_sandbox": payouts.provider_name_for(wallet_rules.CHANNEL_WECHAT) == payouts.SANDBOX,
        "transfer_mch_id": mch_id,
        "transfer_app_id": app_id,
    }


@member_page
def withdraw(request: HttpRequest, member: Member) -> HttpResponse:
    policy = withdrawals.withdrawal_policy()
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            outcome = run_action(
                request,
                lambda: withdrawals.withdrawal_request(
                    member=member,
                    amount_fen=data["amount"],
                    channel=data["channel"],
                    # WeChat Pay pays the linked WeChat account, never a typed 微信号.
                    payee="" if data["channel"] == wallet_rules.CHANNEL_WECHAT else data["payee"],
                    payee_name=data["payee_name"],
                ),
                lambda made: (
                    _(
                        "You asked to withdraw %(amount)s. The money is held until it is paid "
                        "to you."
                    )
                    % {"amount": format_yuan(made.amount_fen)}
                ),
                form=form,
                error_fields=WITHDRAW_ERROR_FIELDS,
            )
            if outcome:
                return _redirect("web:distributor_withdraw")
    else:
        form = WithdrawForm()
    page = Paginator(wallet_selectors.withdrawals_of(member), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/distributor/withdraw.html",
        {
            "form": form,
            "policy": policy,
            "fee_rate": percent(policy.fee_bp),
            "left_today_fen": _left_today(member, policy),
            "wallet": withdrawals.wallet_summary(member.pk),
            "preview": _fee_preview(request.POST.get("amount", ""), policy)
            if request.method == "POST"
            else None,
            "page": page,
            "rows": [
                WithdrawalRow(withdrawal=w, payee=wallet_rules.mask_payee(w.channel, w.payee))
                for w in page.object_list
            ],
            "section": "withdraw",
            **_wechat_payee(member),
        },
    )


@member_page
def withdraw_fee(request: HttpRequest, member: Member) -> HttpResponse:
    """The fee preview under the amount field, refreshed by htmx as the member types."""
    policy = withdrawals.withdrawal_policy()
    return render(
        request,
        "web/distributor/withdraw.html#fee",
        {"preview": _fee_preview(request.GET.get("amount", ""), policy)},
    )

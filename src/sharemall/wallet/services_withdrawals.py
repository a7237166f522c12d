"""Withdrawals: a request holds the money at once; an operator approves it (a provider pays it,
or a bank card is paid by hand) or rejects it; a rejection or a failure gives the money back.

One mechanism for every holder (`rules.Holder`): a member taking out their own money, or the
owner of a merchant taking out the merchant's. The holder decides the two accounts (member_… or
merchant_… available and withdrawing), the terms (`withdrawal_policy`) and whose daily cap a
request counts against; everything else is the same.

The money, in the ledger (keys of the n-th retry after a failure end in ":<n>"; "available" and
"withdrawing" are the holder's):

- requested:          available → withdrawing                     `withdrawal:<id>:hold`
- paid:               withdrawing → payouts (amount − fee)
                      and withdrawing → platform_fees (fee)        `withdrawal:<id>:paid`
- rejected or failed: withdrawing → available                     `withdrawal:<id>:returned`

A provider is called only once the approval has committed, always with the withdrawal's own
out-bill number, so asking again (`withdrawals_check`, a retry) never pays twice. Each status
change is a conditional update plus an event row (see `rules.WITHDRAWAL`). The provider side
(sending and asking again, and recording paid or failed) is in `withdrawal_payouts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.identities import openid_of
from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError, Forbidden, InvalidTransition
from sharemall.core.ids import numeric_code
from sharemall.core.money import format_yuan
from sharemall.wallet import payouts, rules
from sharemall.wallet.models import Withdrawal, WithdrawalDay, WithdrawalEvent
from sharemall.wallet.selectors import (
    day_rows,
    held_by,
    holder_filter,
    merchant_withdrawal_balances,
)
from sharemall.wallet.services import (
    InsufficientBalance,
    balances_for_member,
    hold,
)
from sharemall.wallet.withdrawal_payouts import (
    JOB_BATCH,
    RECHECK_AFTER,
    give_back,
    ledger_key,
    move,
    pay_out,
    provider_for,
    record_failed,
    record_paid,
    withdrawals_check,
)

__all__ = [
    "BANK_CARD_DIGITS",
    "DEFAULT_DAILY_CAP_FEN",
    "DEFAULT_FEE_BP",
    "DEFAULT_FEE_FREE_FEN",
    "DEFAULT_MERCHANT_DAILY_CAP_FEN",
    "DEFAULT_MERCHANT_FEE_BP",
    "DEFAULT_MERCHANT_FEE_FREE_FEN",
    "DEFAULT_MERCHANT_MIN_FEN",
    "DEFAULT_MIN_FEN",
    "JOB_BATCH",
    "RECHECK_AFTER",
    "MerchantWithdrawalSummary",
    "WalletSummary",
    "WithdrawalRefused",
    "ledger_key",
    "merchant_withdrawal_summary",
    "wallet_summary",
    "withdrawal_approve",
    "withdrawal_mark_failed",
    "withdrawal_mark_paid",
    "withdrawal_policy",
    "withdrawal_reject",
    "withdrawal_request",
    "withdrawal_retry",
    "withdrawals_check",
]

DEFAULT_MIN_FEN = 100  # ¥1
DEFAULT_DAILY_CAP_FEN = 500_000  # ¥5,000 per member per day
DEFAULT_FEE_FREE_FEN = 100_000  # no fee on the first ¥1,000 of a withdrawal
DEFAULT_FEE_BP = 10  # 0.1 % of the rest
# A merchant's terms, apart from a member's: shops move larger sums and pay no fee by default.
DEFAULT_MERCHANT_MIN_FEN = 100  # ¥1
DEFAULT_MERCHANT_DAILY_CAP_FEN = 50_000_000  # ¥500,000 per merchant per day
DEFAULT_MERCHANT_FEE_FREE_FEN = 0
DEFAULT_MERCHANT_FEE_BP = 0
BANK_CARD_DIGITS = range(12, 20)

_POLICY_SETTINGS = {
    rules.HOLDER_MEMBER: (
        ("WITHDRAWAL_MIN_FEN", DEFAULT_MIN_FEN),
        ("WITHDRAWAL_DAILY_CAP_FEN", DEFAULT_DAILY_CAP_FEN),
        ("WITHDRAWAL_FEE_FREE_FEN", DEFAULT_FEE_FREE_FEN),
        ("WITHDRAWAL_FEE_BP", DEFAULT_FEE_BP),
    ),
    rules.HOLDER_MERCHANT: (
        ("MERCHANT_WITHDRAWAL_MIN_FEN", DEFAULT_MERCHANT_MIN_FEN),
        ("MERCHANT_WITHDRAWAL_DAILY_CAP_FEN", DEFAULT_MERCHANT_DAILY_CAP_FEN),
        ("MERCHANT_WITHDRAWAL_FEE_FREE_FEN", DEFAULT_MERCHANT_FEE_FREE_FEN),
        ("MERCHANT_WITHDRAWAL_FEE_BP", DEFAULT_MERCHANT_FEE_BP),
    ),
}


class WithdrawalRefused(DomainError):
    code = "withdrawal_refused"


@dataclass(frozen=True, slots=True)
class WalletSummary:
    pending_fen: int
    available_fen: int
    withdrawing_fen: int
    withdrawn_fen: int


@dataclass(frozen=True, slots=True)
class MerchantWithdrawalSummary:
    """A merchant's money as far as withdrawals go (what is still pending settlement is the
    settlement app's to tell)."""

    available_fen: int
    withdrawing_fen: int
    withdrawn_fen: int


def withdrawal_policy(holder_kind: str = rules.HOLDER_MEMBER) -> rules.WithdrawalPolicy:
    """The terms in force for a member's or a merchant's withdrawals, from settings; a bad
    value stops the request loudly."""
    minimum, cap, fee_free, fee_bp = (
        getattr(settings, name, default) for name, default in _POLICY_SETTINGS[holder_kind]
    )
    try:
        return rules.WithdrawalPolicy(
            minimum_fen=minimum, daily_cap_fen=cap, fee_free_fen=fee_free, fee_bp=fee_bp
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{holder_kind} withdrawal settings: {exc}") from exc


def _withdrawn(holder: rules.Holder) -> int:
    paid = held_by(holder).filter(status=rules.WITHDRAWAL_PAID)
    return int(paid.aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"])


def wallet_summary(member_id: int) -> WalletSummary:
    """A member's own money; a merchant's withdrawals are not theirs."""
    balances = balances_for_member(member_id)
    withdrawn = _withdrawn(rules.Holder(rules.HOLDER_MEMBER, member_id))
    return WalletSummary(
        pending_fen=balances[rules.MEMBER_PENDING],
        available_fen=balances[rules.MEMBER_AVAILABLE],
        withdrawing_fen=balances[rules.MEMBER_WITHDRAWING],
        withdrawn_fen=withdrawn,
    )


def merchant_withdrawal_summary(merchant_id: int) -> MerchantWithdrawalSummary:
    available, withdrawing = merchant_withdrawal_balances(merchant_id)
    return MerchantWithdrawalSummary(
        available_fen=available,
        withdrawing_fen=withdrawing,
        withdrawn_fen=_withdrawn(rules.Holder(rules.HOLDER_MERCHANT, merchant_id)),
    )


# --- helpers ----------------------------------------------------------------------------------


def _bill_no(now: datetime) -> str:
    # Letters and digits only, at most 32: what WeChat's out_bill_no and Alipay's out_biz_no take.
    return f"W{now:%Y%m%d%H%M%S}{numeric_code(10)}"


def _text(value: str, *, limit: int, field: str, required: bool = False) -> str:
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise WithdrawalRefused(
            _("%(field)s is required.") % {"field": field}, code="invalid_input"
        )
    if len(cleaned) > limit:
        raise WithdrawalRefused(
            _("%(field)s is at most %(n)d characters.") % {"field": field, "n": limit},
            code="invalid_input",
        )
    return cleaned


def _payee(channel: str, payee: str) -> str:
    if channel != rules.CHANNEL_BANK:
        return _text(payee, limit=128, field=_("payee"))
    card = "".join((payee or "").replace("-", "").split())
    if card and not (card.isascii() and card.isdigit() and len(card) in BANK_CARD_DIGITS):
        raise WithdrawalRefused(_("A bank card number has 12 to 19 digits."), code="invalid_payee")
    return card


def _linked_openid(member: Member) -> str:
    """The member's openid under the payment app, or "" when none is linked (WeChat log-in,
    official account or mini-program, links one). Only the payment app's openids are payable,
    so with WECHATPAY_APPID set only that app counts; without it (the sandbox, a demo without
    WeChat Pay) the official account's openid, else the mini-program's."""
    payment_app = (settings.WECHATPAY.get("APPID") or "").strip()
    if payment_app:
        apps = [payment_app]
    else:
        accounts = (getattr(settings, name, None) or {} for name in ("WECHAT_OA", "WECHAT_MP"))
        apps = [str(account.get("APP_ID") or "").strip() for account in accounts]
    for app_id in filter(None, apps):
        openid = openid_of(member, app_id)
        if openid:
            return openid
    return ""


def _wechat_payee(member: Member, typed: str) -> str:
    """WeChat Pay transfers money to an openid, never to a typed WeChat ID (微信号): a linked
    openid is always the payee, sandbox included. Without one a real payout would only fail at
    the provider after the money was held, so it is refused; the sandbox pays anyone, so the
    demo keeps the channel with whatever was typed."""
    openid = _linked_openid(member)
    if openid:
        return openid
    if payouts.provider_name_for(rules.CHANNEL_WECHAT) == payouts.SANDBOX:
        return _text(typed, limit=128, field=_("payee"))
    raise WithdrawalRefused(
        _(
            "A WeChat payout goes to a linked WeChat account, and yours is not linked. "
            "Choose Alipay or a bank card instead."
        ),
        code="wechat_not_linked",
    )


def _over_cap(cap_fen: int, left_fen: int | None = None) -> WithdrawalRefused:
    return WithdrawalRefused(
        _("You can withdraw at most %(cap)s a day.") % {"cap": format_yuan(cap_fen)},
        code="daily_cap_exceeded",
        details={"daily_cap_fen": cap_fen, "left_today_fen": left_fen},
    )


def _day_claim(holder: rules.Holder, day: date, amount_fen: int, cap_fen: int) -> None:
    """Count `amount_fen` against the holder's day, or raise if it would pass the cap. The
    UPDATE only matches while the total stays within the cap, so concurrent requests cannot
    pass it together."""
    WithdrawalDay.objects.bulk_create(
        [WithdrawalDay(day=day, **holder_filter(holder))], ignore_conflicts=True
    )
    claimed = (
        day_rows(holder, day)
        .filter(requested_fen__lte=cap_fen - amount_fen)
        .update(requested_fen=F("requested_fen") + amount_fen)
    )
    if claimed != 1:
        used = day_rows(holder, day).values_list("requested_fen", flat=True).first()
        raise _over_cap(cap_fen, max(0, cap_fen - (used or 0)))


def _hold(withdrawal: Withdrawal) -> None:
    holder = withdrawal.holder
    try:
        hold(
            key=ledger_key(withdrawal, "hold"),
            source=holder.available,
            destination=holder.withdrawing,
            amount_fen=withdrawal.amount_fen,
            kind="withdrawal_hold",
            memo=withdrawal.out_bill_no,
        )
    except InsufficientBalance as exc:
        message = (
            _("The merchant's available balance does not cover %(amount)s.")
            if holder.is_merchant
            else _("Your available balance does not cover %(amount)s.")
        )
        raise InsufficientBalance(
            message % {"amount": format_yuan(withdrawal.amount_fen)}, details=exc.details
        ) from exc


def _check_reviewer(withdrawal: Withdrawal, operator: Member) -> None:
    # Four eyes on money leaving the platform: an operator's own withdrawal, or one they asked
    # for as a merchant's owner, is someone else's call.
    if withdrawal.member_id == operator.pk:
        raise Forbidden(
            _("Another operator must review your own withdrawal."), code="own_withdrawal"
        )


# --- the member's request -------------------------------------------------------------------


def withdrawal_request(
    *,
    member: Member,
    amount_fen: int,
    channel: str,
    payee: str = "",
    payee_name: str = "",
    merchant_id: int | None = None,
    now: datetime | None = None,
) -> Withdrawal:
    """Ask to take `amount_fen` out of the member's own balance, or, with `merchant_id`, out of
    that merchant's (the caller has checked that `member` may: the owner, of an approved
    merchant). The money is held at once, so two requests can never spend the same fen.
    Refused, with nothing written, below the minimum, past the daily cap, or when the available
    balance does not cover it (a negative balance is a debt and covers nothing)."""
    holder = rules.holder_of(member.pk, merchant_id)
    policy = withdrawal_policy(holder.kind)
    now = now or timezone.now()
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise WithdrawalRefused(
            _("The amount must be a whole number of fen."), code="invalid_amount"
        )
    if amount_fen < policy.minimum_fen:
        raise WithdrawalRefused(
            _("The least you can withdraw is %(minimum)s.")
            % {"minimum": format_yuan(policy.minimum_fen)},
            code="below_minimum",
            details={"minimum_fen": policy.minimum_fen},
        )
    if channel not in rules.CHANNELS:
        raise WithdrawalRefused(
            _("Choose WeChat Pay, Alipay or a bank card."), code="invalid_channel"
        )
    # A merchant's WeChat payout goes to the owner who asks, like a member's own.
    payee = (
        _wechat_payee(member, payee) if channel == rules.CHANNEL_WECHAT else _payee(channel, payee)
    )
    payee_name = _text(payee_name, limit=64, field=_("payee name"))
    if amount_fen > policy.daily_cap_fen:
        raise _over_cap(policy.daily_cap_fen)
    day = rules.cap_day(now)
    with transaction.atomic():
        _day_claim(holder, day, amount_fen, policy.daily_cap_fen)
        withdrawal = Withdrawal.objects.create(
            member=member,
            merchant_id=merchant_id,
            amount_fen=amount_fen,
            fee_fen=policy.fee_for(amount_fen),
            channel=channel,
            payee=payee,
            payee_name=payee_name,
            out_bill_no=_bill_no(now),
            cap_day=day,
            requested_at=now,
        )
        WithdrawalEvent.objects.create(
            withdrawal=withdrawal, to_status=rules.WITHDRAWAL_REQUESTED, actor=member
        )
        _hold(withdrawal)
    return withdrawal


# --- the operator's decision and the payout -------------------------------------------------


def withdrawal_approve(withdrawal: Withdrawal, *, operator: Member) -> Withdrawal:
    """Approve and pay: a provider channel is sent at once (the sandbox pays at once, a real
    provider may answer later); a bank card stays approved until paid by hand."""
    _check_reviewer(withdrawal, operator)
    withdrawal = move(
        withdrawal,
        rules.WITHDRAWAL_APPROVED,
        actor=operator,
        reviewed_by=operator,
        decided_at=timezone.now(),
        provider=provider_for(withdrawal),
    )
    if not withdrawal.provider:
        return withdrawal
    return pay_out(withdrawal, first=True)


def withdrawal_reject(withdrawal: Withdrawal, *, operator: Member, reason: str) -> Withdrawal:
    _check_reviewer(withdrawal, operator)
    why = _text(reason, limit=500, field=_("reason"), required=True)
    with transaction.atomic():
        withdrawal = move(
            withdrawal,
            rules.WITHDRAWAL_REJECTED,
            actor=operator,
            note=why,
            reason=why,
            reviewed_by=operator,
            decided_at=timezone.now(),
        )
        give_back(withdrawal)
    return withdrawal


def _manual_only(withdrawal: Withdrawal, operator: Member) -> None:
    _check_reviewer(withdrawal, operator)
    if withdrawal.channel != rules.CHANNEL_BANK:
        raise WithdrawalRefused(
            _("Only a bank-card withdrawal is settled by hand; the provider settles this one."),
            code="not_manual_channel",
        )


def withdrawal_mark_paid(withdrawal: Withdrawal, *, operator: Member, reference: str) -> Withdrawal:
    """An operator paid a bank-card withdrawal by hand; `reference` is the bank's."""
    _manual_only(withdrawal, operator)
    ref = _text(reference, limit=64, field=_("reference"), required=True)
    return record_paid(withdrawal, actor=operator, reference=ref)


def withdrawal_mark_failed(withdrawal: Withdrawal, *, operator: Member, reason: str) -> Withdrawal:
    """An operator could not pay a bank-card withdrawal (a bounced transfer, a wrong card)."""
    _manual_only(withdrawal, operator)
    why = _text(reason, limit=500, field=_("reason"), required=True)
    return record_failed(withdrawal, actor=operator, reason=why)


def withdrawal_retry(
    withdrawal: Withdrawal, *, operator: Member, now: datetime | None = None
) -> Withdrawal:
    """Try a failed withdrawal again: the money is held again (and counted against today's cap),
    then paid like a fresh approval, under the same out-bill number."""
    _check_reviewer(withdrawal, operator)
    if withdrawal.status != rules.WITHDRAWAL_FAILED:
        # Only a failed withdrawal gave its money back; retrying anything else would hold the
        # same money twice.
        raise InvalidTransition(_("Only a failed withdrawal can be retried."))
    holder = withdrawal.holder
    policy = withdrawal_policy(holder.kind)
    now = now or timezone.now()
    day = rules.cap_day(now)
    with transaction.atomic():
        _day_claim(holder, day, withdrawal.amount_fen, policy.daily_cap_fen)
        withdrawal = move(
            withdrawal,
            rules.WITHDRAWAL_APPROVED,
            actor=operator,
            note="retry",
            reviewed_by=operator,
            decided_at=now,
            cap_day=day,
            retries=F("retries") + 1,
            provider=provider_for(withdrawal),
            reason="",
        )
        _hold(withdrawal)
    if not withdrawal.provider:
        return withdrawal
    return pay_out(withdrawal, first=True)

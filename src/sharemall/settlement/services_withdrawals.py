"""A merchant withdraws its settled sales through the wallet's one withdrawal mechanism.

Only the merchant's owner may take money out of the shop, and only while the merchant is
approved (a suspended merchant's money stays until it is reinstated). Everything after that —
the hold at request, the daily cap, the operator's approval, the payout, retries and the money
coming back on a rejection or a failure — is the wallet's, exactly as for a member:

- requested:          merchant_available → merchant_withdrawing     `withdrawal:<id>:hold`
- paid:               merchant_withdrawing → payouts (amount − fee)
                      and merchant_withdrawing → platform_fees (fee) `withdrawal:<id>:paid`
- rejected or failed: merchant_withdrawing → merchant_available     `withdrawal:<id>:returned`

A negative available balance (a refund after settlement) is a debt and covers nothing: the
next withdrawal is refused with `insufficient_balance` until sales cover it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.merchants.models import Merchant
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal

__all__ = ["MerchantNotApproved", "merchant_for_withdrawals", "merchant_withdrawal_request"]


class MerchantNotApproved(DomainError):
    code = "merchant_not_approved"


def merchant_for_withdrawals(member: Member, merchant_id: int) -> Merchant:
    """The merchant whose money `member` may see and take out: its owner only (a clerk is
    answered 403 `owner_only`, anyone else 404)."""
    return merchant_for_staff(member, merchant_id, owner_only=True)


def merchant_withdrawal_request(
    *,
    member: Member,
    merchant_id: int,
    amount_fen: int,
    channel: str,
    payee: str = "",
    payee_name: str = "",
) -> Withdrawal:
    """The owner asks to take `amount_fen` out of the merchant's available balance; held at
    once, refused with nothing written when the balance (or the merchant's daily cap) does not
    allow it."""
    merchant = merchant_for_withdrawals(member, merchant_id)
    if not merchant.is_approved:
        raise MerchantNotApproved(
            _("Only an approved merchant can withdraw its balance."),
            details={"merchant_status": merchant.status},
        )
    return withdrawals.withdrawal_request(
        member=member,
        merchant_id=merchant.pk,
        amount_fen=amount_fen,
        channel=channel,
        payee=payee,
        payee_name=payee_name,
    )

"""Merchant withdrawals: the owner asks, an operator decides through the wallet's queue
(`/platform/withdrawals`), like a member's withdrawal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from sharemall.accounts.auth import member_auth, require_member
from sharemall.core.schemas import PageQuery
from sharemall.settlement import services_withdrawals as services
from sharemall.wallet import selectors as wallet_selectors
from sharemall.wallet.schemas import MerchantWithdrawalOut, WithdrawalIn, withdrawal_out

router = Router(tags=["settlement"])


def _out(withdrawal: Any) -> dict[str, Any]:
    return withdrawal_out(withdrawal, MerchantWithdrawalOut)


@router.post(
    "/merchants/{merchant_id}/withdrawals",
    response={201: MerchantWithdrawalOut},
    auth=member_auth,
)
def merchant_withdrawal_create(
    request: HttpRequest, merchant_id: int, payload: WithdrawalIn
) -> Status[dict[str, Any]]:
    """The owner takes money out of the merchant's available balance; it is held at once.
    More than the available balance (or any balance below zero) → 400 insufficient_balance."""
    withdrawal = services.merchant_withdrawal_request(
        member=require_member(request),
        merchant_id=merchant_id,
        amount_fen=payload.amount_fen,
        channel=payload.channel,
        payee=payload.payee,
        payee_name=payload.payee_name,
    )
    return Status(201, _out(withdrawal))


@router.get(
    "/merchants/{merchant_id}/withdrawals",
    response=list[MerchantWithdrawalOut],
    auth=member_auth,
)
def merchant_withdrawal_list(
    request: HttpRequest, merchant_id: int, page: Query[PageQuery]
) -> list[dict[str, Any]]:
    """The merchant's withdrawals, newest first (owner only)."""
    merchant = services.merchant_for_withdrawals(require_member(request), merchant_id)
    found = wallet_selectors.withdrawals_of_merchant(merchant.pk)
    return [_out(w) for w in found[page.offset : page.offset + page.limit]]


@router.get(
    "/merchants/{merchant_id}/withdrawals/{withdrawal_id}",
    response=MerchantWithdrawalOut,
    auth=member_auth,
)
def merchant_withdrawal_detail(
    request: HttpRequest, merchant_id: int, withdrawal_id: int
) -> dict[str, Any]:
    merchant = services.merchant_for_withdrawals(require_member(request), merchant_id)
    return _out(wallet_selectors.withdrawal_of_merchant(merchant.pk, withdrawal_id))

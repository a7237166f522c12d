"""The wallet's JSON edge: balances, a member's withdrawals, and the operators' review (of
members' and merchants' withdrawals alike; a merchant asks through the settlement app)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.core.schemas import PageQuery
from sharemall.wallet import rules, selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.schemas import (
    ReasonIn,
    ReferenceIn,
    WalletOut,
    WithdrawalIn,
    WithdrawalOut,
    WithdrawalReviewOut,
    WithdrawalStatusOut,
    withdrawal_out,
)

router = Router(tags=["wallet"])

_STATUS_PATTERN = "^(" + "|".join(rules.WITHDRAWAL_STATUSES) + ")$"
_HOLDER_PATTERN = "^(" + "|".join(rules.HOLDER_KINDS) + ")$"


class QueueQuery(PageQuery):
    status: str | None = Field(default=None, pattern=_STATUS_PATTERN)
    # Whose money: "member" (their own) or "merchant".
    holder: str | None = Field(default=None, pattern=_HOLDER_PATTERN)


# --- the member ------------------------------------------------------------------------------


@router.get("/wallet", response=WalletOut, auth=member_auth)
def wallet(request: HttpRequest) -> withdrawals.WalletSummary:
    return withdrawals.wallet_summary(require_member(request).pk)


@router.post("/withdrawals", response={201: WithdrawalOut}, auth=member_auth)
def withdrawal_create(request: HttpRequest, payload: WithdrawalIn) -> Status[dict[str, Any]]:
    withdrawal = withdrawals.withdrawal_request(
        member=require_member(request),
        amount_fen=payload.amount_fen,
        channel=payload.channel,
        payee=payload.payee,
        payee_name=payload.payee_name,
    )
    return Status(201, withdrawal_out(withdrawal))


@router.get("/withdrawals", response=list[WithdrawalOut], auth=member_auth)
def withdrawal_list(request: HttpRequest, page: Query[PageQuery]) -> list[dict[str, Any]]:
    found = selectors.withdrawals_of(require_member(request))
    return [withdrawal_out(w) for w in found[page.offset : page.offset + page.limit]]


@router.get("/withdrawals/{withdrawal_id}", response=WithdrawalOut, auth=member_auth)
def withdrawal_detail(request: HttpRequest, withdrawal_id: int) -> dict[str, Any]:
    return withdrawal_out(selectors.withdrawal_of_member(require_member(request), withdrawal_id))


# --- operators -------------------------------------------------------------------------------


@router.get("/platform/withdrawals", response=list[WithdrawalReviewOut], auth=member_auth)
def withdrawal_queue(request: HttpRequest, q: Query[QueueQuery]) -> Any:
    require_operator(request)
    return selectors.withdrawal_queue(q.status, q.holder)[q.offset : q.offset + q.limit]


def _reviewed(request: HttpRequest, withdrawal_id: int) -> tuple[Any, Withdrawal]:
    operator = require_operator(request)
    return operator, selectors.withdrawal_by_id(withdrawal_id)


@router.post(
    "/platform/withdrawals/{withdrawal_id}/approve",
    response=WithdrawalStatusOut,
    auth=member_auth,
)
def withdrawal_approve(request: HttpRequest, withdrawal_id: int) -> Withdrawal:
    """Approve and pay: a sandbox payout completes at once; a bank card is paid by hand."""
    operator, withdrawal = _reviewed(request, withdrawal_id)
    return withdrawals.withdrawal_approve(withdrawal, operator=operator)


@router.post(
    "/platform/withdrawals/{withdrawal_id}/reject",
    response=WithdrawalStatusOut,
    auth=member_auth,
)
def withdrawal_reject(request: HttpRequest, withdrawal_id: int, payload: ReasonIn) -> Withdrawal:
    operator, withdrawal = _reviewed(request, withdrawal_id)
    return withdrawals.withdrawal_reject(withdrawal, operator=operator, reason=payload.reason)


@router.post(
    "/platform/withdrawals/{withdrawal_id}/mark-paid",
    response=WithdrawalStatusOut,
    auth=member_auth,
)
def withdrawal_mark_paid(
    request: HttpRequest, withdrawal_id: int, payload: ReferenceIn
) -> Withdrawal:
    """A bank-card withdrawal was paid by hand; `reference` is the bank's."""
    operator, withdrawal = _reviewed(request, withdrawal_id)
    return withdrawals.withdrawal_mark_paid(
        withdrawal, operator=operator, reference=payload.reference
    )


@router.post(
    "/platform/withdrawals/{withdrawal_id}/mark-failed",
    response=WithdrawalStatusOut,
    auth=member_auth,
)
def withdrawal_mark_failed(
    request: HttpRequest, withdrawal_id: int, payload: ReasonIn
) -> Withdrawal:
    """A bank-card withdrawal could not be paid; the money goes back to the member."""
    operator, withdrawal = _reviewed(request, withdrawal_id)
    return withdrawals.withdrawal_mark_failed(withdrawal, operator=operator, reason=payload.reason)


@router.post(
    "/platform/withdrawals/{withdrawal_id}/retry",
    response=WithdrawalStatusOut,
    auth=member_auth,
)
def withdrawal_retry(request: HttpRequest, withdrawal_id: int) -> Withdrawal:
    """Try a failed withdrawal again, with its money held again and the same out-bill number."""
    operator, withdrawal = _reviewed(request, withdrawal_id)
    return withdrawals.withdrawal_retry(withdrawal, operator=operator)

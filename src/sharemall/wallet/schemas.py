from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from sharemall.wallet import rules
from sharemall.wallet.models import Withdrawal

# Far above any daily cap; keeps a silly number from reaching the database.
MAX_AMOUNT_FEN = 10**12


class WalletOut(Schema):
    pending_fen: int
    available_fen: int
    withdrawing_fen: int
    withdrawn_fen: int


class WithdrawalIn(Schema):
    amount_fen: int = Field(le=MAX_AMOUNT_FEN)
    channel: Literal["wechat", "alipay", "bank"]
    payee: str = Field(default="", max_length=128)
    payee_name: str = Field(default="", max_length=64)


class WithdrawalOut(Schema):
    """A withdrawal as its member sees it: a bank card shows only its last four digits."""

    id: int
    status: str
    amount_fen: int
    fee_fen: int
    payout_fen: int
    channel: str
    payee: str
    payee_name: str
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None


class MerchantWithdrawalOut(WithdrawalOut):
    """A merchant's withdrawal as its owner sees it, with who asked for it."""

    merchant_id: int
    member_id: int


class WithdrawalReviewOut(Schema):
    """A withdrawal as an operator sees it, with what is needed to pay it. `holder` says whose
    money it is: a member's own, or the merchant's `merchant_id` (then `member_id` asked)."""

    id: int
    holder: Literal["member", "merchant"]
    member_id: int
    merchant_id: int | None
    status: str
    amount_fen: int
    fee_fen: int
    payout_fen: int
    channel: str
    payee: str
    payee_name: str
    out_bill_no: str
    provider: str
    provider_transfer_id: str
    reason: str
    retries: int
    reviewed_by_id: int | None
    requested_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None

    @staticmethod
    def resolve_holder(withdrawal: Withdrawal) -> str:
        return withdrawal.holder.kind


class WithdrawalStatusOut(Schema):
    id: int
    status: str


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class ReferenceIn(Schema):
    reference: str = Field(max_length=64)


def withdrawal_out(withdrawal: Withdrawal, schema: type[Schema] = WithdrawalOut) -> dict[str, Any]:
    """What the holder's side sees: a bank card shows only its last four digits."""
    data = {name: getattr(withdrawal, name) for name in schema.model_fields}
    data["payee"] = rules.mask_payee(withdrawal.channel, withdrawal.payee)
    return data

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

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


class WithdrawalReviewOut(Schema):
    """A withdrawal as an operator sees it, with what is needed to pay it."""

    id: int
    member_id: int
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


class WithdrawalStatusOut(Schema):
    id: int
    status: str


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class ReferenceIn(Schema):
    reference: str = Field(max_length=64)

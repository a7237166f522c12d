from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from sharemall.core.schemas import Id

FEN_MAX = 10_000_000_00  # ¥10 million: far above any coupon or tier


class CouponIn(Schema):
    kind: Literal["amount", "percent"]
    amount_fen: int = Field(default=0, ge=0, le=FEN_MAX)
    percent_bp: int = Field(default=0, ge=0, le=10_000)
    threshold_fen: int = Field(default=0, ge=0, le=FEN_MAX)
    cap_fen: int | None = Field(default=None, ge=1, le=FEN_MAX)
    scope: Literal["merchant", "category", "product"]
    scope_ids: list[Id] = Field(default_factory=list, max_length=200)
    total: int = Field(ge=1, le=10_000_000)
    per_member: int = Field(default=1, ge=1, le=100)
    valid_from: datetime
    valid_to: datetime
    title: str = Field(default="", max_length=60)
    # claim: members claim it on the page; issue: only the shop hands it out; task: a share
    # task's reward.
    channel: Literal["claim", "issue", "task"] = "claim"


class PlatformCouponIn(CouponIn):
    scope: Literal["platform", "merchant", "category", "product"]  # type: ignore[assignment]


class CreatedOut(Schema):
    id: int


class CouponOut(Schema):
    id: int
    merchant_id: int | None
    merchant_name: str | None
    title: str
    kind: str
    amount_fen: int
    percent_bp: int
    threshold_fen: int
    cap_fen: int | None
    scope: str
    scope_ids: list[int]
    total: int
    claimed: int
    remaining: int
    per_member: int
    valid_from: str
    valid_to: str
    channel: str
    stopped: bool
    funded_by: str


class ClaimOut(Schema):
    id: int
    coupon_id: int
    status: Literal["unused", "used", "expired"]
    title: str
    kind: str
    amount_fen: int
    percent_bp: int
    threshold_fen: int
    cap_fen: int | None
    scope: str
    scope_ids: list[int]
    merchant_id: int | None
    valid_from: str
    valid_to: str
    claimed_at: str
    used_at: str | None


class IssueIn(Schema):
    member_id: Id


class TierIn(Schema):
    threshold_fen: int = Field(ge=1, le=FEN_MAX)
    off_fen: int = Field(ge=1, le=FEN_MAX)


class TiersIn(Schema):
    tiers: list[TierIn] = Field(min_length=1, max_length=10)
    valid_from: datetime
    valid_to: datetime


class TiersOut(Schema):
    id: int
    merchant_id: int
    tiers: list[TierIn]
    valid_from: str
    valid_to: str
    stopped: bool


class StackingIn(Schema):
    coupon_with_tier: bool
    promotion_gets_share_discount: bool
    promotion_earns_commission: bool


class StackingOut(StackingIn):
    pass

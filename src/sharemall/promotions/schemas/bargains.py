from datetime import datetime

from ninja import Schema
from pydantic import Field


class BargainIn(Schema):
    sku_id: int = Field(strict=True)
    floor_price_fen: int = Field(strict=True)
    helpers_needed: int = Field(strict=True)
    hours: int = Field(strict=True)


class BargainCreatedOut(Schema):
    id: int


class BargainOut(Schema):
    id: int
    merchant_id: int
    sku_id: int
    product_id: int
    title: str
    start_price_fen: int
    floor_price_fen: int
    helpers_needed: int
    hours: int
    status: str
    created_at: datetime
    stopped_at: datetime | None


class RunStartedOut(Schema):
    run_id: int
    current_price_fen: int
    share_code: str


class HelpOut(Schema):
    cut_fen: int
    current_price_fen: int


class HelperOut(Schema):
    member_id: int
    nickname: str
    cut_fen: int
    helped_at: datetime


class RunOut(Schema):
    id: int
    bargain_id: int
    sku_id: int
    product_id: int
    title: str
    starter_id: int
    starter_nickname: str
    status: str = Field(description="open, ordered, bought or expired")
    start_price_fen: int
    floor_price_fen: int
    current_price_fen: int
    helpers_needed: int
    helps: int
    floor_reached: bool
    helpers: list[HelperOut]
    expires_at: datetime
    share_code: str


class DeviceFlagOut(Schema):
    device_id: str
    runs_helped: int
    refusals: int
    last_member_id: int | None
    last_ip: str | None
    flagged_at: datetime
    last_refused_at: datetime

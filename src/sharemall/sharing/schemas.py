from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from sharemall.sharing import rules


class ShareIn(Schema):
    target_type: Literal["product", "post", "store", "substore"]
    target_id: int = Field(ge=1, le=rules.MAX_TARGET_ID)
    channel: str = Field(default=rules.DEFAULT_CHANNEL, max_length=rules.CHANNEL_MAX_LENGTH)


class ShareOut(Schema):
    code: str
    url: str
    qr_url: str
    rewarded: bool
    message: str
    target_type: str
    target_id: int
    channel: str
    created_at: datetime


class MyShareOut(Schema):
    code: str
    url: str
    qr_url: str
    rewarded: bool
    target_type: str
    target_id: int
    channel: str
    created_at: datetime
    clicks: int


class PublicShareOut(Schema):
    code: str
    target_type: str
    target_id: int
    sharer_nickname: str
    url: str


class ClickOut(Schema):
    target_type: str
    target_id: int
    counted: bool

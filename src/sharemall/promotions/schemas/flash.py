from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class FlashSaleIn(Schema):
    sku_id: int = Field(strict=True)
    price_fen: int = Field(strict=True)
    stock: int = Field(strict=True)
    per_member: int = Field(strict=True)
    # Without a UTC offset, the site's time zone (Asia/Shanghai).
    starts_at: datetime
    ends_at: datetime


class FlashSaleCreated(Schema):
    id: int


class FlashSaleOut(Schema):
    id: int
    merchant_id: int
    sku_id: int
    sku_name: str
    product_id: int
    product_title: str
    price_fen: int
    # The SKU's own price, struck through beside the flash price.
    list_price_fen: int
    stock: int
    sold: int
    remaining: int
    per_member: int
    starts_at: datetime
    ends_at: datetime
    stopped_at: datetime | None
    status: Literal["upcoming", "live", "ended", "sold_out"]
    # The server's clock when answering: a countdown runs from it, not from the phone's clock.
    server_now: datetime


class FlashListQuery(Schema):
    live: bool = False

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class LineOut(Schema):
    id: int
    sku_id: int
    product_id: int
    title: str
    sku_name: str
    unit_price_fen: int
    quantity: int
    discount_fen: int
    paid_fen: int
    refunded_quantity: int
    refunded_fen: int


class OrderOut(Schema):
    id: int
    order_no: str
    buyer_id: int
    merchant_id: int
    payment_id: int
    status: str
    delivery: str
    region_code: str
    address: str
    receiver: str
    phone: str
    pickup_store_id: int | None
    pickup_code: str | None
    goods_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int
    refunded_fen: int
    carrier: str
    tracking_no: str
    shipped_without_logistics: bool
    status_label: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    received_at: datetime | None
    completed_at: datetime | None
    lines: list[LineOut]


class OrderStatusOut(Schema):
    id: int
    status: str


class ShipIn(Schema):
    carrier: str = Field(default="", max_length=40)
    tracking_no: str = Field(default="", max_length=64)
    no_logistics: bool = False


class PickupVerifyIn(Schema):
    code: str = Field(min_length=1, max_length=12)


class ShipRowOut(Schema):
    row: int
    order_no: str
    status: str  # "shipped" or "error"
    code: str | None = None
    message: str | None = None


class ShipBatchOut(Schema):
    shipped: int
    results: list[ShipRowOut]


class ExportQuery(Schema):
    format: str = Field(default="csv", pattern="^(csv|xlsx)$")
    status: str = Field(default="", max_length=20)
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    q: str = Field(default="", max_length=100)

from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from sharemall.accounts.models import Member
from sharemall.checkout import services
from sharemall.core.schemas import Id


class ItemIn(Schema):
    sku_id: int
    quantity: int = Field(strict=True)
    # Buy at this flash sale's price (秒杀).
    flash_sale_id: Id | None = None


class DeliveryIn(Schema):
    type: Literal["express", "pickup"]
    region_code: str = Field(default="", max_length=12)
    address: str = Field(default="", max_length=300)
    receiver: str = Field(default="", max_length=80)
    phone: str = Field(default="", max_length=32)
    store_id: int | None = None
    # A saved address of the caller's address book, instead of the four fields above.
    address_id: Id | None = None


class OrderCreateIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    share_code: str | None = Field(default=None, max_length=32)
    delivery: DeliveryIn
    # The caller's claimed coupons to use (the ids GET /me/coupons lists).
    coupon_ids: list[Id] = Field(default_factory=list, max_length=10)


class CreatedLineOut(Schema):
    id: int
    sku_id: int
    quantity: int
    paid_fen: int


class CreatedOrderOut(Schema):
    id: int
    order_no: str
    merchant_id: int
    status: str
    shipping_fen: int
    total_fen: int
    lines: list[CreatedLineOut]


class CheckoutOut(Schema):
    payment_id: int
    payment_no: str
    amount_fen: int
    expires_at: str
    orders: list[CreatedOrderOut]


class QuoteOrderOut(Schema):
    """discount_fen = promotion_fen + tier_fen + coupon_fen + share_fen: the flash, group or
    bargain price, 满减, coupons and the share discount, applied in that order."""

    merchant_id: int
    goods_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int
    promotion_fen: int
    tier_fen: int
    coupon_fen: int
    share_fen: int


class QuoteCouponOut(Schema):
    id: int
    merchant_id: int
    taken_fen: int


class QuoteOut(Schema):
    """What POST /orders would charge for the same body: per merchant order, and in all."""

    orders: list[QuoteOrderOut]
    goods_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int
    promotion_fen: int
    tier_fen: int
    coupon_fen: int
    share_fen: int
    # What each coupon took off each merchant's order.
    coupons: list[QuoteCouponOut]


class PayIn(Schema):
    provider: Literal["sandbox", "wechatpay", "alipay"]
    scene: Literal["jsapi", "native", "h5", "wap", "page", "sandbox"] | None = None
    openid: str = Field(default="", max_length=64)
    return_url: str = Field(default="", max_length=300)


class PaymentStatusOut(Schema):
    payment_id: int
    status: str


class PaymentOut(Schema):
    id: int
    payment_no: str
    amount_fen: int
    currency: str
    status: str
    provider: str
    buyer_id: int
    payer_id: int | None
    expires_at: str
    paid_at: str | None
    order_ids: list[int]


class PayLinkOut(Schema):
    token: str
    url: str


class PayStartOut(Schema):
    """What a client needs to pay, by provider and scene; only the fields of that provider and
    scene are present. Sandbox: `payment_no`, `amount_fen`, `pay_url` (the sandbox pay page).
    Alipay: `pay_url` (the signed gateway URL). WeChat Pay: `code_url` (native), `h5_url` (h5),
    or the JSAPI parameters `appId`, `timeStamp`, `nonceStr`, `package`, `signType`, `paySign`."""

    payment_id: int
    provider: str
    payment_no: str | None = None
    amount_fen: int | None = None
    pay_url: str | None = None
    code_url: str | None = None
    h5_url: str | None = None
    appId: str | None = None  # noqa: N815 - the names wx.requestPayment takes
    timeStamp: str | None = None  # noqa: N815
    nonceStr: str | None = None  # noqa: N815
    package: str | None = None
    signType: str | None = None  # noqa: N815
    paySign: str | None = None  # noqa: N815


def delivery_of(d: DeliveryIn, buyer: Member) -> services.Delivery:
    """A request's delivery as checkout takes it: a saved address by id, or typed in."""
    if d.address_id is not None:
        return services.saved_delivery(buyer, d.type, d.address_id)
    return services.Delivery(d.type, d.region_code, d.address, d.receiver, d.phone, d.store_id)


def checkout_out(result: services.CheckoutResult) -> dict[str, Any]:
    """A placed checkout as POST /orders answers it (`CheckoutOut`)."""
    return {
        "payment_id": result.payment.pk,
        "payment_no": result.payment.payment_no,
        "amount_fen": result.payment.amount_fen,
        "expires_at": result.payment.expires_at.isoformat(),
        "orders": [
            {
                "id": o.pk,
                "order_no": o.order_no,
                "merchant_id": o.merchant_id,
                "status": o.status,
                "shipping_fen": o.shipping_fen,
                "total_fen": o.total_fen,
                "lines": result.lines[o.pk],
            }
            for o in result.orders
        ],
    }

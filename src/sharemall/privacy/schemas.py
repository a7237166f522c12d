from datetime import datetime

from ninja import Schema

# One record of an app's own personal data (an address, for one): plain values only.
Record = dict[str, str | int | bool | None]


class CloseIn(Schema):
    """The current password; a member who never set one sends a texted `login` code instead."""

    password: str = ""
    sms_code: str = ""


class CloseOut(Schema):
    closed: bool


class ProfileOut(Schema):
    id: int
    phone: str
    nickname: str
    is_distributor: bool
    date_joined: datetime
    last_login: datetime | None
    signup_ip: str | None
    signup_device: str


class ConsentOut(Schema):
    kind: str
    version: int
    accepted_at: datetime
    ip: str | None


class BindingRowOut(Schema):
    parent_id: int
    previous_parent_id: int | None
    mode: str
    source: str
    bound_at: datetime
    bound_until: datetime | None


class BindingOut(Schema):
    parent_id: int | None
    bound_until: datetime | None
    history: list[BindingRowOut]


class OrderLineOut(Schema):
    title: str
    sku_name: str
    unit_price_fen: int
    quantity: int
    paid_fen: int
    refunded_fen: int


class OrderOut(Schema):
    order_no: str
    merchant_id: int
    status: str
    created_at: datetime
    delivery: str
    region_code: str
    address: str
    receiver: str
    phone: str
    goods_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int
    refunded_fen: int
    lines: list[OrderLineOut]


class CommissionOut(Schema):
    id: int
    order_id: int
    kind: str
    level: int
    amount_fen: int
    status: str
    reversal_of: int | None


class WithdrawalOut(Schema):
    id: int
    merchant_id: int | None
    amount_fen: int
    fee_fen: int
    channel: str
    payee: str  # masked: the last four characters only
    status: str


class PostOut(Schema):
    id: int
    product_id: int
    text: str
    rating: int
    status: str
    created_at: datetime


class ShareLinkOut(Schema):
    code: str
    target_type: str
    target_id: int
    channel: str
    created_at: datetime


class WechatOut(Schema):
    app_id: str
    openid: str
    unionid: str
    created_at: datetime


class ExportOut(Schema):
    """Everything the platform keeps about the member, the address book included."""

    format: int
    exported_at: datetime
    profile: ProfileOut
    consents: list[ConsentOut]
    binding: BindingOut
    orders: list[OrderOut]
    commissions: list[CommissionOut]
    withdrawals: list[WithdrawalOut]
    posts: list[PostOut]
    share_links: list[ShareLinkOut]
    addresses: list[Record] = []
    wechat: list[WechatOut] = []

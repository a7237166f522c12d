from ninja import Schema
from pydantic import Field

from sharemall.core.schemas import Id


class GroupBuyIn(Schema):
    sku_id: Id
    price_fen: int = Field(strict=True)
    size: int = Field(strict=True)
    hours: int = Field(strict=True)


class GroupBuyOut(Schema):
    id: int
    merchant_id: int
    sku_id: int
    product_id: int
    title: str
    sku_name: str
    list_price_fen: int
    price_fen: int
    size: int
    hours: int
    status: str
    created_at: str


class OpenGroupOut(Schema):
    id: int
    leader_id: int
    paid_count: int
    size: int
    expires_at: str


class GroupBuyPublicOut(GroupBuyOut):
    """A group-buy's page: what it sells, and the groups one can join now."""

    open_groups: list[OpenGroupOut]


class GroupMemberOut(Schema):
    member_id: int
    paid: bool
    is_leader: bool
    nickname: str


class GroupOut(Schema):
    id: int
    status: str
    size: int
    members: list[GroupMemberOut]
    expires_at: str
    group_buy_id: int
    sku_id: int
    product_id: int
    title: str
    price_fen: int
    list_price_fen: int
    leader_id: int
    paid_count: int
    seats_left: int
    share_url: str

"""Shared steps of the group-buy tests: a group-buy, a group, seats taken and paid."""

from __future__ import annotations

from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.checkout import services_promotions
from sharemall.orders.models import Order
from sharemall.promotions.models import Group, GroupBuy
from sharemall.promotions.services import groups
from tests.aftersales_support import EXPRESS
from tests.factories import MemberFactory, merchant, product

LIST_FEN, GROUP_FEN = 9900, 5900


def group_buy(*, size: int = 3, hours: int = 24, stock: int = 100) -> GroupBuy:
    shop = merchant()
    sku = product(shop, price_fen=LIST_FEN, stock=stock).skus.get()
    return groups.group_buy_create(shop, sku_id=sku.pk, price_fen=GROUP_FEN, size=size, hours=hours)


def open_group(gb: GroupBuy, leader: Member | None = None) -> tuple[Group, Order]:
    leader = leader or MemberFactory.create()
    group, result = services_promotions.group_open(
        leader=leader, group_buy_id=gb.pk, delivery=EXPRESS
    )
    return group, result.orders[0]


def join(group: Group, member: Member | None = None) -> Order:
    member = member or MemberFactory.create()
    result = services_promotions.group_join(member=member, group_id=group.pk, delivery=EXPRESS)
    return result.orders[0]


def pay(order: Order) -> None:
    """The sandbox pays the order's payment; the capture takes (or refuses) the seat."""
    checkout.sandbox_complete(order.payment)

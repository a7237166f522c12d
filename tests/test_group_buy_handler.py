"""The GROUP offer handler on its own, with real orders: a seat is reserved once per member, is
taken only by a payment, at most once per order however often the capture is replayed, and
never beyond the group's size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.core.errors import Conflict
from sharemall.orders.models import Order
from sharemall.promotions.models import Group, GroupBuy, GroupMember
from sharemall.promotions.rules.offers import GROUP, Offer
from sharemall.promotions.services import groups
from sharemall.promotions.services.groups import HANDLER
from tests.aftersales_support import EXPRESS
from tests.factories import MemberFactory
from tests.group_buy_support import GROUP_FEN, group_buy

pytestmark = pytest.mark.django_db


def _order(gb: GroupBuy, buyer: Member) -> Order:
    """A plain order of the group's SKU, standing for the one checkout makes for a seat."""
    created = checkout.order_create(
        buyer=buyer, items=[checkout.Item(gb.sku_id, 1)], delivery=EXPRESS
    )
    return created.orders[0]


def _seat(group: Group, buyer: Member) -> Order:
    offer = HANDLER.offer(group.pk, buyer=buyer, sku_id=group.group_buy.sku_id, now=timezone.now())
    order = _order(group.group_buy, buyer)
    HANDLER.reserve(offer, buyer=buyer, quantity=1, order=order)
    return order


def _open(size: int = 2) -> tuple[Group, Member]:
    gb = group_buy(size=size)
    leader = MemberFactory.create()
    return groups.group_open(gb, leader=leader, now=timezone.now()), leader


def test_the_offer_is_the_group_price_for_one_unit() -> None:
    group, leader = _open()
    offer = HANDLER.offer(group.pk, buyer=leader, sku_id=group.group_buy.sku_id, now=timezone.now())
    assert offer == Offer(GROUP, group.pk, group.group_buy.sku_id, GROUP_FEN, max_quantity=1)
    with pytest.raises(Conflict) as closed:
        HANDLER.offer(group.pk, buyer=leader, sku_id=group.group_buy.sku_id, now=group.expires_at)
    assert closed.value.code == "group_closed"


def test_a_member_reserves_one_seat_per_group() -> None:
    group, leader = _open()
    order = _seat(group, leader)
    with pytest.raises(Conflict) as twice:
        HANDLER.reserve(
            Offer(GROUP, group.pk, group.group_buy.sku_id, GROUP_FEN, 1),
            buyer=leader,
            quantity=1,
            order=_order(group.group_buy, leader),
        )
    assert twice.value.code == "already_in_group"
    assert GroupMember.objects.get().order_id == order.pk


def test_a_replayed_capture_never_takes_two_seats() -> None:
    group, leader = _open(size=3)
    order = _seat(group, leader)
    assert HANDLER.paid([order]) == []
    assert HANDLER.paid([order]) == []
    assert HANDLER.paid([order, order]) == []
    group.refresh_from_db()
    assert (group.paid_count, group.status) == (1, "forming")


def test_released_seats_hold_nothing_and_a_group_whose_leader_never_paid_fails() -> None:
    group, leader = _open()
    order = _seat(group, leader)
    HANDLER.release([order.pk])
    assert GroupMember.objects.get().status == "cancelled"
    group.refresh_from_db()
    assert (group.status, group.paid_count) == ("failed", 0)
    HANDLER.release([order.pk])  # again: nothing more
    assert group.events.count() == 1


def test_a_payment_past_the_deadline_is_refused_with_its_reason() -> None:
    group, leader = _open()
    order = _seat(group, leader)
    Group.objects.filter(pk=group.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    [due] = HANDLER.paid([order])
    assert (due.order, due.reason) == (order, groups.reason_closed())
    assert GroupMember.objects.get().status == "refused"
    assert Group.objects.get(pk=group.pk).paid_count == 0

"""Group-buy races on PostgreSQL: payers racing for the last seats, and expiry runs racing
over one failed group. Skipped on SQLite, which serialises writers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sharemall.checkout.services_promotions import groups_expire
from sharemall.orders.models import Order
from sharemall.payments.models import Refund
from sharemall.promotions.models import Group, GroupEvent, GroupMember
from sharemall.wallet.services import ledger_check
from tests.factories import MemberFactory
from tests.group_buy_support import GROUP_FEN, group_buy, join, open_group, pay
from tests.races import all_at_once, postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


def test_fifty_payers_race_for_the_last_two_seats() -> None:
    gb = group_buy(size=4, stock=100)
    group, leader_order = open_group(gb)
    pay(leader_order)
    pay(join(group))
    racers = [join(group, MemberFactory.create()) for _ in range(50)]

    outcomes = all_at_once([lambda o=o: pay(o) for o in racers])

    assert [o for o in outcomes if o is not None] == []
    group.refresh_from_db()
    assert (group.status, group.paid_count) == ("succeeded", 4)
    seats = dict(GroupMember.objects.filter(order__in=racers).values_list("order_id", "status"))
    assert sorted(seats.values()).count("paid") == 2
    assert sorted(seats.values()).count("refused") == 48
    for order in Order.objects.filter(pk__in=[o.pk for o in racers]):
        refunds = list(Refund.objects.filter(payment_id=order.payment_id))
        if seats[order.pk] == "paid":
            assert (order.status, order.on_hold, refunds) == ("paid", False, [])
        else:
            assert order.status == "closed" and order.refunded_fen == GROUP_FEN
            assert [(r.amount_fen, r.status) for r in refunds] == [(GROUP_FEN, "succeeded")]
    assert GroupEvent.objects.filter(group=group, to_status="succeeded").count() == 1
    assert ledger_check() == []


def test_racing_expiry_runs_refund_every_member_exactly_once() -> None:
    gb = group_buy(size=6, hours=1)
    group, leader_order = open_group(gb)
    pay(leader_order)
    members = [join(group) for _ in range(4)]
    for order in members:
        pay(order)
    paid = [leader_order, *members]
    later = group.expires_at + timedelta(minutes=1)

    outcomes = all_at_once([lambda: groups_expire(later) for _ in range(4)])

    assert all(isinstance(o, int) for o in outcomes), outcomes
    group.refresh_from_db()
    assert group.status == "failed"
    assert GroupEvent.objects.filter(group=group).count() == 1
    for order in paid:
        refunds = list(Refund.objects.filter(payment_id=order.payment_id))
        assert [(r.amount_fen, r.status) for r in refunds] == [(GROUP_FEN, "succeeded")]
        assert Order.objects.get(pk=order.pk).status == "closed"
    assert set(GroupMember.objects.filter(group=group).values_list("status", flat=True)) == {
        "refunded"
    }
    assert groups_expire(later + timedelta(hours=1)) == 0
    assert Refund.objects.count() == len(paid)
    assert ledger_check() == []
    assert Group.objects.get(pk=group.pk).paid_count == len(paid)

"""Group-buy reads: group-buys, groups and their paid members, and the groups due to fail."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order, OrderLine
from sharemall.orders.rules import PAID as PAID_ORDER
from sharemall.promotions.models import Group, GroupBuy, GroupMember
from sharemall.promotions.rules import groups as rules


def group_buys_of(merchant: Merchant) -> QuerySet[GroupBuy]:
    return GroupBuy.objects.filter(merchant=merchant).select_related("sku__product").order_by("-pk")


def group_buy_of(merchant: Merchant, group_buy_id: int) -> GroupBuy:
    found = group_buys_of(merchant).filter(pk=group_buy_id).first()
    if found is None:
        raise NotFound(_("No such group-buy."))
    return found


def group_buy(group_buy_id: int) -> GroupBuy:
    found = GroupBuy.objects.select_related("sku__product").filter(pk=group_buy_id).first()
    if found is None:
        raise NotFound(_("No such group-buy."))
    return found


def active_group_buys_of_product(product_id: int) -> QuerySet[GroupBuy]:
    return GroupBuy.objects.filter(sku__product_id=product_id, status=rules.ACTIVE).order_by(
        "price_fen", "pk"
    )


def group(group_id: int) -> Group:
    found = Group.objects.select_related("group_buy__sku__product").filter(pk=group_id).first()
    if found is None:
        raise NotFound(_("No such group."))
    return found


def open_groups(group_buy: GroupBuy, now: datetime, *, limit: int = 20) -> list[Group]:
    """Groups a member can join now: forming, before their deadline, led by a leader who paid."""
    return list(
        Group.objects.filter(
            group_buy=group_buy, status=rules.FORMING, expires_at__gt=now, paid_count__gte=1
        ).order_by("expires_at")[:limit]
    )


def paid_seats(group: Group) -> list[GroupMember]:
    """The members who paid for a seat (and, once the group failed, were refunded): the only
    members a group ever shows."""
    return list(
        GroupMember.objects.filter(group=group, status__in=(rules.PAID, rules.REFUNDED))
        .select_related("member")
        .order_by("paid_at", "pk")
    )


def paid_member_ids(group: Group) -> list[int]:
    return list(
        GroupMember.objects.filter(group=group, status=rules.PAID)
        .order_by("pk")
        .values_list("member_id", flat=True)
    )


def leader_paid(group: Group) -> bool:
    return GroupMember.objects.filter(group=group, is_leader=True, status=rules.PAID).exists()


def holds_seat(group: Group, member: Member) -> bool:
    return GroupMember.objects.filter(
        group=group, member=member, status__in=rules.LIVE_SEATS
    ).exists()


def seat_of(group: Group, member: Member) -> GroupMember | None:
    return (
        GroupMember.objects.filter(group=group, member=member, status__in=rules.LIVE_SEATS)
        .select_related("order__payment")
        .first()
    )


def groups_due_to_fail(now: datetime, *, limit: int = 500) -> list[int]:
    return list(
        Group.objects.filter(status=rules.FORMING, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def orders_to_refund(*, limit: int = 500) -> list[Order]:
    """The orders of paid seats in failed groups not refunded yet (each refunded once: the
    coordinator closes the seat after its refund)."""
    order_ids = GroupMember.objects.filter(
        status=rules.PAID, group__status=rules.FAILED
    ).values_list("order_id", flat=True)[:limit]
    return list(
        Order.objects.filter(pk__in=list(order_ids)).select_related("payment").order_by("pk")
    )


def refused_seats_not_refunded(*, limit: int = 500) -> list[GroupMember]:
    """Seats refused at payment (no seat was left) whose order's refund never started: the
    capture's own at-once refund failed to start (checkout logs it), so the expiry job tries
    again. Started means its units are claimed by the refund request."""
    unclaimed = OrderLine.objects.filter(
        order_id=OuterRef("order_id"), claimed_quantity__lt=F("quantity")
    )
    return list(
        GroupMember.objects.filter(status=rules.REFUSED, order__status=PAID_ORDER)
        .filter(Exists(unclaimed))
        .select_related("group", "order__payment")
        .order_by("pk")[:limit]
    )

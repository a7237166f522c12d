"""Checkout's promotion flows: orders placed at a group's or a bargain's price, and what a
promotion cannot keep refunded. The promotion's own state lives in the promotions app; this
module only places its orders through `services.order_create` and refunds through after-sales
(`aftersales.order_refund_whole`)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersales
from sharemall.checkout import services as checkout
from sharemall.core.errors import DomainError
from sharemall.promotions.models import Group
from sharemall.promotions.rules.offers import BARGAIN, GROUP
from sharemall.promotions.selectors import bargains as bargain_selectors
from sharemall.promotions.selectors import groups as group_selectors
from sharemall.promotions.services import groups, offers

logger = logging.getLogger(__name__)

# --- group-buy (拼团) -------------------------------------------------------------------------


def group_open(
    *,
    leader: Member,
    group_buy_id: int,
    delivery: checkout.Delivery,
    share_code: str | None = None,
    client_ip: str | None = None,
    device_id: str = "",
) -> tuple[Group, checkout.CheckoutResult]:
    """The leader opens a group of a group-buy and gets the order (on hold) and payment for
    their own seat, all or nothing. The group's clock starts now; others join once the leader
    has paid."""
    now = timezone.now()
    group_buy = group_selectors.group_buy(group_buy_id)
    with transaction.atomic():
        group = groups.group_open(group_buy, leader=leader, now=now)
        offer = offers.offer(GROUP, group.pk, buyer=leader, sku_id=group_buy.sku_id, now=now)
        result = checkout.order_create(
            buyer=leader,
            items=[checkout.Item(group_buy.sku_id, 1, offer=offer)],
            delivery=delivery,
            share_code=share_code,
            client_ip=client_ip,
            device_id=device_id,
        )
    return group, result


def group_join(
    *,
    member: Member,
    group_id: int,
    delivery: checkout.Delivery,
    share_code: str | None = None,
    client_ip: str | None = None,
    device_id: str = "",
) -> checkout.CheckoutResult:
    """A member joins a forming group: an order (on hold) and a payment at the group price. The
    seat is theirs only once they pay, and only if a seat is still free then."""
    group = group_selectors.group(group_id)
    offer = offers.offer(
        GROUP, group.pk, buyer=member, sku_id=group.group_buy.sku_id, now=timezone.now()
    )
    return checkout.order_create(
        buyer=member,
        items=[checkout.Item(group.group_buy.sku_id, 1, offer=offer)],
        delivery=delivery,
        share_code=share_code,
        client_ip=client_ip,
        device_id=device_id,
    )


def groups_expire(now: datetime) -> int:
    """Job: groups still forming past their deadline fail, and every paid member's order is
    refunded in full through the provider, once. A seat is closed after its order's refund
    was made; the whole-order refund claims the order's units, so two runs racing over one
    order refund it once, and a run killed between the two leaves the seat for the next run.
    Payers refused a seat whose refund could not start at payment are refunded here too.
    Returns how many groups failed plus how many orders it refunded."""
    moved = sum(
        1
        for group_id in group_selectors.groups_due_to_fail(now)
        if groups.group_fail_expired(group_id, now=now)
    )
    for order in group_selectors.orders_to_refund():
        try:
            if aftersales.order_refund_whole(order, reason=groups.reason_expired()) is not None:
                moved += 1
        except DomainError as exc:
            order.refresh_from_db(fields=["refunded_fen", "total_fen", "status"])
            if order.refunded_fen < order.total_fen:
                # Not refunded by anyone yet: the seat stays for the next run to try again.
                logger.warning("group order %s: not refunded yet: %s", order.pk, exc)
                continue
        groups.seat_refunded(order.pk)
    # Payers refused a seat whose at-once refund could not start when they paid.
    for seat in group_selectors.refused_seats_not_refunded():
        try:
            reason = groups.reason_refused(seat.group)
            if aftersales.order_refund_whole(seat.order, reason=reason) is not None:
                moved += 1
        except DomainError as exc:
            logger.warning("refused group order %s: not refunded yet: %s", seat.order_id, exc)
    return moved


# --- bargain (砍价) ----------------------------------------------------------------------------


def bargain_buy(
    *,
    buyer: Member,
    run_id: int,
    delivery: checkout.Delivery,
    client_ip: str | None = None,
    device_id: str = "",
) -> checkout.CheckoutResult:
    """The starter buys the run's one unit at its current price, before its time is up. Anyone
    else: 404; expired: 409 `bargain_expired`; already ordered or bought: 409 `bargain_closed`;
    a help landing between pricing and reserving: 409 `price_changed`. An unpaid order that
    times out gives the run back to the starter while it lasts."""
    run = bargain_selectors.run(run_id)
    offer = offers.offer(BARGAIN, run.pk, buyer=buyer, sku_id=run.sku_id, now=timezone.now())
    return checkout.order_create(
        buyer=buyer,
        items=[checkout.Item(run.sku_id, 1, offer=offer)],
        delivery=delivery,
        client_ip=client_ip,
        device_id=device_id,
    )

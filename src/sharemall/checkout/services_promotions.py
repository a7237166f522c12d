"""Checkout's promotion flows: orders placed at a group's or a bargain's price, and what a
promotion cannot keep refunded. The promotion's own state lives in the promotions app; this
module only places its orders through `services.order_create` and refunds through after-sales
(`services.refund_promotion_order`)."""

from __future__ import annotations

from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.checkout import services
from sharemall.promotions.rules.offers import BARGAIN
from sharemall.promotions.selectors import bargains as bargain_selectors
from sharemall.promotions.services import offers


def bargain_buy(
    *,
    buyer: Member,
    run_id: int,
    delivery: services.Delivery,
    client_ip: str | None = None,
    device_id: str = "",
) -> services.CheckoutResult:
    """The starter buys the run's one unit at its current price, before its time is up. Anyone
    else: 404; expired: 409 `bargain_expired`; already ordered or bought: 409 `bargain_closed`;
    a help landing between pricing and reserving: 409 `price_changed`. An unpaid order that
    times out gives the run back to the starter while it lasts."""
    run = bargain_selectors.run(run_id)
    offer = offers.offer(BARGAIN, run.pk, buyer=buyer, sku_id=run.sku_id, now=timezone.now())
    return services.order_create(
        buyer=buyer,
        items=[services.Item(run.sku_id, 1, offer=offer)],
        delivery=delivery,
        client_ip=client_ip,
        device_id=device_id,
    )

"""The demo mall's campaigns, set up through the same services the API uses: the tea shop's
coupon and 满减, a platform coupon, a flash sale running now, a group one seat in and a bargain two
friends have helped — so every marketing page has something live to show."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.checkout import services_promotions
from sharemall.merchants.models import Merchant
from sharemall.promotions.rules import coupons as coupon_rules
from sharemall.promotions.rules.pricing import Coupon
from sharemall.promotions.services import bargains, coupons, flash, groups

# The members who take part, by index into the demo members (the first few shop a lot already).
GROUP_LEADER, BARGAIN_STARTER, BARGAIN_HELPERS, COUPON_HOLDER = 3, 4, (5, 6), 0


def seed_campaigns(
    *,
    shop: Merchant,
    operator: Member,
    members: Sequence[Member],
    sku: Callable[[int], Sku],
    delivery: Callable[[Member], checkout.Delivery],
    now: datetime,
) -> None:
    """`sku(i)`: the shop's i-th product's first option; `delivery(member)`: their home."""
    week = {"valid_from": now - timedelta(hours=1), "valid_to": now + timedelta(days=7)}
    shop_coupon = coupons.coupon_create(
        merchant=shop,
        actor=shop.owner,
        title="茶友券 满100减15",
        definition=coupon_rules.Definition(
            Coupon(
                "new",
                coupon_rules.AMOUNT,
                threshold_fen=100_00,
                amount_fen=15_00,
                scope=coupon_rules.SCOPE_MERCHANT,
                scope_ids=frozenset({shop.pk}),
                funded_by=coupon_rules.FUNDED_BY_MERCHANT,
                merchant_id=shop.pk,
            ),
            total=200,
            per_member=1,
            **week,
        ),
    )
    coupons.coupon_claim(shop_coupon, members[COUPON_HOLDER])
    coupons.coupon_create(
        merchant=None,
        actor=operator,
        title="全场 9 折 最多减 20",
        definition=coupon_rules.Definition(
            Coupon("new", coupon_rules.PERCENT, percent_bp=1000, cap_fen=20_00),
            total=1000,
            per_member=1,
            **week,
        ),
    )
    coupons.tiers_create(
        shop,
        actor=shop.owner,
        tiers=[coupon_rules.SpendTier(200_00, 20_00), coupon_rules.SpendTier(300_00, 40_00)],
        valid_from=now - timedelta(hours=1),
        valid_to=now + timedelta(days=30),
    )

    # A flash sale running now, for the next two hours: its page counts down to the end.
    flash_sku = sku(3)
    flash.sale_create(
        shop,
        sku_id=flash_sku.pk,
        price_fen=max(1, flash_sku.price_fen * 6 // 10),
        stock=30,
        per_member=2,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
    )

    # A group of three the leader opened and paid: two seats to fill.
    group_sku = sku(1)
    group_buy = groups.group_buy_create(
        shop, sku_id=group_sku.pk, price_fen=group_sku.price_fen * 8 // 10, size=3, hours=48
    )
    leader = members[GROUP_LEADER]
    _group, opened = services_promotions.group_open(
        leader=leader, group_buy_id=group_buy.pk, delivery=delivery(leader)
    )
    checkout.sandbox_complete(opened.payment)

    # A bargain two friends have helped on.
    bargain_sku = sku(2)
    bargain = bargains.bargain_create(
        shop,
        sku_id=bargain_sku.pk,
        floor_price_fen=bargain_sku.price_fen // 2,
        helpers_needed=5,
        hours=72,
    )
    run = bargains.run_start(bargain.pk, starter=members[BARGAIN_STARTER], now=now).run
    for helper in BARGAIN_HELPERS:
        bargains.run_help(
            run.pk, helper=members[helper], device_id=f"demo-device-{helper}", now=now
        )

"""Reads for distribution: a member's team and commissions, the review queue."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.db import connection
from django.db.models import Min, QuerySet

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product, Sku
from sharemall.catalog.selectors import visible_products
from sharemall.core import versions
from sharemall.core.sql import is_postgres, prepared_cursor
from sharemall.distribution import rules
from sharemall.distribution.models import CommissionEntry, CommissionPlan, SubStore
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderLine
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import current as platform_settings

TEAM_DIRECT_SHOWN = 200


def team(member: Member) -> dict[str, Any]:
    """Direct team members and the counts at each level below the member.

    Three indexed counts on the ancestors stored on every member row: no walk of the tree, and
    nothing written to ancestors when someone signs up or buys.
    """
    direct = list(
        Member.objects.filter(parent=member)
        .order_by("-date_joined", "-id")
        .values("id", "nickname")[:TEAM_DIRECT_SHOWN]
    )
    return {
        "direct": direct,
        "counts": {
            "level1": Member.objects.filter(parent=member).count(),
            "level2": Member.objects.filter(grandparent=member).count(),
            "level3": Member.objects.filter(great_grandparent=member).count(),
        },
    }


def commissions_of(member: Member, *, status: str | None = None) -> QuerySet[CommissionEntry]:
    entries = CommissionEntry.objects.filter(beneficiary=member)
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("-created_at", "-id")


def held_commissions() -> QuerySet[CommissionEntry]:
    return (
        CommissionEntry.objects.filter(status="held")
        .select_related("beneficiary", "order")
        .order_by("created_at", "id")
    )


def commission_for_operator(entry_id: int) -> CommissionEntry | None:
    return CommissionEntry.objects.filter(pk=entry_id).first()


def merchant_plan(
    merchant_id: int, *, product_id: int | None = None, sku_id: int | None = None
) -> CommissionPlan | None:
    plans = CommissionPlan.objects.filter(merchant_id=merchant_id)
    plans = plans.filter(product_id=product_id) if product_id else plans.filter(product=None)
    plans = plans.filter(sku_id=sku_id) if sku_id else plans.filter(sku=None)
    return plans.first()


def substore_public(member_id: int) -> dict[str, Any] | None:
    """A distributor's sub-store as anyone sees it: only products still on sale."""
    store = (
        SubStore.objects.select_related("member")
        .filter(member_id=member_id, member__is_active=True)
        .first()
    )
    if store is None:
        return None
    on_sale = visible_products(None).annotate(price_from_fen=Min("skus__price_fen"))
    by_id = {p.pk: p for p in on_sale.filter(pk__in=store.items.values("product_id"))}
    products = [
        {
            "id": item.product_id,
            "title": by_id[item.product_id].title,
            "price_from_fen": by_id[item.product_id].price_from_fen,
        }
        for item in store.items.all()
        if item.product_id in by_id
    ]
    return {
        "member_id": store.member_id,
        "nickname": store.member.nickname,
        "title": store.title,
        "products": products,
    }


TEAM_DEPTH_MAX = 10


def team_depths(member: Member, *, depth: int) -> list[dict[str, int]]:
    """Whole-team view below the three stored levels: members per depth, by a recursive query
    down the parent links (depth capped, so a huge team is still one bounded query)."""
    depth = max(1, min(depth, TEAM_DEPTH_MAX))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE down(id, depth) AS (
                SELECT id, 1 FROM accounts_member WHERE parent_id = %s
                UNION ALL
                SELECT m.id, down.depth + 1
                FROM accounts_member m JOIN down ON m.parent_id = down.id
                WHERE down.depth < %s
            )
            SELECT depth, COUNT(*) FROM down GROUP BY depth ORDER BY depth
            """,
            [member.pk, depth],
        )
        return [{"depth": int(d), "members": int(n)} for d, n in cursor.fetchall()]


def share_degree(sharer_id: int, product_ids: list[int]) -> int:
    """The degree an order through `sharer_id`'s share of these products has (PRODUCT §6.3):
    one more than the lowest degree at which the sharer bought any of them through a share, or
    1 when the sharer found them on their own. Every order through a share asks: on PostgreSQL
    one prepared statement (the ORM's aggregate cost ~1 ms of CPU), elsewhere the ORM."""
    if is_postgres():
        with prepared_cursor() as cursor:
            cursor.execute(
                _prior_degree_sql(),
                {
                    "buyer": sharer_id,
                    "statuses": list(order_rules.BOUGHT_STATUSES),
                    "products": product_ids,
                },
            )
            prior = cursor.fetchone()[0]
    else:
        prior = prior_degree_orm(sharer_id, product_ids)
    return rules.degree_after(prior)


def prior_degree_orm(sharer_id: int, product_ids: list[int]) -> int | None:
    """The lowest degree at which the sharer bought any of these products through a share
    (None: never), through the ORM: what `_prior_degree_sql` reads, as tests compare."""
    lowest: int | None = Order.objects.filter(
        buyer_id=sharer_id,
        attribution="share",
        degree__isnull=False,
        status__in=order_rules.BOUGHT_STATUSES,
        lines__product_id__in=product_ids,
    ).aggregate(lowest=Min("degree"))["lowest"]
    return lowest


@functools.cache
def _prior_degree_sql() -> str:
    quote = connection.ops.quote_name
    order, line = Order._meta, OrderLine._meta
    return (
        f"SELECT MIN(o.{quote('degree')}) FROM {quote(order.db_table)} o "  # noqa: S608 - constant names; values are parameters
        f"WHERE o.{quote('buyer_id')} = %(buyer)s AND o.{quote('attribution')} = 'share' "
        f"AND o.{quote('degree')} IS NOT NULL AND o.{quote('status')} = ANY(%(statuses)s::text[]) "
        f"AND EXISTS (SELECT 1 FROM {quote(line.db_table)} l WHERE l.{quote('order_id')} = o.id "
        f"AND l.{quote('product_id')} = ANY(%(products)s::bigint[]))"
    )


@dataclass(frozen=True, slots=True)
class _MerchantPlans:
    """All of one merchant's plans, as the rules compute with them."""

    default: rules.Plan | None
    by_product: Mapping[int, rules.Plan]
    by_sku: Mapping[int, rules.Plan]


def _load_plans(merchant_ids: list[int]) -> dict[int, _MerchantPlans]:
    default: dict[int, rules.Plan] = {}
    by_product: dict[int, dict[int, rules.Plan]] = {m: {} for m in merchant_ids}
    by_sku: dict[int, dict[int, rules.Plan]] = {m: {} for m in merchant_ids}
    for plan in CommissionPlan.objects.filter(merchant_id__in=merchant_ids):
        if plan.sku_id:
            by_sku[plan.merchant_id][plan.sku_id] = plan.as_rule()
        elif plan.product_id:
            by_product[plan.merchant_id][plan.product_id] = plan.as_rule()
        else:
            default[plan.merchant_id] = plan.as_rule()
    return {
        m: _MerchantPlans(
            default.get(m), MappingProxyType(by_product[m]), MappingProxyType(by_sku[m])
        )
        for m in merchant_ids
    }


# Per merchant, under the `plans` version that every write of a CommissionPlan bumps.
_plans: versions.VersionedCache[int, _MerchantPlans] = versions.VersionedCache(
    versions.PLANS, _load_plans
)


def plans_for(skus: Sequence[Sku]) -> dict[int, rules.Plan | None]:
    """The plan in force for each SKU: its own, else its product's, else its merchant's (one
    query for all the merchants' plans, none while they are cached)."""
    if not skus:
        return {}
    by_merchant = _plans.get_many(s.product.merchant_id for s in skus)
    result: dict[int, rules.Plan | None] = {}
    for s in skus:
        plans = by_merchant[s.product.merchant_id]
        chosen = plans.by_sku.get(s.pk)
        if chosen is None:
            chosen = plans.by_product.get(s.product_id)
        if chosen is None:
            chosen = plans.default
        result[s.pk] = chosen
    return result


def can_earn_by_sharing(member: Member | None) -> bool:
    """Whether a sale through this member's share would pay them level 1 (as the commission
    chain decides): anyone active under 全民分销, only enabled distributors under 指定分销."""
    if member is None or not member.is_active:
        return False
    if platform_settings().distribution_mode == platform_rules.APPROVED:
        return member.is_distributor
    return True


@dataclass(frozen=True)
class ShareOffer:
    """What a share is worth on one unit of a SKU, before anyone buys: the product page shows
    both sides (好友立减 ¥x on a shared page, 分享赚 ¥y in the share sheet and on tiles),
    computed by the same plan lookup and rules that checkout and commissions apply."""

    sku_id: int
    price_fen: int
    discount_fen: int  # what the friend saves (the plan's buyer discount)
    earn_fen: int  # what the sharer earns at level 1 on what the friend pays

    @property
    def paid_fen(self) -> int:
        return self.price_fen - self.discount_fen


def share_offers(skus: Sequence[Sku]) -> dict[int, ShareOffer]:
    """Per SKU id, one query for all the plans; a SKU whose merchant gives nothing up for
    sharing offers zero and zero."""
    prices = {sku.pk: sku.price_fen for sku in skus}
    offers = {}
    for sku_id, plan in plans_for(skus).items():
        price = prices[sku_id]
        discount = rules.buyer_discount(plan, list_fen=price, quantity=1) if plan else 0
        earn = rules.level_amount(plan, 1, base_fen=price - discount, quantity=1) if plan else 0
        offers[sku_id] = ShareOffer(sku_id, price, discount, earn)
    return offers


def share_earnings(member: Member | None, products: Iterable[Product]) -> dict[int, int]:
    """ "分享赚 ¥x" for each product: what the member earns at level 1 when a friend buys one
    unit of its cheapest option through their share (after the friend's share discount).
    Products that pay nothing are left out; a member who cannot earn gets nothing. The SKUs
    must be prefetched."""
    if not can_earn_by_sharing(member):
        return {}
    cheapest = {
        product.pk: min(skus, key=lambda sku: (sku.price_fen, sku.pk))
        for product in products
        if (skus := list(product.skus.all()))
    }
    offers = share_offers(list(cheapest.values()))
    earnings: dict[int, int] = {}
    for product_id, sku in cheapest.items():
        offer = offers.get(sku.pk)
        if offer is not None and offer.earn_fen > 0:
            earnings[product_id] = offer.earn_fen
    return earnings

"""Propagation across the whole platform, for operators (PRODUCT §6.3, §9): which products spread
through shares, clicks and orders by degree over every product, and the platform's viral
coefficient, over a period of days.

It counts the way the per-product report (analytics.selectors.propagation) does: a click's degree
is one more than the lowest degree at which the link's sharer bought that product through a
share, else 1; an order's degree is the one it was attributed with; only bought orders count.
Kept apart from selectors.py so the two reports can change without stepping on each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Sum
from django.utils import timezone

from sharemall.analytics import rules
from sharemall.catalog.models import Product
from sharemall.distribution.rules import degree_after
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderLine
from sharemall.posts.models import Post
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareClick, ShareLink

TOP_PRODUCTS = 10


@dataclass(frozen=True)
class ProductSpread:
    product_id: int
    title: str
    merchant: str
    clicks: int
    orders: int
    buyers: int
    gmv_fen: int

    @property
    def conversion(self) -> float | None:
        return rules.conversion(self.orders, self.clicks)


@dataclass(frozen=True)
class PlatformSpread:
    days: int
    since: datetime
    by_degree: list[rules.DegreeRow]
    top_products: list[ProductSpread]
    viral_coefficient: float
    sharing_buyers: int
    brought_buyers: int
    half_life_hours: float | None
    totals: dict[str, int]


def _share_orders(since: datetime) -> Any:
    return Order.objects.filter(
        status__in=order_rules.BOUGHT_STATUSES,
        attribution="share",
        degree__isnull=False,
        created_at__gte=since,
    )


def _link_products(link_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Each link's sharer, creation time and the product it leads to (a post leads to its
    product)."""
    links: dict[int, dict[str, Any]] = {
        row["id"]: dict(row)
        for row in ShareLink.objects.filter(pk__in=link_ids).values(
            "id", "sharer_id", "created_at", "target_type", "target_id"
        )
    }
    post_ids = {r["target_id"] for r in links.values() if r["target_type"] == sharing_rules.POST}
    product_of_post = dict(Post.objects.filter(pk__in=post_ids).values_list("pk", "product_id"))
    for row in links.values():
        if row["target_type"] == sharing_rules.PRODUCT:
            row["product_id"] = row["target_id"]
        else:
            row["product_id"] = product_of_post.get(row["target_id"])
    return links


def _sharer_degrees(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The degree each (sharer, product) pair's shares carry."""
    sharers = {s for s, _p in pairs}
    products = {p for _s, p in pairs}
    lowest = {
        (buyer, product): degree
        for buyer, product, degree in OrderLine.objects.filter(
            order__status__in=order_rules.BOUGHT_STATUSES,
            order__attribution="share",
            order__degree__isnull=False,
            order__buyer_id__in=sharers,
            product_id__in=products,
        )
        .values("order__buyer_id", "product_id")
        .annotate(lowest=Min("order__degree"))
        .values_list("order__buyer_id", "product_id", "lowest")
    }
    return {pair: degree_after(lowest.get(pair)) for pair in pairs}


def platform_spread(days: int, *, now: datetime | None = None) -> PlatformSpread:
    """The platform's propagation over the last `days` days (clicks and orders since then)."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    clicks = list(
        ShareClick.objects.filter(clicked_at__gte=since).values_list(
            "link_id", "visitor_key", "clicked_at"
        )
    )
    links = _link_products({link_id for link_id, _v, _c in clicks})
    pairs = {
        (row["sharer_id"], row["product_id"])
        for row in links.values()
        if row["product_id"] is not None
    }
    degrees = _sharer_degrees(pairs)
    rows: dict[int, rules.DegreeRow] = {}
    visitors: dict[int, set[str]] = defaultdict(set)
    clicks_by_product: Counter[int] = Counter()
    ages: list[float] = []
    for link_id, visitor_key, clicked_at in clicks:
        link = links[link_id]
        degree = degrees.get((link["sharer_id"], link["product_id"]), 1)
        rows.setdefault(degree, rules.DegreeRow(degree)).clicks += 1
        visitors[degree].add(visitor_key)
        ages.append(rules.age_seconds(link["created_at"], clicked_at))
        if link["product_id"] is not None:
            clicks_by_product[link["product_id"]] += 1
    for degree, keys in visitors.items():
        rows[degree].reach = len(keys)

    orders = list(_share_orders(since).values_list("id", "buyer_id", "referrer_id", "degree"))
    buyers_at: dict[int, set[int]] = defaultdict(set)
    for _id, buyer_id, _referrer, degree in orders:
        rows.setdefault(degree, rules.DegreeRow(degree)).orders += 1
        buyers_at[degree].add(buyer_id)
    for degree, buyers in buyers_at.items():
        rows[degree].buyers = len(buyers)

    # Viral coefficient: of the buyers who shared, how many new buyers their shares brought.
    sharers = {row["sharer_id"] for row in links.values()}
    buyers = set(
        Order.objects.filter(
            status__in=order_rules.BOUGHT_STATUSES, buyer_id__in=sharers
        ).values_list("buyer_id", flat=True)
    )
    sharing_buyers = sharers & buyers
    brought = {buyer for _id, buyer, referrer, _d in orders if referrer in sharing_buyers}

    return PlatformSpread(
        days=days,
        since=since,
        by_degree=[rows[d] for d in sorted(rows)],
        top_products=_top_products(since, clicks_by_product),
        viral_coefficient=rules.viral_coefficient(len(sharing_buyers), len(brought)),
        sharing_buyers=len(sharing_buyers),
        brought_buyers=len(brought),
        half_life_hours=rules.half_life_hours(ages),
        totals={
            "clicks": len(clicks),
            "reach": len({key for keys in visitors.values() for key in keys}),
            "sharers": len(sharers),
            "orders": len(orders),
            "buyers": len({buyer for _id, buyer, _r, _d in orders}),
        },
    )


def _top_products(since: datetime, clicks: Counter[int]) -> list[ProductSpread]:
    """The products with the most share-driven orders in the period (clicks break ties)."""
    by_product: dict[int, dict[str, Any]] = {
        row["product_id"]: dict(row)
        for row in OrderLine.objects.filter(order__in=_share_orders(since))
        .values("product_id")
        .annotate(
            orders=Count("order", distinct=True),
            buyers=Count("order__buyer", distinct=True),
            gmv=Sum("paid_fen"),
        )
    }
    ranked = sorted(
        set(by_product) | set(clicks),
        key=lambda p: (-by_product.get(p, {}).get("orders", 0), -clicks.get(p, 0), p),
    )[:TOP_PRODUCTS]
    names = {
        p.pk: (p.title, p.merchant.legal_name)
        for p in Product.objects.filter(pk__in=ranked).select_related("merchant")
    }
    found = []
    for product_id in ranked:
        row: dict[str, Any] = by_product.get(product_id, {})
        title, merchant = names.get(product_id, ("", ""))
        found.append(
            ProductSpread(
                product_id=product_id,
                title=title,
                merchant=merchant,
                clicks=clicks.get(product_id, 0),
                orders=int(row.get("orders", 0)),
                buyers=int(row.get("buyers", 0)),
                gmv_fen=int(row.get("gmv") or 0),
            )
        )
    return found

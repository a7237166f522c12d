"""Product tiles: what a storefront grid shows about each product beyond the product itself —
its lowest price and that option's struck-through list price, 已售, the shop's name and, for a
member who earns by sharing, 分享赚. A fixed handful of queries for a whole page, never one
per tile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.distribution import selectors as distribution
from sharemall.merchants import selectors as merchants
from sharemall.orders import selectors as orders


@dataclass(frozen=True)
class Tile:
    product: Product
    price_fen: int | None  # the cheapest option's price
    list_price_fen: int | None  # that option's 划线价, when it has one
    several_prices: bool  # options differ in price: "from ¥x"
    sold: int
    earn_fen: int  # 分享赚: 0 when the viewer earns nothing
    shop_name: str


def tiles_for(products: Sequence[Product], viewer: Member | None) -> list[Tile]:
    """Tiles for products whose SKUs are prefetched (as the catalogue's storefront reads do)."""
    items = list(products)
    ids = [p.pk for p in items]
    sold = orders.sold_counts(ids)
    shops = merchants.shop_names({p.merchant_id for p in items})
    earnings = distribution.share_earnings(viewer, items)
    tiles = []
    for product in items:
        skus = list(product.skus.all())
        cheapest = min(skus, key=lambda sku: (sku.price_fen, sku.pk)) if skus else None
        tiles.append(
            Tile(
                product=product,
                price_fen=cheapest.price_fen if cheapest else None,
                list_price_fen=cheapest.list_price_fen if cheapest else None,
                several_prices=len({sku.price_fen for sku in skus}) > 1,
                sold=sold.get(product.pk, 0),
                earn_fen=earnings.get(product.pk, 0),
                shop_name=shops.get(product.merchant_id) or product.merchant.legal_name,
            )
        )
    return tiles

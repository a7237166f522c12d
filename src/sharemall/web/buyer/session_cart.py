"""The shopping cart of the buyer pages: SKU ids and quantities in the session, no table.

The session holds only what the shopper chose; titles, prices and whether a SKU can still be
bought are read from the catalogue every time, so a stale cart never shows a stale price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase

from sharemall.catalog import rules as catalog_rules
from sharemall.catalog import selectors as catalog_selectors
from sharemall.catalog.models import Sku
from sharemall.checkout.services import MAX_LINES, MAX_QUANTITY
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Merchant

SESSION_KEY = "cart"


class CartFull(Exception):
    """The cart already holds as many lines as one checkout accepts."""


@dataclass(frozen=True)
class CartLine:
    sku_id: int
    quantity: int
    sku: Sku | None  # None: the SKU was deleted
    cover: str = ""  # the product's first picture, if it has one

    @property
    def available(self) -> bool:
        if self.sku is None or self.sku.stock <= 0:
            return False
        product = self.sku.product
        return catalog_rules.is_buyable(product.status, product.merchant.status)

    @property
    def short_of_stock(self) -> bool:
        return self.sku is not None and 0 < self.sku.stock < self.quantity

    @property
    def amount_fen(self) -> int:
        return self.sku.price_fen * self.quantity if self.sku is not None else 0

    @property
    def most(self) -> int:
        """The most a stepper offers: what is in stock, never above what one order takes."""
        stock = self.sku.stock if self.sku is not None else 0
        return max(1, min(stock, MAX_QUANTITY))


@dataclass
class MerchantGroup:
    merchant: Merchant | None
    lines: list[CartLine] = field(default_factory=list)
    shop: merchant_selectors.Shop | None = None

    @property
    def shop_name(self) -> str:
        if self.shop is not None:
            return self.shop.name
        return self.merchant.legal_name if self.merchant is not None else ""

    @property
    def has_available(self) -> bool:
        return any(line.available for line in self.lines)

    @property
    def subtotal_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.available)


def _valid_quantity(quantity: int) -> bool:
    return 1 <= quantity <= MAX_QUANTITY


def contents(session: SessionBase) -> dict[int, int]:
    """SKU id → quantity, ignoring anything in the session that is not a sane entry."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    found: dict[int, int] = {}
    for key, value in raw.items():
        if str(key).isdigit() and isinstance(value, int) and _valid_quantity(value):
            found[int(key)] = value
    return found


def _save(session: SessionBase, items: dict[int, int]) -> None:
    session[SESSION_KEY] = {str(sku_id): quantity for sku_id, quantity in items.items()}


def add(session: SessionBase, sku_id: int, quantity: int) -> int:
    """Add units of a SKU; returns the line's new quantity (never above what one order takes)."""
    items = contents(session)
    if sku_id not in items and len(items) >= MAX_LINES:
        raise CartFull
    items[sku_id] = min(items.get(sku_id, 0) + quantity, MAX_QUANTITY)
    _save(session, items)
    return items[sku_id]


def set_quantity(session: SessionBase, sku_id: int, quantity: int) -> bool:
    """Change a line's quantity; False when the SKU is not in the cart."""
    items = contents(session)
    if sku_id not in items:
        return False
    items[sku_id] = quantity
    _save(session, items)
    return True


def remove(session: SessionBase, sku_ids: Iterable[int]) -> None:
    items = contents(session)
    for sku_id in sku_ids:
        items.pop(sku_id, None)
    _save(session, items)


def count(session: SessionBase) -> int:
    return sum(contents(session).values())


def lines_for(items: dict[int, int]) -> list[CartLine]:
    """The chosen SKUs with their current catalogue data, in the order they were added."""
    skus = Sku.objects.select_related("product__merchant").in_bulk(list(items))
    covers = catalog_selectors.cover_urls(sku.product_id for sku in skus.values())
    lines = []
    for sku_id, quantity in items.items():
        sku = skus.get(sku_id)
        cover = covers.get(sku.product_id, "") if sku is not None else ""
        lines.append(CartLine(sku_id, quantity, sku, cover))
    return lines


def by_merchant(lines: list[CartLine]) -> list[MerchantGroup]:
    """Lines grouped by the shop that sells them (one order each at checkout); lines whose SKU
    is gone form a group of their own, last."""
    groups: dict[int | None, MerchantGroup] = {}
    for line in lines:
        merchant = line.sku.product.merchant if line.sku is not None else None
        key = merchant.pk if merchant is not None else None
        groups.setdefault(key, MerchantGroup(merchant)).lines.append(line)
    shops = merchant_selectors.shops(key for key in groups if key is not None)
    for key, group in groups.items():
        group.shop = shops.get(key) if key is not None else None
    return sorted(groups.values(), key=lambda g: g.merchant is None)


def chosen(items: dict[int, int], picked: Iterable[int]) -> dict[int, int]:
    """The part of the cart the shopper ticked for checkout."""
    wanted = set(picked)
    return {sku_id: quantity for sku_id, quantity in items.items() if sku_id in wanted}


def total_fen(lines: list[CartLine]) -> int:
    return sum(line.amount_fen for line in lines if line.available)

"""Reads for the catalogue. Strangers see products on sale from approved merchants only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog import rules, search
from sharemall.catalog.models import Category, Product, ProductImage, Sku
from sharemall.core import replica
from sharemall.core.errors import NotFound
from sharemall.merchants.selectors import merchant_for_staff, merchant_ids_of


def _with_details(products: QuerySet[Product]) -> QuerySet[Product]:
    return products.prefetch_related(
        Prefetch("skus", queryset=Sku.objects.order_by("position", "id")),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
    )


# `rules.is_buyable` as a query: the products anyone may see and buy.
BUYABLE = Q(status=rules.ON_SALE, merchant__status=rules.SELLING_MERCHANT_STATUS)


def visible_products(viewer: Member | None) -> QuerySet[Product]:
    public = BUYABLE
    if viewer is None:
        return Product.objects.filter(public)
    if viewer.is_operator:
        return Product.objects.all()
    return Product.objects.filter(public | Q(merchant_id__in=merchant_ids_of(viewer)))


def product_for_viewer(viewer: Member | None, product_id: int) -> Product:
    product = _with_details(visible_products(viewer)).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No such product."))
    return product


def cover_urls(product_ids: Iterable[int]) -> dict[int, str]:
    """Each product's first picture, for thumbnails of cart and order lines (a product without
    pictures is missing from the answer)."""
    covers: dict[int, str] = {}
    found = ProductImage.objects.filter(product_id__in=set(product_ids)).order_by(
        "product_id", "-position", "-id"
    )
    for image in found.only("product_id", "image"):
        covers[image.product_id] = image.image.url  # the last one written is the first picture
    return covers


def product_for_staff(member: Member, product_id: int) -> Product:
    """A product of a merchant the member owns, to manage: other merchants' products are 404,
    and the merchant's clerks are refused (403 `owner_only`): the catalogue is the owner's."""
    product = (
        _with_details(Product.objects.select_related("merchant"))
        .filter(pk=product_id, merchant_id__in=merchant_ids_of(member))
        .first()
    )
    if product is None:
        raise NotFound(_("No such product."))
    merchant_for_staff(member, product.merchant_id, owner_only=True)
    return product


def sku_for_staff(member: Member, sku_id: int) -> Sku:
    """A SKU of a merchant the member owns (prices and stock are the owner's, as products)."""
    sku = (
        Sku.objects.select_related("product")
        .filter(pk=sku_id, product__merchant_id__in=merchant_ids_of(member))
        .first()
    )
    if sku is None:
        raise NotFound(_("No such SKU."))
    merchant_for_staff(member, sku.product.merchant_id, owner_only=True)
    return sku


def storefront_products(
    *, query: str = "", category_id: int | None = None, merchant_id: int | None = None
) -> QuerySet[Product]:
    products = visible_products(None).annotate(price_from_fen=Min("skus__price_fen"))
    if category_id is not None:
        products = products.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if merchant_id is not None:
        products = products.filter(merchant_id=merchant_id)
    # Demoted products (the quality feedback: returned or complained about far more than goods
    # should be, docs/quality.md) come after every other, newest first among each.
    newest = _with_details(products.select_related("merchant")).order_by(
        "demoted", "-published_at", "-id"
    )
    # With a query, the most relevant come first (still after the others if demoted); the
    # newest break ties.
    found = search.search_products(newest, query) if query else newest
    # Lists and search a moment old are fine: the replica may answer (docs/SCALING.md).
    return replica.using(found)


@overload
def on_sale_in_order(product_ids: Iterable[int]) -> list[Product]: ...


@overload
def on_sale_in_order(product_ids: Iterable[int], *, ids_only: Literal[True]) -> list[int]: ...


def on_sale_in_order(
    product_ids: Iterable[int], *, ids_only: bool = False
) -> list[Product] | list[int]:
    """The products still on sale among `product_ids`, each once and in that order: a list made
    earlier (a model trained an hour ago, the best sellers of past weeks) may name one taken off
    sale since. As the storefront reads them to show them (SKUs, images, lowest price, shop; a
    replica a moment behind may answer), or with `ids_only` just their ids, from the primary:
    enough to filter a list by, in one cheap query."""
    ids = list(dict.fromkeys(product_ids))
    if ids_only:
        live = set(visible_products(None).filter(pk__in=ids).values_list("pk", flat=True))
        return [i for i in ids if i in live]
    found = {p.pk: p for p in storefront_products().filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def merchant_products(merchant_id: int, *, status: str | None = None) -> QuerySet[Product]:
    products = Product.objects.filter(merchant_id=merchant_id)
    if status:
        products = products.filter(status=status)
    return _with_details(products).order_by("-id")


def category_tree() -> list[dict[str, object]]:
    """Top-level categories, each with its children, by position; `icon` is the icon's URL or
    "" (the storefront then draws the name's first character)."""
    nodes = {
        c.pk: {
            "id": c.pk,
            "name": c.name,
            "icon": c.icon.url if c.icon else "",
            "children": [],
        }
        for c in Category.objects.all()
    }
    roots: list[dict[str, object]] = []
    for c in Category.objects.order_by("position", "id").values("id", "parent_id"):
        node = nodes[c["id"]]
        parent = nodes.get(c["parent_id"]) if c["parent_id"] else None
        (parent["children"] if parent else roots).append(node)  # type: ignore[attr-defined]
    return roots

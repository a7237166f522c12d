"""分类: the category page, and 附近门店: the stores near the shopper."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sharemall.accounts.auth import caller
from sharemall.catalog import selectors as catalog
from sharemall.core.errors import DomainError
from sharemall.merchants import selectors as merchants
from sharemall.web.buyer.tiles import tiles_for
from sharemall.web.common import _int_param

HOT_IN_CATEGORY = 6
# How far the nearby list looks, and how many stores it shows at most.
NEARBY_RADIUS_M = 50_000
NEARBY_MAX = 50


def categories(request: HttpRequest) -> HttpResponse:
    """Top-level categories down the left; the chosen one's subcategories (and a few of its
    products) on the right."""
    tree = catalog.category_tree()
    chosen_id = _int_param(request.GET.get("root"))
    root = next((node for node in tree if node["id"] == chosen_id), tree[0] if tree else None)
    hot = []
    if root is not None:
        assert isinstance(root["id"], int)
        products = catalog.storefront_products(category_id=root["id"])[:HOT_IN_CATEGORY]
        hot = tiles_for(list(products), caller(request))
    return render(request, "web/categories.html", {"tree": tree, "root": root, "hot": hot})


def _coordinate(raw: str | None, limit: float) -> float | None:
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def stores_nearby(request: HttpRequest) -> HttpResponse:
    """The page: every store by city; its script asks the browser where the shopper is and,
    if told, swaps in the list by distance (stores_nearby_list)."""
    return render(request, "web/stores_nearby.html", {"cities": merchants.offline_stores_by_city()})


def stores_nearby_list(request: HttpRequest) -> HttpResponse:
    """The list part: stores by distance from ?lat=&lng=, or by city without a position."""
    lat = _coordinate(request.GET.get("lat"), 90)
    lng = _coordinate(request.GET.get("lng"), 180)
    context: dict[str, object] = {"located": False}
    if lat is not None and lng is not None:
        try:
            near = merchants.stores_nearby(lat, lng, radius_m=NEARBY_RADIUS_M, limit=NEARBY_MAX)
        except DomainError:
            near = None
        if near is not None:
            context.update(located=True, near=near, radius_km=NEARBY_RADIUS_M // 1000)
    if not context["located"] or not context.get("near"):
        context["cities"] = merchants.offline_stores_by_city()
    return render(request, "web/stores_nearby.html#store_list", context)

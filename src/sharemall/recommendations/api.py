"""The JSON edge of recommendations: a sharer's 为你推荐 and tags, a buyer's 猜你喜欢, and a
product's bought-together list."""

from __future__ import annotations

from typing import Any

from django.db.models import Min
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sharemall.accounts.auth import caller, member_auth, optional_auth, require_member
from sharemall.catalog import selectors as catalog
from sharemall.recommendations import rules, selectors, services, serving

router = Router(tags=["recommendations"])


class LimitQuery(Schema):
    limit: int = Field(default=20, ge=1, le=rules.MAX_LIMIT)


class ProductCardOut(Schema):
    product_id: int
    title: str
    price_from_fen: int
    cover_url: str | None


class RecommendationOut(ProductCardOut):
    score: float
    reasons: list[str]


class TagsIn(Schema):
    category_ids: list[int] = Field(default_factory=list, max_length=100)
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    styles: list[str] = Field(default_factory=list, max_length=100)


class TagsOut(Schema):
    category_ids: list[int]
    price_min_fen: int | None
    price_max_fen: int | None
    styles: list[str]


def _cards(product_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Title, lowest price and cover of each product, for a list's tiles."""
    rows = (
        catalog.visible_products(None)
        .filter(pk__in=product_ids)
        .annotate(price_from_fen=Min("skus__price_fen"))
        .values("pk", "title", "price_from_fen")
    )
    covers = catalog.cover_urls(product_ids)
    return {
        row["pk"]: {
            "product_id": row["pk"],
            "title": row["title"],
            "price_from_fen": row["price_from_fen"] or 0,
            "cover_url": covers.get(row["pk"]),
        }
        for row in rows
    }


def _out(found: list[serving.Recommendation]) -> list[dict[str, Any]]:
    cards = _cards([r.product_id for r in found])
    return [
        {**cards[r.product_id], "score": r.score, "reasons": r.reasons}
        for r in found
        if r.product_id in cards
    ]


@router.get("/me/recommended-products", response=list[RecommendationOut], auth=member_auth)
def recommended_for_me(request: HttpRequest, q: Query[LimitQuery]) -> list[dict[str, Any]]:
    """为你推荐: products the caller, as a sharer, is likely to sell well, best first."""
    return _out(serving.recommended_for_sharer(require_member(request), limit=q.limit))


@router.get("/me/recommendation-tags", response=TagsOut, auth=member_auth)
def my_tags(request: HttpRequest) -> Any:
    return selectors.sharer_tags(require_member(request))


@router.put("/me/recommendation-tags", response=TagsOut, auth=member_auth)
def set_my_tags(request: HttpRequest, payload: TagsIn) -> Any:
    return services.sharer_tags_set(
        require_member(request),
        category_ids=payload.category_ids,
        price_min_fen=payload.price_min_fen,
        price_max_fen=payload.price_max_fen,
        styles=payload.styles,
    )


@router.get("/recommended-products", response=list[RecommendationOut], auth=optional_auth)
def recommended_products(request: HttpRequest, q: Query[LimitQuery]) -> list[dict[str, Any]]:
    """猜你喜欢: personal for a signed-in member, popular and varied for a visitor."""
    return _out(serving.recommended_for_buyer(caller(request), limit=q.limit))


@router.get(
    "/products/{product_id}/bought-together", response=list[ProductCardOut], auth=optional_auth
)
def product_bought_together(
    request: HttpRequest, product_id: int, q: Query[LimitQuery]
) -> list[dict[str, Any]]:
    product = catalog.product_for_viewer(caller(request), product_id)  # 404 unless visible
    ids = serving.bought_together(product.pk, limit=q.limit)
    cards = _cards(ids)
    return [cards[pid] for pid in ids if pid in cards]

"""Reads for pages and the API: recommendations served from the newest trained model, and the
quality verdicts training left per SKU."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from sharemall.accounts.models import Member
from sharemall.recommendations.models import SharerTags, SkuQuality


@dataclass(frozen=True)
class Recommendation:
    product_id: int
    score: float
    reasons: list[str] = field(default_factory=list)  # in the request's language


def sharer_tags(member: Member) -> SharerTags:
    """The member's tags, or empty ones (unsaved) if they never set any."""
    found = SharerTags.objects.filter(member=member).first()
    return found or SharerTags(member=member)


def recommended_for_sharer(member: Member, *, limit: int = 20) -> list[Recommendation]:
    """为你推荐: on-sale products the member is likely to sell well, best first."""
    return []


def recommended_for_buyer(member: Member | None, *, limit: int = 12) -> list[Recommendation]:
    """猜你喜欢: personal for a member with a history, popular (and varied) otherwise."""
    return []


def bought_together(product_id: int, *, limit: int = 6) -> list[int]:
    """On-sale products often bought with this one, best first."""
    return []


def quality_report(merchant_id: int) -> QuerySet[SkuQuality]:
    """The merchant's SKUs as of the last training run, worst first."""
    return SkuQuality.objects.filter(merchant_id=merchant_id).order_by("-risk_bound", "sku_id")


def worst_skus(*, limit: int = 50) -> QuerySet[SkuQuality]:
    """The platform's worst SKUs: demoted first, then by how sure their rates are high."""
    return SkuQuality.objects.order_by("-demoted", "-risk_bound", "sku_id")[:limit]

"""Reads for pages and the API: sharers' tags and the quality verdicts training left per SKU.
(Recommendations themselves are served by serving.py, which may retrain a small mall.)"""

from __future__ import annotations

from django.db.models import QuerySet

from sharemall.accounts.models import Member
from sharemall.recommendations.models import SharerTags, SkuQuality


def sharer_tags(member: Member) -> SharerTags:
    """The member's tags, or empty ones (unsaved) if they never set any."""
    found = SharerTags.objects.filter(member=member).first()
    return found or SharerTags(member=member)


def quality_report(merchant_id: int) -> QuerySet[SkuQuality]:
    """The merchant's SKUs as of the last training run, worst first."""
    return SkuQuality.objects.filter(merchant_id=merchant_id).order_by("-risk_bound", "sku_id")


def worst_skus(*, limit: int = 50) -> QuerySet[SkuQuality]:
    """The platform's worst SKUs: demoted first, then by how sure their rates are high."""
    return SkuQuality.objects.order_by("-demoted", "-risk_bound", "sku_id")[:limit]

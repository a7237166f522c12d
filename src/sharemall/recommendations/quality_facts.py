"""Each SKU's after-sales record, read from orders, after-sales, disputes and posts."""

from __future__ import annotations

from datetime import datetime

from sharemall.recommendations.quality import SkuFacts


def quality_facts(now: datetime, *, days: int = 180) -> list[SkuFacts]:
    """Placeholder until the grouped reads land."""
    return []

"""The quality verdict on one SKU, from its after-sales record (pure: no database).

A SKU is demoted when its return or complaint rate is high *for certain*: the lower end of a
95 % Wilson interval, not the raw ratio, must pass the limit, and only past a minimum number of
orders. Three orders with one return say little; three hundred with a hundred say a lot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sharemall.core.i18n import LazyText, gettext_lazy

# Below this many orders nothing is judged: the interval is too wide to mean anything.
MIN_ORDERS = 10
# Demoted when we are 95 % sure that more than this share of orders come back ...
RETURN_LIMIT = 0.15
# ... or that more than this share end in a dispute the platform has to settle.
COMPLAINT_LIMIT = 0.05
Z95 = 1.959963984540054

REASONS: dict[str, LazyText] = {
    "high_returns": gettext_lazy("Returned far more often than similar goods"),
    "high_complaints": gettext_lazy("Buyers complain about it to the platform"),
    "low_rating": gettext_lazy("Low ratings"),
    "few_orders": gettext_lazy("Too few orders to judge"),
    "good": gettext_lazy("Few returns"),
}
SUGGESTIONS: dict[str, LazyText] = {
    "keep": gettext_lazy("Keep selling"),
    "watch": gettext_lazy("Watch the returns"),
    "fix_listing": gettext_lazy("Correct the description and photos"),
    "check_quality": gettext_lazy("Check the goods with your supplier"),
    "delist": gettext_lazy("Take it off sale"),
}


@dataclass(frozen=True)
class WeekFacts:
    week: date  # the Monday the week starts on
    orders: int
    returns: int


@dataclass(frozen=True)
class SkuFacts:
    sku_id: int
    product_id: int
    merchant_id: int
    orders: int  # paid orders holding the SKU
    units: int
    returns: int  # after-sales requests on it that were refunded
    complaints: int  # of those, or of rejected ones, taken to the platform as disputes
    return_reasons: Mapping[str, int] = field(default_factory=dict)
    rating_sum: int = 0
    rating_count: int = 0
    weekly: Sequence[WeekFacts] = ()


@dataclass(frozen=True)
class Verdict:
    return_rate: float
    complaint_rate: float
    risk_bound: float
    rating: float | None
    demoted: bool
    reasons: list[str]
    suggestion: str


def wilson_lower(successes: int, trials: int, z: float = Z95) -> float:
    """The lower end of the Wilson score interval of successes / trials."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / denominator)


def judge(facts: SkuFacts) -> Verdict:
    orders = max(facts.orders, 0)
    returns = min(facts.returns, orders)
    complaints = min(facts.complaints, orders)
    return_bound = wilson_lower(returns, orders)
    complaint_bound = wilson_lower(complaints, orders)
    rating = facts.rating_sum / facts.rating_count if facts.rating_count else None
    reasons: list[str] = []
    demoted = False
    if orders < MIN_ORDERS:
        reasons.append("few_orders")
    else:
        if return_bound > RETURN_LIMIT:
            reasons.append("high_returns")
            demoted = True
        if complaint_bound > COMPLAINT_LIMIT:
            reasons.append("high_complaints")
            demoted = True
    if not reasons:
        reasons.append("good")
    suggestion = "check_quality" if demoted else "keep"
    return Verdict(
        return_rate=returns / orders if orders else 0.0,
        complaint_rate=complaints / orders if orders else 0.0,
        risk_bound=max(return_bound, complaint_bound / COMPLAINT_LIMIT * RETURN_LIMIT),
        rating=rating,
        demoted=demoted,
        reasons=reasons,
        suggestion=suggestion,
    )

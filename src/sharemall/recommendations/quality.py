"""The quality verdict on one SKU, from its after-sales record (pure: no database).

A SKU is demoted when its return or complaint rate is high *for certain*: the lower end of a
95 % Wilson interval, not the raw ratio, must pass the limit, and only past a minimum number of
orders. Three orders with one return say little; three hundred with a hundred say a lot.
Ratings are averaged towards a prior (a Bayesian average), so two one-star posts do not sink a
SKU; the verdict then names why (reasons) and says what the merchant should do (suggestion).
docs/quality.md explains the rules and their limits.
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
# Take it off sale: this many orders at least, and 95 % sure the rate is past these.
DELIST_MIN_ORDERS = 30
DELIST_RETURN_LIMIT = 0.40
DELIST_COMPLAINT_LIMIT = 0.15
Z95 = 1.959963984540054

# Ratings (1-5 stars) are averaged with RATING_PRIOR_WEIGHT imaginary ratings of
# RATING_PRIOR_MEAN; judged from MIN_RATINGS real ones on.
RATING_PRIOR_MEAN = 4.0
RATING_PRIOR_WEIGHT = 5
MIN_RATINGS = 5
LOW_RATING = 3.0  # a Bayesian average below this is low
GOOD_RATING = 4.5  # at or above this, well rated

# A return reason dominates when it is at least this share of the coded returns, and at least
# DOMINANT_MIN_RETURNS of them.
DOMINANT_SHARE = 0.5
DOMINANT_MIN_RETURNS = 3

# Returns rise when the last RECENT_WEEKS weeks' orders come back more often, for certain (the
# Wilson lower bound), than the earlier weeks' orders did; from RISING_MIN_RETURNS recent ones.
RECENT_WEEKS = 4
RISING_MIN_RETURNS = 3

# The after-sales reason codes (aftersales.rules.REASON_CODES) whose returns a better listing
# prevents, and those that point at the goods (or their packing) themselves.
LISTING_CAUSES = frozenset({"not_as_described", "size_fit"})
GOODS_CAUSES = frozenset({"quality", "damaged", "wrong_item"})

REASONS: dict[str, LazyText] = {
    "high_returns": gettext_lazy("High return rate"),
    "high_complaints": gettext_lazy("Buyers often take it to the platform"),
    "low_rating": gettext_lazy("Low ratings"),
    "returns_rising": gettext_lazy("Returns rising in recent weeks"),
    "most_quality": gettext_lazy("Most returns: quality problem"),
    "most_not_as_described": gettext_lazy("Most returns: not as described"),
    "most_damaged": gettext_lazy("Most returns: damaged in transit"),
    "most_wrong_item": gettext_lazy("Most returns: wrong item or size sent"),
    "most_size_fit": gettext_lazy("Most returns: size or fit"),
    "most_changed_mind": gettext_lazy("Most returns: no longer wanted"),
    "most_other": gettext_lazy("Most returns: other reasons"),
    "few_orders": gettext_lazy("Too few orders to judge"),
    "good": gettext_lazy("Few returns"),
    "well_rated": gettext_lazy("Well rated"),
}
SUGGESTIONS: dict[str, LazyText] = {
    "keep": gettext_lazy("Keep selling"),
    "watch": gettext_lazy("Watch the returns"),
    "fix_listing": gettext_lazy("Correct the description and photos"),
    "check_quality": gettext_lazy("Check the goods with your supplier"),
    "delist": gettext_lazy("Take it off sale"),
}
# Reasons that say something is wrong (the others are neutral or good news).
PROBLEMS = frozenset(
    {"high_returns", "high_complaints", "low_rating", "returns_rising"}
    | {code for code in REASONS if code.startswith("most_")}
)


@dataclass(frozen=True)
class WeekFacts:
    week: date  # the Monday the week starts on
    orders: int  # paid that week
    returns: int  # of those orders, how many came back (counted as in SkuFacts.returns)


@dataclass(frozen=True)
class SkuFacts:
    sku_id: int
    product_id: int
    merchant_id: int
    orders: int  # paid orders holding the SKU
    units: int
    returns: int  # of those orders, those with a return (quality_facts says which count)
    complaints: int  # of those orders, those with a request taken to the platform (a dispute)
    return_reasons: Mapping[str, int] = field(default_factory=dict)  # reason code -> requests
    rating_sum: int = 0
    rating_count: int = 0
    weekly: Sequence[WeekFacts] = ()  # oldest first


@dataclass(frozen=True)
class Verdict:
    return_rate: float
    complaint_rate: float
    # The worse of the two Wilson lower bounds, the complaint one scaled to the return limit
    # (so both compare alike): how the worst SKUs are ordered.
    risk_bound: float
    rating: float | None  # the plain average of the ratings
    demoted: bool
    reasons: list[str]  # REASONS codes, most serious first
    suggestion: str  # a SUGGESTIONS code
    return_bound: float = 0.0
    complaint_bound: float = 0.0
    rating_score: float | None = None  # the Bayesian average, from MIN_RATINGS ratings on
    dominant_reason: str = ""  # the after-sales reason code most returns give, if one does
    returns_rising: bool = False


def wilson_lower(successes: int, trials: int, z: float = Z95) -> float:
    """The lower end of the Wilson score interval of successes / trials."""
    if trials <= 0:
        return 0.0
    successes = min(max(successes, 0), trials)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return min(p, max(0.0, (centre - margin) / denominator))


def bayesian_rating(rating_sum: int, rating_count: int) -> float | None:
    """The average rating pulled towards the prior; None below MIN_RATINGS ratings."""
    if rating_count < MIN_RATINGS:
        return None
    weight = RATING_PRIOR_WEIGHT
    return (rating_sum + weight * RATING_PRIOR_MEAN) / (rating_count + weight)


def dominant_reason(return_reasons: Mapping[str, int]) -> str:
    """The reason code at least DOMINANT_SHARE of the returns give (from DOMINANT_MIN_RETURNS of
    them), or ""."""
    counted = {code or "other": n for code, n in return_reasons.items() if n > 0}
    total = sum(counted.values())
    if not counted:
        return ""
    code, n = max(sorted(counted.items()), key=lambda item: item[1])
    if n >= DOMINANT_MIN_RETURNS and n >= DOMINANT_SHARE * total:
        return code
    return ""


def returns_rising(weekly: Sequence[WeekFacts]) -> bool:
    """The last RECENT_WEEKS weeks' orders come back more often than the earlier weeks', for
    certain: the recent rate's Wilson lower bound is above the earlier plain rate."""
    if len(weekly) <= RECENT_WEEKS:
        return False
    recent, earlier = weekly[-RECENT_WEEKS:], weekly[:-RECENT_WEEKS]
    recent_orders = sum(max(w.orders, 0) for w in recent)
    recent_returns = min(sum(max(w.returns, 0) for w in recent), recent_orders)
    earlier_orders = sum(max(w.orders, 0) for w in earlier)
    earlier_returns = min(sum(max(w.returns, 0) for w in earlier), earlier_orders)
    if recent_returns < RISING_MIN_RETURNS or earlier_orders == 0:
        return False
    return wilson_lower(recent_returns, recent_orders) > earlier_returns / earlier_orders


def judge(facts: SkuFacts) -> Verdict:
    orders = max(facts.orders, 0)
    returns = min(max(facts.returns, 0), orders)
    complaints = min(max(facts.complaints, 0), orders)
    return_rate = returns / orders if orders else 0.0
    complaint_rate = complaints / orders if orders else 0.0
    return_bound = wilson_lower(returns, orders)
    complaint_bound = wilson_lower(complaints, orders)
    rating = facts.rating_sum / facts.rating_count if facts.rating_count > 0 else None
    score = bayesian_rating(facts.rating_sum, facts.rating_count)
    dominant = dominant_reason(facts.return_reasons)
    rising = returns_rising(facts.weekly)

    judged = orders >= MIN_ORDERS
    high_returns = judged and return_bound > RETURN_LIMIT
    high_complaints = judged and complaint_bound > COMPLAINT_LIMIT
    demoted = high_returns or high_complaints
    low_rating = score is not None and score < LOW_RATING

    reasons: list[str] = []
    if high_returns:
        reasons.append("high_returns")
    if high_complaints:
        reasons.append("high_complaints")
    if low_rating:
        reasons.append("low_rating")
    if rising:
        reasons.append("returns_rising")
    if dominant:
        reasons.append(f"most_{dominant}" if f"most_{dominant}" in REASONS else "most_other")
    if not judged:
        reasons.append("few_orders")
    elif not PROBLEMS.intersection(reasons):
        reasons.append("good")
    if score is not None and score >= GOOD_RATING and not demoted:
        reasons.append("well_rated")

    certain_and_bad = orders >= DELIST_MIN_ORDERS and (
        return_bound > DELIST_RETURN_LIMIT or complaint_bound > DELIST_COMPLAINT_LIMIT
    )
    # Returned often, though perhaps not for certain yet (few orders, or just under the bound).
    returned_often = return_rate > RETURN_LIMIT or complaint_rate > COMPLAINT_LIMIT
    if demoted and certain_and_bad:
        suggestion = "delist"
    elif demoted or low_rating or (returned_often and dominant):
        suggestion = _remedy(dominant, serious=demoted or low_rating)
    elif rising or returned_often:
        suggestion = "watch"
    else:
        suggestion = "keep"
    return Verdict(
        return_rate=return_rate,
        complaint_rate=complaint_rate,
        risk_bound=max(return_bound, complaint_bound / COMPLAINT_LIMIT * RETURN_LIMIT),
        rating=rating,
        demoted=demoted,
        reasons=reasons,
        suggestion=suggestion,
        return_bound=return_bound,
        complaint_bound=complaint_bound,
        rating_score=score,
        dominant_reason=dominant,
        returns_rising=rising,
    )


def _remedy(dominant: str, *, serious: bool) -> str:
    """What fixes returns with this dominant reason: the listing, or the goods themselves. With
    no telling reason, a demoted or badly rated SKU's goods are checked; otherwise watched."""
    if dominant in LISTING_CAUSES:
        return "fix_listing"
    if dominant in GOODS_CAUSES or serious:
        return "check_quality"
    return "watch"


def reason_labels(codes: Sequence[str]) -> list[str]:
    """The reasons as text, in the active language (an unknown code is shown as it is)."""
    return [str(REASONS[code]) if code in REASONS else code for code in codes]


def suggestion_label(code: str) -> str:
    return str(SUGGESTIONS[code]) if code in SUGGESTIONS else code

"""Pure propagation maths (PRODUCT §6.3): degrees, the viral coefficient, a share's half-life;
and the KPI dashboard's periods, ratios and period-on-period changes.

`purchase_degrees` states the degree rule on a whole history at once; the checkout applies the
same rule one order at a time (distribution.rules.degree_after), and the tests hold the two
to each other on generated share trees.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sharemall.core.errors import DomainError

SECONDS_PER_HOUR = 3600


class InvalidQuery(DomainError):
    code = "invalid_query"


@dataclass(frozen=True)
class Purchase:
    """One buyer buying, through a share by `sharer` or (sharer None) on their own."""

    buyer: Hashable
    sharer: Hashable | None


def purchase_degrees(history: Sequence[Purchase]) -> list[int | None]:
    """The degree of each purchase, in the order they happened: None for one made without a
    share; 1 for a share by someone who had not bought through a share before; n + 1 for a share
    by someone whose lowest degree so far is n."""
    lowest: dict[Hashable, int] = {}
    degrees: list[int | None] = []
    for purchase in history:
        if purchase.sharer is None:
            degrees.append(None)
            continue
        prior = lowest.get(purchase.sharer)
        degree = 1 if prior is None else prior + 1
        degrees.append(degree)
        if degree < lowest.get(purchase.buyer, degree + 1):
            lowest[purchase.buyer] = degree
    return degrees


def viral_coefficient(sharing_buyers: int, new_buyers: int) -> float:
    """New buyers brought per buyer who shares: above 1 a product spreads by itself."""
    if sharing_buyers <= 0:
        return 0.0
    return round(new_buyers / sharing_buyers, 4)


def half_life_hours(click_ages_seconds: Sequence[float]) -> float | None:
    """How long after sharing half of a share's clicks have come in: the median age of the
    clicks. For clicks decaying exponentially this is exactly the decay's half-life, and the
    median shrugs off the odd click weeks later. None without clicks."""
    ages = [max(age, 0.0) for age in click_ages_seconds]
    if not ages:
        return None
    return statistics.median(ages) / SECONDS_PER_HOUR


def conversion(orders: int, clicks: int) -> float | None:
    """Orders per counted click; None when nobody clicked (orders can come by cookie or code)."""
    return round(orders / clicks, 4) if clicks else None


@dataclass
class DegreeRow:
    degree: int
    clicks: int = 0
    reach: int = 0
    orders: int = 0
    buyers: int = 0

    @property
    def conversion(self) -> float | None:
        return conversion(self.orders, self.clicks)


def age_seconds(shared_at: datetime, clicked_at: datetime) -> float:
    return (clicked_at - shared_at).total_seconds()


# --- The KPI dashboard (merchant console and back office) ---

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def period_days(raw: object) -> int:
    """The dashboard period asked for (?days=7|30|90), else 30 days."""
    try:
        days = int(str(raw))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


@dataclass(frozen=True)
class Period:
    """`days` days ending today (inclusive), and the same number of days just before."""

    start: date
    end: date  # inclusive
    previous_start: date

    @property
    def days(self) -> list[date]:
        count = (self.end - self.start).days + 1
        return [self.start + timedelta(days=n) for n in range(count)]


def period_of(today: date, days: int) -> Period:
    start = today - timedelta(days=days - 1)
    return Period(start=start, end=today, previous_start=start - timedelta(days=days))


def ratio(numerator: float, denominator: float) -> float | None:
    """A share of a whole (paid / created orders); None when there is no whole to share."""
    return round(numerator / denominator, 4) if denominator else None


def ratio_series(numerators: Sequence[float], denominators: Sequence[float]) -> list[float | None]:
    return [ratio(n, d) for n, d in zip(numerators, denominators, strict=True)]


def change(current: float | None, previous: float | None) -> float | None:
    """The period-on-period change (0.25 = up a quarter); None without a previous figure to
    compare with (nothing last period, or a ratio that had no base)."""
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / abs(previous), 4)


def split_periods(period: Period, by_day: Mapping[date, float]) -> tuple[list[float], float, float]:
    """A day → value map over both periods as (this period's daily series, its total, the
    previous period's total)."""
    series = [by_day.get(day, 0) for day in period.days]
    previous = sum(v for day, v in by_day.items() if period.previous_start <= day < period.start)
    return series, sum(series), previous


# --- Campaigns (promotions): cost against what they sold, by degree ---

DIRECT = "direct"  # bought with no share behind it
DEGREE_BUCKETS = ("1", "2", "3+", DIRECT)
BP = 10_000


def degree_bucket(degree: int | None) -> str:
    """Where an order's propagation degree (PRODUCT §6.3; None: no share) falls in a campaign's
    breakdown: 1, 2, 3 and beyond together, or direct."""
    if degree is None:
        return DIRECT
    return str(degree) if degree < 3 else "3+"


def by_degree(degrees: Sequence[int | None]) -> dict[str, int]:
    """Orders per degree bucket, every bucket present."""
    counts = dict.fromkeys(DEGREE_BUCKETS, 0)
    for degree in degrees:
        counts[degree_bucket(degree)] += 1
    return counts


def cost_ratio_bp(cost_fen: int, gmv_fen: int) -> int | None:
    """What a campaign gave off per fen it sold, in basis points (rounded half up); None with
    nothing sold."""
    if gmv_fen <= 0:
        return None
    return (cost_fen * BP * 2 + gmv_fen) // (gmv_fen * 2)

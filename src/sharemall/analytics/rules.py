"""Pure propagation maths (PRODUCT §6.3): degrees, the viral coefficient, a share's half-life.

`purchase_degrees` states the degree rule on a whole history at once; the checkout applies the
same rule one order at a time (distribution.rules.degree_after), and the tests hold the two
to each other on generated share trees.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

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

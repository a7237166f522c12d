"""Exact money: integer fen, basis-point rates and largest-remainder splits.

SQLite has no true decimal type and WeChat Pay speaks fen, so every amount in ShareMall is a
whole number of fen. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

BP_WHOLE = 10_000  # 10000 basis points = 100 %
CNY = "CNY"
# Far above any real price; keeps Decimal from exponent tricks such as "1e30".
MAX_PARSED_YUAN = Decimal(10) ** 12


class MoneyError(ValueError):
    """An amount or rate that cannot be represented exactly."""


@dataclass(frozen=True, slots=True)
class Money:
    fen: int
    currency: str = CNY

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise MoneyError(f"money is a whole number of fen, got {self.fen!r}")

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen - other.fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.fen * quantity, self.currency)

    def apply_bp(self, rate_bp: int) -> Money:
        """The rate's share of this amount, rounded down to the fen (never pays out a fraction)."""
        return Money(apply_bp(self.fen, rate_bp), self.currency)

    def split(self, weights: Sequence[int]) -> list[Money]:
        return [Money(part, self.currency) for part in split_largest_remainder(self.fen, weights)]

    def yuan_text(self) -> str:
        return format_yuan(self.fen)


def apply_bp(amount_fen: int, rate_bp: int) -> int:
    if rate_bp < 0:
        raise MoneyError("a rate cannot be negative")
    if amount_fen >= 0:
        return amount_fen * rate_bp // BP_WHOLE
    return -((-amount_fen) * rate_bp // BP_WHOLE)


def split_largest_remainder(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Split `total_fen` in proportion to `weights` so that the parts sum exactly to the total.

    Each part gets the floor of its exact share; the fen left over go one each to the parts with
    the largest remainders (ties to the earlier part, so the result is deterministic).
    """
    if not weights:
        raise MoneyError("nothing to split between")
    if any(w < 0 for w in weights):
        raise MoneyError("weights cannot be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise MoneyError("weights cannot all be zero")
    sign = -1 if total_fen < 0 else 1
    magnitude = abs(total_fen)
    floors = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    left = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * part for part in floors]


def parse_yuan(text: str) -> int:
    """'12.5' or '¥12.50' → 1250 fen. Refuses anything finer than a fen or negative."""
    cleaned = text.strip().replace("¥", "").replace("￥", "").replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise MoneyError(f"not a valid amount: {text!r}")
    if value > MAX_PARSED_YUAN:
        raise MoneyError(f"amount too large: {text!r}")
    fen = value * 100
    if fen != fen.quantize(Decimal(1), rounding=ROUND_DOWN):
        raise MoneyError(f"amounts are exact to the fen: {text!r}")
    return int(fen)


def format_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{part:02d}"

"""Exact money: integer fen, basis-point rates and largest-remainder splits.

SQLite has no true decimal type and WeChat Pay speaks fen, so every amount in ShareMall is a
whole number of fen. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

BP_WHOLE = 10_000  # 10000 basis points = 100 %
# Far above any real price.
MAX_PARSED_YUAN = Decimal(10) ** 12

# Yuan as people write it, once the currency signs and grouping commas are gone: digits with an
# optional decimal part. No sign, no exponent.
_YUAN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Yuan as a provider writes it (Alipay's "123.45"): bare digits, no leading zeros.
_PLAIN_YUAN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class MoneyError(ValueError):
    """An amount or rate that cannot be represented exactly."""


class InexactAmount(MoneyError):
    """An amount finer than a fen."""


class AmountTooLarge(MoneyError):
    """An amount far past any real one."""


def apply_bp(amount_fen: int, rate_bp: int) -> int:
    """The rate's share of an amount, rounded toward zero to the fen (never pays a fraction)."""
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


def parse_yuan(text: str, *, plain: bool = False) -> int:
    """Yuan text as whole fen, exactly (decimal arithmetic, never a float, never rounded).

    People's text may carry "¥"/"￥", grouping commas and spaces around: "¥1,234.5" → 123450.
    `plain` text is what a provider writes (Alipay's "123.45"): bare digits, nothing else.
    Either way a sign, an exponent or anything finer than a fen is refused ("1.000" is whole).
    """
    if plain:
        cleaned = text if _PLAIN_YUAN.fullmatch(text) else ""
    else:
        cleaned = text.strip().replace("¥", "").replace("￥", "").replace(",", "")
    if not _YUAN.fullmatch(cleaned):
        raise MoneyError(f"not an amount in yuan: {text!r}")
    value = Decimal(cleaned)
    if value > MAX_PARSED_YUAN:
        raise AmountTooLarge(f"amount too large: {text!r}")
    fen = value * 100
    if fen != fen.to_integral_value(rounding=ROUND_DOWN):
        raise InexactAmount(f"amounts are exact to the fen: {text!r}")
    return int(fen)


def format_yuan(fen: int, *, plain: bool = False) -> str:
    """Whole fen as yuan text, exactly: 123450 → "¥1,234.50" for people, -5 → "-¥0.05".

    `plain` is the text typed back into a form field and sent to a provider (Alipay's
    `total_amount`): "1234.50", with no currency sign and no grouping.
    """
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise MoneyError(f"money is a whole number of fen, got {fen!r}")
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    if plain:
        return f"{sign}{whole}.{part:02d}"
    return f"{sign}¥{whole:,}.{part:02d}"


# A percentage as people type it: digits with at most two decimals, the finest a basis point goes.
_PERCENT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")


def format_bp(bp: int) -> str:
    """Basis points as the percentage people read, exactly and without trailing zeros:
    1250 → "12.5 %", 3000 → "30 %", 5 → "0.05 %"."""
    if not isinstance(bp, int) or isinstance(bp, bool):
        raise MoneyError(f"a rate is a whole number of basis points, got {bp!r}")
    sign = "-" if bp < 0 else ""
    whole, part = divmod(abs(bp), BP_WHOLE // 100)
    decimals = f"{part:02d}".rstrip("0")
    return f"{sign}{whole}{'.' + decimals if decimals else ''} %"


def parse_percent(text: str) -> int:
    """A percentage typed by a person ("12.5", "12.5 %") as whole basis points (1250).
    Finer than a basis point (two decimals) is refused rather than rounded."""
    cleaned = text.strip().removesuffix("%").strip()
    if not _PERCENT.fullmatch(cleaned):
        raise MoneyError(f"not a percentage: {text!r}")
    whole, _dot, part = cleaned.partition(".")
    if len(whole) > 9:
        raise AmountTooLarge(f"far past any rate: {text!r}")
    return int(whole) * (BP_WHOLE // 100) + int((part or "0").ljust(2, "0"))

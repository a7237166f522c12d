"""Coupons and spend tiers as merchants and operators define them: what a definition must hold,
and what a member's claimed coupon reads as. Pure: no Django models, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sharemall.core.errors import Conflict
from sharemall.core.i18n import gettext as _
from sharemall.promotions.rules.pricing import (
    AMOUNT,
    FUNDED_BY_MERCHANT,
    FUNDED_BY_PLATFORM,
    PERCENT,
    SCOPE_CATEGORY,
    SCOPE_MERCHANT,
    SCOPE_PLATFORM,
    SCOPE_PRODUCT,
    Coupon,
    InvalidCoupon,
    InvalidSpendTier,
    SpendTier,
    check_coupon,
    check_tier,
)

__all__ = [
    "AMOUNT",
    "FUNDED_BY_MERCHANT",
    "FUNDED_BY_PLATFORM",
    "PERCENT",
    "SCOPE_CATEGORY",
    "SCOPE_MERCHANT",
    "SCOPE_PLATFORM",
    "SCOPE_PRODUCT",
    "Coupon",
    "InvalidCoupon",
    "InvalidSpendTier",
    "SpendTier",
]

# How a member gets a coupon.
CLAIM, ISSUE, TASK = "claim", "issue", "task"

# What a member's claimed coupon reads as.
UNUSED, USED, EXPIRED = "unused", "used", "expired"

MAX_TOTAL = 10_000_000
MAX_PER_MEMBER = 100
MAX_TIERS = 10
MAX_SCOPE_IDS = 200


class ClaimLimit(Conflict):
    code = "claim_limit"


class CouponExhausted(Conflict):
    code = "coupon_exhausted"


class CouponUnavailable(Conflict):
    code = "coupon_unavailable"


@dataclass(frozen=True)
class Definition:
    """A coupon as its issuer defines it (the pricing engine's `Coupon` plus how many, how
    often and when)."""

    coupon: Coupon
    total: int
    per_member: int
    valid_from: datetime
    valid_to: datetime


def check_definition(d: Definition) -> None:
    check_coupon(d.coupon)
    if d.coupon.kind == AMOUNT and d.coupon.percent_bp:
        raise InvalidCoupon(_("An amount coupon has no percent."))
    if d.coupon.kind == PERCENT and d.coupon.amount_fen:
        raise InvalidCoupon(_("A percent coupon has no amount; its cap is cap_fen."))
    if d.coupon.kind == AMOUNT and d.coupon.cap_fen is not None:
        raise InvalidCoupon(_("An amount coupon has no cap."))
    if (
        d.coupon.kind == AMOUNT
        and d.coupon.threshold_fen
        and (d.coupon.amount_fen >= d.coupon.threshold_fen)
    ):
        raise InvalidCoupon(_("A coupon takes off less than its threshold."))
    if len(d.coupon.scope_ids) > MAX_SCOPE_IDS:
        raise InvalidCoupon(_("A coupon names at most %(n)d ids.") % {"n": MAX_SCOPE_IDS})
    if not 1 <= d.total <= MAX_TOTAL:
        raise InvalidCoupon(_("A coupon's total is between 1 and %(n)d.") % {"n": MAX_TOTAL})
    if not 1 <= d.per_member <= min(d.total, MAX_PER_MEMBER):
        raise InvalidCoupon(
            _("A member may hold between 1 and %(n)d, and no more than the total.")
            % {"n": MAX_PER_MEMBER},
            code="invalid_per_member",
        )
    check_window(d.valid_from, d.valid_to)


def check_window(valid_from: datetime, valid_to: datetime) -> None:
    if valid_to <= valid_from:
        raise InvalidCoupon(_("The end comes after the start."), code="invalid_window")


def check_tiers(tiers: Sequence[SpendTier]) -> None:
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise InvalidSpendTier(_("Give between 1 and %(n)d tiers.") % {"n": MAX_TIERS})
    for tier in tiers:
        check_tier(tier)
        if tier.off_fen >= tier.threshold_fen:
            raise InvalidSpendTier(_("A tier takes off less than its threshold."))
    thresholds = [t.threshold_fen for t in tiers]
    if len(set(thresholds)) != len(thresholds):
        raise InvalidSpendTier(_("Each tier has its own threshold."))


def claim_status(*, used: bool, valid_to: datetime, now: datetime) -> str:
    if used:
        return USED
    return EXPIRED if valid_to <= now else UNUSED


def claimable(*, valid_to: datetime, stopped: bool, now: datetime) -> bool:
    """A coupon can be claimed from before its window opens (to be used once it does) until it
    ends, unless its issuer stopped it."""
    return not stopped and now < valid_to

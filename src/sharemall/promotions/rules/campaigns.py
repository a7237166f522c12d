"""Campaigns: every promotion a merchant or the platform runs, as analytics see it."""

from __future__ import annotations

from sharemall.promotions.rules.offers import BARGAIN, FLASH, GROUP

COUPON, TIERS = "coupon", "tiers"
KINDS = (COUPON, TIERS, FLASH, GROUP, BARGAIN)

__all__ = ["BARGAIN", "COUPON", "FLASH", "GROUP", "KINDS", "TIERS"]

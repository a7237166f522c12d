"""A promotion price offered to one buyer for one SKU: a flash sale's, a group's or a bargain's.

Each tool (flash sales, group-buy, bargains) checks its own conditions and answers an `Offer`;
checkout prices the line at `unit_fen` through the pricing engine (step 1) and, in the checkout's
transaction, asks the tool to reserve it (services/offers.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sharemall.promotions.rules.pricing import BARGAIN, FLASH, GROUP, PROMOTION_KINDS

__all__ = ["BARGAIN", "FLASH", "GROUP", "PROMOTION_KINDS", "Offer"]


@dataclass(frozen=True)
class Offer:
    """`ref_id` is what the tool reserves against: the flash sale, the group (a leader's or a
    member's seat), or the bargain run. `max_quantity` bounds the units one checkout may buy at
    this price (None: the tool's reservation decides). `campaign_id` is the promotion the merchant
    set up (the flash sale, the group-buy, the bargain) for campaign analytics; 0 means `ref_id`
    is that promotion itself."""

    kind: str
    ref_id: int
    sku_id: int
    unit_fen: int
    max_quantity: int | None = None
    campaign_id: int = 0

    @property
    def campaign(self) -> int:
        return self.campaign_id or self.ref_id

    @property
    def key(self) -> str:
        return f"{self.sku_id}:{self.kind}:{self.ref_id}"

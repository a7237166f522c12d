"""Recording which campaigns an order took part in (models/campaigns.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sharemall.orders.models import Order
from sharemall.promotions.models import CampaignOrder
from sharemall.promotions.rules.campaigns import BARGAIN, COUPON, FLASH, GROUP, TIERS

__all__ = ["BARGAIN", "COUPON", "FLASH", "GROUP", "TIERS", "Taken", "campaign_orders_record"]


@dataclass(frozen=True)
class Taken:
    kind: str
    campaign_id: int
    order: Order
    cost_fen: int


def campaign_orders_record(taken: Sequence[Taken]) -> None:
    """One row per campaign and order, the costs of its lines summed."""
    rows: dict[tuple[str, int, int], CampaignOrder] = {}
    for t in taken:
        key = (t.kind, t.campaign_id, t.order.pk)
        row = rows.get(key)
        if row is None:
            rows[key] = CampaignOrder(
                kind=t.kind, campaign_id=t.campaign_id, order=t.order, cost_fen=t.cost_fen
            )
        else:
            row.cost_fen += t.cost_fen
    CampaignOrder.objects.bulk_create(rows.values())

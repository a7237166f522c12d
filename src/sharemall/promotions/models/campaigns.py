from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.orders.models import Order
from sharemall.promotions.rules import campaigns as rules


class CampaignOrder(models.Model):
    """An order a campaign took part in, and what the campaign gave off it (its cost): written in
    the checkout's transaction for each coupon, 满减, flash, group and bargain price the order
    took, so campaign analytics read one table whatever the tool."""

    class Kind(models.TextChoices):
        COUPON = rules.COUPON, _("coupon")
        TIERS = rules.TIERS, _("spend tiers")
        FLASH = rules.FLASH, _("flash sale")
        GROUP = rules.GROUP, _("group-buy")
        BARGAIN = rules.BARGAIN, _("bargain")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The coupon, the merchant (for its 满减), the flash sale, the group-buy or the bargain.
    campaign_id = models.BigIntegerField()
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    cost_fen = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign order")
        verbose_name_plural = _("campaign orders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "campaign_id", "order"], name="campaign_order_unique"
            ),
        ]
        indexes = [models.Index(fields=["kind", "campaign_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.campaign_id} → {self.order_id}"

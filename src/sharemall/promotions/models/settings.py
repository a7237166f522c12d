from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.merchants.models import Merchant
from sharemall.promotions.rules.pricing import Stacking

DEFAULTS = Stacking()


class PromotionSettings(models.Model):
    """A merchant's stacking rules (rules/pricing.py `Stacking`); no row means the defaults."""

    merchant = models.OneToOneField(
        Merchant, on_delete=models.CASCADE, primary_key=True, related_name="promotion_settings"
    )
    coupon_with_tier = models.BooleanField(
        _("coupons stack with spend tiers"), default=DEFAULTS.coupon_with_tier
    )
    promotion_gets_share_discount = models.BooleanField(
        _("promotion prices still get the share discount"),
        default=DEFAULTS.promotion_gets_share_discount,
    )
    promotion_earns_commission = models.BooleanField(
        _("promotion prices still earn commission"),
        default=DEFAULTS.promotion_earns_commission,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("promotion settings")
        verbose_name_plural = _("promotion settings")

    def __str__(self) -> str:
        return str(self.merchant_id)

    def stacking(self) -> Stacking:
        return Stacking(
            coupon_with_tier=self.coupon_with_tier,
            promotion_gets_share_discount=self.promotion_gets_share_discount,
            promotion_earns_commission=self.promotion_earns_commission,
        )

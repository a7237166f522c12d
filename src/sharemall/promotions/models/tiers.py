from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.merchants.models import Merchant


class SpendTierSet(models.Model):
    """A merchant's 满减 for a time window: `tiers` is [{threshold_fen, off_fen}], the best tier
    reached applies. Overlapping windows pool their tiers (still only the best applies)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="spend_tiers")
    tiers = models.JSONField(_("tiers"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("spend tiers")
        verbose_name_plural = _("spend tiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gt=F("valid_from")), name="spend_tiers_valid_window"
            ),
        ]
        indexes = [models.Index(fields=["merchant", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.tiers}"

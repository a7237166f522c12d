"""What training leaves for serving: the model index, each SKU's quality verdict, and the tags
sharers give themselves. Only `recommendations.services` writes these tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.catalog.models import Sku


class SharerTags(models.Model):
    """What a sharer says their audience likes: categories, a price band and style words."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="recommendation_tags",
    )
    category_ids = models.JSONField(_("categories"), default=list)
    price_min_fen = models.BigIntegerField(_("lowest price"), null=True, blank=True)
    price_max_fen = models.BigIntegerField(_("highest price"), null=True, blank=True)
    styles = models.JSONField(_("styles"), default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sharer tags")
        verbose_name_plural = _("sharer tags")

    def __str__(self) -> str:
        return f"tags of {self.member_id}"


class ModelRun(models.Model):
    """One training run. The newest run's `index` (a numpy archive) is what every process serves
    from: each loads it once and reloads when a newer run appears. `watermark` names the newest
    sale, after-sales event and post the run saw, so a run with nothing new is skipped."""

    trained_at = models.DateTimeField(default=timezone.now)
    watermark = models.CharField(max_length=100)
    members = models.PositiveIntegerField(default=0)
    products = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    index = models.BinaryField()

    class Meta:
        verbose_name = _("recommendation model")
        verbose_name_plural = _("recommendation models")

    def __str__(self) -> str:
        return f"model {self.pk} at {self.trained_at:%Y-%m-%d %H:%M}"


class SkuQuality(models.Model):
    """A SKU's after-sales record and the verdict on it, as of the last training run."""

    sku = models.OneToOneField(Sku, on_delete=models.CASCADE, primary_key=True, related_name="+")
    product_id = models.BigIntegerField()
    merchant_id = models.BigIntegerField()
    orders = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    return_rate = models.FloatField(default=0)
    complaint_rate = models.FloatField(default=0)
    # The lower end of the 95 % Wilson interval of the return (or complaint) rate, whichever
    # is worse: a rate that is high for certain, not merely on three orders.
    risk_bound = models.FloatField(default=0)
    rating = models.FloatField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    demoted = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)  # reason codes, see quality.REASONS
    return_reasons = models.JSONField(default=dict)  # after-sales reason code -> count
    trend = models.JSONField(default=list)  # [{week, orders, returns}] oldest first
    suggestion = models.CharField(max_length=20, blank=True)  # quality.SUGGESTIONS
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SKU quality")
        verbose_name_plural = _("SKU quality")
        indexes = [
            models.Index(fields=["merchant_id", "product_id"]),
            models.Index(fields=["-risk_bound"], name="skuquality_worst"),
        ]

    def __str__(self) -> str:
        return f"quality of SKU {self.sku_id}"

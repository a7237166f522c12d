from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.freight import rules
from sharemall.merchants.models import Merchant


class FreightTemplate(models.Model):
    """A merchant's way of charging for parcels; its products name it."""

    class By(models.TextChoices):
        PIECE = rules.BY_PIECE, _("by piece")
        WEIGHT = rules.BY_WEIGHT, _("by weight")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="freight_templates"
    )
    name = models.CharField(_("name"), max_length=rules.NAME_MAX)
    by = models.CharField(_("charged"), max_length=10, choices=By.choices)
    free_over_fen = models.BigIntegerField(_("free shipping from (fen)"), null=True, blank=True)
    # GB/T 2260 codes, a province or city code covering the regions under it.
    no_delivery_region_codes = models.JSONField(_("regions not delivered to"), default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("freight template")
        verbose_name_plural = _("freight templates")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by__in=list(rules.BY)), name="freight_template_by_known"
            ),
            models.CheckConstraint(
                condition=Q(free_over_fen__isnull=True) | Q(free_over_fen__gte=0),
                name="freight_template_free_over_not_negative",
            ),
            models.UniqueConstraint(
                fields=["merchant", "name"], name="freight_template_name_unique_in_merchant"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FreightRule(models.Model):
    """One charge of a template; without region codes, the default for every other region."""

    template = models.ForeignKey(FreightTemplate, on_delete=models.CASCADE, related_name="rules")
    region_codes = models.JSONField(_("regions"), default=list)
    first_units = models.PositiveIntegerField(_("first units"))
    first_fen = models.BigIntegerField(_("first charge (fen)"))
    extra_units = models.PositiveIntegerField(_("extra units"))
    extra_fen = models.BigIntegerField(_("extra charge (fen)"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("freight rule")
        verbose_name_plural = _("freight rules")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_units__gt=0) & Q(extra_units__gt=0),
                name="freight_rule_units_positive",
            ),
            models.CheckConstraint(
                condition=Q(first_fen__gte=0) & Q(extra_fen__gte=0),
                name="freight_rule_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}/{self.position}"

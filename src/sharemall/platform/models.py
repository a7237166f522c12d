from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.platform import rules


class PlatformSettings(models.Model):
    """The one row of platform rules (id 1). Changed only through `settings_update`, which also
    writes a `SettingsChange` row."""

    max_levels = models.PositiveSmallIntegerField(_("commissioned levels"), default=2)
    distribution_mode = models.CharField(_("who earns"), max_length=12, default=rules.EVERYONE)
    self_purchase_rebate = models.BooleanField(_("self-purchase rebate"), default=False)
    binding_mode = models.CharField(_("binding mode"), max_length=14, default=rules.FIRST_TOUCH)
    binding_days = models.PositiveIntegerField(_("binding days (time-limited mode)"), default=90)
    attribution_window_days = models.PositiveIntegerField(_("attribution window (days)"), default=7)
    share_daily_cap = models.PositiveIntegerField(
        _("rewarded shares per member per day"), default=20
    )
    share_product_daily_cap = models.PositiveIntegerField(
        _("rewarded shares per member per product per day"), default=3
    )
    # The same caps per phone and per network address, whichever accounts share from them: a
    # farm of accounts on one phone earns what one member would.
    share_device_daily_cap = models.PositiveIntegerField(
        _("rewarded shares per device per day"), default=30
    )
    share_ip_daily_cap = models.PositiveIntegerField(
        _("rewarded shares per IP address per day"), default=60
    )
    share_budget_cap_bp = models.PositiveIntegerField(_("share budget cap (bp)"), default=3000)
    # T+N: a completed order's money waits this many days before the merchant may withdraw it.
    settlement_delay_days = models.PositiveSmallIntegerField(
        _("merchant settlement delay (days)"), default=0
    )
    # After-sales after completion: the buyer may still ask for a refund within this window,
    # and a refund then claws the money back from the merchant's available balance.
    quality_guarantee_days = models.PositiveSmallIntegerField(
        _("quality-guarantee window (days)"), default=15
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("platform settings")
        verbose_name_plural = _("platform settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_levels__gte=1) & Q(max_levels__lte=rules.LEVELS_HARD_LIMIT),
                name="platform_max_levels_at_most_three",
            ),
            models.CheckConstraint(condition=Q(id=1), name="platform_settings_single_row"),
            models.CheckConstraint(
                condition=Q(share_budget_cap_bp__lte=10_000),
                name="platform_budget_cap_at_most_whole",
            ),
            models.CheckConstraint(
                condition=Q(distribution_mode__in=[rules.EVERYONE, rules.APPROVED]),
                name="platform_distribution_mode_known",
            ),
            models.CheckConstraint(
                condition=Q(
                    binding_mode__in=[rules.FIRST_TOUCH, rules.TIME_LIMITED, rules.LAST_TOUCH]
                ),
                name="platform_binding_mode_known",
            ),
        ]

    def __str__(self) -> str:
        return "platform settings"


class SettingsChange(models.Model):
    """Who changed which rule, from what to what, and when."""

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changes = models.JSONField()  # {name: [old, new]}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"settings change {self.pk}"

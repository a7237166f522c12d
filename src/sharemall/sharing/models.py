from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.sharing import rules


class ShareLink(models.Model):
    """A short code naming a sharer, a target and the channel it was shared on."""

    class TargetType(models.TextChoices):
        PRODUCT = rules.PRODUCT, _("product")
        POST = rules.POST, _("post")
        STORE = rules.STORE, _("store")
        SUBSTORE = rules.SUBSTORE, _("sub-store")

    code = models.CharField(_("code"), max_length=16, unique=True)
    sharer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="share_links",
        verbose_name=_("sharer"),
    )
    target_type = models.CharField(_("target type"), max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField(_("target id"))
    channel = models.CharField(_("channel"), max_length=30, default=rules.DEFAULT_CHANNEL)
    # Decided once, when the link is made: a share past a daily cap still works but never earns.
    rewarded = models.BooleanField(_("rewarded"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        indexes = [
            models.Index(fields=["sharer", "created_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_type__in=rules.TARGET_TYPES), name="share_target_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ShareClick(models.Model):
    """A counted click: at most one per visitor per link per rolling 24 h, never the sharer's."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="clicks")
    visitor_key = models.CharField(max_length=rules.VISITOR_KEY_MAX_LENGTH)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Text, not an inet column: the address may be "unknown" behind a badly set proxy.
    ip = models.CharField(max_length=45, blank=True)
    clicked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("share click")
        verbose_name_plural = _("share clicks")
        indexes = [models.Index(fields=["link", "clicked_at"])]

    def __str__(self) -> str:
        return f"{self.link_id} ← {self.visitor_key}"


class ClickWindow(models.Model):
    """When a visitor's click on a link last counted. The unique key and a conditional update
    make the one-per-24-h rule exact when the same visitor clicks twice at once."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="+")
    visitor_key = models.CharField(max_length=rules.VISITOR_KEY_MAX_LENGTH)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "visitor_key"], name="click_window_once"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id} ← {self.visitor_key} @ {self.counted_at:%Y-%m-%d %H:%M}"


class ShareTouch(models.Model):
    """A signed-in member's latest click on someone else's share: what an order made later from
    an app (no cookie) is attributed to."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_touch"
    )
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="+")
    touched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.member_id} → {self.link_id}"


class ShareDayCount(models.Model):
    """Rewarded shares of a member on a day: per product, and in total (product_id 0)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    product_id = models.BigIntegerField(default=rules.TOTAL)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "day", "product_id"], name="share_day_count_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day} {self.product_id}: {self.count}"


class ShareSourceDayCount(models.Model):
    """Rewarded shares made from one device or one public address on a day, whichever accounts
    made them: the caps that a farm of accounts on one phone or one line cannot multiply."""

    kind = models.CharField(max_length=8)  # rules.DEVICE or rules.IP
    key = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "day"], name="share_source_count_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.day}: {self.count}"

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.showcase import rules


class Banner(models.Model):
    """A picture in the home page's carousel, kept by operators: it shows while it is active
    and within its window, lowest position first."""

    title = models.CharField(_("title"), max_length=rules.TITLE_MAX)
    image = models.ImageField(_("image"), upload_to="banners/", max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    link_url = models.CharField(_("link"), max_length=rules.LINK_MAX, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("banner")
        verbose_name_plural = _("banners")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="banner_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def showing_now(self) -> bool:
        return rules.is_showing(
            active=self.is_active,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            now=timezone.now(),
        )

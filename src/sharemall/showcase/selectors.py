"""Reads for banners: what shoppers see now, and everything for the operator who keeps them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sharemall.core.errors import NotFound
from sharemall.showcase import rules
from sharemall.showcase.models import Banner


def banners_showing(now: datetime) -> list[Banner]:
    """The carousel: active banners within their window, lowest position first (as
    `rules.is_showing` says, as a query)."""
    live = Banner.objects.filter(
        Q(starts_at__isnull=True) | Q(starts_at__lte=now),
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        is_active=True,
    )
    return list(live.order_by("position", "id")[: rules.CAROUSEL_MAX])


def banners_all() -> QuerySet[Banner]:
    return Banner.objects.order_by("position", "id")


def banner_by_id(banner_id: int) -> Banner:
    banner = Banner.objects.filter(pk=banner_id).first()
    if banner is None:
        raise NotFound(_("No such banner."))
    return banner

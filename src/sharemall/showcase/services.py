"""Writes for banners: operators add, edit, switch on or off and delete them."""

from __future__ import annotations

from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction

from sharemall.core.images import clean_image
from sharemall.showcase import rules
from sharemall.showcase.models import Banner


def _put_image(banner: Banner, data: bytes) -> None:
    # Uploaded bytes are untrusted: decoded, checked and re-encoded without metadata first.
    image = clean_image(data)
    banner.width, banner.height = image.width, image.height
    banner.image.save(f"banner.{image.extension}", ContentFile(image.content), save=False)


def banner_create(
    *,
    title: str,
    image: bytes,
    link_url: str = "",
    position: int = 0,
    is_active: bool = True,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Banner:
    rules.check_window(starts_at, ends_at)
    banner = Banner(
        title=rules.clean_title(title),
        link_url=rules.clean_link(link_url),
        position=position,
        is_active=is_active,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    _put_image(banner, image)
    banner.save()
    return banner


def banner_update(
    banner: Banner,
    *,
    title: str,
    link_url: str,
    position: int,
    is_active: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    image: bytes | None = None,
) -> Banner:
    """Every field at once, as the edit form sends them; a new picture only when one is given
    (the old file goes once the change is saved)."""
    rules.check_window(starts_at, ends_at)
    banner.title = rules.clean_title(title)
    banner.link_url = rules.clean_link(link_url)
    banner.position = position
    banner.is_active = is_active
    banner.starts_at, banner.ends_at = starts_at, ends_at
    old = banner.image.name if image is not None else None
    storage = banner.image.storage
    if image is not None:
        _put_image(banner, image)
    with transaction.atomic():
        banner.save()
        if old and old != banner.image.name:
            transaction.on_commit(lambda: storage.delete(old))
    return banner


def banner_toggle(banner: Banner) -> Banner:
    """Switch a banner on or off; conditional on what the operator saw, so two operators
    toggling at once do not cancel each other out unnoticed."""
    Banner.objects.filter(pk=banner.pk, is_active=banner.is_active).update(
        is_active=not banner.is_active
    )
    banner.refresh_from_db()
    return banner


def banner_delete(banner: Banner) -> None:
    storage, name = banner.image.storage, banner.image.name or ""
    with transaction.atomic():
        Banner.objects.filter(pk=banner.pk).delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))

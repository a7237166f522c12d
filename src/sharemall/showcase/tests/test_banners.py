"""Banners: where they may link, when they show, and how operators keep them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from tests.factories import licence_png

from sharemall.core.errors import DomainError
from sharemall.showcase import rules, selectors, services
from sharemall.showcase.models import Banner


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("", ""),
        ("  /p/12 ", "/p/12"),
        ("/?category=3", "/?category=3"),
        ("https://example.com/sale", "https://example.com/sale"),
    ],
)
def test_a_link_is_a_local_path_or_an_https_address(raw: str, clean: str) -> None:
    assert rules.clean_link(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "http://example.com",
        "//evil.example/x",
        "/\\evil.example",
        "https://",
        "p/12",
        "/p/1 2",
        "/" + "a" * rules.LINK_MAX,
    ],
)
def test_any_other_link_is_refused(raw: str) -> None:
    with pytest.raises(rules.InvalidBanner):
        rules.clean_link(raw)


def _banner(**fields: object) -> Banner:
    values: dict[str, object] = {"title": "双十一", "image": licence_png(), **fields}
    return services.banner_create(**values)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_carousel_shows_active_banners_within_their_window_in_position_order() -> None:
    now = timezone.now()
    later = _banner(title="later", position=2)
    first = _banner(title="first", position=1)
    _banner(title="off", is_active=False)
    _banner(title="not yet", starts_at=now + timedelta(hours=1))
    _banner(title="over", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    running = _banner(title="running", position=3, ends_at=now + timedelta(days=1))

    assert selectors.banners_showing(now) == [first, later, running]


@pytest.mark.django_db
def test_a_banner_must_end_after_it_starts() -> None:
    now = timezone.now()
    with pytest.raises(DomainError):
        _banner(starts_at=now, ends_at=now)
    assert not Banner.objects.exists()


@pytest.mark.django_db
def test_an_uploaded_picture_is_cleaned_and_a_replaced_one_removed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    banner = _banner()
    first = banner.image.name or ""
    assert first.startswith("banners/")
    assert (banner.width, banner.height) != (0, 0)

    with pytest.raises(DomainError):
        services.banner_update(
            banner,
            title="t",
            link_url="",
            position=0,
            is_active=True,
            starts_at=None,
            ends_at=None,
            image=b"not an image",
        )

    banner.refresh_from_db()
    assert banner.image.name == first
    with django_capture_on_commit_callbacks(execute=True):
        services.banner_update(
            banner,
            title="新品",
            link_url="/p/1",
            position=4,
            is_active=True,
            starts_at=None,
            ends_at=None,
            image=licence_png(),
        )
    banner.refresh_from_db()
    assert (banner.title, banner.link_url, banner.position) == ("新品", "/p/1", 4)
    assert banner.image.name != first
    assert default_storage.exists(banner.image.name or "")
    assert not default_storage.exists(first)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_banner_removes_its_picture() -> None:
    banner = _banner()
    name = banner.image.name or ""

    services.banner_delete(banner)

    assert not Banner.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_toggling_switches_a_banner_off_and_on() -> None:
    banner = _banner()
    assert services.banner_toggle(banner).is_active is False
    assert services.banner_toggle(banner).is_active is True

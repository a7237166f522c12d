"""Reads for sharing: links by code, a member's own links, clicks, and order attribution."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from sharemall.accounts.models import Member
from sharemall.catalog.selectors import visible_products
from sharemall.core import sql
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Store
from sharemall.platform import services as platform
from sharemall.sharing import rules
from sharemall.sharing.models import ShareClick, ShareLink, ShareTouch


def link_by_code(code: str | None) -> ShareLink | None:
    """The link with this code, its sharer loaded. Every order through a share reads it: two
    prepared look-ups on PostgreSQL cost a fraction of the ORM's joined query (`sql.fetch_one`)."""
    if not rules.looks_like_code(code):
        return None
    link = sql.fetch_one(ShareLink, code=code)
    if link is not None:
        sharer = sql.fetch_one(Member, pk=link.sharer_id)
        if sharer is None:  # the foreign key protects a sharer with links: as if no link
            return None
        link.sharer = sharer
    return link


def links_of(member: Member) -> QuerySet[ShareLink]:
    """The member's own links, newest first."""
    return ShareLink.objects.filter(sharer=member).order_by("-created_at", "-id")


def click_counts(link_ids: Iterable[int]) -> dict[int, int]:
    """Counted clicks per link id; links without clicks are absent."""
    ids = list(link_ids)
    if not ids:
        return {}
    rows = (
        ShareClick.objects.filter(link_id__in=ids)
        .values("link_id")
        .annotate(n=Count("id"))
        .values_list("link_id", "n")
    )
    return dict(rows)


def attribution_window() -> timedelta:
    return timedelta(days=platform.current().attribution_window_days)


def _usable_for(link: ShareLink | None, buyer: Member) -> bool:
    """A buyer's own link never attributes, nor does a link of a member who was switched off."""
    return link is not None and link.sharer_id != buyer.pk and link.sharer.is_active


def attribution_link(*, buyer: Member, share_code: str | None, now: datetime) -> ShareLink | None:
    """The share an order by `buyer` at `now` came through (PRODUCT §4.3, first part).

    An explicit code (sent with the order, or the landing page's cookie) wins; otherwise the
    buyer's latest share click within the attribution window; otherwise none. Falling back to
    the buyer's parent is the distribution engine's call, not ours.
    """
    explicit = link_by_code(share_code)
    if _usable_for(explicit, buyer):
        return explicit
    touch = (
        ShareTouch.objects.select_related("link__sharer")
        .filter(member=buyer, touched_at__gte=now - attribution_window(), touched_at__lte=now)
        .first()
    )
    if touch is not None and _usable_for(touch.link, buyer):
        return touch.link
    return None


def recommender_link(
    viewer: Member | None, *, share_code: str | None, now: datetime
) -> ShareLink | None:
    """The share whose discount the viewer would get at checkout now, as checkout decides it:
    for a member the remembered code, else their latest share click within the window (never
    their own link); for a visitor the code the landing page remembered, while its sharer is
    active. Pages show its sharer as the one who recommended what the viewer is looking at."""
    if viewer is not None:
        return attribution_link(buyer=viewer, share_code=share_code, now=now)
    link = link_by_code(share_code)
    return link if link is not None and link.sharer.is_active else None


def code_from_cookie(request: HttpRequest) -> str | None:
    """The share code the landing page remembered for this browser: None when absent, forged
    or older than the attribution window (checked here too, not only by the browser)."""
    code = request.get_signed_cookie(
        rules.SHARE_COOKIE,
        default=None,
        salt=rules.SHARE_COOKIE_SALT,
        max_age=attribution_window(),
    )
    return code if isinstance(code, str) and rules.looks_like_code(code) else None


def product_is_public(product_id: int) -> bool:
    return visible_products(None).filter(pk=product_id).exists()


def public_store(store_id: int) -> Store | None:
    return (
        Store.objects.select_related("merchant")
        .filter(pk=store_id, is_active=True, merchant__status=merchant_rules.APPROVED)
        .first()
    )


def store_is_public(store_id: int) -> bool:
    return public_store(store_id) is not None


def signup_referrer(share_code: str | None) -> tuple[Member | None, str]:
    """The sharer whose link brought a newcomer, and the binding's source, for any way of
    signing up (the form, a texted code, WeChat): accounts binds; nothing is paid for it."""
    link = link_by_code(share_code.strip()) if share_code else None
    if link is None:
        return None, ""
    return link.sharer, f"signup:{link.code}"


def cookie_referrer(request: HttpRequest) -> tuple[Member | None, str]:
    """signup_referrer of the share this browser landed through (code_from_cookie)."""
    return signup_referrer(code_from_cookie(request))

"""Writes for sharing: making share links under the daily caps, and recording their clicks.

Both limits here must hold when the same member shares, or the same visitor clicks, many times
at once. Neither rests on row locks (SQLite ignores them): the caps are conditional updates on a
counter row (`… SET count = count + 1 WHERE count < cap`), the click window a conditional update
on a unique row (`… SET counted_at = now WHERE counted_at <= now - 24 h`) or its first insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.accounts.services import device_seen
from sharemall.core.errors import NotFound, RateLimited
from sharemall.core.ids import short_code
from sharemall.core.throttle import allow
from sharemall.platform import services as platform
from sharemall.sharing import rules, selectors, targets
from sharemall.sharing.models import (
    ClickWindow,
    ShareClick,
    ShareDayCount,
    ShareLink,
    ShareSourceDayCount,
    ShareTouch,
)

# A fresh 10-character code collides with odds of about n / 57^10; retrying a few times turns a
# once-in-the-lifetime clash into a non-event instead of a 500.
_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class ShareResult:
    link: ShareLink
    rewarded: bool
    message: str


@dataclass(frozen=True)
class ClickResult:
    link: ShareLink
    counted: bool


class _CapReached(Exception):
    def __init__(self, cap: int, *, scope: str) -> None:
        super().__init__(cap)
        self.cap = cap
        self.scope = scope


def _check_target(sharer: Member, target_type: str, target_id: int) -> None:
    rules.check_target_shape(target_type, target_id)
    if target_type == rules.PRODUCT and not selectors.product_is_public(target_id):
        raise NotFound(_("No such product."))
    if target_type == rules.POST:
        # Posts plug in from their own app (see sharing.targets); sharing never imports them.
        plugged = targets.registered(target_type)
        if plugged is None:
            raise NotFound(_("No such post."))
        plugged.check_shareable(target_id)
    if target_type == rules.STORE and not selectors.store_is_public(target_id):
        raise NotFound(_("No such store."))
    if target_type == rules.SUBSTORE:
        if target_id != sharer.pk:
            raise rules.InvalidTarget(_("You can only share your own sub-store."))
        if not sharer.is_distributor:
            raise rules.InvalidTarget(
                _("Your sub-store opens when you enable distribution; share a product meanwhile.")
            )


def _take_slot(member_id: int, day: date, product_id: int, cap: int) -> bool:
    """Count one rewarded share against a counter; False, changing nothing, once it is full."""
    if cap <= 0:
        return False
    ShareDayCount.objects.bulk_create(
        [ShareDayCount(member_id=member_id, day=day, product_id=product_id, count=0)],
        ignore_conflicts=True,
    )
    taken = ShareDayCount.objects.filter(
        member_id=member_id, day=day, product_id=product_id, count__lt=cap
    ).update(count=F("count") + 1)
    return taken == 1


def _take_source_slot(kind: str, key: str, day: date, cap: int) -> bool:
    """`_take_slot` for a device's or an address's counter, across every account using it."""
    if cap <= 0:
        return False
    ShareSourceDayCount.objects.bulk_create(
        [ShareSourceDayCount(kind=kind, key=key, day=day, count=0)], ignore_conflicts=True
    )
    taken = ShareSourceDayCount.objects.filter(kind=kind, key=key, day=day, count__lt=cap).update(
        count=F("count") + 1
    )
    return taken == 1


def _take_slots(
    sharer: Member,
    target_type: str,
    target_id: int,
    now: datetime,
    *,
    device: str = "",
    ip: str | None = None,
) -> None:
    """Take a slot under the member's daily total, for a product under its own cap, and under
    the caps of the device and the public address it was shared from (when known); all or none
    (the caller's savepoint undoes the earlier ones when a later one is full). Every share takes
    the counters in the same order (member, product, device, address) so concurrent shares
    never deadlock."""
    caps = platform.current()
    day = rules.share_day(now)
    if not _take_slot(sharer.pk, day, rules.TOTAL, caps.share_daily_cap):
        raise _CapReached(caps.share_daily_cap, scope=rules.MEMBER_CAP)
    if target_type == rules.PRODUCT and not _take_slot(
        sharer.pk, day, target_id, caps.share_product_daily_cap
    ):
        raise _CapReached(caps.share_product_daily_cap, scope=rules.PRODUCT_CAP)
    if device and not _take_source_slot(rules.DEVICE, device, day, caps.share_device_daily_cap):
        raise _CapReached(caps.share_device_daily_cap, scope=rules.DEVICE)
    address = rules.counted_address(ip)
    if address and not _take_source_slot(rules.IP, address, day, caps.share_ip_daily_cap):
        raise _CapReached(caps.share_ip_daily_cap, scope=rules.IP)


def _new_link(**fields: object) -> ShareLink:
    for attempt in range(_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return ShareLink.objects.create(code=short_code(rules.CODE_LENGTH), **fields)
        except IntegrityError:
            if attempt == _CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def share_create(
    *,
    sharer: Member,
    target_type: str,
    target_id: int,
    channel: str | None = rules.DEFAULT_CHANNEL,
    now: datetime | None = None,
    device: str = "",
    ip: str | None = None,
) -> ShareResult:
    """Make a share link. Past a daily cap (the member's, the product's, or that of the device
    or public address it is shared from) the link still works, but is not rewarded and the
    message tells the member so. The device is remembered as one the member uses."""
    now = now or timezone.now()
    channel = rules.clean_channel(channel)
    _check_target(sharer, target_type, target_id)
    if not allow(
        f"share-create:{sharer.pk}",
        limit=rules.CREATE_BURST_LIMIT,
        window_seconds=rules.CREATE_BURST_WINDOW_SECONDS,
    ):
        raise RateLimited(_("You are sharing too fast. Try again in a while."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                _take_slots(sharer, target_type, target_id, now, device=device, ip=ip)
        except _CapReached as full:
            rewarded = False
            message = rules.cap_message(
                rewarded=False,
                product_cap_reached=full.scope == rules.PRODUCT_CAP,
                cap=full.cap,
                scope=full.scope,
            )
        else:
            rewarded = True
            message = rules.cap_message(rewarded=True, product_cap_reached=False, cap=0)
        link = _new_link(
            sharer=sharer,
            target_type=target_type,
            target_id=target_id,
            channel=channel,
            rewarded=rewarded,
            created_at=now,
        )
        device_seen(sharer.pk, device, ip)
    return ShareResult(link=link, rewarded=rewarded, message=message)


def share_reuse(
    *,
    sharer: Member,
    target_type: str,
    target_id: int,
    channel: str | None = rules.DEFAULT_CHANNEL,
    now: datetime | None = None,
    device: str = "",
    ip: str | None = None,
) -> ShareResult:
    """The member's one link for a target: the first share makes it (under the daily caps, as
    `share_create`), and sharing the same thing again hands the same link back, with the
    clicks and sales it already gathered, instead of a new code each time.

    A link that earns is kept for good. A link made past a cap earns nothing; it is handed back
    for the rest of that day only, so sharing on a later day, with the caps open again, makes a
    link that earns."""
    now = now or timezone.now()
    _check_target(sharer, target_type, target_id)
    kept = (
        ShareLink.objects.select_related("sharer")
        .filter(sharer=sharer, target_type=target_type, target_id=target_id)
        .order_by("-rewarded", "-created_at", "-id")
        .first()
    )
    if kept is not None and (
        kept.rewarded or rules.share_day(kept.created_at) == rules.share_day(now)
    ):
        return ShareResult(
            link=kept, rewarded=kept.rewarded, message=rules.kept_message(kept.rewarded)
        )
    return share_create(
        sharer=sharer,
        target_type=target_type,
        target_id=target_id,
        channel=channel,
        now=now,
        device=device,
        ip=ip,
    )


def _claim_window(link: ShareLink, key: str, now: datetime) -> bool:
    """True for exactly one of any number of simultaneous clicks by one visitor on one link,
    and then not again until 24 h later."""
    renewed = ClickWindow.objects.filter(
        link=link, visitor_key=key, counted_at__lte=now - rules.CLICK_WINDOW
    ).update(counted_at=now)
    if renewed:
        return True
    try:
        with transaction.atomic():
            ClickWindow.objects.create(link=link, visitor_key=key, counted_at=now)
    except IntegrityError:  # the visitor has a window already, and it is still open
        return False
    return True


def _touch(member: Member, link: ShareLink, now: datetime) -> None:
    """Remember the member's latest share click; an older click arriving late changes nothing."""
    moved = ShareTouch.objects.filter(member=member, touched_at__lte=now).update(
        link=link, touched_at=now
    )
    if moved:
        return
    try:
        with transaction.atomic():
            ShareTouch.objects.create(member=member, link=link, touched_at=now)
    except IntegrityError:  # a touch exists: newer than ours, or written by a twin click
        ShareTouch.objects.filter(member=member, touched_at__lte=now).update(
            link=link, touched_at=now
        )


def click_record(
    *,
    code: str,
    visitor_member: Member | None = None,
    visitor_key: str | None = None,
    ip: str = "",
    now: datetime | None = None,
) -> ClickResult:
    """Record a visit to a share link. A signed-in visitor is known by member id, anyone else by
    their cookie or device id (`visitor_key`), else by address. The sharer's own visits never
    count and never touch; a signed-in visitor's visit always updates their touch, and may bind
    them to the sharer."""
    link = selectors.link_by_code(code)
    if link is None:
        raise NotFound(_("No such share link."))
    now = now or timezone.now()
    if visitor_member is not None:
        if visitor_member.pk == link.sharer_id:
            return ClickResult(link=link, counted=False)
        key = rules.member_key(visitor_member.pk)
    elif visitor_key and visitor_key.strip():
        key = rules.visitor_key(visitor_key)
    elif ip:
        key = rules.visitor_key(f"ip-{ip}")
    else:
        return ClickResult(link=link, counted=False)
    ip = ip[:45]
    flooding = bool(ip) and not allow(
        f"share-click:{ip}", limit=rules.CLICKS_PER_ADDRESS_PER_MINUTE, window_seconds=60
    )
    with transaction.atomic():
        if visitor_member is not None:
            _touch(visitor_member, link, now)
            # A signed-in member arriving through a share may be (re)bound to its sharer, as
            # the binding mode allows (PRODUCT §4.2); anonymous visitors are bound at sign-up.
            bind(visitor_member, link.sharer, source=f"landing:{link.code}", now=now)
        counted = not flooding and _claim_window(link, key, now)
        if counted:
            ShareClick.objects.create(
                link=link, visitor_key=key, visitor=visitor_member, ip=ip, clicked_at=now
            )
    return ClickResult(link=link, counted=counted)


def target_url(link: ShareLink) -> str:
    """The path on our site a share link leads to."""
    return rules.target_path(link.target_type, link.target_id, link.sharer_id)

"""Pure rules for sharing (PRODUCT §4): targets, visitor keys, the share day, where links lead."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sharemall.core import ids
from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

PRODUCT, POST, STORE, SUBSTORE = "product", "post", "store", "substore"
TARGET_TYPES = (PRODUCT, POST, STORE, SUBSTORE)

CODE_LENGTH = 10
# Codes come from core.ids.short_code; anything else (a typo, a probe, a NUL byte) is not one of
# ours and is refused before it reaches the database.
_CODE_PATTERN = re.compile(r"[A-Za-z0-9]{4,16}")

DEFAULT_CHANNEL = "link"
CHANNEL_MAX_LENGTH = 30
# The largest id a BigIntegerField holds: a bigger one is bad input, never a database error.
MAX_TARGET_ID = 2**63 - 1

# One counted click per visitor per code in this rolling window.
CLICK_WINDOW = timedelta(hours=24)
# Caps count shares per calendar day where our members live, whatever the server's zone.
SHARE_DAY_ZONE = ZoneInfo("Asia/Shanghai")
# Product id 0 in the day counters is the member's total across every target.
TOTAL = 0
# Which daily cap a share met: the member's, the product's, the device's or the address's.
MEMBER_CAP, PRODUCT_CAP, DEVICE, IP = "member", "product", "device", "ip"

VISITOR_KEY_MAX_LENGTH = 64
MEMBER_PREFIX, VISITOR_PREFIX = "m:", "v:"
# A visitor id is the pages' device id (core.ids): one cookie, one pattern.
_VISITOR_ID_PATTERN = ids.DEVICE_ID_PATTERN

# Cookies our pages keep for the share landing page.
SHARE_COOKIE = "sm_share"
SHARE_COOKIE_SALT = "sharemall.sharing.share"
VISITOR_COOKIE = ids.DEVICE_COOKIE
VISITOR_COOKIE_MAX_AGE = ids.DEVICE_COOKIE_MAX_AGE

# A burst guard on link creation, far above any honest member's day; the rewarded caps are the
# real limit, this only stops a script filling the table with unrewarded links.
CREATE_BURST_LIMIT = 600
CREATE_BURST_WINDOW_SECONDS = 3600
# Clicks counted from one address per minute: generous for a shared NAT, tight for a script.
CLICKS_PER_ADDRESS_PER_MINUTE = 300


class InvalidTarget(DomainError):
    code = "invalid_target"


class InvalidChannel(DomainError):
    code = "invalid_channel"


def looks_like_code(code: str | None) -> bool:
    return bool(code) and _CODE_PATTERN.fullmatch(code or "") is not None


def clean_channel(channel: str | None) -> str:
    value = (channel or "").strip()
    if not value:
        return DEFAULT_CHANNEL
    if len(value) > CHANNEL_MAX_LENGTH or not value.isprintable():
        raise InvalidChannel(
            _("The channel is at most %(n)d printable characters, e.g. wechat_moments.")
            % {"n": CHANNEL_MAX_LENGTH}
        )
    return value


def check_target_shape(target_type: str, target_id: int) -> None:
    """What can be said without the database: a known type and a sensible id."""
    if target_type not in TARGET_TYPES:
        raise InvalidTarget(
            _("target_type is one of: %(types)s.") % {"types": ", ".join(TARGET_TYPES)}
        )
    if isinstance(target_id, bool) or not 1 <= target_id <= MAX_TARGET_ID:
        raise InvalidTarget(_("target_id must be a positive whole number."))


def share_day(now: datetime) -> date:
    return now.astimezone(SHARE_DAY_ZONE).date()


def member_key(member_id: int) -> str:
    return f"{MEMBER_PREFIX}{member_id}"


def visitor_key(raw: str) -> str:
    """A stable key for an anonymous visitor's cookie or device id. Ids we cannot store as they
    are (too long, odd characters) are kept as a digest, so the same id always dedups."""
    value = raw.strip()
    if _VISITOR_ID_PATTERN.fullmatch(value):
        return f"{VISITOR_PREFIX}{value}"
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:48]
    return f"{VISITOR_PREFIX}#{digest}"


new_visitor_id = ids.new_device_id
is_visitor_id = ids.is_device_id


def target_path(target_type: str, target_id: int, sharer_id: int) -> str:
    """Where a share link leads on our site."""
    if target_type == PRODUCT:
        return f"/p/{target_id}"
    if target_type == STORE:
        return f"/stores/{target_id}"
    if target_type == SUBSTORE:
        return f"/substores/{sharer_id}"
    return f"/posts/{target_id}"


def counted_address(ip: str | None) -> str | None:
    """The address a share counts against the per-address cap: a public one, canonical. A
    private or local address is shared by a whole company, campus or home network behind it
    (and by everyone when the proxy is not configured), so it is never capped."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    return str(address) if address.is_global else None


def cap_message(
    *, rewarded: bool, product_cap_reached: bool = False, cap: int, scope: str = MEMBER_CAP
) -> str:
    if rewarded:
        return _("Shared. A sale through this link earns you a rebate.")
    if scope == DEVICE:
        return _(
            "Today's limit of %(cap)d rewarded shares from this device is reached (it counts "
            "every account on it). The link still works, but it earns nothing."
        ) % {"cap": cap}
    if scope == IP:
        return _(
            "Today's limit of %(cap)d rewarded shares from your network address is reached (it "
            "counts every account on it). The link still works, but it earns nothing."
        ) % {"cap": cap}
    if product_cap_reached:
        return _(
            "You have reached today's limit of %(cap)d rewarded shares of this product. "
            "The link still works, but it earns nothing."
        ) % {"cap": cap}
    return _(
        "You have reached today's limit of %(cap)d rewarded shares. "
        "The link still works, but it earns nothing."
    ) % {"cap": cap}


def kept_message(rewarded: bool) -> str:
    """What the member is told when sharing hands back the link they already have."""
    if rewarded:
        return _("This is your link for it. A sale through it earns you a rebate.")
    return _(
        "This is your link for it, shared past today's limit of rewarded shares: it works, "
        "but earns nothing. Share again tomorrow for a link that earns."
    )


def share_url(base_url: str, code: str) -> str:
    """The absolute landing-page address of a share, as printed on posters and QR codes."""
    return f"{base_url.rstrip('/')}/s/{code}"


def qr_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/api/v1/shares/{code}/qr.png"

"""Pure rules for banners: where a banner may send a shopper, and when it shows."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

TITLE_MAX = 60
LINK_MAX = 300
# How many banners the home carousel shows at most: more make nobody wait for the last one.
CAROUSEL_MAX = 8


class InvalidBanner(DomainError):
    code = "invalid_banner"


def clean_link(raw: str) -> str:
    """A path on this site ("/p/12", "/?category=3") or an https address; "" for no link.

    Anything else is refused: a `javascript:` or `data:` link would run in the shop's origin,
    plain http would leave a shopper's WeChat browser for an unencrypted page, and "//host"
    or "/\\host" read as a path but lead to another site."""
    link = (raw or "").strip()
    if not link:
        return ""
    if len(link) > LINK_MAX:
        raise InvalidBanner(_("A link has at most %(n)d characters.") % {"n": LINK_MAX})
    if any(ch.isspace() or ord(ch) < 32 for ch in link) or "\\" in link:
        raise InvalidBanner(_("A link has no spaces or backslashes."))
    if link.startswith("/") and not link.startswith("//"):
        return link
    parts = urlsplit(link)
    if parts.scheme == "https" and parts.hostname:
        return link
    raise InvalidBanner(_("A link is a path on this site (starting with /) or an https address."))


def clean_title(raw: str) -> str:
    title = " ".join((raw or "").split())
    if not title or len(title) > TITLE_MAX:
        raise InvalidBanner(
            _("A banner needs a title of at most %(n)d characters.") % {"n": TITLE_MAX}
        )
    return title


def check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise InvalidBanner(_("A banner must end after it starts."))


def is_showing(
    *, active: bool, starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> bool:
    """Switched on, and within its window (an open end never closes)."""
    return active and (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)

"""Pure rules for our side of WeChat: the JS-SDK signature, what may be signed, mini-program
scenes and pages, and which of WeChat's error codes mean "the code you sent is no good"."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote, urlsplit

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

# code2session and getuserphonenumber: 40029 invalid code, 40163 code already used. The member
# should get a fresh code from wx.login() / the phone button; anything else is WeChat's problem.
INVALID_CODE_ERRCODES = frozenset({40029, 40163})

# A URL longer than any browser sends is not a page of ours; the cap keeps the hash input small.
URL_MAX_LENGTH = 2048
# getwxacodeunlimit: the scene is at most 32 visible characters of this set.
SCENE_MAX_LENGTH = 32
_SCENE_PATTERN = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")
# A mini-program page: "pages/index/index", no leading slash, no query.
PAGE_MAX_LENGTH = 128
_PAGE_PATTERN = re.compile(r"[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*")


class InvalidUrl(DomainError):
    code = "invalid_url"


class InvalidScene(DomainError):
    code = "invalid_scene"


class InvalidPage(DomainError):
    code = "invalid_page"


def jssdk_signature(*, ticket: str, nonce_str: str, timestamp: int, url: str) -> str:
    """WeChat's JS-SDK signature: SHA-1 over the four fields in this fixed order (their names
    sorted), joined as a query string without any escaping."""
    text = f"jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def signable_url(url: str) -> str:
    """The URL the JS-SDK signs: the page's full http(s) address without its #fragment, exactly
    as the page's own `location.href.split('#')[0]` gives it (never re-encoded: one changed
    byte and the signature no longer verifies)."""
    text = (url or "").strip()
    page = text.split("#", 1)[0]
    if not page or len(page) > URL_MAX_LENGTH or not page.isprintable() or " " in page:
        raise InvalidUrl(_("Send the page's full http(s) address."))
    try:
        parts = urlsplit(page)
    except ValueError:
        raise InvalidUrl(_("Send the page's full http(s) address.")) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidUrl(_("Send the page's full http(s) address."))
    return page


def scene_for(share_code: str) -> str:
    """A share code as a mini-program code's scene (at most 32 characters, WeChat's set)."""
    if len(share_code) > SCENE_MAX_LENGTH or not _SCENE_PATTERN.fullmatch(share_code):
        raise InvalidScene(
            _("A mini-program code's scene is at most %(n)d letters, digits or signs.")
            % {"n": SCENE_MAX_LENGTH}
        )
    return share_code


def share_code_from_scene(scene: str) -> str:
    """The share code a landing page was opened with. The mini-program hands the page its
    scene URL-encoded (`options.scene`); a client that forgot to decode it is forgiven."""
    return unquote((scene or "").strip()).strip()


def mini_program_page(page: str | None) -> str | None:
    """The page a mini-program code opens, or None for the mini-program's home page."""
    if page is None or not page.strip():
        return None
    cleaned = page.strip()
    if len(cleaned) > PAGE_MAX_LENGTH or not _PAGE_PATTERN.fullmatch(cleaned):
        raise InvalidPage(
            _("A mini-program page is a path like pages/index/index, without a leading slash.")
        )
    return cleaned

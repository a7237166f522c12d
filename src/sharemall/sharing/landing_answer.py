"""The share-click fast path's answer (`ingest`): the landing page's redirect for a visitor
who is not signed in, with the same headers and cookies as `web.views.share_landing` and the
page middleware give, built from what does not change between requests.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import http_date

from sharemall.sharing import rules, selectors

Header = tuple[str, str]

# The attribution window is a platform setting read on every landing; a few seconds' delay in
# seeing an operator's change is what saves that read.
WINDOW_CACHE_SECONDS = 5.0
# The middleware that dresses every page answer (security headers, frame options, CSP), run
# on ours too so both answers carry the same headers.
_DRESSING: tuple[
    type[SecurityMiddleware]
    | type[XFrameOptionsMiddleware]
    | type[ContentSecurityPolicyMiddleware],
    ...,
] = (SecurityMiddleware, XFrameOptionsMiddleware, ContentSecurityPolicyMiddleware)


class LinkFacts(NamedTuple):
    link_id: int
    code: str
    target: str


class _Expiring:
    """A value read again once it is older than `seconds`."""

    def __init__(self, load: Callable[[], int], seconds: float) -> None:
        self._load = load
        self._seconds = seconds
        self._value = 0
        self._until = 0.0

    def __call__(self) -> int:
        now = time.monotonic()
        if now >= self._until:
            self._value = self._load()
            self._until = now + self._seconds
        return self._value


def _window_seconds() -> int:
    return int(selectors.attribution_window().total_seconds())


class _Dates(NamedTuple):
    second: int
    window: int
    now: str
    share_expires: str
    visitor_expires: str


class LandingAnswer:
    """Builds the landing page's redirect for a visitor who is not signed in, header for header
    what `web.views.share_landing` and the page middleware give, at a fraction of the cost:
    what does not change between requests is worked out once, through Django's own functions,
    and the dates once a second."""

    def __init__(self) -> None:
        self.window = _Expiring(_window_seconds, WINDOW_CACHE_SECONDS)
        self.secure_cookies = settings.SESSION_COOKIE_SECURE
        self._sign = _share_cookie_signer()
        self.headers = {scheme: _fixed_headers(scheme) for scheme in ("http", "https")}
        self._dates = _Dates(-1, -1, "", "", "")

    def dates(self, window: int) -> _Dates:
        second = int(time.time())
        dates = self._dates
        if (dates.second, dates.window) != (second, window):
            dates = _Dates(
                second,
                window,
                http_date(second),
                http_date(second + window),
                http_date(second + rules.VISITOR_COOKIE_MAX_AGE),
            )
            self._dates = dates
        return dates

    def __call__(self, scheme: str, link: LinkFacts, new_visitor_id: str | None) -> list[Header]:
        window = self.window()
        dates = self.dates(window)
        headers = [("Location", link.target), ("Expires", dates.now), *self.headers[scheme]]
        signed = self._sign(link.code)
        headers.append(
            ("Set-Cookie", self._cookie(rules.SHARE_COOKIE, signed, dates.share_expires, window))
        )
        if new_visitor_id is not None:
            headers.append(
                (
                    "Set-Cookie",
                    self._cookie(
                        rules.VISITOR_COOKIE,
                        new_visitor_id,
                        dates.visitor_expires,
                        rules.VISITOR_COOKIE_MAX_AGE,
                    ),
                )
            )
        return headers

    def _cookie(self, name: str, value: str, expires: str, max_age: int) -> str:
        # Morsel.OutputString's layout (attributes sorted by name). Neither value ever needs
        # quoting: visitor ids and signed codes use only cookie-safe characters.
        cookie = (
            f"{name}={value}; expires={expires}; HttpOnly; Max-Age={max_age}; Path=/; SameSite=Lax"
        )
        return cookie + "; Secure" if self.secure_cookies else cookie


def _share_cookie_signer() -> Callable[[str], str]:
    """How HttpResponse.set_signed_cookie signs the share cookie, without a response object per
    click. The salt's layout is private to Django (6.1 changed it), so a probe signed through the
    public call must verify first; if it does not, every value goes through the public call."""
    salt_of = getattr(signing, "_cookie_signer_salt", None)
    if salt_of is not None:
        signer = signing.get_cookie_signer(
            salt=salt_of(rules.SHARE_COOKIE, rules.SHARE_COOKIE_SALT)
        )
        try:
            if signer.unsign(_signed_publicly("probe")) == "probe":
                return signer.sign
        except signing.BadSignature:
            pass
    return _signed_publicly


def _signed_publicly(value: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(rules.SHARE_COOKIE, value, salt=rules.SHARE_COOKIE_SALT)
    return response.cookies[rules.SHARE_COOKIE].value


def _fixed_headers(scheme: str) -> list[Header]:
    """Every header of the landing redirect that is the same on each request, as Django's own
    functions and the page middleware that dress a response (security headers, frame options,
    CSP) make them."""
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/s/",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": scheme,
        }
    )
    response: HttpResponse = HttpResponseRedirect("/")
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    for middleware in _DRESSING:
        if f"{middleware.__module__}.{middleware.__name__}" in settings.MIDDLEWARE:
            response = middleware(_not_called).process_response(request, response)
    # CommonMiddleware's: an empty body is sent with its length, not chunked.
    response.headers["Content-Length"] = "0"
    return [(k, v) for k, v in response.items() if k not in {"Location", "Expires"}]


def _not_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("only the middleware's response hook is used")

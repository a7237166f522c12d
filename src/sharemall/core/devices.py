"""Which device a request comes from, for the fraud signals (one account per phone is cheap to
fake; one phone per account is not).

Apps and the mini-program name their device in an `X-Device-Id` header. Our pages keep one in a
first-party cookie that `DeviceMiddleware` gives every browser on its first page. A member who
logged in through WeChat is on the WeChat account that logged them in: its openid ("wx:…") is
the device for that session, as it is the same phone whatever cookies the browser drops.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sharemall.core import ids

DEVICE_HEADER = "X-Device-Id"
# Where a WeChat log-in leaves its device in the page session.
SESSION_KEY = "sharemall_device"
# Paths that are never a page a browser keeps: the API (apps send the header), static files and
# uploads, the health checks.
_NOT_PAGES = ("/api/", "/static/", "/media/", "/healthz")


def remember_wechat_device(request: HttpRequest, openid: str) -> str:
    """For a page session opened through WeChat: its device is the openid from now on."""
    device = ids.wechat_device(openid)
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = device
    return device


def _cookie_device(request: HttpRequest) -> str:
    given = getattr(request, "device_cookie", None)
    if given is not None:
        return str(given)
    value = request.COOKIES.get(ids.DEVICE_COOKIE, "")
    return value if ids.is_device_id(value) else ""


def device_of(request: HttpRequest) -> str:
    """The request's device id, or "" when it has none: the `X-Device-Id` header when it is a
    well-formed id, else the WeChat openid of a session that logged in through WeChat, else the
    pages' cookie (given by DeviceMiddleware on this very request if the browser had none)."""
    return header_device(request) or wechat_device_of(request) or _cookie_device(request)


def header_device(request: HttpRequest) -> str:
    """The well-formed `X-Device-Id` an app sent, or ""."""
    header = request.headers.get(DEVICE_HEADER, "").strip()
    return header if ids.is_device_id(header) else ""


def wechat_device_of(request: HttpRequest) -> str:
    """The WeChat device of a session or bearer token that logged in through WeChat, or ""."""
    session = getattr(request, "session", None)
    if session is not None:
        remembered = session.get(SESSION_KEY)
        if isinstance(remembered, str) and remembered:
            return remembered
    member = getattr(request, "auth", None) or getattr(request, "user", None)
    return str(getattr(member, "token_device", "") or "")


class DeviceMiddleware:
    """Gives every browser a device id on its first page: the cookie it sent if well formed,
    else a new one, set on the answer (HttpOnly: no script of ours needs it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_NOT_PAGES):
            return self.get_response(request)
        sent = request.COOKIES.get(ids.DEVICE_COOKIE, "")
        fresh = None if ids.is_device_id(sent) else ids.new_device_id()
        request.device_cookie = sent if fresh is None else fresh  # type: ignore[attr-defined]
        response = self.get_response(request)
        # A shared cache must never hand one id to many browsers: they would look like one phone.
        public = "public" in response.get("Cache-Control", "")
        if fresh is not None and not public and ids.DEVICE_COOKIE not in response.cookies:
            response.set_cookie(
                ids.DEVICE_COOKIE,
                fresh,
                max_age=ids.DEVICE_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

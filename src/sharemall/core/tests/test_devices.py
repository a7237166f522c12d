"""One device id per browser (a first-party cookie every page gives), and `device_of`'s order:
an app's X-Device-Id, a WeChat log-in's openid, the cookie."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from sharemall.core import ids
from sharemall.core.devices import DeviceMiddleware, device_of, remember_wechat_device

pytestmark = pytest.mark.django_db


def _answer(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def through_middleware(request: HttpRequest) -> HttpResponse:
    return DeviceMiddleware(_answer)(request)


def test_a_first_page_gives_the_browser_a_device_cookie() -> None:
    response = Client().get("/")

    cookie = response.cookies[ids.DEVICE_COOKIE]
    assert ids.is_device_id(cookie.value)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == ids.DEVICE_COOKIE_MAX_AGE


def test_the_browser_keeps_its_id_on_later_pages() -> None:
    client = Client()
    first = client.get("/").cookies[ids.DEVICE_COOKIE].value

    again = client.get("/")

    assert ids.DEVICE_COOKIE not in again.cookies
    assert client.cookies[ids.DEVICE_COOKIE].value == first


def test_a_malformed_cookie_is_replaced() -> None:
    client = Client()
    client.cookies[ids.DEVICE_COOKIE] = "not a valid id!"

    fresh = client.get("/").cookies[ids.DEVICE_COOKIE].value

    assert ids.is_device_id(fresh)


def test_the_cookie_is_secure_when_sessions_are(settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    request = RequestFactory().get("/")
    assert through_middleware(request).cookies[ids.DEVICE_COOKIE]["secure"] is True


def test_the_api_and_static_files_get_no_cookie() -> None:
    for path in ("/api/v1/categories", "/static/web/app.css"):
        assert ids.DEVICE_COOKIE not in through_middleware(RequestFactory().get(path)).cookies


def test_a_publicly_cached_answer_never_carries_an_id() -> None:
    def cached(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("same for everyone")
        response["Cache-Control"] = "public, max-age=60"
        return response

    response = DeviceMiddleware(cached)(RequestFactory().get("/"))

    assert ids.DEVICE_COOKIE not in response.cookies


def test_the_page_that_gives_the_id_already_sees_it() -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(device_of(request))
        return HttpResponse("ok")

    response = DeviceMiddleware(view)(RequestFactory().get("/"))

    assert seen == [response.cookies[ids.DEVICE_COOKIE].value]


def _request(**headers: str) -> HttpRequest:
    request = RequestFactory().get("/api/v1/x", headers=headers)
    request.session = SessionStore()
    return request


def test_device_of_prefers_the_apps_header_then_wechat_then_the_cookie() -> None:
    request = _request(**{"X-Device-Id": "app-phone-1"})
    request.COOKIES[ids.DEVICE_COOKIE] = "cookie-id"
    remember_wechat_device(request, "openid-123")
    assert device_of(request) == "app-phone-1"

    request = _request()
    request.COOKIES[ids.DEVICE_COOKIE] = "cookie-id"
    remember_wechat_device(request, "openid-123")
    assert device_of(request) == "wx:openid-123"

    request = _request()
    request.COOKIES[ids.DEVICE_COOKIE] = "cookie-id"
    assert device_of(request) == "cookie-id"


def test_a_malformed_header_or_cookie_is_no_device() -> None:
    request = _request(**{"X-Device-Id": "has spaces and ✓"})
    request.COOKIES[ids.DEVICE_COOKIE] = "x" * 80
    assert device_of(request) == ""


def test_a_bearer_token_from_a_wechat_login_names_its_device() -> None:
    class Caller:
        token_device = "wx:openid-9"

    request = _request()
    request.auth = Caller()  # type: ignore[attr-defined]
    assert device_of(request) == "wx:openid-9"

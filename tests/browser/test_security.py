"""What a browser enforces and shows: the CSP, login walls, the share cookie, the 404 page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.utils import translation

from tests.browser.helpers import ConsoleLog, path_of, query_of
from tests.browser.live import Demo, LiveServer
from tests.browser.site import PROTECTED_PAGES, SitePage

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


pytestmark = pytest.mark.browser


def test_console_watch_catches_a_csp_violation(page: Page, console: ConsoleLog) -> None:
    page.goto("/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
            document.body.lastElementChild.setAttribute("style", "color: red");
        }"""
    )
    for _ in range(40):  # the console messages arrive a moment after the violations
        if sum("Content Security Policy" in error for error in console.errors) >= 2:
            break
        page.wait_for_timeout(50)

    assert page.evaluate("() => window.inlineRan === undefined")
    assert console.allow("Content Security Policy") == 2


@pytest.mark.parametrize("site_page", PROTECTED_PAGES, ids=lambda site_page: site_page.path)
def test_protected_page_asks_wechat_who_a_stranger_in_wechat_is(
    page: Page, console: ConsoleLog, demo: Demo, site_page: SitePage
) -> None:
    """Inside WeChat's browser (the phone's) the shop asks WeChat silently (snsapi_base), here
    through the demo's simulator, and comes back to our callback."""
    response = page.goto(site_page.url(demo))
    assert response is not None
    assert path_of(page.url) == "/wechat-sim/connect/oauth2/authorize"
    query = query_of(page.url)
    assert query["scope"] == ["snsapi_base"]
    assert path_of(query["redirect_uri"][0]) == "/wechat/oauth/callback"


def test_protected_page_sends_a_stranger_outside_wechat_to_log_in(
    browser: Browser, server: LiveServer, demo: Demo
) -> None:
    context = browser.new_context(base_url=server.base, locale="zh-CN")
    try:
        page = context.new_page()
        for site_page in PROTECTED_PAGES[:3]:
            path = site_page.url(demo)
            page.goto(path)
            assert path_of(page.url) == "/login/"
            assert query_of(page.url)["next"] == [path]
            assert page.locator("#id_phone").is_visible()
    finally:
        context.close()


def test_share_landing_remembers_the_share_and_lands_on_the_product(page: Page, demo: Demo) -> None:
    page.goto(f"/s/{demo.share_code}")

    assert path_of(page.url) == f"/p/{demo.product_id}"
    assert page.locator("h1").inner_text() == demo.product_title
    cookie = next(c for c in page.context.cookies() if c["name"] == "sm_share")
    assert cookie["value"].startswith(f"{demo.share_code}:")  # signed: code, then signature
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_unknown_share_code_shows_the_404_page(page: Page, console: ConsoleLog) -> None:
    response = page.goto("/s/NoSuchCode")

    assert response is not None
    assert response.status == 404
    with translation.override("zh-hans"):
        assert page.locator("h1").inner_text() == translation.gettext("Not found")
    assert [c["name"] for c in page.context.cookies() if c["name"] == "sm_share"] == []
    assert console.allow("404") == 1

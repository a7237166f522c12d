"""The shell in a real browser: confirmations before irreversible actions, the tab bar, and
the nearby stores by the browser's location."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PHONE
from tests.browser.helpers import ConsoleLog, login, path_of
from tests.browser.live import Demo, LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Geolocation, Page

pytestmark = pytest.mark.browser

# 南山, Shenzhen: a few kilometres from both of the demo's offline stores.
NANSHAN: Geolocation = {"latitude": 22.52, "longitude": 113.94}


def _own_session(browser: Browser, server: LiveServer, demo: Demo, **context: object) -> Page:
    """A page signed in with a session of its own: logging it out spoils no other test."""
    page = browser.new_context(base_url=server.base, **{**PHONE, **context}).new_page()
    login(page, demo.sharer_phone, demo.password)
    return page


def test_log_out_asks_first_and_stays_when_refused(
    browser: Browser, server: LiveServer, demo: Demo
) -> None:
    page = _own_session(browser, server, demo)
    page.goto("/me")
    asked: list[str] = []

    def refuse(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.locator("form.me-logout button[type=submit]").click()
    page.wait_for_timeout(300)

    assert len(asked) == 1 and asked[0]  # the form's data-confirm question
    assert path_of(page.url) == "/me"
    assert page.locator("form.me-logout").is_visible()  # still signed in

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form.me-logout button[type=submit]").click()
    assert path_of(page.url) == "/"
    assert page.locator("header.site-header a[href^='/login/']").is_visible()
    page.context.close()


def test_the_tab_bar_stays_on_screen_and_marks_the_current_tab(
    page: Page, console: ConsoleLog
) -> None:
    page.goto("/categories")
    bar = page.locator("nav.tabbar")
    box = bar.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] == pytest.approx(812, abs=1)  # the bottom of the screen
    assert page.locator("nav.tabbar a[aria-current=page]").get_attribute("href") == "/categories"

    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)
    moved = bar.bounding_box()
    assert moved is not None and moved["y"] == box["y"]


def test_nearby_stores_come_nearest_first_once_the_browser_tells_where(
    browser: Browser, server: LiveServer, console: ConsoleLog
) -> None:
    context = browser.new_context(
        base_url=server.base, geolocation=NANSHAN, permissions=["geolocation"], **PHONE
    )
    page = context.new_page()
    console.watch(page)
    page.goto("/stores/nearby")

    page.locator("#locate-button").click()
    distances = page.locator("#store-list .store-card-distance")
    distances.first.wait_for()

    assert distances.count() >= 2
    shown = distances.all_inner_texts()
    metres = [
        float(m.group(1)) * (1 if m.group(2) in {"m", "米"} else 1000)
        for m in (re.match(r"([\d.]+)\s*(\S+)", text) for text in shown)
        if m is not None
    ]
    assert metres == sorted(metres), shown
    context.close()

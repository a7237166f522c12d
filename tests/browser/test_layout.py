"""Every page fits a phone held upright (375 × 812): nothing makes the page scroll sideways, and
it carries a strict Content-Security-Policy that nothing on it breaks; the consoles also fit a
desk's 1280 × 800 screen and keep their navigation in view.

The pages are site.py's SITE_PAGES (the gallery's list); each role's pages open in one signed-in
context (role_context), a fresh tab each, which keeps dozens of pages quick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import ConsoleLog, assert_no_horizontal_overflow, assert_strict_csp
from tests.browser.live import Demo
from tests.browser.site import CONSOLE_PAGES, SITE_PAGES, SitePage, arrive

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

RoleContext = Callable[[str, str], "BrowserContext"]

pytestmark = pytest.mark.browser

PHONE_PAGE = '<!doctype html><meta name="viewport" content="width=device-width">'


@pytest.mark.parametrize("site_page", SITE_PAGES, ids=lambda site_page: site_page.id)
def test_page_fits_a_phone_screen_under_a_strict_csp(
    role_context: RoleContext, console: ConsoleLog, demo: Demo, site_page: SitePage
) -> None:
    """One visit per page checks both: the layout, and the policy with nothing breaking it (a
    blocked inline script or style is a console error)."""
    with _tab(role_context(site_page.as_, "phone"), console) as page:
        response = arrive(page, console, demo, site_page)
        assert page.viewport_size == {"width": 375, "height": 812}

        assert_no_horizontal_overflow(page)
    assert_strict_csp(response.headers.get("content-security-policy", ""))
    assert console.errors == []


@pytest.mark.parametrize("site_page", CONSOLE_PAGES, ids=lambda site_page: site_page.id)
def test_console_page_fits_a_desktop_screen_with_its_navigation_in_view(
    role_context: RoleContext, console: ConsoleLog, demo: Demo, site_page: SitePage
) -> None:
    with _tab(role_context(site_page.as_, "desktop"), console) as page:
        arrive(page, console, demo, site_page)

        assert_no_horizontal_overflow(page)
        # A console's sidebar (an <aside> holding its navigation) stays on the left of the
        # first screen; pages still in the phone layout have none yet.
        for sidebar in page.locator("aside:has(nav), aside:has(a)").all()[:1]:
            box = sidebar.bounding_box()
            assert box is not None
            assert sidebar.is_visible()
            assert box["x"] < 40 and box["y"] < 200 and box["width"] < 400, box
    assert console.errors == []


@contextmanager
def _tab(context: BrowserContext, console: ConsoleLog) -> Iterator[Page]:
    page = context.new_page()
    console.watch(page)
    try:
        yield page
    finally:
        page.close()


def test_overflow_check_names_the_element_that_sticks_out(page: Page) -> None:
    page.set_content(PHONE_PAGE + '<main><p id="wide" class="note">x</p></main>')
    page.locator("#wide").evaluate("el => { el.style.width = '600px'; }")

    with pytest.raises(AssertionError, match=r"main > p#wide\.note \(right edge 60\dpx\)"):
        assert_no_horizontal_overflow(page)


def test_overflow_check_allows_a_wide_table_that_scrolls_in_its_box(page: Page) -> None:
    page.set_content(
        PHONE_PAGE + '<div id="box"><table id="wide"><tr><td>x</td></tr></table></div>'
    )
    page.locator("#box").evaluate("el => { el.style.overflowX = 'auto'; }")
    page.locator("#wide").evaluate("el => { el.style.width = '900px'; }")

    assert_no_horizontal_overflow(page)

"""Every page fits a phone held upright (375 × 812): nothing makes the page scroll sideways."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import ConsoleLog, assert_no_horizontal_overflow
from tests.browser.live import Demo
from tests.browser.site import SITE_PAGES, SitePage, visit

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

PHONE_PAGE = '<!doctype html><meta name="viewport" content="width=device-width">'


@pytest.mark.parametrize("site_page", SITE_PAGES, ids=lambda site_page: site_page.id)
def test_page_fits_a_phone_screen(
    open_page: OpenPage, console: ConsoleLog, demo: Demo, site_page: SitePage
) -> None:
    page, _ = visit(open_page, console, demo, site_page)
    assert page.viewport_size == {"width": 375, "height": 812}

    assert_no_horizontal_overflow(page)


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

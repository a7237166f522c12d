"""The product page on a phone (375 × 812): the buy bar is on the first screen and stays there,
the option sheet opens from it, tapping an option card chooses it, and adding to the cart works.
A visitor through a share sees who recommended the product and what it saves them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import assert_no_horizontal_overflow, path_of
from tests.browser.live import Demo

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

SCREEN_HEIGHT = 812


def assert_on_first_screen(page: Page, selector: str) -> None:
    """The element lies wholly inside the viewport and nothing covers its middle."""
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= SCREEN_HEIGHT + 0.5, f"{selector} is below the fold: {box}"
    on_top = page.evaluate(
        """([selector, x, y]) => {
            const hit = document.elementFromPoint(x, y);
            return Boolean(hit && hit.closest(selector));
        }""",
        [selector, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, f"something covers {selector}"


def test_the_buy_bar_stays_on_screen_and_the_option_sheet_adds_to_the_cart(
    open_page: OpenPage, demo: Demo
) -> None:
    page = open_page()
    page.goto(f"/p/{demo.product_id}")

    assert_on_first_screen(page, "#buy-bar")
    page.mouse.wheel(0, 1500)  # fixed, not sticky: still there after scrolling down
    page.wait_for_function("() => window.scrollY > 300")
    assert_on_first_screen(page, "#buy-bar")
    assert_no_horizontal_overflow(page)

    sheet = page.locator("#sku-sheet .pd-sheet-body")
    assert not sheet.is_visible()
    page.locator("#buy-slot button[name=intent][value=cart]").click()
    sheet.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#sku-sheet .pd-sheet-body').getBoundingClientRect()"
        f".bottom <= {SCREEN_HEIGHT + 0.5}"
    )  # slid all the way up
    assert page.locator("#sku-sheet button[name=intent][value=buy]").is_hidden()  # cart only

    card = page.locator("#sku-sheet label.sku-card:not(.is-sold-out)").nth(1)
    option = card.locator("input[name=sku]")
    name = option.get_attribute("data-name")
    price = option.get_attribute("data-price")
    assert not option.is_checked()
    card.click()
    assert option.is_checked()
    assert page.locator("#sku-sheet-chosen").inner_text() == name
    assert page.locator("#sku-sheet-price").inner_text() == price
    assert page.locator("#pd-chosen").inner_text() == name
    page.locator("#sku-sheet [data-step='1']").click()
    assert page.input_value("#buy-quantity") == "2"

    # Added without leaving the product: the sheet closes, a note says so, the badge counts.
    badge = page.locator("#buy-bar #cart-count")
    before = int(badge.inner_text() or "0")
    page.locator("#sku-sheet button[name=intent][value=cart]").click()
    page.locator(".toast").wait_for()
    assert "已加入购物车" in page.locator(".toast").inner_text()
    sheet.wait_for(state="hidden")
    assert path_of(page.url) == f"/p/{demo.product_id}"
    assert badge.inner_text() == str(before + 2)

    with page.expect_navigation():
        page.locator("#buy-bar a[href='/cart']").click()
    assert path_of(page.url) == "/cart"
    assert name is not None
    assert name in page.locator("main").inner_text()


def test_the_sheet_closes_and_a_friend_through_a_share_sees_the_recommender(
    open_page: OpenPage, demo: Demo
) -> None:
    page = open_page()
    page.goto(f"/s/{demo.share_code}")
    assert path_of(page.url) == f"/p/{demo.product_id}"

    banner = page.locator("#recommender-banner")
    assert banner.is_visible()
    assert "推荐给你" in banner.inner_text()
    assert "好友立减 ¥" in banner.inner_text()
    assert_on_first_screen(page, "#recommender-banner")
    assert_on_first_screen(page, "#buy-bar")

    page.locator("#buy-slot button[name=intent][value=buy]").click()
    page.locator("#sku-sheet .pd-sheet-body").wait_for(state="visible")
    assert page.locator("#sku-sheet button[name=intent][value=cart]").is_hidden()  # buy only
    assert page.locator("#sku-sheet-friend").is_visible()  # the friend's price of the option
    page.keyboard.press("Escape")
    page.locator("#sku-sheet .pd-sheet-body").wait_for(state="hidden")

    page.reload()  # carried for as long as the share is remembered
    assert page.locator("#recommender-banner").is_visible()


def test_the_share_sheet_shows_one_link_each_time(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(as_=(demo.sharer_phone, demo.password))
    page.goto(f"/p/{demo.product_id}")
    assert page.locator("#recommender-banner").count() == 0  # a member's own page: no banner

    links = []
    for _ in range(2):
        page.locator("#share-slot button[type=submit]").click()
        field = page.locator("#share-panel input.share-url")
        field.wait_for()
        links.append(field.input_value())
        assert_no_horizontal_overflow(page)
        page.locator("#share-panel .pd-sheet-close").click()
        field.wait_for(state="detached")
    assert links[0] == links[1]

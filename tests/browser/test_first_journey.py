"""A friend follows a member's share link, signs up from the product page, and is bound to the
member who shared: the first steps of the whole journey, clicked through in a phone browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import enter_texted_code, path_of, query_of, submit
from tests.browser.live import Demo, LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

FRIEND_PHONE = "13712340001"
FRIEND_NICKNAME = "新朋友小周"
FRIEND_PASSWORD = "Friend-pass-2026"


def test_friend_opens_a_share_link_registers_and_is_bound_to_the_sharer(
    page: Page, demo: Demo, server: LiveServer
) -> None:
    product_path = f"/p/{demo.product_id}"
    page.goto(f"/s/{demo.share_code}")
    assert path_of(page.url) == product_path

    with page.expect_navigation():
        page.locator("header.site-header a[href^='/register/']").click()
    assert path_of(page.url) == "/register/"
    assert query_of(page.url)["next"] == [product_path]
    page.fill("#id_phone", FRIEND_PHONE)
    page.fill("#id_nickname", FRIEND_NICKNAME)
    page.fill("#id_password", FRIEND_PASSWORD)
    page.check("#id_accept_terms")
    # Sign-up proves the phone: a mistyped code is refused under its box, the texted one passes.
    page.fill("#id_sms_code", "000000")
    submit(page)
    assert path_of(page.url) == "/register/"
    assert page.locator(".auth-field.has-error #id_sms_code").count() == 1
    page.fill("#id_password", FRIEND_PASSWORD)  # a password box is never filled back in
    enter_texted_code(page, FRIEND_PHONE)
    submit(page)

    assert path_of(page.url) == product_path
    assert page.locator("header.site-header .who").inner_text() == FRIEND_NICKNAME
    me = server.api(server.token(FRIEND_PHONE, FRIEND_PASSWORD)).get("/me")
    assert me["nickname"] == FRIEND_NICKNAME
    assert me["parent_id"] == demo.sharer_id

"""Inside WeChat (issue 13): a friend opens a member's share link in WeChat's browser, is
logged in by WeChat OAuth through the simulator (the demo runs WECHAT_SANDBOX=1), is bound to
the sharer, buys and pays by JSAPI — WeChat Pay's sheet from the simulator's WeixinJSBridge,
completing the sandbox payment — and the sharer's commission appears. The simulator
stands in for WeChat's servers and pages; our client code is the production code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import path_of, submit
from tests.browser.live import Demo, LiveServer
from tests.browser.test_journey import arrive, choose_region, follow, match

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

NICKNAME = "微信里的小林"


def pick_me_in_wechat(page: Page, *, new: bool) -> None:
    """The simulator's WeChat sheet: who is using WeChat (a new fake user the first time)."""
    assert path_of(page.url) == "/wechat-sim/connect/oauth2/authorize", page.url
    if new:
        page.fill("input[name=nickname]", NICKNAME)
    else:
        page.locator("label.pick-row", has_text=NICKNAME).locator("input[type=radio]").check()
    with page.expect_navigation():
        page.locator(".sheet-actions button[type=submit]").click()


def test_a_friend_in_wechat_logs_in_by_oauth_is_bound_buys_and_the_sharer_earns(
    open_page: OpenPage, demo: Demo, server: LiveServer
) -> None:
    sharer = server.api(server.token(demo.sharer_phone, demo.password))
    before = {c["id"] for c in sharer.get("/commissions")}
    friend = open_page()  # a phone whose browser is WeChat's (the user agent says so)

    friend.goto(f"/s/{demo.share_code}")
    arrive(friend, f"/p/{demo.product_id}")
    # Buying needs an account: inside WeChat the shop asks WeChat who this is, silently first.
    friend.goto("/orders")
    pick_me_in_wechat(friend, new=True)
    # WeChat does not know them here yet: they agree to log in with their WeChat profile.
    assert path_of(friend.url) == "/wechat/oauth/consent"
    follow(friend, friend.locator("#wechat-consent"))
    pick_me_in_wechat(friend, new=False)
    arrive(friend, "/orders")
    assert friend.locator("header.site-header .who").inner_text() == NICKNAME

    # Bound to the member whose link brought them.
    me = friend.request.get("/api/v1/me").json()
    assert me["parent_id"] == demo.sharer_id

    friend.goto(f"/p/{demo.product_id}")
    friend.locator("#buy-slot button[name=intent][value=cart]").click()
    friend.locator("#sku-sheet .pd-sheet-body").wait_for(state="visible")
    friend.locator("#sku-sheet button[name=intent][value=cart]").click()
    friend.wait_for_function(
        "() => document.querySelector('#buy-bar #cart-count').textContent === '1'"
    )
    friend.goto("/cart")
    follow(friend, friend.locator("#cart-checkout button[type=submit]"))
    arrive(friend, "/checkout")
    choose_region(friend)
    friend.fill("#id_address", "文三路 100 号")
    friend.fill("#id_receiver", "小林")
    friend.fill("#id_phone", "13712349876")
    submit(friend, "form[action='/checkout']")
    payment_no = match(path_of(friend.url), r"/pay/sandbox/([A-Za-z0-9]+)")
    # In WeChat the friend pays by JSAPI: WeChat Pay's sheet (the simulator's WeixinJSBridge)
    # opens at once, and its 确认支付 completes the sandbox payment.
    confirm = friend.locator(".wxsim-pay [data-wxsim-pay=confirm]")
    confirm.wait_for(state="visible")
    with friend.expect_navigation():
        confirm.click()
    arrive(friend, f"/pay/sandbox/{payment_no}")
    assert friend.locator(".pay-done").is_visible()

    earned = [c for c in sharer.get("/commissions") if c["id"] not in before]
    assert len(earned) == 1, earned
    assert earned[0]["status"] == "pending"
    assert earned[0]["amount_fen"] > 0

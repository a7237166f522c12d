"""The whole journey, clicked through by new users on their phones (issue 6):

a member applies to open a shop → the operator approves it → the merchant lists a product and
gives it a commission plan → a distributor shares it → a friend opens the link, registers, buys
with the share discount and pays in the sandbox → the merchant ships → the friend confirms
receipt → the periodic jobs run → the distributor sees the settled commission and withdraws it
→ the operator approves the withdrawal, which the sandbox pays at once.

Every step is done on the pages; the JSON API only checks what no page shows. The pages stay in
Chinese, as a WeChat user sees them: elements are found by ids, field names, form actions and
link targets, which do not change with the language, and amounts are compared as the ¥ figures
every language prints alike.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from PIL import Image
from stdnum.cn import uscc

from tests.browser.helpers import (
    assert_no_horizontal_overflow,
    enter_texted_code,
    login,
    path_of,
    query_of,
    submit,
)
from tests.browser.live import Demo, LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

BP_WHOLE = 10_000


def portion(fen: int, bp: int) -> int:
    """A rate's share of an amount, rounded down to the fen (as every payout is)."""
    return fen * bp // BP_WHOLE


def yuan(fen: int) -> str:
    """Fen as the pages print them (¥1,234.50), worked out here on its own."""
    whole, part = divmod(fen, 100)
    return f"¥{whole:,}.{part:02d}"


def yuan_typed(fen: int) -> str:
    """Fen as a member types yuan into a form: 1216 → "12.16"."""
    whole, part = divmod(fen, 100)
    return f"{whole}.{part:02d}"


@dataclass(frozen=True)
class Person:
    phone: str
    nickname: str
    password: str = "Journey-pass-2026"


MERCHANT = Person("13712340101", "开店的老陈")
DISTRIBUTOR = Person("13712340102", "爱分享的小吴")
FRIEND = Person("13712340103", "小吴的朋友阿宁")

LEGAL_NAME = "杭州一路同行茶业有限公司"
USCC_BODY = "91330106773120260"  # no demo merchant's; the check character is computed
PRODUCT_TITLE = "一路同行 龙井 250g"
PRICE_FEN = 128_00
# The plan, in basis points of what the buyer pays; levels past the platform's max are cut.
SHARE_BUDGET_BP = 2000
BUYER_DISCOUNT_BP = 500
LEVEL_BP = (1000, 500, 0)
REGION = ("330000", "330100", "330106")  # 浙江省 杭州市 西湖区 (GB/T 2260)
TRACKING_NO = "SF1234567890"
# The live server's withdrawal terms: the settings' defaults (WITHDRAWAL_MIN_FEN, …_FEE_FREE_FEN,
# …_FEE_BP), which the withdraw page prints and the test checks.
MIN_WITHDRAWAL_FEN = 100
FEE_FREE_FEN = 100_000
FEE_BP = 10
JOBS_AHEAD = timedelta(days=8)  # past the 7-day after-sales window, before auto-receipt's 10
STEP_TIMEOUT_MS = 10_000

# What the friend pays and what the distributor earns, by the rules, worked out here.
DISCOUNT_FEN = portion(PRICE_FEN, BUYER_DISCOUNT_BP)
PAID_FEN = PRICE_FEN - DISCOUNT_FEN
COMMISSION_FEN = portion(PAID_FEN, LEVEL_BP[0])
FEE_FEN = portion(max(0, COMMISSION_FEN - FEE_FREE_FEN), FEE_BP)


def test_a_new_shop_sells_through_a_share_and_the_sharer_withdraws_the_commission(
    open_page: OpenPage, demo: Demo, server: LiveServer
) -> None:
    assert COMMISSION_FEN >= MIN_WITHDRAWAL_FEN, "price too low to withdraw the commission"
    operator_login = (demo.operator_phone, demo.operator_password)
    rules = server.api(server.token(*operator_login)).get("/platform/settings")
    assert rules["share_budget_cap_bp"] >= SHARE_BUDGET_BP
    levels = LEVEL_BP[: rules["max_levels"]]

    apply_for_a_shop(phone(open_page))  # 1
    operator = phone(open_page)
    login(operator, *operator_login, next_path="/platform/")
    approve_the_shop(operator)  # 2
    merchant, product_id = list_a_product_with_a_plan(phone(open_page), levels)  # 3
    distributor, share_link = share_the_product(phone(open_page), product_id, server)  # 4
    friend, order_id = buy_through_the_link(phone(open_page), share_link, product_id)  # 5

    friend_api = server.api(server.token(FRIEND.phone, FRIEND.password))
    distributor_api = server.api(server.token(DISTRIBUTOR.phone, DISTRIBUTOR.password))
    order = friend_api.get(f"/orders/{order_id}")
    assert (order["goods_fen"], order["discount_fen"], order["total_fen"]) == (
        PRICE_FEN,
        DISCOUNT_FEN,
        PAID_FEN,
    )
    assert friend_api.get("/me")["parent_id"] == distributor_api.get("/me")["id"]

    ship_the_order(merchant, order_id)  # 6
    confirm_receipt(friend, order_id)  # 7

    jobs = server.run_jobs(datetime.now(UTC) + JOBS_AHEAD)  # 8
    assert jobs["order_completion"] >= 1
    assert friend_api.get(f"/orders/{order_id}")["status"] == "completed"

    see_the_settled_commission(distributor, order["order_no"])  # 9
    withdrawal_id = withdraw_the_commission(distributor)
    approve_the_withdrawal(operator, withdrawal_id)  # 10
    see_the_withdrawal_paid(distributor, withdrawal_id)
    assert distributor_api.get("/wallet") == {
        "pending_fen": 0,
        "available_fen": 0,
        "withdrawing_fen": 0,
        "withdrawn_fen": COMMISSION_FEN,
    }


# --- the steps ----------------------------------------------------------------------------------


def apply_for_a_shop(merchant: Page) -> None:
    """A new member registers, opens "My shop" and sends the merchant application."""
    merchant.goto("/register/")
    arrive(merchant, "/register/")
    register(merchant, MERCHANT)
    follow(merchant, merchant.locator("nav.tabbar a[href='/me']"))
    arrive(merchant, "/me")
    follow(merchant, merchant.locator(".me a[href='/merchant/']"))
    arrive(merchant, "/merchant/")
    merchant.fill("#id_legal_name", LEGAL_NAME)
    merchant.fill("#id_uscc", USCC_BODY + uscc.calc_check_digit(USCC_BODY))
    merchant.fill("#id_legal_rep", "陈一路")
    merchant.fill("#id_contact_phone", MERCHANT.phone)
    # The operator approves only a complete application: the licence photo goes with it.
    merchant.set_input_files(
        "#id_licence", files=[{"name": "licence.png", "mimeType": "image/png", "buffer": _png()}]
    )
    submit(merchant, "form[action='/merchant/']")
    arrive(merchant, "/merchant/")
    assert merchant.locator("main .cs-badge-submitted").is_visible()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def approve_the_shop(operator: Page) -> None:
    arrive(operator, "/platform/")
    follow(operator, operator.locator("main li a[href='/platform/merchants']"))
    arrive(operator, "/platform/merchants")
    follow(operator, operator.locator("main a", has_text=LEGAL_NAME))
    merchant_id = int(match(path_of(operator.url), r"/platform/merchants/(\d+)"))
    arrive(operator, f"/platform/merchants/{merchant_id}")
    submit(operator, f"form[action='/platform/merchants/{merchant_id}/approve'][data-confirm]")
    assert operator.locator(".pf-badge.status-approved").is_visible()


def percent(bp: int) -> str:
    """Basis points as the plan editor takes and shows them: 1050 → "10.5"."""
    return f"{bp / 100:g}"


def list_a_product_with_a_plan(merchant: Page, levels: tuple[int, ...]) -> tuple[Page, int]:
    """The merchant logs in again, adds a product with one option, publishes it, and sets its
    commission plan, watching how a sale at its price would split before saving."""
    login(merchant, MERCHANT.phone, MERCHANT.password, next_path="/merchant/")
    arrive(merchant, "/merchant/")
    # On a phone the console's menu is a drawer under the top bar: open it first.
    merchant.locator("label.cs-menu-toggle").click()
    assert merchant.locator(".cs-shop-status .cs-badge-approved").is_visible()
    follow(merchant, merchant.locator("nav.cs-nav a[href='/merchant/products']"))
    follow(merchant, merchant.locator("main a[href='/merchant/products/new']"))
    arrive(merchant, "/merchant/products/new")
    merchant.fill("#id_title", PRODUCT_TITLE)
    merchant.fill("#id_description", "明前采摘，一芽一叶。")
    merchant.fill("#id_sku-0-name", "明前特级")
    merchant.fill("#id_sku-0-price", yuan_typed(PRICE_FEN))
    merchant.fill("#id_sku-0-stock", "10")
    submit(merchant, "main form:has(#id_title)")
    product_id = int(match(path_of(merchant.url), r"/merchant/products/(\d+)"))
    submit(merchant, f"form[action='/merchant/products/{product_id}/publish']")
    arrive(merchant, f"/merchant/products/{product_id}")
    assert merchant.locator(".mc-badge.mc-product-on_sale").is_visible()

    plan_path = f"/merchant/products/{product_id}/plan"
    follow(merchant, merchant.locator(f"main a[href='{plan_path}']"))
    arrive(merchant, plan_path)
    # Rates are typed in % (100 bp = 1 %).
    merchant.fill("#id_share_budget", percent(SHARE_BUDGET_BP))
    merchant.fill("#id_buyer_discount", percent(BUYER_DISCOUNT_BP))
    for level, bp in enumerate(levels, start=1):
        merchant.fill(f"#id_level{level}", percent(bp))
    merchant.fill("#id_region_agent", "0")
    # A product's plan editor splits a sale at the product's own price.
    sample_discount = portion(PRICE_FEN, BUYER_DISCOUNT_BP)
    sample_paid = PRICE_FEN - sample_discount
    # Discount, paid, each level, region agent: redrawn by htmx as the rates are typed.
    split = [sample_discount, sample_paid, *(portion(sample_paid, bp) for bp in levels), 0]
    cells = merchant.locator("#plan-verdict .mc-split td")
    for row, fen in enumerate(split):
        expect_text(cells.nth(row), yuan(fen))
    assert_no_horizontal_overflow(merchant)
    submit(merchant, "form:has(#id_share_budget)")
    arrive(merchant, plan_path)
    assert merchant.input_value("#id_buyer_discount") == percent(BUYER_DISCOUNT_BP)
    assert merchant.input_value("#id_level1") == percent(levels[0])
    return merchant, product_id


def share_the_product(distributor: Page, product_id: int, server: LiveServer) -> tuple[Page, str]:
    """A new member turns distribution on, opens the product and presses Share."""
    distributor.goto("/register/")
    register(distributor, DISTRIBUTOR)
    follow(distributor, distributor.locator("nav.tabbar a[href='/me']"))
    arrive(distributor, "/me")
    follow(distributor, distributor.locator(".me a[href='/me/distribution']"))
    arrive(distributor, "/me/distribution")
    submit(distributor, "form[action='/me/distribution/enable']")
    arrive(distributor, "/me/distribution")
    assert distributor.locator("#substore-url").is_visible()  # distribution is on
    distributor.goto(f"/p/{product_id}")
    arrive(distributor, f"/p/{product_id}")
    distributor.locator("#share-slot button[type=submit]").click()
    link = distributor.locator("#share-panel input.share-url")
    link.wait_for()
    assert distributor.locator("#share-panel .share-ok").is_visible()  # the link earns
    assert_no_horizontal_overflow(distributor)
    share_link = link.input_value()
    assert re.fullmatch(re.escape(server.base) + r"/s/[A-Za-z0-9_-]+", share_link), share_link
    return distributor, share_link


def buy_through_the_link(friend: Page, share_link: str, product_id: int) -> tuple[Page, int]:
    """A friend opens the link on their own phone, registers from the header, buys with the
    share discount and pays in the sandbox."""
    product_path = f"/p/{product_id}"
    friend.goto(share_link)
    arrive(friend, product_path)
    follow(friend, friend.locator("header.site-header a[href^='/register/']"))
    assert query_of(friend.url)["next"] == [product_path]
    register(friend, FRIEND)
    arrive(friend, product_path)
    banner = friend.locator("#recommender-banner")  # who shared it, and what the friend saves
    assert DISTRIBUTOR.nickname in banner.inner_text()
    assert "好友立减 " + yuan(DISCOUNT_FEN) in banner.inner_text()
    # The fixed bar opens the option sheet; its button puts the chosen option in the cart and
    # the friend stays on the product, the bar's badge counting it; the bar's 购物车 opens the cart.
    friend.locator("#buy-slot button[name=intent][value=cart]").click()
    friend.locator("#sku-sheet .pd-sheet-body").wait_for(state="visible")
    friend.locator("#sku-sheet button[name=intent][value=cart]").click()
    friend.wait_for_function(
        "() => document.querySelector('#buy-bar #cart-count').textContent === '1'"
    )
    follow(friend, friend.locator("#buy-bar a[href='/cart']"))
    arrive(friend, "/cart")
    # The cart's line is ticked; the bottom bar's 结算 checks out what is ticked.
    assert friend.locator("input[name=pick]").is_checked()
    assert friend.locator("[data-cart-total]").inner_text() == yuan(PRICE_FEN)
    follow(friend, friend.locator("#cart-checkout button[type=submit]"))
    arrive(friend, "/checkout")
    assert friend.locator("#share-discount-note").is_visible()
    assert friend.locator(".totals dd.discount").inner_text() == "−" + yuan(DISCOUNT_FEN)
    assert friend.locator(".totals .total-amount").inner_text() == yuan(PAID_FEN)
    choose_region(friend)
    friend.fill("#id_address", "文三路 100 号 2 单元 301")
    friend.fill("#id_receiver", "阿宁")
    friend.fill("#id_phone", FRIEND.phone)
    submit(friend, "form[action='/checkout']")
    payment_no = match(path_of(friend.url), r"/pay/sandbox/([A-Za-z0-9]+)")
    arrive(friend, f"/pay/sandbox/{payment_no}")
    assert friend.locator("main .product-price").inner_text() == yuan(PAID_FEN)
    submit(friend, "main form:has(button[type=submit])")
    follow(friend, friend.locator("main a[href='/orders']"))
    arrive(friend, "/orders")
    # The order waits in the 待发货 tab, counted on it.
    assert friend.locator(".order-tab[data-tab='to_ship'] .tab-count").inner_text() == "1"
    follow(friend, friend.locator(".order-tab[data-tab='to_ship']"))
    follow(friend, friend.locator("main a[href^='/orders/']").first)
    order_id = int(match(path_of(friend.url), r"/orders/(\d+)"))
    arrive(friend, f"/orders/{order_id}")
    assert friend.locator("#order-status.status-paid").is_visible()
    assert friend.locator(".totals .total-amount").inner_text() == yuan(PAID_FEN)
    return friend, order_id


def choose_region(page: Page) -> None:
    """Province, city, district: each choice redraws the lists below it (htmx)."""
    # htmx must be listening before the first choice, and each redrawn list must be settled
    # (processed by htmx) before the next: a change before that sends no request.
    page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
    for select, code in zip(("#id_province", "#id_city", "#id_district"), REGION, strict=True):
        page.locator(f"{select} option[value='{code}']").wait_for(state="attached")
        page.locator("#region-picker:not(.htmx-settling):not(.htmx-request)").wait_for()
        with page.expect_response(lambda response: "/checkout/regions" in response.url):
            page.select_option(select, code)
    page.locator(f"#id_district option[value='{REGION[2]}']").wait_for(state="attached")
    assert page.input_value("#id_district") == REGION[2]


def ship_the_order(merchant: Page, order_id: int) -> None:
    merchant.goto("/merchant/")
    follow(merchant, merchant.locator("main a[href='/merchant/orders?status=paid']").first)
    follow(merchant, merchant.locator(f"main a[href='/merchant/orders/{order_id}']"))
    arrive(merchant, f"/merchant/orders/{order_id}")
    merchant.fill("#id_carrier", "顺丰速运")
    merchant.fill("#id_tracking_no", TRACKING_NO)
    submit(merchant, f"form[action='/merchant/orders/{order_id}/ship'][data-confirm]")
    arrive(merchant, f"/merchant/orders/{order_id}")
    assert merchant.locator(".mc-badge.mc-order-shipped").is_visible()


def confirm_receipt(friend: Page, order_id: int) -> None:
    friend.reload()
    assert friend.locator(".tracking").inner_text() == TRACKING_NO
    # Receipt cannot be undone: the page asks first (data-confirm), and the friend agrees.
    submit(friend, f"form[action='/orders/{order_id}/confirm-receipt'][data-confirm]")
    arrive(friend, f"/orders/{order_id}")
    assert friend.locator("#order-status.status-received").is_visible()


def see_the_settled_commission(distributor: Page, order_no: str) -> None:
    distributor.goto("/me/distribution")
    follow(distributor, distributor.locator("main a[href='/me/distribution/commissions']").first)
    arrive(distributor, "/me/distribution/commissions")
    entries = distributor.locator("li.entry")
    assert entries.count() == 1
    assert entries.locator(".entry-amount").inner_text() == yuan(COMMISSION_FEN)
    assert entries.locator(".status-settled").is_visible()
    assert entries.locator("dd").first.inner_text() == order_no


def withdraw_the_commission(distributor: Page) -> int:
    """All of it, to WeChat Pay: the sandbox pays WeChat Pay and Alipay payouts at once (a bank
    card is paid by hand)."""
    follow(distributor, distributor.locator("main a[href='/me/distribution/withdraw']").first)
    arrive(distributor, "/me/distribution/withdraw")
    assert yuan(MIN_WITHDRAWAL_FEN) in distributor.locator("ul.terms li").first.inner_text()
    assert distributor.locator("dd.available").inner_text() == yuan(COMMISSION_FEN)
    distributor.fill("#id_amount", yuan_typed(COMMISSION_FEN))
    preview = distributor.locator("#fee-preview")
    expect_text(preview, yuan(COMMISSION_FEN - FEE_FEN))  # what reaches the member (htmx)
    assert yuan(FEE_FEN) in preview.inner_text()
    distributor.check("input[name=channel][value=wechat]")
    # WeChat pays the linked WeChat account: there is never a typed 微信号 to fill in.
    submit(distributor, "form[action='/me/distribution/withdraw'][data-confirm]")
    arrive(distributor, "/me/distribution/withdraw")
    withdrawal = distributor.locator("li.entry[id^='withdrawal-']")
    assert withdrawal.count() == 1
    assert withdrawal.locator(".status-requested").is_visible()
    assert distributor.locator("dd.withdrawing").inner_text() == yuan(COMMISSION_FEN)
    assert distributor.locator("dd.available").inner_text() == yuan(0)
    return int(match(str(withdrawal.get_attribute("id")), r"withdrawal-(\d+)"))


def approve_the_withdrawal(operator: Page, withdrawal_id: int) -> None:
    operator.goto("/platform/")
    follow(operator, operator.locator("main li a[href='/platform/withdrawals']"))
    arrive(operator, "/platform/withdrawals")
    card = operator.locator(f"#withdrawal-{withdrawal_id}")
    assert yuan(COMMISSION_FEN) in card.inner_text()
    submit(operator, f"form[action='/platform/withdrawals/{withdrawal_id}/approve'][data-confirm]")
    arrive(operator, "/platform/withdrawals")
    follow(operator, operator.locator("main a.cs-tab[href$='status=paid']"))
    assert operator.locator(f"#withdrawal-{withdrawal_id} .cs-badge-paid").is_visible()
    assert_no_horizontal_overflow(operator)


def see_the_withdrawal_paid(distributor: Page, withdrawal_id: int) -> None:
    distributor.reload()
    arrive(distributor, "/me/distribution/withdraw")
    assert distributor.locator(f"#withdrawal-{withdrawal_id} .status-paid").is_visible()
    withdrawn = distributor.locator("dl.balances > div").nth(3).locator("dd")
    assert withdrawn.inner_text() == yuan(COMMISSION_FEN)


# --- helpers ------------------------------------------------------------------------------------


def phone(open_page: OpenPage) -> Page:
    """A phone of its own (its own cookies) that gives up on a missing element well before
    Playwright's 30 s, so a broken step fails fast."""
    page: Page = open_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    return page


def arrive(page: Page, path: str) -> None:
    """The step reached `path`, and the page fits the phone's screen."""
    assert path_of(page.url) == path, f"expected to be on {path}, got {page.url}"
    # Typing or choosing before htmx listens would send nothing: wait for it on every page.
    page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
    assert_no_horizontal_overflow(page)


def follow(page: Page, link: Locator) -> None:
    with page.expect_navigation():
        link.click()


def register(page: Page, person: Person) -> None:
    page.fill("#id_phone", person.phone)
    enter_texted_code(page, person.phone, "form[action='/register/']")
    page.fill("#id_nickname", person.nickname)
    page.fill("#id_password", person.password)
    page.check("#id_accept_terms")
    submit(page, "form[action='/register/']")


def match(text: str, pattern: str) -> str:
    found = re.fullmatch(pattern, text)
    assert found, f"{text!r} does not match {pattern}"
    return found.group(1)


def expect_text(locator: Locator, fragment: str) -> None:
    """Waits until the element shows `fragment`: htmx answers in its own time."""
    from playwright.sync_api import expect  # noqa: PLC0415 - absent: the browser tests skip

    expect(locator).to_contain_text(fragment)

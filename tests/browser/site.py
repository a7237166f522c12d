"""Every page people reach, for the layout, console and security checks and the screenshot
gallery (tests/browser/gallery.py): add a page by appending one line to SITE_PAGES (a path may
name the demo's facts, e.g. {product_id} or {order_id}: live.Demo.placeholders)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.browser.helpers import ConsoleLog
from tests.browser.live import Demo

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

STRANGER, MEMBER, DISTRIBUTOR, MERCHANT, STAFF, OPERATOR = (
    "stranger",
    "member",
    "distributor",
    "merchant",
    "staff",
    "operator",
)
ROLES = (STRANGER, MEMBER, DISTRIBUTOR, MERCHANT, STAFF, OPERATOR)


@dataclass(frozen=True)
class SitePage:
    path: str
    as_: str = STRANGER  # who opens it
    # Strangers are sent to log in (with ?next=) rather than shown the page.
    protected: bool = False
    # Its picture in the gallery (docs/screenshots/<viewport>/<name>.png); the path otherwise.
    name: str = ""
    # A page of the merchant console or the back office: also shown and checked at 1280 × 800.
    console: bool = False

    @property
    def id(self) -> str:
        return f"{self.as_}:{self.path}"

    @property
    def picture(self) -> str:
        return self.name or re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-") or "home"

    def url(self, demo: Demo) -> str:
        return self.path.format(**demo.placeholders())


def _console(path: str, as_: str, name: str) -> SitePage:
    return SitePage(path, as_, protected=True, name=name, console=True)


SITE_PAGES = [
    # What anyone sees.
    SitePage("/", name="home"),
    SitePage("/categories", name="categories"),
    SitePage("/p/{product_id}", name="product"),
    SitePage("/s/{share_code}", name="share-landing"),  # lands on the shared product
    SitePage("/posts/{post_id}", name="post"),
    SitePage("/stores/{store_id}", name="store"),
    SitePage("/stores/nearby", name="stores-nearby"),
    SitePage("/substores/{substore_id}", name="substore"),
    SitePage("/login/", name="login"),
    SitePage("/register/", name="register"),
    SitePage("/login/code/", name="login-code"),
    SitePage("/wechat/oauth/consent?next=/", name="wechat-consent"),
    SitePage("/password-reset/", name="password-reset"),
    SitePage("/legal/user-agreement", name="legal-user-agreement"),
    SitePage("/legal/privacy", name="legal-privacy"),
    SitePage("/convention", name="convention"),
    # A member buying.
    SitePage("/me", MEMBER, protected=True, name="me"),
    SitePage("/posts/{post_id}", MEMBER, name="post-member"),  # with the comment form
    SitePage("/posts/{post_id}/report", MEMBER, protected=True, name="post-report"),
    SitePage("/comments/{comment_id}/report", MEMBER, protected=True, name="comment-report"),
    SitePage("/me/settings", MEMBER, protected=True, name="me-settings"),
    SitePage("/me/addresses", MEMBER, protected=True, name="me-addresses"),
    SitePage("/me/messages", MEMBER, protected=True, name="me-messages"),
    SitePage("/me/messages/{message_id}", MEMBER, protected=True, name="me-message"),
    SitePage("/me/settings/notifications", MEMBER, protected=True, name="me-notification-settings"),
    SitePage("/me/settings/close", MEMBER, protected=True, name="me-close"),
    SitePage("/me/community", MEMBER, protected=True, name="me-community"),
    SitePage("/coupons", MEMBER, name="coupon-centre"),
    SitePage("/me/coupons", MEMBER, protected=True, name="me-coupons"),
    SitePage("/flash/{flash_sale_id}", name="flash-sale"),
    SitePage("/group/{group_id}", MEMBER, name="group"),
    SitePage("/bargain/{bargain_run_id}", MEMBER, name="bargain"),
    SitePage("/cart", MEMBER, name="cart"),
    SitePage("/checkout", MEMBER, name="checkout"),
    SitePage("/orders", MEMBER, protected=True, name="orders"),
    SitePage("/orders?status=unpaid", MEMBER, name="orders-unpaid"),
    SitePage("/orders?status=to_ship", MEMBER, name="orders-to-ship"),
    SitePage("/orders?status=to_receive", MEMBER, name="orders-to-receive"),
    SitePage("/orders?status=to_review", MEMBER, name="orders-to-review"),
    SitePage("/orders?status=aftersales", MEMBER, name="orders-aftersales"),
    SitePage("/orders/{order_id}", MEMBER, protected=True, name="order"),
    SitePage(
        "/orders/{received_order_id}/aftersales/new", MEMBER, protected=True, name="aftersale-new"
    ),
    SitePage("/aftersales/{member_aftersale_id}", MEMBER, protected=True, name="aftersale"),
    # A member sharing.
    SitePage("/me/distribution", DISTRIBUTOR, protected=True, name="distribution"),
    SitePage("/me/distribution/team", DISTRIBUTOR, protected=True, name="team"),
    SitePage("/me/distribution/commissions", DISTRIBUTOR, protected=True, name="commissions"),
    SitePage("/me/distribution/withdraw", DISTRIBUTOR, protected=True, name="withdraw"),
    SitePage("/me/distribution/binding", DISTRIBUTOR, protected=True, name="binding"),
    SitePage("/me/distribution/recommended", DISTRIBUTOR, protected=True, name="recommended"),
    SitePage("/me/distribution/tags", DISTRIBUTOR, protected=True, name="selection-tags"),
    # The merchant console.
    _console("/merchant/", MERCHANT, "merchant-dashboard"),
    _console("/merchant/orders", MERCHANT, "merchant-orders"),
    _console("/merchant/orders/{merchant_order_id}", MERCHANT, "merchant-order"),
    _console("/merchant/products", MERCHANT, "merchant-products"),
    _console("/merchant/products/{merchant_product_id}", MERCHANT, "merchant-product"),
    _console("/merchant/plan", MERCHANT, "merchant-plan"),
    _console("/merchant/aftersales", MERCHANT, "merchant-aftersales"),
    _console("/merchant/aftersales/{aftersale_id}", MERCHANT, "merchant-aftersale"),
    _console("/merchant/stores", MERCHANT, "merchant-stores"),
    _console("/merchant/staff", MERCHANT, "merchant-staff"),
    _console("/merchant/wechat", MERCHANT, "merchant-wechat"),
    _console(
        "/merchant/analytics/propagation?product_id={merchant_product_id}",
        MERCHANT,
        "merchant-propagation",
    ),
    _console("/merchant/coupons", MERCHANT, "merchant-coupons"),
    _console("/merchant/promotions", MERCHANT, "merchant-promotions"),
    _console("/merchant/flash-sales", MERCHANT, "merchant-flash-sales"),
    _console("/merchant/group-buys", MERCHANT, "merchant-group-buys"),
    _console("/merchant/bargains", MERCHANT, "merchant-bargains"),
    _console("/merchant/share-tasks", MERCHANT, "merchant-share-tasks"),
    _console("/merchant/campaigns", MERCHANT, "merchant-campaigns"),
    _console("/merchant/freight", MERCHANT, "merchant-freight"),
    _console("/merchant/orders/ship-batch", MERCHANT, "merchant-ship-batch"),
    _console("/merchant/settlement", MERCHANT, "merchant-settlement"),
    _console("/merchant/withdrawals", MERCHANT, "merchant-withdrawals"),
    _console("/merchant/return-address", MERCHANT, "merchant-return-address"),
    _console("/merchant/quality", MERCHANT, "merchant-quality"),
    _console("/merchant/quality", STAFF, "staff-quality"),
    _console("/merchant/pickups", STAFF, "staff-pickups"),
    # The back office.
    _console("/platform/", OPERATOR, "platform-dashboard"),
    _console("/platform/merchants", OPERATOR, "platform-merchants"),
    _console("/platform/merchants/{applicant_id}", OPERATOR, "platform-application"),
    _console("/platform/disputes", OPERATOR, "platform-disputes"),
    _console("/platform/disputes/{dispute_id}", OPERATOR, "platform-dispute"),
    _console("/platform/holds", OPERATOR, "platform-holds"),
    _console("/platform/withdrawals", OPERATOR, "platform-withdrawals"),
    _console("/platform/posts", OPERATOR, "platform-posts"),
    _console("/platform/posts?status=held", OPERATOR, "platform-posts-held"),
    _console("/platform/posts?status=comments", OPERATOR, "platform-comments"),
    _console("/platform/settings", OPERATOR, "platform-settings"),
    _console("/platform/compliance", OPERATOR, "platform-compliance"),
    _console("/platform/propagation", OPERATOR, "platform-propagation"),
    _console("/platform/campaigns", OPERATOR, "platform-campaigns"),
    _console("/platform/coupons", OPERATOR, "platform-coupons"),
    _console("/platform/banners", OPERATOR, "platform-banners"),
    _console("/platform/banners/new", OPERATOR, "platform-banner-new"),
    _console("/platform/legal", OPERATOR, "platform-legal"),
    _console("/platform/wechat", OPERATOR, "platform-wechat"),
    _console("/platform/members", OPERATOR, "platform-members"),
    _console("/platform/members/{penalised_member_id}", OPERATOR, "platform-member"),
    _console("/platform/appeals", OPERATOR, "platform-appeals"),
    _console("/platform/convention", OPERATOR, "platform-convention"),
    _console("/platform/quality", OPERATOR, "platform-quality"),
]
PROTECTED_PAGES = [page for page in SITE_PAGES if page.protected]
CONSOLE_PAGES = [page for page in SITE_PAGES if page.console]


def credentials(demo: Demo, who: str) -> tuple[str, str] | None:
    """The demo account that opens a page as `who`; None for a stranger."""
    return {
        STRANGER: None,
        # A demo member who buys, shares and is a distributor (the demo's first member).
        MEMBER: (demo.sharer_phone, demo.password),
        DISTRIBUTOR: (demo.sharer_phone, demo.password),
        MERCHANT: (demo.merchant_owner_phone, demo.password),
        STAFF: (demo.staff_phone, demo.password),
        OPERATOR: (demo.operator_phone, demo.operator_password),
    }[who]


def visit(
    open_page: Callable[..., Page], console: ConsoleLog, demo: Demo, site_page: SitePage
) -> tuple[Page, Response]:
    """Opens the page as its user would; skips a page still being built (its 404)."""
    page = open_page(as_=credentials(demo, site_page.as_))
    return page, arrive(page, console, demo, site_page)


def arrive(page: Page, console: ConsoleLog, demo: Demo, site_page: SitePage) -> Response:
    """Goes to the page in an open tab; skips a page still being built (its 404)."""
    response = page.goto(site_page.url(demo))
    assert response is not None
    assert response.status == 200, f"{site_page.url(demo)} answered {response.status}"
    return response

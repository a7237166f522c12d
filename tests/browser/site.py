"""Every page a member can reach, for the layout and security checks: add a page by appending
one line to SITE_PAGES (a path may name the demo's facts, e.g. {product_id})."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import ConsoleLog
from tests.browser.live import Demo

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

STRANGER, MEMBER, DISTRIBUTOR, MERCHANT, OPERATOR = (
    "stranger",
    "member",
    "distributor",
    "merchant",
    "operator",
)


@dataclass(frozen=True)
class SitePage:
    path: str
    as_: str = STRANGER  # who opens it
    # Being built by another change: until it lands, its 404 skips the checks instead of
    # failing them.
    building: bool = False
    # Strangers are sent to log in (with ?next=) rather than shown the page.
    protected: bool = False

    @property
    def id(self) -> str:
        return f"{self.as_}:{self.path}"

    def url(self, demo: Demo) -> str:
        return self.path.format(
            product_id=demo.product_id,
            share_code=demo.share_code,
            post_id=demo.post_id,
            merchant_product_id=demo.merchant_product_id,
        )


SITE_PAGES = [
    SitePage("/"),
    SitePage("/p/{product_id}"),
    SitePage("/login/"),
    SitePage("/register/"),
    SitePage("/s/{share_code}"),  # lands on the shared product
    SitePage("/posts/{post_id}"),
    SitePage(
        "/merchant/analytics/propagation?product_id={merchant_product_id}",
        MERCHANT,
        protected=True,
    ),
    SitePage("/platform/compliance", OPERATOR, protected=True),
    SitePage("/cart", MEMBER, building=True),
    SitePage("/checkout", MEMBER, building=True),
    SitePage("/orders", MEMBER, building=True, protected=True),
    SitePage("/me/distribution", DISTRIBUTOR, building=True, protected=True),
    SitePage("/merchant/", MERCHANT, building=True, protected=True),
    SitePage("/platform/", OPERATOR, building=True, protected=True),
    SitePage("/categories"),
    SitePage("/stores/nearby"),
    SitePage("/me", MEMBER, protected=True),
    SitePage("/me/settings", MEMBER, protected=True),
    SitePage("/me/addresses", MEMBER, protected=True),
    SitePage("/me/messages", MEMBER, protected=True),
    SitePage("/platform/banners", OPERATOR, protected=True),
    SitePage("/platform/banners/new", OPERATOR, protected=True),
]
PROTECTED_PAGES = [page for page in SITE_PAGES if page.protected]


def credentials(demo: Demo, who: str) -> tuple[str, str] | None:
    """The demo account that opens a page as `who`; None for a stranger."""
    return {
        STRANGER: None,
        # A demo member who buys, shares and is a distributor (the demo's first member).
        MEMBER: (demo.sharer_phone, demo.password),
        DISTRIBUTOR: (demo.sharer_phone, demo.password),
        MERCHANT: (demo.merchant_owner_phone, demo.password),
        OPERATOR: (demo.operator_phone, demo.operator_password),
    }[who]


def visit(
    open_page: Callable[..., Page], console: ConsoleLog, demo: Demo, site_page: SitePage
) -> tuple[Page, Response]:
    """Opens the page as its user would; skips a page still being built (its 404)."""
    page = open_page(as_=credentials(demo, site_page.as_))
    response = page.goto(site_page.url(demo))
    assert response is not None
    if response.status == 404 and site_page.building:
        console.allow("404")
        pytest.skip(f"{site_page.path} is not built yet (404); it is checked once it lands")
    assert response.status == 200, f"{site_page.url(demo)} answered {response.status}"
    return page, response

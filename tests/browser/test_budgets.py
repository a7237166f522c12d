"""Lighthouse-style budgets, measured by the browser on the local server: a product page stays
light (its HTML, CSS and JavaScript under 150 kB on the wire) and paints its first content fast
(under a second). Pictures are not counted: they load after the page is readable."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.live import Demo

if TYPE_CHECKING:
    from playwright.sync_api import Request

    from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

PAGE_WEIGHT_BUDGET = 150_000  # bytes transferred: document, stylesheets and scripts
FIRST_PAINT_BUDGET_MS = 1_000
COUNTED = ("document", "stylesheet", "script")


def test_product_page_html_css_and_js_stay_under_150_kb(open_page: OpenPage, demo: Demo) -> None:
    page = open_page()  # a first visit: nothing cached
    finished: list[Request] = []

    def done(request: Request) -> None:
        # A function of our own: Playwright cannot wrap a built-in method such as list.append.
        finished.append(request)

    page.on("requestfinished", done)
    page.goto(f"/p/{demo.product_id}", wait_until="networkidle")

    weights = {
        request.url: _transferred(request)
        for request in finished
        if request.resource_type in COUNTED
    }

    assert any(request.resource_type == "stylesheet" for request in finished)
    total = sum(weights.values())
    assert total < PAGE_WEIGHT_BUDGET, "\n".join(
        [f"{total:,} bytes transferred; the heaviest:"]
        + [f"  {size:>8,}  {url}" for url, size in sorted(weights.items(), key=lambda i: -i[1])]
    )


def test_product_page_paints_its_first_content_within_a_second(
    open_page: OpenPage, demo: Demo
) -> None:
    page = open_page()
    page.goto(f"/p/{demo.product_id}", wait_until="load")

    painted = page.evaluate(
        """() => new Promise((resolve) => {
            const seen = () => performance.getEntriesByName("first-contentful-paint");
            if (seen().length) return resolve(seen()[0].startTime);
            // "first-paint" may come first: wait for the contentful one.
            new PerformanceObserver((_list, observer) => {
                if (!seen().length) return;
                observer.disconnect();
                resolve(seen()[0].startTime);
            }).observe({type: "paint", buffered: true});
        })"""
    )

    assert 0 < painted < FIRST_PAINT_BUDGET_MS, f"first contentful paint after {painted:.0f} ms"


def _transferred(request: Request) -> int:
    """What crossed the wire for one request: headers and the (compressed) body."""
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])

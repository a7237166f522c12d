"""Page weight and first paint of the main pages, as a phone (or a desktop, for the consoles) sees
them on a first visit to a fresh demo mall served by `sharemall serve` on this machine.

Prints, per page: bytes transferred for the document, stylesheets and scripts (what the 150 kB
budget of tests/browser/test_budgets.py counts), the same with pictures, the number of requests,
and the first contentful paint (median of --runs cold loads). Usage:

    .venv/bin/python bench/pages.py [--runs 5]

Needs Debian's /usr/bin/chromium and Playwright for Python (the dev extras).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Request, sync_playwright
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE
from tests.browser.helpers import login
from tests.browser.live import Demo, LiveServer
from tests.browser.site import MEMBER, MERCHANT, OPERATOR, STRANGER, credentials

CODE = ("document", "stylesheet", "script")
FIRST_PAINT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return paint ? paint.startTime : 0;
}"""
# (label, who, viewport, path), who as tests/browser/site.py names the demo's roles.
PAGES = [
    ("home", STRANGER, "phone", "/"),
    ("product", STRANGER, "phone", "/p/{product_id}"),
    ("share landing", STRANGER, "phone", "/s/{share_code}"),
    ("cart", MEMBER, "phone", "/cart"),
    ("orders", MEMBER, "phone", "/orders"),
    ("merchant dashboard", MERCHANT, "desktop", "/merchant/"),
    ("back-office dashboard", OPERATOR, "desktop", "/platform/"),
]


def measure(
    browser: Browser, base: str, demo: Demo, page_spec: tuple[Any, ...], runs: int
) -> dict[str, Any]:
    _label, who, viewport, path = page_spec
    settings = PHONE if viewport == "phone" else DESKTOP
    url = path.format(**demo.placeholders())
    paints, code, everything, requests = [], 0, 0, 0
    for _ in range(runs):
        # A fresh context each time: nothing cached, as on a first visit.
        context = browser.new_context(base_url=base, **settings)
        account = credentials(demo, who)
        if account is not None:
            login(context.new_page(), *account)
        page = context.new_page()
        finished: list[Request] = []

        def done(request: Request, finished: list[Request] = finished) -> None:
            finished.append(request)

        page.on("requestfinished", done)
        page.goto(url, wait_until="networkidle")
        paints.append(page.evaluate(FIRST_PAINT))
        sizes = [(r.resource_type, r.sizes()) for r in finished]
        weight = [(kind, s["responseHeadersSize"] + s["responseBodySize"]) for kind, s in sizes]
        code = sum(size for kind, size in weight if kind in CODE)
        everything = sum(size for _kind, size in weight)
        requests = len(weight)
        context.close()
    return {
        "code_kb": code / 1000,
        "all_kb": everything / 1000,
        "requests": requests,
        "fcp_ms": statistics.median(paints),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="sharemall-bench-pages-") as workdir:
        server = LiveServer(Path(workdir))
        with server.running(), sync_playwright() as driver:
            demo = server.demo()
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            print(f"{'page':<24}{'HTML+CSS+JS kB':>16}{'all kB':>10}{'requests':>10}{'FCP ms':>9}")
            for spec in PAGES:
                row = measure(browser, server.base, demo, spec, args.runs)
                print(
                    f"{spec[0]:<24}{row['code_kb']:>16.1f}{row['all_kb']:>10.1f}"
                    f"{row['requests']:>10}{row['fcp_ms']:>9.0f}"
                )
            browser.close()


if __name__ == "__main__":
    main()

"""The screenshot gallery: every page on a phone, and every console page on a desktop too.

`make screenshots` (or `python -m tests.browser.gallery`) starts a fresh `sharemall demo` on a
temporary SQLite file, signs in once per role, and saves docs/screenshots/phone/<name>.png
(375 × 812, the whole page) and docs/screenshots/desktop/<name>.png (1280 × 800) for the pages in
tests/browser/site.py's SITE_PAGES, with docs/screenshots/README.md listing them. A page that does
not answer 200 is left out with a warning, and the command then exits non-zero. Pictures are
kept small (one device pixel per CSS pixel, 256-colour PNG) so the gallery can live in the
repository.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.helpers import login
from tests.browser.live import REPO, Demo, LiveServer
from tests.browser.site import MEMBER, ROLES, SITE_PAGES, SitePage, credentials

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

OUT = REPO / "docs" / "screenshots"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {**PHONE, "device_scale_factor": 1},
    "desktop": {
        "viewport": {"width": 1280, "height": 800},
        "device_scale_factor": 1,
        "locale": "zh-CN",
    },
}
# A very long page is cut here: the picture is for looking at, not for scrolling through.
MAX_HEIGHT = 4000


@dataclass(frozen=True)
class Shot:
    page: SitePage
    viewport: str
    file: str  # relative to OUT, or "" when the page was skipped
    note: str = ""


def wanted(page: SitePage, viewport: str) -> bool:
    return viewport == "phone" or page.console


def main() -> int:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a dev dependency

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sharemall-gallery-") as workdir:
        server = LiveServer(Path(workdir))
        with server.running():
            demo = server.demo()
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    shots = take_all(browser, server, demo)
                finally:
                    browser.close()
    write_readme(shots)
    taken = [s for s in shots if s.file]
    size = sum((OUT / s.file).stat().st_size for s in taken)
    print(  # noqa: T201 - a command's report
        f"{len(taken)} screenshots ({size / 2**20:.1f} MB) in {OUT.relative_to(REPO)} "
        f"in {time.monotonic() - started:.0f} s; {len(shots) - len(taken)} pages failed."
    )
    return 0 if len(taken) == len(shots) else 1


def take_all(browser: Browser, server: LiveServer, demo: Demo) -> list[Shot]:
    for viewport in VIEWPORTS:
        shutil.rmtree(OUT / viewport, ignore_errors=True)
        (OUT / viewport).mkdir(parents=True)
    shots: list[Shot] = []
    for viewport, settings in VIEWPORTS.items():
        for role in ROLES:
            pages = [p for p in SITE_PAGES if p.as_ == role and wanted(p, viewport)]
            if not pages:
                continue
            # One context per role and viewport: signed in once, each page in a fresh tab.
            context = browser.new_context(base_url=server.base, **settings)
            try:
                who = credentials(demo, role)
                if who is not None:
                    login(context.new_page(), *who)
                if role == MEMBER:
                    fill_cart(context, demo)
                shots += [take(context, page, viewport, demo) for page in pages]
            finally:
                context.close()
    return shots


def fill_cart(context: BrowserContext, demo: Demo) -> None:
    """Puts two products from two shops in the member's cart, through the product page's option
    sheet, so the cart and checkout pictures show lines rather than an empty cart."""
    tab = context.new_page()
    try:
        for product_id in (demo.product_id, demo.merchant_product_id):
            tab.goto(f"/p/{product_id}")
            tab.locator("#buy-slot button[name=intent][value=cart]").click()
            tab.locator("#sku-sheet .pd-sheet-body").wait_for(state="visible")
            tab.locator("#sku-sheet button[name=intent][value=cart]").click()
            tab.locator(".toast").wait_for()
    finally:
        tab.close()


def take(context: BrowserContext, site_page: SitePage, viewport: str, demo: Demo) -> Shot:
    url = site_page.url(demo)
    tab = context.new_page()
    try:
        response = tab.goto(url, wait_until="networkidle")
        status = response.status if response is not None else 0
        if status != 200:
            print(f"warning: {url} answered {status}; not in the gallery", file=sys.stderr)  # noqa: T201
            return Shot(site_page, viewport, "", f"answered {status}")
        size = tab.viewport_size or {"width": 375, "height": 812}
        height = min(MAX_HEIGHT, int(tab.evaluate("document.documentElement.scrollHeight")))
        png = tab.screenshot(
            full_page=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": max(height, size["height"])},
            animations="disabled",
        )
    finally:
        tab.close()
    file = f"{viewport}/{site_page.picture}.png"
    (OUT / file).write_bytes(small_png(png))
    return Shot(site_page, viewport, file)


def small_png(png: bytes) -> bytes:
    """256 colours and an optimised encoder: a fifth of the size, still plain to read. The
    colours are dithered, or the photos' soft gradients would show bands."""
    with Image.open(io.BytesIO(png)) as image:
        colour = image.convert("RGB")
        palette = colour.quantize(256, method=Image.Quantize.FASTOCTREE)
        reduced = colour.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_readme(shots: list[Shot]) -> None:
    lines = [
        "# Screenshots",
        "",
        "Every page of the demo mall, made by `make screenshots` (tests/browser/gallery.py) from",
        "a fresh `sharemall demo`: phones at 375 × 812 (whole page), consoles also at",
        "1280 × 800. The pages are listed in tests/browser/site.py. Regenerate after changing",
        "a page's look and look at every picture.",
        "",
        "| page | who | path | phone | desktop |",
        "| --- | --- | --- | --- | --- |",
    ]
    by_page: dict[str, dict[str, Shot]] = {}
    for shot in shots:
        by_page.setdefault(shot.page.id, {})[shot.viewport] = shot
    for site_page in SITE_PAGES:
        found = by_page.get(site_page.id, {})
        cells = []
        for viewport in VIEWPORTS:
            taken = found.get(viewport)
            if taken is None:
                cells.append("")
            elif taken.file:
                cells.append(f"[{viewport}]({taken.file})")
            else:
                cells.append(f"missing ({taken.note})")
        lines.append(
            f"| {site_page.picture} | {site_page.as_} | `{site_page.path}` | "
            + " | ".join(cells)
            + " |"
        )
    (OUT / "README.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())

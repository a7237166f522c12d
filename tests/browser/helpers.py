"""What browser tests do again and again: sign in, read the console, measure the layout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Error, Page


class ConsoleLog:
    """Every error the watched pages logged: CSP violations, failed loads, uncaught exceptions.
    A test that expects one (the 404 page's own status) takes it out with `allow`."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                source = message.location.get("url", "")
                # A failed load's message leaves out what failed; its location names it.
                where = f" [{source}]" if source and source != page.url else ""
                self.errors.append(f"{page.url}: {message.text}{where}")

        def on_page_error(error: Error) -> None:
            self.errors.append(f"{page.url}: uncaught {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def allow(self, fragment: str) -> int:
        """Forgets the errors that contain `fragment`; returns how many there were."""
        kept = [error for error in self.errors if fragment not in error]
        allowed = len(self.errors) - len(kept)
        self.errors[:] = kept
        return allowed


def path_of(url: str) -> str:
    return urlsplit(url).path


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def submit(page: Page, form: str = "main form") -> None:
    """Presses the form's submit button and waits for the page it leads to. A form that asks
    first (data-confirm: an irreversible action) must ask, and the person agrees."""
    target = page.locator(form)
    button = target.locator("button[type=submit]").first
    asks = target.first.get_attribute("data-confirm") or button.get_attribute("data-confirm")
    asked: list[str] = []
    if asks:

        def agree(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.once("dialog", agree)
    with page.expect_navigation():
        button.click()
    assert asked == ([asks] if asks else []), f"expected the question {asks!r}, got {asked!r}"


def enter_texted_code(page: Page, phone: str, form: str = "main form") -> None:
    """Presses the form's "Get code" as a member would, then types the code the sandbox texted
    to `phone` (read back through GET /api/v1/sandbox/sms/{phone}, as the member reads their
    phone)."""
    from tests.browser.live import Api  # noqa: PLC0415 - live imports these helpers' users

    button = page.locator(f"{form} button[data-sms-send]")
    button.click()
    page.wait_for_function(  # the button counts down once the code is on its way
        "(b) => b.disabled && /\\d/.test(b.textContent)", arg=button.element_handle()
    )
    parts = urlsplit(page.url)
    texted = Api(f"{parts.scheme}://{parts.netloc}").get(f"/sandbox/sms/{phone}")
    page.fill(f"{form} #id_sms_code", texted[0]["code"])


def login(page: Page, phone: str, password: str, next_path: str = "") -> None:
    """Signs in through the login page, as a member would."""
    page.goto("/login/" + (f"?{urlencode({'next': next_path})}" if next_path else ""))
    page.fill("#id_phone", phone)
    page.fill("#id_password", password)
    submit(page)
    if path_of(page.url) == "/login/":
        problem = page.locator("main form").inner_text()
        raise AssertionError(f"login as {phone} failed: {problem}")


# A box further right than the viewport, unless an ancestor clips or scrolls it sideways
# (a wide table inside an overflow-x:auto wrapper is allowed).
_OVERFLOW_SCRIPT = """
(limit) => {
  const clips = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return true;
    }
    return false;
  };
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    for (const c of el.classList) text += "." + c;
    return text;
  };
  const path = (el) => {
    const parts = [];
    for (let at = el; at && at !== document.body && parts.length < 4; at = at.parentElement) {
      parts.unshift(name(at));
    }
    return parts.join(" > ");
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > limit + 0.5 && !clips(el)) {
      found.push(path(el) + " (right edge " + Math.round(box.right) + "px)");
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    offenders: found,
  };
}
"""


def horizontal_overflow(page: Page) -> dict[str, Any]:
    viewport = page.viewport_size
    assert viewport is not None
    measured: dict[str, Any] = page.evaluate(_OVERFLOW_SCRIPT, viewport["width"])
    measured["limit"] = min(viewport["width"], measured["innerWidth"])
    return measured


def assert_no_horizontal_overflow(page: Page) -> None:
    """Nothing on the page is wider than the phone: no sideways scrolling, and no element's
    right edge past the viewport (the message names the offenders)."""
    measured = horizontal_overflow(page)
    limit = measured["limit"]
    offenders = measured["offenders"]
    assert measured["scrollWidth"] <= limit and not offenders, (
        f"{page.url} is wider than the {limit}px screen "
        f"(document scrollWidth {measured['scrollWidth']}px); offending elements:\n  "
        + "\n  ".join(offenders[:20] or ["(none found; something scrolls the document)"])
    )


def assert_strict_csp(policy: str) -> None:
    """Scripts and styles only from our own origin, never inline."""
    assert "script-src 'self'" in policy, policy
    assert "style-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy, policy

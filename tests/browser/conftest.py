"""Browser tests: a real `sharemall serve`, Debian's Chromium, a phone-sized page in WeChat.

Fixtures, widest first:
- `server` (session): `sharemall demo` (migrate, seed-demo, serve) on a copy of the session's
  freshly migrated SQLite file;
  `server.api(token)`, `.token(phone, password)`, `.run_jobs(now)`, `.url(path)`.
- `demo` (session): ids, codes and logins of the demo mall (see live.Demo).
- `browser` (session): headless Chromium from /usr/bin/chromium.
- `open_page` (test): `open_page()` a stranger's phone, `open_page(as_=(phone, password))` a
  signed-in one (logged in once per session through the login form, then reused); each page's
  console is watched, and a failing test leaves a screenshot in test-artifacts/screenshots/.
- `page` (test): a stranger's phone; `console` (test): what the pages logged as errors.
- `role_context` (module): `role_context(role, "phone" | "desktop")`, one signed-in browser
  context per role and screen for a module's many pages (site.py's roles).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.helpers import ConsoleLog, login
from tests.browser.live import REPO, Demo, LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-background-networking",  # no calls home: the machine reaches no such host
    "--disable-dev-shm-usage",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
# The phone most members use: an iPhone-sized screen, inside WeChat's browser, in Chinese.
WECHAT_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI "
    "Language/zh_CN"
)
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": WECHAT_USER_AGENT,
    "locale": "zh-CN",
}
# The consoles (merchant console, back office) are used at a desk.
DESKTOP: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 800},
    "device_scale_factor": 1,
    "locale": "zh-CN",
}
Credentials = tuple[str, str]
OpenPage = Callable[..., "Page"]


def _missing_tool() -> str | None:
    if not CHROMIUM.exists():
        return "browser test: needs Debian's /usr/bin/chromium (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "browser test: needs Playwright for Python (pip install -e '.[dev]')"
    return None


def _postgres_pass() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser = [item for item in items if item.get_closest_marker("browser")]
    missing = _missing_tool()
    if _postgres_pass() and not os.environ.get("BROWSER_TESTS_ON_POSTGRES"):
        # The live server runs on its own SQLite file whatever the suite's database is
        # (live.py), so on the PostgreSQL pass the browser tests would repeat the SQLite pass's
        # run exactly; CI runs them once. BROWSER_TESTS_ON_POSTGRES=1 runs them anyway.
        missing = "browser test: the live server is on SQLite; it runs in the SQLite pass"
    for item in browser:
        if missing:
            item.add_marker(pytest.mark.skip(reason=missing))
    # Playwright's sync API keeps an asyncio loop running in this thread while the browser is
    # open, and Django refuses database work under a running loop (SynchronousOnlyOperation).
    # So browser tests run last: the session's browser opens after every database test.
    chosen = set(map(id, browser))
    items[:] = [item for item in items if id(item) not in chosen] + browser


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps each phase's report on the test (item.report_setup / _call / _teardown), so the
    page fixture knows at teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(item: pytest.Item) -> bool:
    return any(
        getattr(getattr(item, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("live")
    # `sharemall demo` migrates first: from the session's migrated copy that finds nothing to
    # apply, instead of every migration of every app again (half a minute on a CI machine).
    shutil.copyfile(migrated_sqlite, workdir / "sharemall.db")
    live = LiveServer(workdir)
    with live.running():
        yield live
    errors = re.findall(r'^.*"[A-Z]+ [^"]*" 5\d\d .*$', live.log(), flags=re.MULTILINE)
    assert errors == [], "the live server answered with a server error:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def demo(server: LiveServer) -> Demo:
    return server.demo()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - absent: tests skip

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def _signed_in_states(
    browser: Browser, server: LiveServer
) -> Iterator[Callable[[Credentials], Any]]:
    """One login per account per session; later pages start from its saved cookies."""
    states: dict[Credentials, Any] = {}

    def state(credentials: Credentials) -> Any:
        if credentials not in states:
            context = browser.new_context(base_url=server.base, **PHONE)
            login(context.new_page(), *credentials)
            states[credentials] = context.storage_state()
            context.close()
        return states[credentials]

    yield state


@pytest.fixture(scope="module")
def role_context(
    browser: Browser, server: LiveServer, demo: Demo
) -> Iterator[Callable[[str, str], BrowserContext]]:
    """Signing in and making a context cost more than opening a page: a module that opens
    dozens of pages opens them all in one context per role and screen."""
    from tests.browser.site import credentials  # noqa: PLC0415 - site imports this module's peers

    contexts: dict[tuple[str, str], BrowserContext] = {}

    def context(role: str, screen: str) -> BrowserContext:
        if (role, screen) not in contexts:
            made = browser.new_context(
                base_url=server.base, **(PHONE if screen == "phone" else DESKTOP)
            )
            who = credentials(demo, role)
            if who is not None:
                signing_in = made.new_page()
                login(signing_in, *who)
                signing_in.close()
            contexts[role, screen] = made
        return contexts[role, screen]

    yield context
    for made in contexts.values():
        made.close()


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def open_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    server: LiveServer,
    console: ConsoleLog,
    _signed_in_states: Callable[[Credentials], Any],
) -> Iterator[OpenPage]:
    contexts: list[BrowserContext] = []

    def open_(as_: Credentials | None = None) -> Page:
        state = _signed_in_states(as_) if as_ else None
        context = browser.new_context(base_url=server.base, storage_state=state, **PHONE)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        return page

    yield open_
    unexpected = console.errors
    if _failed(request.node) or unexpected:
        _screenshot(request.node, [page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()
    if unexpected:
        pytest.fail(
            "the browser console logged errors (a CSP violation?):\n" + "\n".join(unexpected)
        )


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    page: Page = open_page()
    return page


def _screenshot(item: pytest.Item, pages: list[Page]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name).strip("_")
    for number, page in enumerate(pages, start=1):
        suffix = "" if number == 1 else f"-{number}"
        try:
            page.screenshot(path=SCREENSHOTS / f"{name}{suffix}.png", full_page=True)
        except Exception as error:  # a screenshot must not hide the real failure
            print(f"could not save a screenshot of {page.url}: {error}")  # noqa: T201

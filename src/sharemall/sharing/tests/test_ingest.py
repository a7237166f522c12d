"""The share-click fast path (ADR 0007): anonymous `GET /s/<code>` answered in front of Django,
clicks written in batches; everything else handed to Django unchanged.

These tests call the WSGI application the server runs (config/wsgi.py) with environs, because
Django's test client never passes through it."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.core.servers.basehttp import get_internal_wsgi_application
from django.db import DatabaseError, close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from tests.factories import MemberFactory, product

from sharemall.accounts.models import Member
from sharemall.core.proxies import parse_trusted
from sharemall.sharing import ingest, rules
from sharemall.sharing.clickbatch import Click, clicks_write
from sharemall.sharing.ingest import ClickBuffer, ClickIngest, DirectSink
from sharemall.sharing.models import ClickWindow, ShareClick, ShareLink, ShareTouch
from sharemall.sharing.selectors import code_from_cookie
from sharemall.sharing.services import share_create
from sharemall.sharing.tests.support import NOON, set_rules

pytestmark = pytest.mark.django_db


def _served() -> ClickIngest:
    served = get_internal_wsgi_application()
    assert isinstance(served, ClickIngest)
    return served


# What the server runs (settings.WSGI_APPLICATION, config/wsgi.py), and Django behind it.
SERVED = _served()
DJANGO = SERVED.app

WEEK = 7 * 24 * 3600
DAY = timedelta(days=1)
SHAREMALL = str(Path(sys.executable).parent / "sharemall")


# --- calling the WSGI application ---------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def cookies(self) -> SimpleCookie:
        jar = SimpleCookie()
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                jar.load(value)
        return jar


@dataclass
class Spy:
    """Stands in for Django behind the fast path, counting what reaches it."""

    app: Any
    calls: list[str] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls.append(environ["PATH_INFO"])
        answer: Iterable[bytes] = self.app(environ, start_response)
        return answer


@contextmanager
def _connections_kept() -> Iterator[None]:
    """What Django's test client does around a request: the test's transaction must survive
    the handler's end-of-request connection clean-up."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def environ(
    path: str, *, cookies: dict[str, str] | None = None, method: str = "GET", **extra: Any
) -> dict[str, Any]:
    factory = RequestFactory(HTTP_HOST="localhost")
    for name, value in (cookies or {}).items():
        factory.cookies[name] = value
    return dict(factory.generic(method, path, **extra).environ)


def call(app: Callable[..., Iterable[bytes]], env: dict[str, Any]) -> Reply:
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.update(status=int(status.split(maxsplit=1)[0]), headers=headers)

    with _connections_kept():
        answer = app(env, start_response)
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
    return Reply(started["status"], list(started["headers"]), body)


def cookie_request(reply: Reply) -> HttpRequest:
    request = HttpRequest()
    request.COOKIES = {name: morsel.value for name, morsel in reply.cookies.items()}
    return request


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClickIngest]:
    """The served application, with a spy where Django sits behind the fast path."""
    assert isinstance(SERVED.sink, DirectSink)  # CLICK_INGEST=direct under test settings
    monkeypatch.setattr(SERVED, "app", Spy(DJANGO))
    SERVED.forget()
    yield SERVED
    SERVED.forget()


def spy(app: ClickIngest) -> Spy:
    assert isinstance(app.app, Spy)
    return app.app


def product_link(sharer: Member | None = None) -> ShareLink:
    return share_create(
        sharer=sharer or MemberFactory.create(), target_type="product", target_id=product().pk
    ).link


# --- the fast path ------------------------------------------------------------------------------


def test_an_anonymous_click_is_answered_in_front_of_django_and_counted(app: ClickIngest) -> None:
    link = product_link()

    reply = call(app, environ(f"/s/{link.code}"))

    assert reply.status == 302
    assert reply.header("Location") == f"/p/{link.target_id}"
    assert reply.body == b""
    assert spy(app).calls == []
    visitor = reply.cookies[rules.VISITOR_COOKIE]
    assert rules.is_visitor_id(visitor.value)
    assert visitor["httponly"] is True
    assert visitor["samesite"] == "Lax"
    assert int(visitor["max-age"]) == rules.VISITOR_COOKIE_MAX_AGE
    share = reply.cookies[rules.SHARE_COOKIE]
    assert share.value != link.code  # signed, not the bare code
    assert int(share["max-age"]) == WEEK
    assert code_from_cookie(cookie_request(reply)) == link.code
    click = ShareClick.objects.get(link=link)
    assert (click.visitor_key, click.visitor_id, click.ip) == (
        f"v:{visitor.value}",
        None,
        "127.0.0.1",
    )
    assert ClickWindow.objects.get(link=link).visitor_key == f"v:{visitor.value}"


def test_the_answer_carries_the_same_headers_and_cookies_as_the_django_view(
    app: ClickIngest,
) -> None:
    link = product_link()

    fast = call(app, environ(f"/s/{link.code}"))
    slow = Client(HTTP_HOST="localhost").get(f"/s/{link.code}")

    dynamic = {"Expires", "Set-Cookie", "Content-Language"}  # dates, signatures, negotiation
    assert {k: v for k, v in fast.headers if k not in dynamic} == {
        k: v for k, v in slow.items() if k not in dynamic
    }
    assert fast.header("Expires") is not None
    assert set(fast.cookies) == set(slow.cookies) == {rules.SHARE_COOKIE, rules.VISITOR_COOKIE}
    for name in fast.cookies:
        ours, theirs = fast.cookies[name], slow.cookies[name]
        for attribute in ("max-age", "path", "httponly", "samesite", "secure", "domain"):
            assert str(ours[attribute]) == str(theirs[attribute]), (name, attribute)
    assert ShareClick.objects.filter(link=link).count() == 2  # two browsers


@pytest.mark.parametrize("secure", [False, True])
def test_the_cookie_lines_are_those_djangos_set_cookie_writes(secure: bool, settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = secure
    link = product_link()
    app = ClickIngest(DJANGO, DirectSink())

    reply = call(app, environ(f"/s/{link.code}"))

    lines = [v for k, v in reply.headers if k == "Set-Cookie"]
    visitor_id = reply.cookies[rules.VISITOR_COOKIE].value
    django = HttpResponse()
    django.set_signed_cookie(
        rules.SHARE_COOKIE,
        link.code,
        salt=rules.SHARE_COOKIE_SALT,
        max_age=WEEK,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    django.set_cookie(
        rules.VISITOR_COOKIE,
        visitor_id,
        max_age=rules.VISITOR_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    expected = [m.OutputString() for m in django.cookies.values()]
    # The signature carries the second it was made; compare everything else exactly.
    assert [line.split(";", 1)[1] for line in lines] == [e.split(";", 1)[1] for e in expected]
    assert lines[1] == expected[1]
    assert lines[0].startswith(f"{rules.SHARE_COOKIE}={link.code}:")


def test_the_same_visitor_twice_counts_once_and_keeps_its_id(app: ClickIngest) -> None:
    link = product_link()
    first = call(app, environ(f"/s/{link.code}"))
    visitor_id = first.cookies[rules.VISITOR_COOKIE].value

    again = call(app, environ(f"/s/{link.code}", cookies={rules.VISITOR_COOKIE: visitor_id}))

    assert again.status == 302
    assert rules.VISITOR_COOKIE not in again.cookies
    assert rules.SHARE_COOKIE in again.cookies
    assert ShareClick.objects.filter(link=link).count() == 1
    assert spy(app).calls == []


def test_a_bad_visitor_cookie_is_replaced(app: ClickIngest) -> None:
    link = product_link()

    reply = call(app, environ(f"/s/{link.code}", cookies={rules.VISITOR_COOKIE: "not valid!"}))

    fresh = reply.cookies[rules.VISITOR_COOKIE].value
    assert rules.is_visitor_id(fresh)
    assert ShareClick.objects.get().visitor_key == f"v:{fresh}"


def test_the_cookie_lasts_the_attribution_window(app: ClickIngest) -> None:
    set_rules(attribution_window_days=30)
    link = product_link()

    reply = call(app, environ(f"/s/{link.code}"))

    assert int(reply.cookies[rules.SHARE_COOKIE]["max-age"]) == 30 * 24 * 3600


def test_store_and_sub_store_links_lead_where_the_view_sends_them(app: ClickIngest) -> None:
    sharer = MemberFactory.create(is_distributor=True)
    to_substore = share_create(sharer=sharer, target_type="substore", target_id=sharer.pk).link

    reply = call(app, environ(f"/s/{to_substore.code}"))

    assert reply.header("Location") == f"/substores/{sharer.pk}"


# --- what goes on to Django ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["NOSUCHCODE", "x" * 200, "a.b"])
def test_an_unknown_code_falls_through_to_djangos_not_found_page(
    app: ClickIngest, code: str
) -> None:
    reply = call(app, environ(f"/s/{code}"))

    assert reply.status == 404
    assert b'class="plain empty-state not-found"' in reply.body  # web/not_found.html
    assert spy(app).calls == [f"/s/{code}"]
    assert rules.SHARE_COOKIE not in reply.cookies
    assert not ShareClick.objects.exists()


def test_a_signed_in_member_goes_through_the_django_view(app: ClickIngest, member: Member) -> None:
    link = product_link()
    browser = Client()
    browser.force_login(member)
    session = {name: morsel.value for name, morsel in browser.cookies.items()}

    reply = call(app, environ(f"/s/{link.code}", cookies=session))

    assert reply.status == 302
    assert spy(app).calls == [f"/s/{link.code}"]
    # Counted as the member; the browser is still given its device id, as on every page.
    assert ShareClick.objects.get(link=link).visitor_key == f"m:{member.pk}"
    assert ShareTouch.objects.get(member=member).link_id == link.pk


def test_a_request_with_a_token_goes_to_django(app: ClickIngest) -> None:
    link = product_link()

    reply = call(app, environ(f"/s/{link.code}", HTTP_AUTHORIZATION="Bearer whatever"))

    assert reply.status == 302
    assert spy(app).calls == [f"/s/{link.code}"]
    assert ShareClick.objects.filter(link=link).count() == 1  # counted once, by the view


@pytest.mark.parametrize("method", ["HEAD", "POST"])
def test_other_methods_go_to_django(app: ClickIngest, method: str) -> None:
    link = product_link()

    call(app, environ(f"/s/{link.code}", method=method))

    assert spy(app).calls == [f"/s/{link.code}"]


def test_a_host_django_would_refuse_goes_to_django(app: ClickIngest) -> None:
    link = product_link()

    reply = call(app, environ(f"/s/{link.code}", HTTP_HOST="evil.example"))

    assert reply.status == 400
    assert spy(app).calls == [f"/s/{link.code}"]
    assert not ShareClick.objects.exists()


def test_other_paths_go_to_django(app: ClickIngest) -> None:
    reply = call(app, environ("/healthz"))

    assert reply.status == 200
    assert spy(app).calls == ["/healthz"]


# --- the flood guard ----------------------------------------------------------------------------


def test_a_public_address_past_the_limit_is_answered_but_not_counted(
    app: ClickIngest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "CLICKS_PER_ADDRESS_PER_MINUTE", 2)
    link = product_link()

    replies = [call(app, environ(f"/s/{link.code}", REMOTE_ADDR="8.8.8.8")) for _ in range(3)]

    assert [r.status for r in replies] == [302, 302, 302]
    assert all(rules.SHARE_COOKIE in r.cookies for r in replies)
    assert ShareClick.objects.filter(link=link).count() == 2


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.9", "100.64.0.1"])
def test_shared_addresses_are_not_limited(
    app: ClickIngest, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    monkeypatch.setattr(rules, "CLICKS_PER_ADDRESS_PER_MINUTE", 2)
    link = product_link()

    for _ in range(3):
        call(app, environ(f"/s/{link.code}", REMOTE_ADDR=address))

    assert ShareClick.objects.filter(link=link).count() == 3


def test_behind_a_trusted_proxy_the_click_keeps_the_forwarded_client(
    app: ClickIngest, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = parse_trusted("10.0.0.0/8")
    link = product_link()

    call(
        app,
        environ(
            f"/s/{link.code}",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="9.9.9.9, 8.8.8.8",
        ),
    )
    call(app, environ(f"/s/{link.code}", REMOTE_ADDR="8.8.4.4", HTTP_X_FORWARDED_FOR="1.1.1.1"))

    assert sorted(ShareClick.objects.filter(link=link).values_list("ip", flat=True)) == [
        "8.8.4.4",
        "8.8.8.8",
    ]


# --- the batch writer ---------------------------------------------------------------------------


def click(link: ShareLink, visitor: str, at: Any = NOON) -> Click:
    return Click(link.pk, f"v:{visitor}", "10.0.0.1", at)


def test_duplicates_within_one_batch_count_once_at_the_first_click() -> None:
    link = product_link()
    batch = [
        click(link, "a", NOON + timedelta(seconds=2)),
        click(link, "a", NOON),
        click(link, "b", NOON + timedelta(seconds=1)),
        click(link, "a", NOON + timedelta(seconds=1)),
    ]

    counted = clicks_write(batch)

    assert sorted((c.visitor_key, c.clicked_at) for c in counted) == [
        ("v:a", NOON),
        ("v:b", NOON + timedelta(seconds=1)),
    ]
    assert sorted(ShareClick.objects.values_list("visitor_key", "clicked_at")) == [
        ("v:a", NOON),
        ("v:b", NOON + timedelta(seconds=1)),
    ]
    assert ClickWindow.objects.get(visitor_key="v:a").counted_at == NOON


def test_a_later_click_in_the_same_batch_counts_once_the_window_has_run() -> None:
    link = product_link()
    clicks_write([click(link, "a", NOON - DAY + timedelta(hours=1))])  # open until NOON + 1 h

    counted = clicks_write(
        [
            click(link, "a", NOON),  # window still open
            click(link, "a", NOON + timedelta(hours=1)),  # exactly 24 h later: counts
            click(link, "a", NOON + timedelta(hours=2)),  # within the new window
            click(link, "a", NOON + timedelta(hours=25)),  # 24 h after that: counts
        ]
    )

    assert [c.clicked_at for c in counted] == [
        NOON + timedelta(hours=1),
        NOON + timedelta(hours=25),
    ]
    assert ShareClick.objects.filter(link=link).count() == 3
    assert ClickWindow.objects.get().counted_at == NOON + timedelta(hours=25)


def test_an_expired_window_is_renewed_and_an_open_one_is_not() -> None:
    link = product_link()
    clicks_write([click(link, "old", NOON - DAY), click(link, "new", NOON - timedelta(hours=1))])

    counted = clicks_write([click(link, "old", NOON), click(link, "new", NOON)])

    assert [c.visitor_key for c in counted] == ["v:old"]
    assert ClickWindow.objects.get(visitor_key="v:old").counted_at == NOON
    assert ShareClick.objects.filter(visitor_key="v:new").count() == 1


def test_the_writer_and_click_record_share_one_window() -> None:
    from sharemall.sharing.services import click_record  # noqa: PLC0415

    link = product_link()
    assert click_record(code=link.code, visitor_key="dev-1", now=NOON).counted is True

    assert clicks_write([click(link, "dev-1", NOON + timedelta(hours=1))]) == []
    assert len(clicks_write([click(link, "dev-1", NOON + DAY)])) == 1
    assert click_record(code=link.code, visitor_key="dev-1", now=NOON + DAY).counted is False


@pytest.mark.django_db(transaction=True)  # the link's foreign key is checked at commit
def test_clicks_on_a_link_deleted_since_are_dropped_and_the_rest_written() -> None:
    kept, gone = product_link(), product_link()
    doomed = click(gone, "b")
    gone.delete()

    counted = clicks_write([click(kept, "a"), doomed])

    assert [c.visitor_key for c in counted] == ["v:a"]
    assert list(ShareClick.objects.values_list("link_id", flat=True)) == [kept.pk]


# --- the buffer ---------------------------------------------------------------------------------


def test_a_failed_batch_waits_again_in_order_and_is_written_next_time() -> None:
    written: list[list[str]] = []
    failures = [RuntimeError("database away")]

    def write(batch: Any) -> None:
        if failures:
            raise failures.pop()
        written.append([c.visitor_key for c in batch])

    buffer = ClickBuffer(write, interval=3600)
    for visitor in ("a", "b"):
        buffer.add(Click(1, visitor, "", NOON))

    assert buffer.flush() is False
    assert buffer.pending == 2
    buffer.add(Click(1, "c", "", NOON))
    assert buffer.flush() is True
    assert written == [["a", "b", "c"]]
    assert buffer.pending == 0
    buffer.close()


class Recorder:
    """A batch writer that keeps visitor keys instead of rows, and can be down."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.down = False

    def __call__(self, batch: Any) -> None:
        if self.down:
            raise DatabaseError("database away")
        self.batches.append([c.visitor_key for c in batch])


def test_a_full_buffer_waits_for_the_flusher_to_make_room() -> None:
    written = Recorder()
    buffer = ClickBuffer(written, interval=3600, max_pending=2)
    try:
        accepted = [buffer.add(Click(1, visitor, "", NOON)) for visitor in ("a", "b", "c")]

        assert accepted == [True, True, True]
        assert buffer.pending == 1  # the first two were taken to make room for the third
    finally:
        buffer.close()
    assert written.batches == [["a", "b"], ["c"]]


def test_a_buffer_that_stays_full_hands_the_click_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingest, "FULL_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(ingest, "RETRY_DELAY_SECONDS", 0.01)
    link = product_link()
    written = Recorder()
    written.down = True
    django = Spy(DJANGO)
    buffer = ClickBuffer(written, interval=3600, max_pending=1)
    app = ClickIngest(django, buffer)
    try:
        call(app, environ(f"/s/{link.code}", cookies={rules.VISITOR_COOKIE: "first"}))

        reply = call(app, environ(f"/s/{link.code}", cookies={rules.VISITOR_COOKIE: "second"}))

        assert reply.status == 302
        assert django.calls == [f"/s/{link.code}"]
        assert list(ShareClick.objects.values_list("visitor_key", flat=True)) == ["v:second"]
        assert buffer.pending == 1
    finally:
        written.down = False
        buffer.close()
    assert written.batches == [["v:first"]]  # kept through the outage, written at close


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_writes_what_it_buffered_when_it_ends(tmp_path: Path) -> None:
    """A server worker forked from a parent holding the buffer: the child starts empty, and
    writes what it took even though it ends without a hook (multiprocessing leaves by
    os._exit, which skips atexit)."""
    out = tmp_path / "written.txt"

    def write(batch: Any) -> None:
        with out.open("a") as file:
            file.writelines(f"{c.visitor_key}\n" for c in batch)

    buffer = ClickBuffer(write, interval=3600)
    buffer.add(Click(1, "parent", "", NOON))
    try:
        child = multiprocessing.get_context("fork").Process(
            target=buffer.add, args=(Click(1, "child", "", NOON),)
        )
        child.start()
        child.join(30)

        assert child.exitcode == 0
        assert out.read_text() == "child\n"
    finally:
        buffer.close()
    assert out.read_text() == "child\nparent\n"


@pytest.mark.django_db(transaction=True)
def test_buffered_clicks_are_written_by_the_exit_hook() -> None:
    link = product_link()
    app = ingest.wrap(DJANGO, ingest.BUFFERED)
    assert isinstance(app.sink, ClickBuffer)
    app.sink.interval = 3600  # only the exit hook writes
    visitors = ["a", "b", "c"]
    for visitor in [*visitors, "a"]:
        call(app, environ(f"/s/{link.code}", cookies={rules.VISITOR_COOKIE: visitor}))
    assert not ShareClick.objects.exists()  # answered, not yet written

    ingest.shutdown()

    assert sorted(ShareClick.objects.values_list("visitor_key", flat=True)) == [
        "v:a",
        "v:b",
        "v:c",
    ]
    call(app, environ(f"/s/{link.code}", cookies={rules.VISITOR_COOKIE: "late"}))
    assert ShareClick.objects.filter(visitor_key="v:late").count() == 1  # written at once


@pytest.mark.django_db(transaction=True)
def test_the_flusher_thread_writes_within_moments() -> None:
    link = product_link()
    buffer = ClickBuffer(interval=0.02)
    app = ClickIngest(DJANGO, buffer)
    try:
        call(app, environ(f"/s/{link.code}"))

        deadline = time.monotonic() + 10
        while not ShareClick.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ShareClick.objects.filter(link=link).count() == 1
        assert buffer.pending == 0
    finally:
        buffer.close()


# --- PostgreSQL: concurrent flushers ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_of_the_same_visitors_count_each_visitor_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL")
    links = [product_link() for _ in range(3)]
    visitors = [f"dev-{i}" for i in range(40)]
    # Half the windows exist and have expired, so flushers race on renewals as well as inserts.
    clicks_write([click(link, v, NOON - 2 * DAY) for link in links for v in visitors[::2]])
    ShareClick.objects.all().delete()
    flushers = 24
    start = threading.Barrier(flushers)

    def flush(i: int) -> int:
        batch = [
            click(link, v, NOON + timedelta(milliseconds=i))
            for link in links
            for v in (visitors if i % 2 else list(reversed(visitors)))
        ]
        try:
            start.wait()
            return len(clicks_write(batch))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=flushers) as pool:
        counted = list(pool.map(flush, range(flushers)))

    assert sum(counted) == len(links) * len(visitors)
    assert ShareClick.objects.count() == len(links) * len(visitors)
    assert ClickWindow.objects.count() == len(links) * len(visitors)
    assert ClickWindow.objects.filter(counted_at__lt=NOON).count() == 0


# --- a real server, stopped with SIGTERM --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_served_worker_writes_every_answered_click_before_it_exits(
    tmp_path: Path, fresh_sqlite_in: Callable[[Path], Path]
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(SECRET_KEY="k", CLICK_INGEST="buffered")
    fresh_sqlite_in(tmp_path)
    command = [SHAREMALL, "shell", "-c", _MAKE_LINK]
    subprocess.run(command, cwd=tmp_path, env=env, check=True, timeout=180)  # noqa: S603 - our own command
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command
        [SHAREMALL, "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answered = _click_until_stopped(port, server)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
    with sqlite3.connect(tmp_path / "sharemall.db") as database:
        rows = database.execute("SELECT visitor_key FROM sharing_shareclick").fetchall()
    assert len(answered) > 50
    assert sorted(r[0] for r in rows) == sorted(f"v:{v}" for v in answered)


_MAKE_LINK = """
from sharemall.accounts.models import Member
from sharemall.sharing.models import ShareLink
sharer = Member.objects.create_user("13900000001", "Live-pass-2026", nickname="s")
ShareLink.objects.create(code="LiveCode01", sharer=sharer, target_type="product", target_id=7)
"""


def _click_until_stopped(port: int, server: subprocess.Popen[bytes]) -> list[str]:
    """Clicks as new visitors on one keep-alive connection; SIGTERM after the first 50."""
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    answered: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for i in range(2000):
        try:
            conn.request("GET", "/s/LiveCode01", headers={"Cookie": f"sm_vid=live-{i}"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            break
        if response.status == 302:
            answered.append(f"live-{i}")
        if i == 50:
            server.send_signal(signal.SIGTERM)
        if response.getheader("Connection") == "close":
            break
    return answered

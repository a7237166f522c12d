"""The fast path for anonymous share clicks: `GET /s/<code>` answered in front of Django.

A share link is mostly opened by strangers (a WeChat group, a poster), in bursts far above what
the full Django stack serves on a small machine. For them this wrapper answers the landing page
itself, with the same redirect and cookies as `web.views.share_landing`, and leaves the click to
a background thread that writes them in batches (`clickbatch`). Everything else — signed-in
members (their click also moves their share touch, synchronously), unknown or malformed codes
(Django's 404 page), other methods, a disallowed host — goes on to Django unchanged.
The redirect itself, header for header, is built in `landing_answer`.
Why, and what it trades: docs/adr/0007-buffered-share-click-ingestion.md.

Modes (setting CLICK_INGEST): "buffered" answers before the click is written (it is written
within a flush interval, and at process exit); "direct" writes it first, through the same batch
writer, so tests and small sites see each click at once.
"""

from __future__ import annotations

import atexit
import ipaddress
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import timezone

from sharemall.core.http import environ_address
from sharemall.sharing import rules
from sharemall.sharing.clickbatch import Click, clicks_write
from sharemall.sharing.landing_answer import Header, LandingAnswer, LinkFacts
from sharemall.sharing.models import ShareLink

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

BUFFERED, DIRECT = "buffered", "direct"
MODES = (BUFFERED, DIRECT)
PREFIX = "/s/"

# A batch every 50 ms under a trickle, or as soon as this many clicks wait under a flood: one
# transaction of a thousand clicks costs the database about as much as a handful of single ones.
FLUSH_INTERVAL_SECONDS = 0.05
BATCH_SIZE = 1000
# At most this many clicks wait per process. A click arriving to a full buffer waits for room,
# so a flood is answered only as fast as the database takes it, and what a stopping worker
# still has to write stays a few seconds' work, well inside the server's grace period. If no
# room comes (the database is away), Django answers and writes the click itself, or fails
# visibly: never a redirect for a click we could not keep.
MAX_PENDING = 10_000
FULL_WAIT_SECONDS = 5.0
RETRY_DELAY_SECONDS = 1.0
EXIT_JOIN_SECONDS = 10.0
# How soon the flusher notices that its process is ending without having called `close`.
EXIT_POLL_SECONDS = 0.1
EXIT_ATTEMPTS = 3
# Links never change once made, so a code's facts can be kept for the life of the process;
# the bound keeps a scan of many codes from growing the process without limit.
LINK_CACHE_SIZE = 100_000


class _UnknownCode(Exception):
    pass


def _load_link(code: str) -> LinkFacts:
    link = (
        ShareLink.objects.filter(code=code)
        .values_list("pk", "code", "target_type", "target_id", "sharer_id")
        .first()
    )
    if link is None:  # not cached: a link made later under this code must still be found
        raise _UnknownCode(code)
    pk, found, target_type, target_id, sharer_id = link
    return LinkFacts(pk, found, rules.target_path(target_type, target_id, sharer_id))


@lru_cache(maxsize=4096)
def is_public_address(address: str) -> bool:
    """Loopback, private and carrier-grade NAT addresses are shared by many people (ADR 0006):
    a flood guard on them would refuse a whole office or a mobile network."""
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


class FloodGuard:
    """At most CLICKS_PER_ADDRESS_PER_MINUTE counted clicks per public address per minute, as
    `click_record` allows, counted in this process only: a shared counter would cost a round
    trip on every click, and a script flooding several workers is still held to a few times
    the limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minute = 0
        self._hits: dict[str, int] = {}

    def allows(self, address: str) -> bool:
        if not is_public_address(address):
            return True
        minute = int(time.time()) // 60
        with self._lock:
            if minute != self._minute:
                self._minute, self._hits = minute, {}
            hits = self._hits.get(address, 0) + 1
            self._hits[address] = hits
        return hits <= rules.CLICKS_PER_ADDRESS_PER_MINUTE


class ClickSink(Protocol):
    def add(self, click: Click) -> bool:
        """Keep the click; False when it cannot be kept now (the caller then lets Django write
        it). May raise DatabaseError when it writes at once."""

    def close(self) -> None: ...


class DirectSink:
    """Writes each click before the answer goes out: a batch of one."""

    def __init__(self, write: Callable[[Sequence[Click]], object] = clicks_write) -> None:
        self._write = write

    def add(self, click: Click) -> bool:
        self._write([click])
        return True

    def close(self) -> None:
        pass


class ClickBuffer:
    """Clicks answered but not yet written, and the thread that writes them in batches.

    Nothing answered is dropped: a failed batch goes back to the front and is tried again; when
    the process ends (`close` from a hook or atexit, or the flusher itself once the main thread
    has finished) what is left is written, and any click arriving after that is written before
    its answer. Only a process killed outright loses what it holds: one flush interval of
    clicks in normal running, at most `max_pending` under a flood.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Click]], object] = clicks_write,
        *,
        interval: float = FLUSH_INTERVAL_SECONDS,
        batch_size: int = BATCH_SIZE,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._write = write
        self.interval = interval
        self.batch_size = batch_size
        self.max_pending = max_pending
        self._start_afresh()
        # A forked server worker inherits this object but not its thread, nor a usable lock.
        this = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _reset_in_child(this()))

    def _start_afresh(self) -> None:
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._pending: list[Click] = []
        self._in_flight = 0  # taken by the flusher, not yet written
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Clicks answered and not yet written."""
        return len(self._pending) + self._in_flight

    def _full(self) -> bool:
        return len(self._pending) + self._in_flight >= self.max_pending

    def add(self, click: Click) -> bool:
        with self._lock:
            if not self._closed and self._full() and not self._wait_for_room():
                return False
            if not self._closed:
                self._pending.append(click)
                waiting = len(self._pending)
                if self._thread is None:
                    self._start_thread()
                if waiting >= self.batch_size:
                    self._wake.set()
                return True
        self._write([click])
        return True

    def _start_thread(self) -> None:
        # Not a daemon: a process ending — through the interpreter, or a multiprocessing worker
        # leaving by os._exit after threading's shutdown — waits for it to write what it holds.
        self._thread = threading.Thread(target=self._run, name="share-click-flusher")
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        due = time.monotonic() + self.interval
        try:
            while True:
                woken = self._wake.wait(min(self.interval, EXIT_POLL_SECONDS))
                self._wake.clear()
                if self._stopping.is_set():
                    return  # `close` writes the rest in its own thread
                if not threading.main_thread().is_alive():
                    break  # the process is ending without having called `close`
                if not woken and time.monotonic() < due:
                    continue
                due = time.monotonic() + self.interval
                if self.flush():
                    close_old_connections()  # this thread's connection ages like a request's
                else:
                    connection.close()  # a broken connection is replaced on the next try
                    self._stopping.wait(RETRY_DELAY_SECONDS)
            self._finish()
        finally:
            connection.close()

    def _wait_for_room(self) -> bool:
        """Under the lock: True once the flusher has written enough to make room."""
        self._wake.set()
        return self._room.wait_for(lambda: not self._full() or self._closed, FULL_WAIT_SECONDS)

    def _take(self) -> list[Click]:
        with self._lock:
            batch, self._pending = self._pending, []
            self._in_flight = len(batch)
        return batch

    def _written(self, count: int) -> None:
        with self._lock:
            self._in_flight -= count
            self._room.notify_all()

    def _put_back(self, clicks: list[Click]) -> None:
        with self._lock:
            self._pending[:0] = clicks
            self._in_flight = 0

    def flush(self) -> bool:
        """Write every waiting click now; False (the unwritten ones waiting again) on failure."""
        batch = self._take()
        for start in range(0, len(batch), self.batch_size):
            chunk = batch[start : start + self.batch_size]
            try:
                self._write(chunk)
            except Exception:
                logger.exception("share clicks not written yet; %d wait", len(batch) - start)
                self._put_back(batch[start:])
                return False
            self._written(len(chunk))
        return True

    def close(self) -> None:
        """Stop the thread and write everything still waiting, here: the exit hook."""
        if self._closed:
            return
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(EXIT_JOIN_SECONDS)
        self._finish()

    def _finish(self) -> None:
        """Write everything waiting; from now on each click is written as it comes."""
        with self._lock:
            self._closed = True
        for attempt in range(EXIT_ATTEMPTS):
            if self.flush():
                return
            if attempt < EXIT_ATTEMPTS - 1:
                time.sleep(RETRY_DELAY_SECONDS)
        lost = self._take()
        logger.error(
            "%d share clicks could not be written at exit: %s",
            len(lost),
            [(c.link_id, c.visitor_key, c.ip, c.clicked_at.isoformat()) for c in lost],
        )


def _reset_in_child(buffer: ClickBuffer | None) -> None:
    if buffer is not None:  # the weak reference keeps the fork hook from keeping it alive
        buffer._start_afresh()


class ClickIngest:
    """WSGI wrapper: anonymous `GET /s/<code>` answered here, everything else by `app`."""

    def __init__(self, app: WSGIApplication, sink: ClickSink) -> None:
        self.app = app
        self.sink = sink
        self.forget()

    def forget(self) -> None:
        """Read settings afresh and drop every cache (for tests that change them)."""
        self._link = lru_cache(maxsize=LINK_CACHE_SIZE)(_load_link)
        self._guard = FloodGuard()
        self._answer = LandingAnswer()
        self._host_allowed = lru_cache(maxsize=256)(_host_allowed)
        self._session_cookie = settings.SESSION_COOKIE_NAME
        self._forwarded_host = settings.USE_X_FORWARDED_HOST
        self._proxy_ssl_header = settings.SECURE_PROXY_SSL_HEADER
        self._ssl_redirect = settings.SECURE_SSL_REDIRECT

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith(
            PREFIX
        ):
            headers = self._land(environ)
            if headers is not None:
                start_response("302 Found", headers)
                return [b""]
        return self.app(environ, start_response)

    def _land(self, environ: WSGIEnvironment) -> list[Header] | None:
        """The landing page's answer, or None to let Django answer."""
        code = environ["PATH_INFO"][len(PREFIX) :]
        scheme = self._scheme(environ)
        cookies = self._cookies_if_ours(environ, code, scheme)
        link = None if cookies is None else self._find(code)
        if cookies is None or link is None:
            return None
        visitor_id = cookies.get(rules.VISITOR_COOKIE, "")
        new_visitor = not rules.is_visitor_id(visitor_id)
        if new_visitor:
            visitor_id = rules.new_visitor_id()
        try:
            if self._keep(environ, link, visitor_id):
                return self._answer(scheme, link, visitor_id if new_visitor else None)
        except DatabaseError:
            logger.exception("share click not kept; Django answers instead")
        return None

    def _cookies_if_ours(
        self, environ: WSGIEnvironment, code: str, scheme: str
    ) -> dict[str, str] | None:
        """The request's cookies when the fast path may answer it: a well-formed code, nobody
        signed in (no session, no token), an allowed host, and no redirect to HTTPS due (Django
        gives that one before counting)."""
        if not rules.looks_like_code(code) or "HTTP_AUTHORIZATION" in environ:
            return None
        if self._ssl_redirect and scheme != "https":
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if self._session_cookie in cookies or not self._host_allowed(self._host(environ)):
            return None
        return cookies

    def _find(self, code: str) -> LinkFacts | None:
        try:
            return self._link(code)
        except _UnknownCode:
            return None
        except DatabaseError:
            logger.exception("share link lookup failed; Django answers instead")
            return None

    def _keep(self, environ: WSGIEnvironment, link: LinkFacts, visitor_id: str) -> bool:
        """Hand the click to the sink; a flood's click is answered but not counted, as
        `click_record` does."""
        # The address exactly as core.http.client_address reads it (through TRUSTED_PROXIES).
        ip = environ_address(environ)[:45]
        if not self._guard.allows(ip):
            return True
        click = Click(link.link_id, rules.visitor_key(visitor_id), ip, timezone.now())
        return self.sink.add(click)

    def _host(self, environ: WSGIEnvironment) -> str:
        """The Host as Django's request.get_host reads it; empty (Django answers) without one."""
        if self._forwarded_host and "HTTP_X_FORWARDED_HOST" in environ:
            return str(environ["HTTP_X_FORWARDED_HOST"])
        return str(environ.get("HTTP_HOST", ""))

    def _scheme(self, environ: WSGIEnvironment) -> str:
        """http or https, as Django's request.scheme decides it."""
        if self._proxy_ssl_header:
            header, secure_value = self._proxy_ssl_header
            value = environ.get(header)
            if value is not None:
                return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
        return "https" if environ.get("wsgi.url_scheme") == "https" else "http"


def _host_allowed(host: str) -> bool:
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


_made: list[ClickIngest] = []


def wrap(app: WSGIApplication, mode: str | None = None) -> ClickIngest:
    """The served application: `app` behind the share-click fast path in `mode` (default: the
    CLICK_INGEST setting)."""
    chosen = mode or settings.CLICK_INGEST
    if chosen not in MODES:
        raise ValueError(f"CLICK_INGEST is one of {', '.join(MODES)}; got {chosen!r}")
    sink: ClickSink = ClickBuffer() if chosen == BUFFERED else DirectSink()
    ingest = ClickIngest(app, sink)
    _made.append(ingest)
    return ingest


def shutdown() -> None:
    """Write every click still buffered in this process now. A worker ending does this by
    itself (the flusher outlives the main thread, and atexit); this is for a server's hook."""
    for ingest in _made:
        ingest.sink.close()

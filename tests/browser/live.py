"""A real `sharemall serve` for the browser tests, and plain-HTTP helpers to drive it.

The server is a separate process with its own database: the test process reaches its data only
through the JSON API (`Api`) and the `sharemall` command (`LiveServer.run_jobs`), as a client
app or an operator's cron would.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sharemall.demo import data as demo

SHAREMALL = str(Path(sys.executable).parent / "sharemall")
REPO = Path(__file__).resolve().parents[2]  # where tests.browser.server_settings is found
HOST = "127.0.0.1"
# Migrating and seeding come first; a busy CI machine takes its time.
START_SECONDS = 180
# Whatever the test run was configured with (PostgreSQL, test settings, a direct click writer)
# must not leak into the server: it runs with production settings, configured only below.
SERVER_VARIABLES = (
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_COOKIES",
    "REDIS_URL",
    "AUTH_THROTTLE",
    "SANDBOX_PAYMENTS",
    "SMS_BACKEND",
    "PHONE_VERIFICATION",
    "CLICK_INGEST",
    "MEDIA_ROOT",
    "MEDIA_STORAGE",
    "TEST_MEDIA_ROOT",
    "PUBLIC_BASE_URL",
    "WEB_CONCURRENCY",
)


class ApiError(AssertionError):
    """An API call answered something other than the status the caller expected."""


@dataclass
class Api:
    """/api/v1 over real HTTP, optionally as a member (bearer token)."""

    base: str
    token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept-Language": "en"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            f"{self.base}/api/v1{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def expect(self, status: int, method: str, path: str, body: Any = None) -> Any:
        got, answer = self.call(method, path, body)
        if got != status:
            raise ApiError(f"{method} {path}: expected {status}, got {got}: {answer}")
        return answer

    def get(self, path: str) -> Any:
        return self.expect(200, "GET", path)

    def post(self, path: str, body: Any = None, *, status: int = 200) -> Any:
        return self.expect(status, "POST", path, {} if body is None else body)


@dataclass(frozen=True)
class Demo:
    """Facts about the seeded demo mall (sharemall.demo.data), looked up through the API."""

    sharer_phone: str  # a demo member who is a distributor and has a product share link
    sharer_id: int
    share_code: str
    product_id: int  # the product that link leads to
    product_title: str
    merchant_owner_phone: str
    merchant_product_id: int  # a product of the demo merchant (for its analytics page)
    post_id: int
    # Ids of orders, disputes, applications… (sharemall.demo.facts), 0 where there is none.
    facts: dict[str, int] = field(default_factory=dict)
    operator_phone: str = demo.OPERATOR_PHONE
    operator_password: str = demo.OPERATOR_PASSWORD
    password: str = demo.DEMO_PASSWORD  # every demo member's and merchant's
    staff_phone: str = demo.MARKER.staff_phone

    def placeholders(self) -> dict[str, int | str]:
        """What a page path may name, e.g. /orders/{order_id}."""
        return {
            **self.facts,
            "product_id": self.product_id,
            "share_code": self.share_code,
            "post_id": self.post_id,
            "merchant_product_id": self.merchant_product_id,
        }


class LiveServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = workdir / "serve.log"
        env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
        env.update(
            # Always SQLite, even on the suite's PostgreSQL pass: the pages and the journey are
            # the same on both, and PostgreSQL's own behaviour is covered by the rest of the suite.
            DATABASE_URL=f"sqlite:///{workdir / 'sharemall.db'}",
            DJANGO_SETTINGS_MODULE="tests.browser.server_settings",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            DEBUG="off",
            SECRET_KEY=secrets.token_urlsafe(40),
            ALLOWED_HOSTS=f"{HOST},localhost",
            CSRF_TRUSTED_ORIGINS=self.base,
            PUBLIC_BASE_URL=self.base,
            SECURE_COOKIES="off",  # plain http on loopback: secure cookies would never be sent
            SANDBOX_PAYMENTS="1",
            AUTH_THROTTLE="off",  # every test logs in from 127.0.0.1
            # Sign-up needs a texted code, as in production; the sandbox texts it and the
            # journeys read it back from /api/v1/sandbox/sms/<phone>.
            SMS_BACKEND="sandbox",
            PHONE_VERIFICATION="on",
            MEDIA_ROOT=str(workdir / "media"),
            WEB_CONCURRENCY="1",  # a few browser tabs at a time, and the machine has two cores
            LOG_LEVEL="WARNING",
        )
        self.env = env

    def command(self, *args: str, timeout: float = 120) -> str:
        """Runs `sharemall <args>` against the server's database; returns its output."""
        done = subprocess.run(
            [SHAREMALL, *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise AssertionError(f"sharemall {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def run_jobs(self, now: datetime) -> dict[str, int]:
        """Every periodic job due at `now` (give a time in the future to skip waiting)."""
        return dict(json.loads(self.command("run-due-jobs", "--now", now.isoformat()))["jobs"])

    def api(self, token: str | None = None) -> Api:
        return Api(self.base, token)

    def token(self, phone: str, password: str) -> str:
        answer = self.api().post("/auth/login", {"phone": phone, "password": password})
        return str(answer["token"])

    def url(self, path: str) -> str:
        return self.base + path

    @contextmanager
    def running(self) -> Iterator[LiveServer]:
        """`sharemall demo`: migrate, seed-demo and serve, in one process (each `sharemall`
        start costs seconds of imports)."""
        with self.log_path.open("w") as log:
            server = subprocess.Popen(
                [SHAREMALL, "demo", "--host", HOST, "--port", str(self.port)],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=log,
            )
            try:
                self._wait_until_up(server)
                yield self
            finally:
                server.terminate()
                server.wait(timeout=30)

    def _wait_until_up(self, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise AssertionError(f"sharemall demo exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"sharemall demo did not answer in {START_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def demo(self) -> Demo:
        sharer_phone = demo.MEMBER_PHONES[0]
        sharer = self.api(self.token(sharer_phone, demo.DEMO_PASSWORD))
        link = next(s for s in sharer.get("/shares") if s["target_type"] == "product")
        owner_phone = demo.MARKER.owner_phone
        owner = self.api(self.token(owner_phone, demo.DEMO_PASSWORD))
        merchant_id = owner.get("/merchants/mine")[0]["id"]
        return Demo(
            sharer_phone=sharer_phone,
            sharer_id=int(sharer.get("/me")["id"]),
            share_code=str(link["code"]),
            product_id=int(link["target_id"]),
            product_title=str(self.api().get(f"/products/{link['target_id']}")["title"]),
            merchant_owner_phone=owner_phone,
            merchant_product_id=int(owner.get(f"/merchants/{merchant_id}/products")[0]["id"]),
            post_id=int(sharer.get("/me/posts")[0]["id"]),
            facts=self.facts(),
        )

    def facts(self) -> dict[str, int]:
        """Ids no API lists for a client (an operator's dispute, another shop's order), read
        from the server's database by the `sharemall` command, as an operator would."""
        script = (
            "import json; from sharemall.demo.facts import demo_facts; "
            "print(json.dumps(demo_facts()))"
        )
        found: dict[str, int] = json.loads(
            self.command("shell", "-c", script).strip().splitlines()[-1]
        )
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])

"""The versioned caches across real processes: two `sharemall serve` servers (one worker each)
on one SQLite file, nothing else shared. What one of them changes, the other applies on its
very next request, though it had the old value cached."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_live_contract import PASSWORD, SHAREMALL, Live


def _serve(cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (cwd / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        [SHAREMALL, "serve", "--port", str(port), "--workers", "1"],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[list[Live]]:
    cwd = tmp_path_factory.mktemp("two-processes")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        SECRET_KEY="two-processes",
        AUTH_THROTTLE="off",
        SMS_BACKEND="sandbox",
        PHONE_VERIFICATION="off",
    )
    shutil.copyfile(migrated_sqlite, cwd / "sharemall.db")
    subprocess.run(
        [SHAREMALL, "create-operator", "--phone", "13800000000", "--password", PASSWORD],
        cwd=cwd,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    servers = [_serve(cwd, env) for _ in range(2)]
    try:
        yield [Live(base, cwd, env) for _server, base in servers]
    finally:
        for server, _base in servers:
            server.terminate()
            server.wait(timeout=30)


def test_a_token_revoked_through_one_process_is_refused_by_the_other(two: list[Live]) -> None:
    a, b = two
    token = a.member("13700009001")
    assert a.call("GET", "/api/v1/me", token=token)[0] == 200
    assert a.call("GET", "/api/v1/me", token=token)[0] == 200  # cached in a now
    assert b.call("POST", "/api/v1/auth/logout", token=token)[0] == 204
    assert a.call("GET", "/api/v1/me", token=token)[0] == 401
    # The servers run this tree's code: b's log-out bumped the version a compared against.
    with sqlite3.connect(a.cwd / "sharemall.db") as db:
        assert db.execute(
            "SELECT count(*) FROM core_cacheversion WHERE name = 'tokens'"
        ).fetchone() == (1,)


def test_settings_changed_through_one_process_are_read_by_the_other(two: list[Live]) -> None:
    a, b = two
    status, body = a.call(
        "POST", "/api/v1/auth/login", {"phone": "13800000000", "password": PASSWORD}
    )
    assert status == 200, body
    operator = str(body["token"])
    before = a.call("GET", "/api/v1/platform/settings", token=operator)[1]
    assert a.call("GET", "/api/v1/platform/settings", token=operator)[1] == before  # cached
    days = before["settlement_delay_days"] + 1
    status, _ = b.call(
        "PUT", "/api/v1/platform/settings", {"settlement_delay_days": days}, token=operator
    )
    assert status == 200
    after = a.call("GET", "/api/v1/platform/settings", token=operator)[1]
    assert after["settlement_delay_days"] == days

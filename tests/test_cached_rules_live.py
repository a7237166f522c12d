"""The versioned caches across real processes: two `sharemall serve` servers (one worker each)
on one SQLite file, nothing else shared. What one of them changes, the other applies on its
very next request, though it had the old value cached."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_live_contract import PASSWORD, Live, live_site, serve, stop


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[list[Live]]:
    cwd = tmp_path_factory.mktemp("two-processes")
    env = live_site(cwd, migrated_sqlite, "two-processes")
    servers = [serve(cwd, env, workers=1) for _ in range(2)]
    try:
        yield [Live(base, cwd, env) for _server, base in servers]
    finally:
        for server, base in servers:
            stop(server, cwd, base)


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
